//! The abstract machine state on one path: call frames (registers and stack each) and
//! acquired references; and the containment test used to prune paths.

use crate::link::Link;
use crate::reg::{Ptr, PtrKind, RegState};
use crate::stack::{ByteState, Slot, Stack, SLOT};
use ferrobpf_vm::insn::{FRAME_POINTER, NUM_REGS};
use std::fmt;

/// One function activation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Frame {
    /// r0-r10.
    pub regs: [RegState; NUM_REGS],
    /// Links between scalar registers holding the same number up to a constant.
    pub links: [Link; NUM_REGS],
    /// The frame's stack.
    pub stack: Stack,
    /// Slot index the function returns to (unused for the main frame).
    pub return_pc: usize,
    /// Slot index of the function's first instruction.
    pub entry: usize,
    /// Whether a helper (`bpf_loop`) called this function as a callback.
    pub callback: bool,
    /// For a callback: the context argument it was called with (r2 on entry, r4 for
    /// `bpf_for_each_map_elem`).
    pub cb_arg: RegState,
    /// For a `bpf_for_each_map_elem` callback: the map it iterates (its index).
    pub cb_map: Option<u32>,
}

impl Frame {
    /// A fresh frame for the function at `entry` at call depth `depth`, returning to
    /// `return_pc`: every register uninitialised but r10.
    pub fn new(entry: usize, return_pc: usize, depth: u8) -> Frame {
        let mut regs = [RegState::NotInit; NUM_REGS];
        regs[FRAME_POINTER as usize] = RegState::ptr(PtrKind::Stack { frame: depth });
        Frame {
            regs,
            links: [Link::default(); NUM_REGS],
            stack: Stack::new(),
            return_pc,
            entry,
            callback: false,
            cb_arg: RegState::NotInit,
            cb_map: None,
        }
    }
}

/// The whole abstract state of one path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct State {
    /// Call frames, outermost first.
    pub frames: Vec<Frame>,
    /// Ids of acquired references not yet released.
    pub refs: Vec<u32>,
    /// Changes of loop counters since their loop head, while a widened loop is
    /// explored (see [`crate::ghost`]).
    pub ghosts: Vec<crate::ghost::Ghost>,
}

impl State {
    /// The innermost frame.
    pub fn cur(&self) -> &Frame {
        // A state always has at least one frame (constructed with one, popped only
        // above depth 0).
        &self.frames[self.frames.len() - 1]
    }

    /// The innermost frame, mutably.
    pub fn cur_mut(&mut self) -> &mut Frame {
        let n = self.frames.len() - 1;
        &mut self.frames[n]
    }

    /// Register `r` of the innermost frame.
    pub fn reg(&self, r: u8) -> RegState {
        self.cur()
            .regs
            .get(r as usize)
            .copied()
            .unwrap_or(RegState::NotInit)
    }

    /// Sets register `r` of the innermost frame (dropping its link).
    pub fn set_reg(&mut self, r: u8, v: RegState) {
        let f = self.cur_mut();
        if let (Some(slot), Some(link)) = (f.regs.get_mut(r as usize), f.links.get_mut(r as usize))
        {
            *slot = v;
            *link = Link::default();
        }
    }

    /// The link of register `r` of the innermost frame.
    pub fn link(&self, r: u8) -> Link {
        self.cur()
            .links
            .get(r as usize)
            .copied()
            .unwrap_or_default()
    }

    /// Links register `r` of the innermost frame.
    pub fn set_link(&mut self, r: u8, link: Link) {
        if let Some(l) = self.cur_mut().links.get_mut(r as usize) {
            *l = link;
        }
    }

    /// Call depth (0 in the main function).
    pub fn depth(&self) -> usize {
        self.frames.len() - 1
    }

    /// Applies `f` to every register and spilled register in every frame.
    pub fn for_each_reg_mut(&mut self, mut f: impl FnMut(&mut RegState)) {
        for frame in &mut self.frames {
            frame.regs.iter_mut().for_each(&mut f);
            for i in 0..frame.stack.len() {
                if let Some(r) = frame.stack.spilled_mut(i) {
                    f(r);
                }
            }
        }
    }

    /// Register states of the innermost frame as the kernel logs them (`R1=ctx() ...`),
    /// initialised registers only, then the non-empty stack slots.
    pub fn describe(&self) -> String {
        let mut out = Vec::new();
        if self.depth() > 0 {
            out.push(format!("frame{}:", self.depth()));
        }
        for (i, r) in self.cur().regs.iter().enumerate() {
            if r.is_init() {
                out.push(format!("R{i}={r}"));
            }
        }
        for (i, slot) in self.cur().stack.slots().iter().enumerate() {
            let off = -8 * (i as i32 + 1);
            if slot.is_spill() {
                out.push(format!("fp{off}={}", slot.spilled));
            } else if *slot != Slot::INVALID {
                out.push(format!("fp{off}={}", slot.picture()));
            }
        }
        out.join(" ")
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Consistent renaming of ids between a stored state and the current one (a few
/// pairs at most, so a vector beats a map).
#[derive(Default)]
struct IdMap {
    pairs: Vec<(u32, u32)>,
}

impl IdMap {
    /// Whether old id `a` can correspond to current id `b` (0 = no id: an old 0 matches
    /// anything; a current 0 only an old 0).
    fn check(&mut self, a: u32, b: u32) -> bool {
        if a == 0 {
            return true;
        }
        if b == 0 {
            return false;
        }
        match self.pairs.iter().find(|(x, y)| *x == a || *y == b) {
            Some(&(x, y)) => x == a && y == b,
            None => {
                self.pairs.push((a, b));
                true
            }
        }
    }
}

fn ptr_safe(old: &Ptr, cur: &Ptr, ids: &mut IdMap) -> bool {
    let kind_ok = match (old.kind, cur.kind) {
        (PtrKind::Packet { range: a }, PtrKind::Packet { range: b })
        | (PtrKind::PacketMeta { range: a }, PtrKind::PacketMeta { range: b }) => a <= b,
        (a, b) => a == b,
    };
    kind_ok
        && old.off == cur.off
        && old.maybe_null == cur.maybe_null
        && old.var.includes(&cur.var)
        && (!(old.maybe_null
            || matches!(
                old.kind,
                PtrKind::Packet { .. } | PtrKind::PacketMeta { .. }
            ))
            || ((old.id == 0) == (cur.id == 0) && ids.check(old.id, cur.id)))
        && (old.ref_id == 0) == (cur.ref_id == 0)
        && ids.check(old.ref_id, cur.ref_id)
}

fn reg_safe(old: &RegState, cur: &RegState, ids: &mut IdMap) -> bool {
    match (old, cur) {
        (RegState::NotInit, _) => true,
        (RegState::Scalar(a), RegState::Scalar(b)) => a.includes(b),
        (RegState::Ptr(a), RegState::Ptr(b)) => ptr_safe(a, b, ids),
        _ => false,
    }
}

fn slot_safe(old: &Slot, cur: &Slot, ids: &mut IdMap) -> bool {
    if old.is_spill() {
        if cur.is_spill() {
            return reg_safe(&old.spilled, &cur.spilled, ids);
        }
        // An unknown spilled number reads like any initialised data.
        return matches!(old.spilled, RegState::Scalar(s) if s.is_unknown())
            && cur.bytes.iter().all(|b| *b != ByteState::Invalid);
    }
    let cur_scalar = cur.is_spill() && matches!(cur.spilled, RegState::Scalar(_));
    let cur_zero =
        cur.is_spill() && matches!(cur.spilled, RegState::Scalar(s) if s.as_const() == Some(0));
    (0..SLOT).all(|b| match old.bytes[b] {
        ByteState::Invalid => true,
        ByteState::Misc => match cur.bytes[b] {
            ByteState::Misc | ByteState::Zero => true,
            ByteState::Spill => cur_scalar,
            ByteState::Invalid => false,
        },
        ByteState::Zero => cur.bytes[b] == ByteState::Zero || cur_zero,
        ByteState::Spill => false,
    })
}

/// Whether every concrete execution from `cur` is covered by one from `old`, so that
/// `cur` need not be explored once `old` was proven safe. `live(depth, r)` says
/// whether register `r` of the frame at `depth` may still be read.
pub fn contains(old: &State, cur: &State, live: impl Fn(usize, u8) -> bool) -> bool {
    if old.frames.len() != cur.frames.len() || old.refs.len() != cur.refs.len() {
        return false;
    }
    let frames = || old.frames.iter().zip(&cur.frames).enumerate().rev();
    let same_calls = frames().all(|(_, (fo, fc))| {
        fo.return_pc == fc.return_pc
            && fo.entry == fc.entry
            && fo.callback == fc.callback
            && fo.cb_arg == fc.cb_arg
            && fo.cb_map == fc.cb_map
    });
    if !same_calls {
        return false;
    }
    // Cheapest and likeliest differences first: registers, innermost frame first
    // (loop counters), then the stacks. The answer does not depend on the order.
    let mut ids = IdMap::default();
    // A link the old state's exploration used to narrow registers must hold in the
    // current state too (same partner registers, same constant).
    let regs_safe = frames().all(|(depth, (fo, fc))| {
        (0..NUM_REGS).all(|r| {
            let (lo, lc) = (fo.links[r], fc.links[r]);
            !live(depth, r as u8)
                || (reg_safe(&fo.regs[r], &fc.regs[r], &mut ids)
                    && (lo.id == 0
                        || (lc.id != 0 && lo.delta == lc.delta && ids.check(lo.id, lc.id))))
        })
    });
    if !regs_safe {
        return false;
    }
    let stacks_safe = frames().all(|(_, (fo, fc))| {
        let n = fo.stack.len().max(fc.stack.len());
        (0..n).all(|i| slot_safe(&fo.stack.slot(i), &fc.stack.slot(i), &mut ids))
    });
    stacks_safe
        && old
            .refs
            .iter()
            .zip(&cur.refs)
            .all(|(a, b)| ids.check(*a, *b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::Scalar;

    fn state() -> State {
        let mut f = Frame::new(0, 0, 0);
        f.regs[1] = RegState::ptr(PtrKind::Ctx);
        State {
            frames: vec![f],
            refs: vec![],
            ghosts: vec![],
        }
    }

    #[test]
    fn scalar_ranges_nest() {
        let mut old = state();
        let mut cur = state();
        old.set_reg(2, RegState::Scalar(Scalar::urange(0, 10)));
        cur.set_reg(2, RegState::Scalar(Scalar::urange(2, 5)));
        assert!(contains(&old, &cur, |_, _| true));
        assert!(!contains(&cur, &old, |_, _| true));
        // Dead registers do not matter.
        assert!(contains(&cur, &old, |_, r| r != 2));
    }

    #[test]
    fn uninitialised_old_register_matches_anything() {
        let old = state();
        let mut cur = state();
        cur.set_reg(3, RegState::constant(1));
        assert!(contains(&old, &cur, |_, _| true));
        assert!(!contains(&cur, &old, |_, _| true));
    }

    #[test]
    fn null_ids_must_map_consistently() {
        let mut p = Ptr::new(PtrKind::MapValue { map: 0 });
        p.maybe_null = true;
        p.id = 1;
        let mut old = state();
        old.set_reg(6, RegState::Ptr(p));
        old.set_reg(7, RegState::Ptr(p));
        let mut cur = old.clone();
        assert!(contains(&old, &cur, |_, _| true));
        let mut q = p;
        q.id = 2;
        cur.set_reg(7, RegState::Ptr(q));
        assert!(!contains(&old, &cur, |_, _| true));
    }

    #[test]
    fn stack_bytes() {
        let mut old = state();
        let mut cur = state();
        old.cur_mut().stack.write_data(-8, 8, false);
        cur.cur_mut().stack.write_data(-8, 8, true);
        assert!(contains(&old, &cur, |_, _| true));
        assert!(!contains(&cur, &old, |_, _| true));
        cur.cur_mut().stack.spill(-16, RegState::ptr(PtrKind::Ctx));
        assert!(contains(&old, &cur, |_, _| true));
        old.cur_mut().stack.write_data(-16, 8, false);
        assert!(!contains(&old, &cur, |_, _| true));
        assert!(old.describe().contains("fp-8=mmmmmmmm"));
    }
}
