//! Ghost counters: while a widened loop is explored from its invariant, each number
//! in the loop's frame remembers how much it changed since the loop head. A number
//! that grows (or shrinks) by at least one on every way back to the head, without
//! wrapping, and is bounded at the head, proves the loop ends.

use crate::reg::{PtrKind, RegState};
use crate::state::State;
use ferrobpf_vm::isa::{AluOp, Semantics, Size, Source, Width};
use ferrobpf_vm::Insn;

/// Where a tracked number lives, in the loop's frame.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Loc {
    /// A register.
    Reg(u8),
    /// A spilled stack slot (index 0 = just below the frame pointer).
    Slot(usize),
}

/// A tracked number: its change since the loop head, in `lo..=hi` (saturating).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ghost {
    /// The loop activation.
    pub act: u32,
    /// Where the number was at the loop head.
    pub origin: Loc,
    /// Where it is now.
    pub loc: Loc,
    /// Least change.
    pub lo: i64,
    /// Greatest change.
    pub hi: i64,
    /// No unsigned wrap-around happened.
    pub nowrap_u: bool,
    /// No signed wrap-around happened.
    pub nowrap_s: bool,
}

/// How a counter moves.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Rank {
    /// Grows by at least one, unsigned order.
    IncU,
    /// Grows by at least one, signed order.
    IncS,
    /// Shrinks by at least one, unsigned order.
    DecU,
    /// Shrinks by at least one, signed order.
    DecS,
}

/// Fresh ghosts for activation `act`: every number of frame `depth`, change 0.
pub fn start(st: &mut State, act: u32, depth: usize) {
    let Some(f) = st.frames.get(depth) else {
        return;
    };
    let mut locs: Vec<Loc> = (0..10u8)
        .filter(|&r| matches!(f.regs[r as usize], RegState::Scalar(_)))
        .map(Loc::Reg)
        .collect();
    for (i, slot) in f.stack.slots().iter().enumerate() {
        if slot.is_spill() && matches!(slot.spilled, RegState::Scalar(_)) {
            locs.push(Loc::Slot(i));
        }
    }
    st.ghosts.retain(|g| g.act != act);
    st.ghosts.extend(locs.into_iter().map(|loc| Ghost {
        act,
        origin: loc,
        loc,
        lo: 0,
        hi: 0,
        nowrap_u: true,
        nowrap_s: true,
    }));
}

/// Drops the ghosts of activation `act`.
pub fn stop(st: &mut State, act: u32) {
    st.ghosts.retain(|g| g.act != act);
}

fn value(st: &State, depth: usize, loc: Loc) -> Option<RegState> {
    let f = st.frames.get(depth)?;
    match loc {
        Loc::Reg(r) => f.regs.get(r as usize).copied(),
        Loc::Slot(i) => Some(f.stack.slot(i).spilled).filter(|_| f.stack.slot(i).is_spill()),
    }
}

/// The slot of frame `depth` an 8-byte access at `reg + off` reaches from the
/// innermost frame of `st`, if fixed.
fn slot_of(st: &State, depth: usize, reg: u8, off: i16) -> Option<usize> {
    let p = st.reg(reg).as_ptr().copied()?;
    if p.kind != (PtrKind::Stack { frame: depth as u8 }) || !p.has_fixed_offset() {
        return None;
    }
    let o = i64::from(p.off) + i64::from(off);
    (o < 0 && o % 8 == 0).then(|| (-o / 8 - 1) as usize)
}

/// The change an `add`/`sub` of the counter at `dst` makes, as `(min, max)`.
fn increment(pre: &State, insn: &Insn) -> Option<(i64, i64)> {
    let Semantics::Alu(op @ (AluOp::Add | AluOp::Sub), Width::W64, src) = insn.spec().semantics
    else {
        return None;
    };
    let (kmin, kmax) = match src {
        Source::Imm => (insn.imm, insn.imm),
        Source::Reg => pre.reg(insn.src).scalar().map(|s| (s.smin, s.smax))?,
    };
    Some(if op == AluOp::Sub {
        (kmax.saturating_neg(), kmin.saturating_neg())
    } else {
        (kmin, kmax)
    })
}

/// Updates the ghosts across one instruction: `pre` is the state before it, `st`
/// after, `defs` the registers it writes, `act_depth` the frame depth of an activation.
pub fn step(
    pre: &State,
    st: &mut State,
    insn: &Insn,
    defs: u16,
    act_depth: &dyn Fn(u32) -> Option<usize>,
) {
    if st.ghosts.is_empty() {
        return;
    }
    let cur = pre.depth();
    let sem = insn.spec().semantics;
    let ghosts = std::mem::take(&mut st.ghosts);
    let stored_slot = |d: usize| match sem {
        Semantics::StoreReg(Size::DW) | Semantics::StoreImm(Size::DW) => {
            slot_of(pre, d, insn.dst, insn.off)
        }
        _ => None,
    };
    // Copies by moves, spills and fills.
    let mut derived = Vec::new();
    for g in &ghosts {
        let Some(d) = act_depth(g.act) else { continue };
        if d != cur {
            continue;
        }
        match sem {
            Semantics::Alu(AluOp::Mov, Width::W64, Source::Reg) if g.loc == Loc::Reg(insn.src) => {
                derived.push(Ghost {
                    loc: Loc::Reg(insn.dst),
                    ..*g
                });
            }
            Semantics::StoreReg(Size::DW) if g.loc == Loc::Reg(insn.src) => {
                if let Some(i) = stored_slot(d) {
                    derived.push(Ghost {
                        loc: Loc::Slot(i),
                        ..*g
                    });
                }
            }
            Semantics::Load(Size::DW, false)
                if slot_of(pre, d, insn.src, insn.off).is_some_and(|i| g.loc == Loc::Slot(i)) =>
            {
                derived.push(Ghost {
                    loc: Loc::Reg(insn.dst),
                    ..*g
                });
            }
            _ => {}
        }
    }
    let mut out = Vec::with_capacity(ghosts.len());
    for g in ghosts {
        let Some(d) = act_depth(g.act) else { continue };
        let written = match g.loc {
            Loc::Reg(r) => {
                (d == cur && defs & (1 << r) != 0)
                    || (matches!(sem, Semantics::Exit) && d + 1 == cur && r <= 5)
            }
            Loc::Slot(i) => {
                stored_slot(d) == Some(i) || value(pre, d, g.loc) != value(st, d, g.loc)
            }
        };
        if !written {
            out.push(g);
            continue;
        }
        if d != cur || g.loc != Loc::Reg(insn.dst) {
            continue;
        }
        let (Some((kmin, kmax)), Some(old), Some(RegState::Scalar(_))) = (
            increment(pre, insn),
            pre.reg(insn.dst).scalar().copied(),
            value(st, d, g.loc),
        ) else {
            continue;
        };
        let nowrap_u = g.nowrap_u
            && if kmin >= 0 {
                old.umax.checked_add(kmax as u64).is_some()
            } else if kmax <= 0 {
                old.umin >= kmin.unsigned_abs()
            } else {
                false
            };
        let nowrap_s = g.nowrap_s
            && old.smax.checked_add(kmax).is_some()
            && old.smin.checked_add(kmin).is_some();
        out.push(Ghost {
            lo: g.lo.saturating_add(kmin),
            hi: g.hi.saturating_add(kmax),
            nowrap_u,
            nowrap_s,
            ..g
        });
    }
    out.extend(derived);
    st.ghosts = out;
}

/// Whether `cur`'s ghosts are within `old`'s (every ghost of `old` present in `cur`
/// with a narrower change and no more wrapping), ignoring activation `skip`.
pub fn contained(old: &[Ghost], cur: &[Ghost], skip: Option<u32>) -> bool {
    old.iter().filter(|g| Some(g.act) != skip).all(|o| {
        cur.iter().any(|c| {
            c.act == o.act
                && c.origin == o.origin
                && c.loc == o.loc
                && o.lo <= c.lo
                && c.hi <= o.hi
                && (!o.nowrap_u || c.nowrap_u)
                && (!o.nowrap_s || c.nowrap_s)
        })
    })
}

/// Ghosts of both, changes joined; a change that grew saturates.
pub fn join(a: &[Ghost], b: &[Ghost]) -> Vec<Ghost> {
    a.iter()
        .filter_map(|x| {
            let y = b
                .iter()
                .find(|y| y.act == x.act && y.origin == x.origin && y.loc == x.loc)?;
            Some(Ghost {
                lo: if y.lo < x.lo { i64::MIN } else { x.lo },
                hi: if y.hi > x.hi { i64::MAX } else { x.hi },
                nowrap_u: x.nowrap_u && y.nowrap_u,
                nowrap_s: x.nowrap_s && y.nowrap_s,
                ..*x
            })
        })
        .collect()
}

/// The ranking moves an arrival at the loop head shows for activation `act`.
pub fn ranks(st: &State, act: u32) -> Vec<(Loc, Rank)> {
    let mut v = Vec::new();
    for g in st
        .ghosts
        .iter()
        .filter(|g| g.act == act && g.loc == g.origin)
    {
        if g.lo >= 1 {
            if g.nowrap_u {
                v.push((g.origin, Rank::IncU));
            }
            if g.nowrap_s {
                v.push((g.origin, Rank::IncS));
            }
        }
        if g.hi <= -1 {
            if g.nowrap_u {
                v.push((g.origin, Rank::DecU));
            }
            if g.nowrap_s {
                v.push((g.origin, Rank::DecS));
            }
        }
    }
    v
}

/// Most head visits a ranked counter allows, from its bounds in the loop invariant.
pub fn bound(w: &State, depth: usize, loc: Loc, rank: Rank) -> Option<u128> {
    let s = *value(w, depth, loc)?.scalar()?;
    let span = match rank {
        Rank::IncU | Rank::DecU => u128::from(s.umax - s.umin),
        Rank::IncS | Rank::DecS => (i128::from(s.smax) - i128::from(s.smin)) as u128,
    };
    Some(span + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::Scalar;
    use crate::state::Frame;
    use ferrobpf_vm::asm::assemble;

    fn st(r1: Scalar) -> State {
        let mut f = Frame::new(0, 0, 0);
        f.regs[1] = RegState::Scalar(r1);
        State {
            frames: vec![f],
            refs: vec![],
            ghosts: vec![],
        }
    }

    #[test]
    fn increments_are_tracked_and_ranked() {
        let mut s = st(Scalar::urange(0, 9));
        start(&mut s, 1, 0);
        let insn = assemble("add %r1, 1\nexit").unwrap()[0];
        let pre = s.clone();
        s.set_reg(1, RegState::Scalar(Scalar::urange(1, 10)));
        step(&pre, &mut s, &insn, 0b10, &|_| Some(0));
        assert_eq!(
            ranks(&s, 1),
            vec![(Loc::Reg(1), Rank::IncU), (Loc::Reg(1), Rank::IncS)]
        );
        assert_eq!(bound(&pre, 0, Loc::Reg(1), Rank::IncU), Some(10));
    }

    #[test]
    fn other_writes_forget() {
        let mut s = st(Scalar::urange(0, 9));
        start(&mut s, 1, 0);
        let insn = assemble("mov %r1, 3\nexit").unwrap()[0];
        let pre = s.clone();
        s.set_reg(1, RegState::constant(3));
        step(&pre, &mut s, &insn, 0b10, &|_| Some(0));
        assert!(ranks(&s, 1).is_empty());
        assert!(s.ghosts.iter().all(|g| g.loc != Loc::Reg(1)));
    }

    #[test]
    fn containment_and_join() {
        let g = Ghost {
            act: 1,
            origin: Loc::Reg(1),
            loc: Loc::Reg(1),
            lo: 0,
            hi: 2,
            nowrap_u: true,
            nowrap_s: true,
        };
        let h = Ghost { lo: 1, hi: 1, ..g };
        assert!(contained(&[g], &[h], None));
        assert!(!contained(&[h], &[g], None));
        assert!(contained(&[h], &[g], Some(1)));
        let j = join(&[h], &[g]);
        assert_eq!((j[0].lo, j[0].hi), (i64::MIN, i64::MAX));
    }
}
