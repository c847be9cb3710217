//! Where control goes after an instruction.

use crate::insn::Insn;

/// The successors of one instruction inside its function. Calls continue at the next
/// instruction (the callee is another function); `exit` has no successor.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// The next instruction, if execution can fall through to it.
    pub next: Option<usize>,
    /// The jump target, for jumps.
    pub jump: Option<usize>,
}

impl Flow {
    /// The flow of `insn` at slot `pc` (targets as computed by [`Insn::target`]; a
    /// decoded program guarantees they are in range).
    pub fn of(insn: &Insn, pc: usize) -> Flow {
        let sem = insn.spec().semantics;
        let next = (!sem.ends_block()).then_some(pc + insn.slots());
        let jump = if sem.is_branch() {
            insn.target(pc).and_then(|t| usize::try_from(t).ok())
        } else {
            None
        };
        Flow { next, jump }
    }

    /// The successors, fall-through first.
    pub fn successors(self) -> impl Iterator<Item = usize> {
        self.next.into_iter().chain(self.jump)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::Op;

    #[test]
    fn successors() {
        let f = |op, off, imm, pc| Flow::of(&Insn::new(op, 1, 0, off, imm), pc);
        assert_eq!(f(Op::Exit, 0, 0, 3).successors().count(), 0);
        assert_eq!(
            f(Op::Ja, 2, 0, 3),
            Flow {
                next: None,
                jump: Some(6)
            }
        );
        assert_eq!(
            f(Op::JeqImm, -2, 0, 3),
            Flow {
                next: Some(4),
                jump: Some(2)
            }
        );
        assert_eq!(
            f(Op::Gotol, 0, 5, 0),
            Flow {
                next: None,
                jump: Some(6)
            }
        );
        assert_eq!(
            f(Op::Lddw, 0, 1, 0),
            Flow {
                next: Some(2),
                jump: None
            }
        );
        assert_eq!(
            f(Op::CallLocal, 0, 5, 0),
            Flow {
                next: Some(1),
                jump: None
            }
        );
    }
}
