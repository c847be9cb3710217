//! Figures about one verification.

use std::time::Duration;

/// How much work a verification took.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Instructions processed over all paths (the kernel's `insns_processed`).
    pub insns_processed: usize,
    /// States stored for pruning, in total.
    pub states_stored: usize,
    /// Most stored states kept at once (some are dropped when they never prune).
    pub peak_states: usize,
    /// Paths ended by pruning against a stored state.
    pub pruned: usize,
    /// Most paths waiting to be explored at once.
    pub peak_pending: usize,
    /// Most bytes of verifier state kept at once, as [`crate::Config::max_memory`]
    /// counts them.
    pub peak_memory: usize,
    /// Loops whose termination was proven by widening rather than exploration.
    pub widened_loops: usize,
    /// Paths ended at a loop head because a finished widened exploration of the loop
    /// covers them.
    pub joined: usize,
    /// Wall-clock time.
    pub time: Duration,
}
