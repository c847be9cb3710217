//! Static register liveness: which registers may be read before being written on
//! some path from each instruction. Dead registers are ignored when a path is
//! compared with a stored state.

use crate::cfg::successors;
use crate::helpers::Helpers;
use ferrobpf_vm::isa::{AluOp, AtomicOp, Semantics, Source};
use ferrobpf_vm::{Insn, Op};

/// A set of registers r0-r10 as bits.
pub type RegSet = u16;

const ARGS: RegSet = 0b11_1110;
const CALLER_SAVED: RegSet = 0b11_1111;

fn bit(r: u8) -> RegSet {
    1 << (r & 15)
}

/// Registers read and written by one instruction.
pub fn use_def(insn: &Insn, helpers: &Helpers) -> (RegSet, RegSet) {
    let (d, s) = (bit(insn.dst), bit(insn.src));
    match insn.spec().semantics {
        Semantics::Alu(op, _, src) => {
            let src_use = if src == Source::Reg { s } else { 0 };
            match op {
                AluOp::Mov | AluOp::Movsx8 | AluOp::Movsx16 | AluOp::Movsx32 => (src_use, d),
                AluOp::Neg => (d, d),
                _ => (d | src_use, d),
            }
        }
        Semantics::End(..) => (d, d),
        Semantics::Jcond(_, _, src) => (d | if src == Source::Reg { s } else { 0 }, 0),
        Semantics::Load(..) => (s, d),
        Semantics::StoreImm(_) => (d, 0),
        Semantics::StoreReg(_) => (d | s, 0),
        Semantics::Atomic(AtomicOp::Cmpxchg, _, _) => (d | s | 1, 1),
        Semantics::Atomic(_, _, fetch) => (d | s, if fetch { s } else { 0 }),
        Semantics::Lddw(_) => (0, d),
        Semantics::LdAbs(_) => (bit(6), CALLER_SAVED),
        Semantics::LdInd(_) => (bit(6) | s, CALLER_SAVED),
        Semantics::CallHelper => {
            let n = helpers
                .get(insn.imm32() as u32)
                .map(|p| p.args.len())
                .unwrap_or(5);
            (((1u16 << n) - 1) << 1, CALLER_SAVED)
        }
        Semantics::CallLocal => (ARGS, CALLER_SAVED),
        Semantics::Callx => (d | ARGS, CALLER_SAVED),
        Semantics::Exit => (1, 0),
        Semantics::Ja | Semantics::Gotol | Semantics::LddwHigh => (0, 0),
    }
}

/// Registers live on entry to each slot.
pub fn live_in(insns: &[Insn], helpers: &Helpers) -> Vec<RegSet> {
    let n = insns.len();
    let ud: Vec<(RegSet, RegSet)> = insns.iter().map(|i| use_def(i, helpers)).collect();
    let mut live = vec![0 as RegSet; n];
    // Iterate to a fixpoint, visiting slots backwards (fast for forward code).
    let mut changed = true;
    while changed {
        changed = false;
        for pc in (0..n).rev() {
            if insns[pc].op == Op::LddwHigh {
                continue;
            }
            let out = successors(insns, pc)
                .into_iter()
                .fold(0, |acc, s| acc | live.get(s).copied().unwrap_or(0));
            let (u, d) = ud[pc];
            let inn = u | (out & !d) | bit(10);
            if inn != live[pc] {
                live[pc] = inn;
                changed = true;
            }
        }
    }
    live
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobpf_vm::asm::assemble;

    #[test]
    fn dead_after_overwrite() {
        let p = assemble("mov %r2, 1\nmov %r3, %r2\nmov %r2, 0\nmov %r0, %r3\nexit").unwrap();
        let l = live_in(&p, &Helpers::linux());
        assert_eq!(l[0] & 0b1110, 0);
        assert_eq!(l[1] & 0b1100, 0b0100);
        assert_eq!(l[3] & 0b1100, 0b1000);
        assert_eq!(l[4] & 1, 1);
    }

    #[test]
    fn helper_calls_read_their_arguments_only() {
        let p = assemble("call 5\nexit").unwrap();
        let l = live_in(&p, &Helpers::linux());
        assert_eq!(l[0] & 0b11_1111, 0);
        let p = assemble("call 1\nexit").unwrap();
        assert_eq!(live_in(&p, &Helpers::linux())[0] & 0b11_1111, 0b110);
    }

    #[test]
    fn loops_reach_a_fixpoint() {
        let p = assemble("mov %r0, 0\nl: add %r0, %r1\njlt %r0, 10, l\nexit").unwrap();
        let l = live_in(&p, &Helpers::linux());
        assert_eq!(l[0] & 0b11, 0b10);
        assert_eq!(l[1] & 0b11, 0b11);
        assert_eq!(l[2] & 0b11, 0b11);
    }
}
