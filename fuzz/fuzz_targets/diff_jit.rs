//! Structured programs (drawn from the ISA table: every form, loops, local calls,
//! helper calls, accesses in and out of bounds of several regions) run in the
//! interpreter and in the JIT in both modes, with and without blinding: r0, the
//! error (kind and instruction) and the writable memory must be identical. With the
//! crate feature `aarch64`, the AArch64 back end (under Unicorn) is compared too.
#![no_main]

use ferrobpf_fuzz::cases::{DiffJit, DiffJitRun};
use ferrobpf_fuzz::compare::{interpret, jit, listing};
use ferrobpf_fuzz::helpers;
use ferrobpf_vm::program::Program;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|case: DiffJit| {
    let DiffJitRun {
        mut buffers,
        limits,
        bytes,
        configs,
    } = case.prepare();
    let program = match Program::from_bytes(&bytes) {
        Ok(p) => p,
        Err(e) => panic!("generated program refused: {e}"),
    };
    let helpers = helpers::registry();
    let want = interpret(&program, limits, &helpers, &mut buffers);
    for config in configs {
        let got = match jit(&program, &config, &helpers, &mut buffers) {
            Ok(got) => got,
            Err(e) => panic!(
                "JIT refused a loaded program ({config:?}): {e}\n{}",
                listing(&program)
            ),
        };
        assert_eq!(
            got,
            want,
            "JIT ({config:?}) differs from the interpreter\n{}",
            listing(&program)
        );
        #[cfg(feature = "aarch64")]
        aarch64(&program, &config, &helpers, &mut buffers, &want);
    }
});

/// The AArch64 back end under the emulator must observe `want` too.
#[cfg(feature = "aarch64")]
fn aarch64(
    program: &Program,
    config: &ferrobpf_jit::JitConfig,
    helpers: &ferrobpf_vm::helpers::HelperRegistry,
    buffers: &mut ferrobpf_fuzz::memory::Buffers,
    want: &ferrobpf_fuzz::compare::Observed,
) {
    match ferrobpf_fuzz::compare::emulated(program, config, helpers, buffers) {
        Ok(got) => assert_eq!(
            &got,
            want,
            "AArch64 JIT ({config:?}) differs from the interpreter\n{}",
            listing(program)
        ),
        Err(e) => panic!("AArch64 JIT ({config:?}): {e}\n{}", listing(program)),
    }
}
