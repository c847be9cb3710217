//! Counts of how often a target got past its filter (the kernel or the verifier
//! accepting a program), printed now and then so runs show their yield.

use std::sync::atomic::{AtomicU64, Ordering};

/// Runs and acceptances of one target.
#[derive(Debug)]
pub struct Tally {
    name: &'static str,
    runs: AtomicU64,
    accepted: AtomicU64,
}

impl Tally {
    /// Every this many runs a line goes to stderr.
    pub const EVERY: u64 = 4096;

    /// A tally for target `name`.
    pub const fn new(name: &'static str) -> Tally {
        Tally {
            name,
            runs: AtomicU64::new(0),
            accepted: AtomicU64::new(0),
        }
    }

    /// Counts one run.
    pub fn count(&self, accepted: bool) {
        let runs = self.runs.fetch_add(1, Ordering::Relaxed) + 1;
        let ok = self
            .accepted
            .fetch_add(u64::from(accepted), Ordering::Relaxed);
        if runs.is_multiple_of(Tally::EVERY) {
            let ok = ok + u64::from(accepted);
            eprintln!("{}: accepted {ok} of {runs} programs", self.name);
        }
    }
}
