//! Programs -> verifier: never a panic, only typed rejections. Accepted programs run
//! in the interpreter's soundness mode (every runtime check on, and before every
//! executed instruction the concrete registers must lie in one of the abstract
//! states the verifier recorded there) and in the JIT's verified mode: a fault, a run
//! past the budget (the verifier proves termination), a register outside the
//! recorded states, an r0 outside the states at the entry function's exits, or a JIT
//! result different from the interpreter's is a soundness bug.
//!
//! The program type is a host type whose context holds one pointer to 64 bytes of
//! writable memory; helpers 1-3 of the fuzzing set are declared with their exact
//! signatures. Structured programs are kernel-like (mostly accepted: loads through
//! the context pointer, counted loops, local and helper calls) or wild (mostly
//! refused); raw bytes go straight in too.
#![no_main]

use ferrobpf_fuzz::cases::{verifier_config, VerifierSound};
use ferrobpf_fuzz::compare::{interpret_observed, jit, listing};
use ferrobpf_fuzz::helpers;
use ferrobpf_fuzz::memory::Buffers;
use ferrobpf_fuzz::tally::Tally;
use ferrobpf_jit::JitConfig;
use ferrobpf_verifier::checker::TraceChecker;
use ferrobpf_verifier::liveness::live_in;
use ferrobpf_verifier::trace::{Concrete, Regions, Trace};
use ferrobpf_verifier::verify;
use ferrobpf_vm::decode_program;
use ferrobpf_vm::insn::NUM_REGS;
use ferrobpf_vm::interp::Config as Limits;
use ferrobpf_vm::isa::Semantics;
use ferrobpf_vm::program::Program;
use libfuzzer_sys::fuzz_target;

/// Budget of the runs: far above what generated loops need.
const BUDGET: u64 = 1 << 24;

/// How many programs the verifier accepted.
static TALLY: Tally = Tally::new("verifier_sound");

/// Whether `r0` lies in a state recorded at an exit of the entry function.
fn r0_admitted(trace: &Trace, program: &Program, r0: u64) -> bool {
    let mut regs = [Concrete::Number(0); NUM_REGS];
    regs[0] = Concrete::Number(r0);
    program
        .insns()
        .iter()
        .enumerate()
        .filter(|(_, i)| i.spec().semantics == Semantics::Exit)
        .any(|(pc, _)| trace.admits(pc, 0, &regs, 1))
}

fuzz_target!(|case: VerifierSound| {
    let (bytes, data) = case.prepare();
    let Ok(insns) = decode_program(&bytes) else {
        return;
    };
    // Verify without recorded states first: recording is slow on long explorations
    // (see fuzz/regressions/verifier_limits/README.md), and most programs are
    // refused. The verdict must not depend on recording.
    let mut config = verifier_config();
    config.record_states = false;
    if verify(&insns, &[], &config).is_err() {
        return TALLY.count(false);
    }
    TALLY.count(true);
    config.record_states = true;
    let report = match verify(&insns, &[], &config) {
        Ok(report) => report,
        Err(r) => panic!("refused only when recording states: {}", r.reason),
    };
    // The VM's load-time checks are path-insensitive (definite assignment) and may
    // refuse what the verifier proved on every feasible path.
    let Ok(program) = Program::from_bytes(&bytes) else {
        return;
    };
    let text = listing(&program);
    let limits = Limits {
        instruction_budget: Some(BUDGET),
        ..Limits::default()
    };
    let registry = helpers::registry();
    let mut buffers = Buffers::with_context(data.to_vec());
    let trace = report.trace.as_ref().expect("states were requested");
    let mut checker = TraceChecker::new(
        trace,
        live_in(&insns, &config.helpers),
        Regions {
            ctx: buffers.context(),
            ..Regions::default()
        },
    );
    let ours = interpret_observed(&program, limits, &registry, &mut buffers, &mut checker);
    let r0 = match ours.result {
        Ok(r0) => r0,
        Err(ref e) => panic!("verified program failed at run time: {e}\n{text}"),
    };
    if let Some(&(pc, depth, regs)) = checker.violation() {
        panic!(
            "registers outside every recorded state at slot {pc} (depth {depth}): {regs:#x?}\n\
             states there: {:?}\n{text}",
            trace.at(pc)
        );
    }
    assert!(
        r0_admitted(trace, &program, r0),
        "r0 = {r0:#x} lies outside every abstract state at an exit\n{text}"
    );
    let jitted = JitConfig {
        limits,
        ..JitConfig::verified()
    };
    match jit(&program, &jitted, &registry, &mut buffers) {
        Ok(got) => assert_eq!(got, ours, "JIT (verified mode) differs\n{text}"),
        Err(e) => panic!("JIT refused a verified program: {e}\n{text}"),
    }
});
