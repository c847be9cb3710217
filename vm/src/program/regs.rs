//! Which registers an instruction reads and writes.

use crate::insn::{Insn, FRAME_POINTER};
use crate::isa::{AluOp, AtomicOp, Semantics, Source};

/// A set of registers r0-r10, one bit per register.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RegSet(u16);

impl RegSet {
    /// No register.
    pub const EMPTY: RegSet = RegSet(0);

    /// The set holding `regs`.
    pub const fn of(regs: &[u8]) -> RegSet {
        let mut bits = 0u16;
        let mut i = 0;
        while i < regs.len() {
            bits |= 1 << regs[i];
            i += 1;
        }
        RegSet(bits)
    }

    /// Adds `reg`.
    #[must_use]
    pub const fn with(self, reg: u8) -> RegSet {
        RegSet(self.0 | (1 << reg))
    }

    /// Whether `reg` is in the set.
    pub const fn contains(self, reg: u8) -> bool {
        self.0 & (1 << reg) != 0
    }

    /// Registers in either set.
    #[must_use]
    pub const fn union(self, other: RegSet) -> RegSet {
        RegSet(self.0 | other.0)
    }

    /// Registers in both sets.
    #[must_use]
    pub const fn intersection(self, other: RegSet) -> RegSet {
        RegSet(self.0 & other.0)
    }

    /// Registers in `self` but not in `other`.
    #[must_use]
    pub const fn difference(self, other: RegSet) -> RegSet {
        RegSet(self.0 & !other.0)
    }

    /// The lowest-numbered register in the set.
    pub const fn first(self) -> Option<u8> {
        if self.0 == 0 {
            None
        } else {
            Some(self.0.trailing_zeros() as u8)
        }
    }
}

/// The registers an instruction reads and writes. Helper and local calls count as
/// reading nothing (their arguments are the callee's business) and writing r0;
/// calls leave r1-r5 as they were (as uBPF does; the kernel's verifier would
/// consider them clobbered).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RegUse {
    /// Registers read.
    pub reads: RegSet,
    /// Registers written.
    pub writes: RegSet,
}

impl RegUse {
    /// The use of `insn`.
    pub fn of(insn: &Insn) -> RegUse {
        let (d, s) = (insn.dst, insn.src);
        let none = RegSet::EMPTY;
        let (reads, writes) = match insn.spec().semantics {
            Semantics::Alu(op, _, source) => {
                let moves = matches!(
                    op,
                    AluOp::Mov | AluOp::Movsx8 | AluOp::Movsx16 | AluOp::Movsx32
                );
                let mut reads = if moves { none } else { none.with(d) };
                if source == Source::Reg {
                    reads = reads.with(s);
                }
                (reads, none.with(d))
            }
            Semantics::End(..) => (none.with(d), none.with(d)),
            Semantics::Ja | Semantics::Gotol | Semantics::LddwHigh => (none, none),
            Semantics::Jcond(_, _, Source::Imm) => (none.with(d), none),
            Semantics::Jcond(_, _, Source::Reg) => (RegSet::of(&[d, s]), none),
            Semantics::CallHelper | Semantics::CallLocal | Semantics::LdAbs(_) => {
                (none, none.with(0))
            }
            Semantics::Callx => (none.with(d), none.with(0)),
            Semantics::LdInd(_) => (none.with(s), none.with(0)),
            Semantics::Exit => (none.with(0), none),
            Semantics::Lddw(_) => (none, none.with(d)),
            Semantics::Load(..) => (none.with(s), none.with(d)),
            Semantics::StoreImm(_) => (none.with(d), none),
            Semantics::StoreReg(_) => (RegSet::of(&[d, s]), none),
            Semantics::Atomic(AtomicOp::Cmpxchg, ..) => (RegSet::of(&[d, s, 0]), none.with(0)),
            Semantics::Atomic(_, _, true) => (RegSet::of(&[d, s]), none.with(s)),
            Semantics::Atomic(_, _, false) => (RegSet::of(&[d, s]), none),
        };
        RegUse { reads, writes }
    }
}

/// Registers initialised when the entry function starts: r1 (memory or context),
/// r2 (its length) and r10 (frame pointer).
pub const ENTRY_REGS: RegSet = RegSet::of(&[1, 2, FRAME_POINTER]);

/// Registers initialised when a local-call target or callback starts: the
/// arguments r1-r5 and r10.
pub const CALLEE_REGS: RegSet = RegSet::of(&[1, 2, 3, 4, 5, FRAME_POINTER]);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::{Op, TABLE};

    fn uses(op: Op, dst: u8, src: u8) -> RegUse {
        RegUse::of(&Insn::new(op, dst, src, 0, 0))
    }

    #[test]
    fn typical_uses() {
        assert_eq!(uses(Op::Mov64Reg, 1, 2).reads, RegSet::of(&[2]));
        assert_eq!(uses(Op::Add32Imm, 1, 0).reads, RegSet::of(&[1]));
        assert_eq!(uses(Op::Or64Reg, 0, 10).reads, RegSet::of(&[0, 10]));
        assert_eq!(
            uses(Op::AtomicCmpxchg64, 1, 2).reads,
            RegSet::of(&[0, 1, 2])
        );
        assert_eq!(uses(Op::AtomicFetchAdd32, 1, 2).writes, RegSet::of(&[2]));
        assert_eq!(uses(Op::Exit, 0, 0).reads, RegSet::of(&[0]));
        assert_eq!(uses(Op::Call, 0, 0).writes, RegSet::of(&[0]));
        assert_eq!(RegSet::of(&[3, 5]).first(), Some(3));
        assert_eq!(RegSet::EMPTY.first(), None);
    }

    /// The destination writes agree with the table's own `writes_dst`/`writes_src`.
    #[test]
    fn agrees_with_the_table() {
        for spec in TABLE {
            let u = uses(spec.op, 3, 4);
            assert_eq!(
                u.writes.contains(3),
                spec.semantics.writes_dst(),
                "{:?}",
                spec.op
            );
            assert_eq!(
                u.writes.contains(4),
                spec.semantics.writes_src(),
                "{:?}",
                spec.op
            );
        }
    }
}
