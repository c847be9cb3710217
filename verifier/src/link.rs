//! Linked scalars (the kernel's scalar ids and `sync_linked_regs`): after
//! `r5 = r4` or `r5 = r4 + c`, both registers hold the same unknown number up to a
//! constant, so a comparison that bounds one bounds the other.
//!
//! Each register of a frame has a [`Link`]: registers with the same non-zero id hold
//! `base + delta` (wrapping) for one unknown `base`. Any other write to a register
//! ([`State::set_reg`]) drops its link; spills do not carry links.

use crate::env::Ids;
use crate::reg::RegState;
use crate::scalar::Scalar;
use crate::scalar_alu::alu;
use crate::state::State;
use ferrobpf_vm::isa::{AluOp, Width};

/// A register's link: id 0 means none.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Link {
    /// Shared by the registers holding the same number up to a constant.
    pub id: u32,
    /// The register's value minus the shared number (wrapping).
    pub delta: u64,
}

/// `dst = src` (64-bit) for a scalar `src`: the two become linked, unless `src` is a
/// known constant (nothing to learn).
pub(crate) fn copy(st: &mut State, dst: u8, src: u8, ids: &mut Ids) {
    let RegState::Scalar(s) = st.reg(src) else {
        return;
    };
    if s.as_const().is_some() {
        st.set_reg(dst, RegState::Scalar(s));
        return;
    }
    let mut link = st.link(src);
    if link.id == 0 {
        link = Link {
            id: ids.fresh(),
            delta: 0,
        };
        st.set_link(src, link);
    }
    st.set_reg(dst, RegState::Scalar(s));
    st.set_link(dst, link);
}

/// After `dst += c` (64-bit, `c` a constant; `c` negated for a subtraction) wrote
/// `dst`: it keeps the link it had before, moved by `c`.
pub(crate) fn shift(st: &mut State, dst: u8, before: Link, c: u64) {
    if before.id != 0 && matches!(st.reg(dst), RegState::Scalar(_)) {
        st.set_link(
            dst,
            Link {
                id: before.id,
                delta: before.delta.wrapping_add(c),
            },
        );
    }
}

/// Register `r` is now known to lie in `s` (a branch condition): narrows it and every
/// register linked to it, in every frame.
pub(crate) fn refine(st: &mut State, r: u8, s: Scalar) {
    let link = st.link(r);
    let narrowed = narrow(st.reg(r), s);
    st.set_reg(r, RegState::Scalar(narrowed));
    st.set_link(r, link);
    if link.id == 0 {
        return;
    }
    let depth = st.depth();
    for (d, frame) in st.frames.iter_mut().enumerate() {
        for (q, other) in frame.links.iter().enumerate() {
            if other.id != link.id || (d == depth && q == usize::from(r)) {
                continue;
            }
            let by = Scalar::constant(other.delta.wrapping_sub(link.delta));
            let moved = alu(AluOp::Add, Width::W64, &narrowed, &by);
            if let Some(reg) = frame.regs.get_mut(q) {
                *reg = RegState::Scalar(narrow(*reg, moved));
            }
        }
    }
}

/// `s` met with what `old` already said (both hold on this path); `s` alone when the
/// two disagree (the path is impossible, any state will do).
fn narrow(old: RegState, s: Scalar) -> Scalar {
    match old {
        RegState::Scalar(o) => {
            let m = o.meet(&s);
            if m.is_empty() {
                s
            } else {
                m
            }
        }
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Frame;

    fn state() -> State {
        State {
            frames: vec![Frame::new(0, 0, 0)],
            refs: vec![],
            ghosts: vec![],
        }
    }

    #[test]
    fn a_bound_on_a_copy_plus_a_constant_bounds_the_original() {
        let mut st = state();
        let mut ids = Ids::default();
        st.set_reg(3, RegState::Scalar(Scalar::urange(20, 60)));
        copy(&mut st, 5, 3, &mut ids);
        let before = st.link(5);
        st.set_reg(5, RegState::Scalar(Scalar::urange(34, 74)));
        shift(&mut st, 5, before, 14);
        // r5 <= 50 on this side: r3 <= 36.
        refine(&mut st, 5, Scalar::urange(34, 50));
        assert_eq!(st.reg(3), RegState::Scalar(Scalar::urange(20, 36)));
        assert_eq!(st.reg(5), RegState::Scalar(Scalar::urange(34, 50)));
        // Any other write unlinks.
        st.set_reg(3, RegState::UNKNOWN);
        refine(&mut st, 5, Scalar::urange(34, 40));
        assert_eq!(st.reg(3), RegState::UNKNOWN);
    }

    #[test]
    fn constants_are_not_linked_and_wrapping_stays_sound() {
        let mut st = state();
        let mut ids = Ids::default();
        st.set_reg(1, RegState::constant(7));
        copy(&mut st, 2, 1, &mut ids);
        assert_eq!(st.link(2), Link::default());
        st.set_reg(1, RegState::UNKNOWN);
        copy(&mut st, 2, 1, &mut ids);
        let before = st.link(2);
        shift(&mut st, 2, before, 1);
        // r2 = r1 + 1 in 0..=0: r1 is u64::MAX (wrapped).
        refine(&mut st, 2, Scalar::constant(0));
        assert_eq!(st.reg(1), RegState::constant(u64::MAX));
    }
}
