//! Joins and widenings of whole states, for loop heads: the smallest state holding two
//! states, and one that stops growing after finitely many steps (bounds that move jump
//! to the next threshold: a constant of the loop or a type limit).

use crate::reg::{Ptr, PtrKind, RegState};
use crate::scalar::Scalar;
use crate::scalar_alu::alu;
use crate::stack::{ByteState, Slot, SLOT};
use crate::state::{Frame, State};
use crate::tnum::Tnum;
use ferrobpf_vm::isa::{AluOp, Width};

/// Values a widened bound may stop at, ascending.
#[derive(Clone, Debug, Default)]
pub struct Thresholds(Vec<i128>);

impl Thresholds {
    /// Thresholds from constants (each with its neighbours) and the type limits.
    pub fn new(constants: impl IntoIterator<Item = i128>) -> Thresholds {
        let mut v: Vec<i128> = vec![
            0,
            i128::from(u8::MAX),
            i128::from(u16::MAX),
            i128::from(i32::MAX),
            i128::from(u32::MAX),
            i128::from(i32::MIN),
        ];
        for c in constants {
            v.extend([c - 1, c, c + 1]);
        }
        v.sort_unstable();
        v.dedup();
        Thresholds(v)
    }

    /// Bytes of heap memory the thresholds take.
    pub fn heap_bytes(&self) -> usize {
        self.0.capacity() * std::mem::size_of::<i128>()
    }

    fn up(&self, x: i128, limit: i128) -> i128 {
        self.0
            .iter()
            .copied()
            .find(|&t| t >= x && t <= limit)
            .unwrap_or(limit)
    }

    fn down(&self, x: i128, limit: i128) -> i128 {
        self.0
            .iter()
            .rev()
            .copied()
            .find(|&t| t <= x && t >= limit)
            .unwrap_or(limit)
    }
}

/// `old ∇ new` on scalars: `new` joined in, moving bounds pushed to thresholds.
pub fn widen_scalar(old: &Scalar, new: &Scalar, th: &Thresholds) -> Scalar {
    let j = old.join(new);
    let mut s = Scalar::UNKNOWN;
    s.var_off = j.var_off;
    let hi = |o: i128, n: i128, lim: i128| if n > o { th.up(n, lim) } else { o };
    let lo = |o: i128, n: i128, lim: i128| if n < o { th.down(n, lim) } else { o };
    s.umax = hi(old.umax.into(), j.umax.into(), u64::MAX.into()) as u64;
    s.umin = lo(old.umin.into(), j.umin.into(), 0) as u64;
    s.smax = hi(old.smax.into(), j.smax.into(), i64::MAX.into()) as i64;
    s.smin = lo(old.smin.into(), j.smin.into(), i64::MIN.into()) as i64;
    s.u32_max = hi(old.u32_max.into(), j.u32_max.into(), u32::MAX.into()) as u32;
    s.u32_min = lo(old.u32_min.into(), j.u32_min.into(), 0) as u32;
    s.s32_max = hi(old.s32_max.into(), j.s32_max.into(), i32::MAX.into()) as i32;
    s.s32_min = lo(old.s32_min.into(), j.s32_min.into(), i32::MIN.into()) as i32;
    // The known bits must not undo the widened bounds.
    let t = j.var_off.union(Tnum::range(s.umin, s.umax));
    let low = t
        .subreg()
        .union(Tnum::range(u64::from(s.u32_min), u64::from(s.u32_max)));
    s.var_off = t.with_subreg(low);
    s.sync();
    s
}

fn ptr_join(a: &Ptr, b: &Ptr, th: &Thresholds) -> Option<Ptr> {
    let kind = match (a.kind, b.kind) {
        (PtrKind::Packet { range: x }, PtrKind::Packet { range: y }) => {
            PtrKind::Packet { range: x.min(y) }
        }
        (PtrKind::PacketMeta { range: x }, PtrKind::PacketMeta { range: y }) => {
            PtrKind::PacketMeta { range: x.min(y) }
        }
        (x, y) if x == y => x,
        _ => return None,
    };
    if a.maybe_null != b.maybe_null || a.id != b.id || a.ref_id != b.ref_id {
        return None;
    }
    let mut p = *b;
    p.kind = kind;
    if a.off == b.off {
        p.var = widen_scalar(&a.var, &b.var, th);
        return Some(p);
    }
    if matches!(kind, PtrKind::Packet { .. } | PtrKind::PacketMeta { .. }) {
        // Moving the fixed offset into the variable part would change what the
        // proven range is relative to.
        return None;
    }
    let off = a.off.min(b.off);
    let shift = |q: &Ptr| {
        alu(
            AluOp::Add,
            Width::W64,
            &q.var,
            &Scalar::constant(i64::from(q.off - off) as u64),
        )
    };
    p.off = off;
    p.var = widen_scalar(&shift(a), &shift(b), th);
    Some(p)
}

/// `old ∇ new` on registers (uninitialised where they cannot be combined).
pub fn widen_reg(old: &RegState, new: &RegState, th: &Thresholds) -> RegState {
    match (old, new) {
        (RegState::Scalar(a), RegState::Scalar(b)) => RegState::Scalar(widen_scalar(a, b, th)),
        (RegState::Ptr(a), RegState::Ptr(b)) => ptr_join(a, b, th)
            .map(RegState::Ptr)
            .unwrap_or(RegState::NotInit),
        _ => RegState::NotInit,
    }
}

fn data_byte(b: ByteState, slot: &Slot) -> Option<ByteState> {
    match b {
        ByteState::Invalid => None,
        ByteState::Spill => match slot.spilled {
            RegState::Scalar(s) if s.as_const() == Some(0) => Some(ByteState::Zero),
            RegState::Scalar(_) => Some(ByteState::Misc),
            _ => None,
        },
        d => Some(d),
    }
}

fn widen_slot(a: &Slot, b: &Slot, th: &Thresholds) -> Slot {
    if a.is_spill() && b.is_spill() {
        let r = widen_reg(&a.spilled, &b.spilled, th);
        if r.is_init() {
            return Slot {
                bytes: [ByteState::Spill; SLOT],
                spilled: r,
            };
        }
    }
    let mut out = Slot::INVALID;
    for i in 0..SLOT {
        out.bytes[i] = match (data_byte(a.bytes[i], a), data_byte(b.bytes[i], b)) {
            (Some(x), Some(y)) if x == y => x,
            (Some(_), Some(_)) => ByteState::Misc,
            _ => ByteState::Invalid,
        };
    }
    out
}

/// `old ∇ new` on whole states of the same shape (same frames and references);
/// `None` when the shapes differ.
pub fn widen_state(old: &State, new: &State, th: &Thresholds) -> Option<State> {
    if old.frames.len() != new.frames.len() || old.refs != new.refs {
        return None;
    }
    let mut frames = Vec::with_capacity(new.frames.len());
    for (a, b) in old.frames.iter().zip(&new.frames) {
        if a.entry != b.entry
            || a.return_pc != b.return_pc
            || a.callback != b.callback
            || a.cb_map != b.cb_map
        {
            return None;
        }
        let mut f = Frame::new(b.entry, b.return_pc, 0);
        f.callback = b.callback;
        f.cb_map = b.cb_map;
        f.cb_arg = widen_reg(&a.cb_arg, &b.cb_arg, th);
        for r in 0..f.regs.len() {
            f.regs[r] = widen_reg(&a.regs[r], &b.regs[r], th);
        }
        let n = a.stack.len().max(b.stack.len());
        for i in 0..n {
            let s = widen_slot(&a.stack.slot(i), &b.stack.slot(i), th);
            f.stack.set_slot(i, s);
        }
        frames.push(f);
    }
    Some(State {
        frames,
        refs: new.refs.clone(),
        ghosts: crate::ghost::join(&old.ghosts, &new.ghosts),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::contains;

    #[test]
    fn bounds_jump_to_thresholds() {
        let th = Thresholds::new([10]);
        let w = widen_scalar(&Scalar::constant(0), &Scalar::constant(1), &th);
        assert_eq!((w.umin, w.umax), (0, 9));
        let w2 = widen_scalar(&w, &Scalar::urange(0, 10), &th);
        assert_eq!(w2.umax, 10);
        let w3 = widen_scalar(&w2, &Scalar::urange(0, 12), &th);
        assert_eq!(w3.umax, 255);
    }

    #[test]
    fn moving_pointers_fold_into_the_variable_offset() {
        let th = Thresholds::new([]);
        let mut a = Ptr::new(PtrKind::Stack { frame: 0 });
        a.off = -64;
        let mut b = a;
        b.off = -56;
        let p = ptr_join(&a, &b, &th).unwrap();
        assert_eq!(p.off, -64);
        assert!(p.var.contains(0) && p.var.contains(8));
    }

    #[test]
    fn widened_state_contains_both() {
        let th = Thresholds::new([]);
        let mut s1 = State {
            frames: vec![Frame::new(0, 0, 0)],
            refs: vec![],
            ghosts: vec![],
        };
        s1.set_reg(1, RegState::constant(0));
        s1.cur_mut().stack.write_data(-8, 8, true);
        let mut s2 = s1.clone();
        s2.set_reg(1, RegState::constant(1));
        s2.cur_mut().stack.spill(-8, RegState::constant(5));
        let w = widen_state(&s1, &s2, &th).unwrap();
        assert!(contains(&w, &s1, |_, _| true));
        assert!(contains(&w, &s2, |_, _| true));
    }
}
