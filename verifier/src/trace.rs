//! Abstract states exported per instruction, for the interpreter's soundness mode:
//! every concrete register file reaching an instruction must lie in one of the states
//! recorded there (for the registers live at that point).

use crate::reg::{PtrKind, RegState};
use crate::state::State;
use ferrobpf_vm::insn::NUM_REGS;

/// One recorded register file: the innermost frame's registers and the call depth.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Snapshot {
    /// Call depth (0 = main function).
    pub depth: usize,
    /// r0-r10.
    pub regs: [RegState; NUM_REGS],
}

/// What a concrete register holds, as the interpreter knows it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Concrete {
    /// A number.
    Number(u64),
    /// An address `offset` bytes into an object of this kind (for the stack: the
    /// offset from the frame's top, negative).
    Pointer(PtrKind, i64),
}

/// Per slot, the snapshots recorded there (deduplicated).
#[derive(Clone, Debug, Default)]
pub struct Trace {
    per_pc: Vec<Vec<Snapshot>>,
}

fn reg_admits(abs: &RegState, c: Concrete) -> bool {
    match (abs, c) {
        (RegState::NotInit, _) => true,
        (RegState::Scalar(s), Concrete::Number(v)) => s.contains(v),
        (RegState::Ptr(p), Concrete::Number(0)) => p.maybe_null,
        (RegState::Ptr(p), Concrete::Pointer(kind, off)) => {
            let same = std::mem::discriminant(&p.kind) == std::mem::discriminant(&kind);
            same && p.var.contains((off - i64::from(p.off)) as u64)
        }
        // The interpreter may not know a pointer's region (e.g. a map pointer).
        (RegState::Ptr(_), Concrete::Number(_)) => true,
        (RegState::Scalar(_), Concrete::Pointer(..)) => false,
    }
}

impl Trace {
    /// An empty trace for `n` slots.
    pub fn new(n: usize) -> Trace {
        Trace {
            per_pc: vec![Vec::new(); n],
        }
    }

    /// Records the state before the instruction at `pc`.
    pub fn record(&mut self, pc: usize, st: &State) {
        let snap = Snapshot {
            depth: st.depth(),
            regs: st.cur().regs,
        };
        if let Some(list) = self.per_pc.get_mut(pc) {
            if !list.contains(&snap) {
                list.push(snap);
            }
        }
    }

    /// The snapshots at `pc`.
    pub fn at(&self, pc: usize) -> &[Snapshot] {
        self.per_pc.get(pc).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether the concrete registers at `pc` (call depth `depth`) lie in a recorded
    /// snapshot, for the registers in `live` (bit `r` for register `r`).
    pub fn admits(&self, pc: usize, depth: usize, regs: &[Concrete; NUM_REGS], live: u16) -> bool {
        self.at(pc).iter().any(|s| {
            s.depth == depth
                && (0..NUM_REGS).all(|r| live & (1 << r) == 0 || reg_admits(&s.regs[r], regs[r]))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::Scalar;
    use crate::state::Frame;

    #[test]
    fn admits_values_in_range() {
        let mut f = Frame::new(0, 0, 0);
        f.regs[0] = RegState::Scalar(Scalar::urange(0, 10));
        let st = State {
            frames: vec![f],
            refs: vec![],
            ghosts: vec![],
        };
        let mut t = Trace::new(2);
        t.record(1, &st);
        let mut regs = [Concrete::Number(0); NUM_REGS];
        regs[10] = Concrete::Pointer(PtrKind::Stack { frame: 0 }, 0);
        assert!(t.admits(1, 0, &regs, 0b100_0000_0001));
        regs[0] = Concrete::Number(11);
        assert!(!t.admits(1, 0, &regs, 1));
        assert!(t.admits(1, 0, &regs, 0));
        assert!(!t.admits(0, 0, &regs, 0));
    }
}
