//! The soundness check as an interpreter observer: before every executed
//! instruction, the concrete registers must lie in one of the abstract states the
//! verifier recorded there ([`Trace::admits_raw`]). Used by the soundness tests and
//! the `verifier_sound` fuzz target.

use crate::liveness::RegSet;
use crate::trace::{Regions, Trace};
use ferrobpf_vm::interp::observe::OBSERVED_REGS;
use ferrobpf_vm::interp::Observer;
use ferrobpf_vm::memory::StackLayout;

/// A concrete state outside every recorded one: (slot, call depth, r0-r10).
pub type Violation = (usize, usize, [u64; OBSERVED_REGS]);

/// Checks every executed instruction against `trace`; keeps the first violation.
pub struct TraceChecker<'t> {
    trace: &'t Trace,
    live: Vec<RegSet>,
    regions: Regions,
    violation: Option<Violation>,
    steps: u64,
}

impl<'t> TraceChecker<'t> {
    /// A checker of `trace`, with the registers live at each slot (`live_in`) and
    /// the run's regions (its context; the stack frames are filled in at start).
    pub fn new(trace: &'t Trace, live: Vec<RegSet>, regions: Regions) -> TraceChecker<'t> {
        TraceChecker {
            trace,
            live,
            regions,
            violation: None,
            steps: 0,
        }
    }

    /// The first concrete state outside the recorded ones, if any.
    pub fn violation(&self) -> Option<&Violation> {
        self.violation.as_ref()
    }

    /// Instructions checked.
    pub fn steps(&self) -> u64 {
        self.steps
    }
}

impl Observer for TraceChecker<'_> {
    fn start(&mut self, stack: &StackLayout) {
        self.regions.frame_pointers = (0..stack.frames())
            .map(|d| stack.frame_pointer(d))
            .collect();
        self.regions.frame_size = stack.frame_size();
    }

    fn before(&mut self, pc: usize, depth: usize, regs: &[u64; OBSERVED_REGS]) {
        self.steps += 1;
        let live = self.live.get(pc).copied().unwrap_or(RegSet::MAX);
        if self.violation.is_none() && !self.trace.admits_raw(pc, depth, regs, live, &self.regions)
        {
            self.violation = Some((pc, depth, *regs));
        }
    }
}
