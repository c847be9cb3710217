//! Opt-in (needs the bpf() system call, so root): programs the Linux verifier can
//! accept ([`Profile::Kernel`]) run in ferrobpf's interpreter and in the kernel
//! (`BPF_PROG_TEST_RUN`, through the conformance crate's kernel engine). Programs
//! the kernel refuses are skipped (the generator avoids the refusals
//! `conformance/KERNEL_DIFFERENCES.md` documents: constant shifts out of range,
//! constant zero divisors, helpers, callx, packet loads, recursion, misaligned stack
//! accesses); for the others r0 and the memory must be identical.
#![no_main]

use arbitrary::Arbitrary;
use ferrobpf_conformance::engine::{Engine, RunOptions, Stage};
use ferrobpf_conformance::interp::InterpEngine;
use ferrobpf_conformance::kernel::KernelEngine;
use ferrobpf_fuzz::gen::{build, Profile, Recipe, Target};
use ferrobpf_fuzz::tally::Tally;
use ferrobpf_vm::disasm::{disassemble, Syntax};
use ferrobpf_vm::program::Program;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// Bytes of input memory.
const INPUT: usize = 64;

#[derive(Arbitrary, Debug)]
struct Case {
    recipe: Recipe,
    input: [u8; INPUT],
}

fn kernel() -> Option<&'static KernelEngine> {
    static KERNEL: OnceLock<KernelEngine> = OnceLock::new();
    let engine = KERNEL.get_or_init(|| {
        let engine = KernelEngine::new();
        if let Some(why) = engine.unavailable() {
            eprintln!("kernel_diff: skipped: {why}");
        }
        engine
    });
    engine.unavailable().is_none().then_some(engine)
}

/// How many programs the kernel accepted.
static TALLY: Tally = Tally::new("kernel_diff");

fuzz_target!(|case: Case| {
    let Some(kernel) = kernel() else {
        return;
    };
    let target = Target {
        profile: Profile::Kernel,
        input_addr: 0,
        input_len: INPUT,
        input_in_context: false,
        helpers: Vec::new(),
        regions: Vec::new(),
        frame_size: 512,
        align_atomics: true,
        maps: 0,
        stack_args: false,
    };
    let bytes = build(&case.recipe, &target);
    let program = match Program::from_bytes(&bytes) {
        Ok(p) => p,
        Err(e) => panic!("generated program refused: {e}"),
    };
    let text = disassemble(program.insns(), Syntax::Conformance);
    let options = RunOptions::default();
    let theirs = match kernel.run(&bytes, &case.input, &options) {
        Ok(completion) => completion,
        Err(f) if f.stage == Stage::Load => return TALLY.count(false),
        Err(f) => panic!("the kernel accepted the program but the run failed: {f}\n{text}"),
    };
    TALLY.count(true);
    match InterpEngine::new().run(&bytes, &case.input, &options) {
        Ok(ours) => assert_eq!(
            ours, theirs,
            "interpreter (left) differs from the kernel\n{text}"
        ),
        Err(f) => panic!("the kernel ran it ({theirs:?}), the interpreter failed: {f}\n{text}"),
    }
});
