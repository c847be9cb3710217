//! Watching a run instruction by instruction, for checks such as the verifier's
//! soundness mode: [`Vm::run_observed`](super::Vm::run_observed) calls an
//! [`Observer`] before every executed instruction. Ordinary runs use
//! [`NoObserver`], whose empty hooks compile away (the dispatch loop is
//! monomorphized over the observer type).

use crate::memory::StackLayout;

/// Number of registers an observer sees (r0-r10).
pub const OBSERVED_REGS: usize = 11;

/// Hooks called by the interpreter during a run.
pub trait Observer {
    /// Called once before the first instruction, with where the stack frames are
    /// (to map stack addresses to frame and offset:
    /// [`StackLayout::frame_pointer`]`(depth)` is r10 at call depth `depth`).
    fn start(&mut self, stack: &StackLayout) {
        let _ = stack;
    }

    /// Called before the instruction at slot `pc` executes (after the instruction
    /// budget admitted it), at call depth `depth` (0 = the entry function), with
    /// the registers r0-r10 as they are before it.
    fn before(&mut self, pc: usize, depth: usize, regs: &[u64; OBSERVED_REGS]);
}

/// The observer of ordinary runs: does nothing.
#[derive(Copy, Clone, Debug, Default)]
pub struct NoObserver;

impl Observer for NoObserver {
    #[inline(always)]
    fn before(&mut self, _pc: usize, _depth: usize, _regs: &[u64; OBSERVED_REGS]) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asm::assemble;
    use crate::interp::{Config, RunInput, Vm};
    use crate::program::Program;

    /// Records every call.
    #[derive(Default)]
    struct Log {
        fp: Vec<u64>,
        seen: Vec<(usize, usize, u64, u64)>,
    }

    impl Observer for Log {
        fn start(&mut self, stack: &StackLayout) {
            self.fp = (0..stack.frames())
                .map(|d| stack.frame_pointer(d))
                .collect();
        }
        fn before(&mut self, pc: usize, depth: usize, regs: &[u64; OBSERVED_REGS]) {
            self.seen.push((pc, depth, regs[0], regs[10]));
        }
    }

    #[test]
    fn sees_each_executed_instruction_with_depth_and_registers() {
        let text = "mov %r0, 7\ncall local f\nexit\nf:\nlddw %r0, 0x100000000\nexit\n";
        let insns = assemble(text).expect("assembles");
        let program = Program::from_insns(insns).expect("loads");
        let vm = Vm::new(Config::default());
        let mut log = Log::default();
        let out = vm
            .run_observed(&program, RunInput::default(), &mut log)
            .expect("runs");
        assert_eq!(out.value, 1 << 32);
        let (fp0, fp1) = (log.fp[0], log.fp[1]);
        assert_eq!(
            log.seen,
            vec![
                (0, 0, 0, fp0),
                (1, 0, 7, fp0),
                (3, 1, 7, fp1),
                (5, 1, 1 << 32, fp1),
                (2, 0, 1 << 32, fp0),
            ]
        );
        assert_eq!(out.instructions, log.seen.len() as u64);
    }
}
