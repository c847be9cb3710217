//! The three shared bench workloads (arith, fnv, sieve over the 64 KiB buffer of
//! ../shared/bench/common.h) give their expected results on the AArch64 back end,
//! executed under emulation, in both modes.

use ferrobpf_jit::aarch64::emu::EmulatedProgram;
use ferrobpf_jit::JitConfig;
use ferrobpf_vm::helpers::HelperRegistry;
use ferrobpf_vm::program::Program;

const WORKLOADS: [(&str, &[u8], u64); 3] = [
    (
        "arith",
        include_bytes!("../benches/workloads/arith.bin"),
        0x8b42_6b26_a848_c555,
    ),
    (
        "fnv",
        include_bytes!("../benches/workloads/fnv.bin"),
        0x69a2_07b5,
    ),
    (
        "sieve",
        include_bytes!("../benches/workloads/sieve.bin"),
        0x404,
    ),
];

/// The deterministic buffer of `common.h` (LCG seeded with 12345).
fn fill() -> Vec<u8> {
    let mut s: u32 = 12345;
    (0..65536)
        .map(|_| {
            s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (s >> 16) as u8
        })
        .collect()
}

#[test]
fn workloads_give_the_expected_results() {
    for (name, bytes, want) in WORKLOADS {
        let program = Program::from_bytes(bytes).expect("loads");
        for config in [JitConfig::checked(), JitConfig::verified()] {
            let jit = EmulatedProgram::compile(&program, &config).expect("compiles");
            let got = jit.run(&HelperRegistry::new(), &mut fill());
            assert_eq!(got, Ok(want), "{name} {:?}", config.mode);
        }
    }
}
