//! Recording states for the soundness mode (`Config::record_states`) stays linear in
//! the states per instruction: the fuzz finding `verifier_sound/trace-record-quadratic`
//! (tests/regressions/trace_record_quadratic.s) records ~50,000 distinct states at
//! each slot of its loop; deduplicating them with a linear search took 33 s.

use ferrobpf_verifier::helpers::Helpers;
use ferrobpf_verifier::{verify, Config, ProgType};
use ferrobpf_vm::asm::assemble;
use std::path::Path;

/// A fifth of the fuzz target's budget: enough for 10,000 states per slot (a
/// quadratic recording takes minutes in debug builds), fast in a debug build.
const BUDGET: usize = 20_000;

/// The fuzz target's settings as far as this program needs them (it never touches
/// its context or calls a helper), with a budget of `budget` instructions.
fn fuzz_config(record_states: bool, budget: usize) -> Config {
    let mut config = Config::new(ProgType::SocketFilter);
    config.helpers = Helpers::empty();
    config.max_insns = budget;
    config.record_states = record_states;
    config
}

#[test]
fn recording_many_states_per_slot_is_fast() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions/trace_record_quadratic.s");
    let text = std::fs::read_to_string(path).expect("regression program");
    let insns = assemble(&text).expect("assembles");
    let traced = verify(&insns, &[], &fuzz_config(true, BUDGET)).expect_err("never terminates");
    let untraced = verify(&insns, &[], &fuzz_config(false, BUDGET)).expect_err("never terminates");
    assert_eq!(traced.pc, untraced.pc);
    assert_eq!(traced.reason, untraced.reason);
    assert!(traced.stats.insns_processed >= BUDGET);
}
