//! The three shared bench workloads (arith, fnv, sieve over the 64 KiB buffer of
//! ../shared/bench/common.h) give their expected results on the AArch64 back end,
//! executed natively on an AArch64 host and under emulation elsewhere, in both modes.

use ferrobpf_jit::aarch64::exec::A64Program;
use ferrobpf_jit::JitConfig;
use ferrobpf_vm::helpers::HelperRegistry;

/// The workloads of the root benches crate (its other items serve the benches).
#[allow(dead_code)]
#[path = "../../benches/src/lib.rs"]
mod workloads;

#[test]
fn workloads_give_the_expected_results() {
    for w in workloads::WORKLOADS {
        let program = w.program().expect("loads");
        for config in [JitConfig::checked(), JitConfig::verified()] {
            let jit = A64Program::compile(&program, &config).expect("compiles");
            let got = jit.run(&HelperRegistry::new(), &mut workloads::fill_buffer());
            assert_eq!(got.ok(), Some(w.expected), "{} {:?}", w.name, config.mode);
        }
    }
}
