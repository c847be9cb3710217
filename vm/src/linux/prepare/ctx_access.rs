//! The kernel's context-access rewriting: find every load of a context pointer
//! field and make it load the host's 64-bit pointer instead.
//!
//! A forward data-flow analysis tracks, per instruction, which registers and
//! which 8-byte stack slots of the current frame hold the context pointer
//! (unmodified, as the kernel requires for context accesses): r1 at the entry,
//! copied by 64-bit moves, spilled and filled through `r10`, passed to local
//! calls in r1-r5. A 32-bit load at a pointer field's offset from a register that
//! holds the context on every path becomes a 64-bit load of the field's shadow;
//! if the register holds it on some paths only, loading fails (the kernel refuses
//! such programs too). Stores through pointers other than `r10` are assumed not to
//! overwrite spilled context pointers. The rewrite only changes what a load
//! reads; every access stays checked against the run's regions whatever the
//! analysis concludes.

use super::{callbacks, PrepareError};
use crate::insn::{Insn, FRAME_POINTER};
use crate::isa::{AluOp, Op, Semantics, Size, Source, Width};
use crate::linux::context::FieldRewrite;
use crate::program::{Flow, RegUse};

/// What a register or stack slot holds.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Val {
    /// The context pointer.
    Ctx,
    /// Anything else.
    Other,
    /// The context on some paths, something else on others.
    Mixed,
}

impl Val {
    fn join(self, other: Val) -> Val {
        if self == other {
            self
        } else {
            Val::Mixed
        }
    }
}

/// 8-byte slots of one 512-byte frame.
const SLOTS: usize = 64;

/// The facts at one instruction.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct State {
    regs: [Val; 11],
    stack: [Val; SLOTS],
}

impl State {
    fn entry(r1: Val) -> State {
        let mut regs = [Val::Other; 11];
        regs[1] = r1;
        State {
            regs,
            stack: [Val::Other; SLOTS],
        }
    }

    /// Joins `other` in; whether anything changed.
    fn join(&mut self, other: &State) -> bool {
        let before = *self;
        for (a, b) in self.regs.iter_mut().zip(other.regs) {
            *a = a.join(b);
        }
        for (a, b) in self.stack.iter_mut().zip(other.stack) {
            *a = a.join(b);
        }
        *self != before
    }

    /// The slot an aligned 8-byte access at `r10 + off` names.
    fn slot(off: i16) -> Option<usize> {
        let off = i32::from(off);
        (off < 0 && off >= -(SLOTS as i32 * 8) && off % 8 == 0).then(|| ((-off) / 8 - 1) as usize)
    }

    /// Forgets the slots that `size` bytes at `r10 + off` overlap.
    fn clobber(&mut self, off: i16, size: Size) {
        let start = i32::from(off);
        let end = start + size.bytes() as i32;
        for (i, slot) in self.stack.iter_mut().enumerate() {
            let lo = -8 * (i as i32 + 1);
            if lo < end && start < lo + 8 {
                *slot = Val::Other;
            }
        }
    }
}

/// The state after `insn` (calls handled by the caller).
fn transfer(insn: &Insn, st: &State) -> State {
    let mut out = *st;
    for r in 0..11u8 {
        if RegUse::of(insn).writes.contains(r) {
            out.regs[usize::from(r)] = Val::Other;
        }
    }
    let (d, s) = (usize::from(insn.dst & 15), usize::from(insn.src & 15));
    match insn.spec().semantics {
        Semantics::Alu(AluOp::Mov, Width::W64, Source::Reg) if s < 11 && d < 11 => {
            out.regs[d] = st.regs[s];
        }
        Semantics::Load(Size::DW, _) if insn.src == FRAME_POINTER && d < 11 => {
            out.regs[d] = State::slot(insn.off).map_or(Val::Other, |i| st.stack[i]);
        }
        Semantics::StoreReg(size) | Semantics::StoreImm(size) | Semantics::Atomic(_, size, _)
            if insn.dst == FRAME_POINTER =>
        {
            out.clobber(insn.off, size);
            if let (Semantics::StoreReg(Size::DW), Some(i)) =
                (insn.spec().semantics, State::slot(insn.off))
            {
                out.stack[i] = st.regs.get(s).copied().unwrap_or(Val::Other);
            }
        }
        Semantics::CallHelper | Semantics::Callx | Semantics::LdAbs(_) | Semantics::LdInd(_) => {
            for r in &mut out.regs[0..6] {
                *r = Val::Other;
            }
        }
        _ => {}
    }
    out
}

/// Runs the analysis to a fixed point: the state at every reached slot.
fn analyse(insns: &[Insn]) -> Result<Vec<Option<State>>, PrepareError> {
    let mut states: Vec<Option<State>> = vec![None; insns.len()];
    let mut work = Vec::new();
    let merge = |states: &mut Vec<Option<State>>, work: &mut Vec<usize>, pc: usize, st: &State| {
        let Some(slot) = states.get_mut(pc) else {
            return;
        };
        let changed = match slot {
            Some(old) => old.join(st),
            None => {
                *slot = Some(*st);
                true
            }
        };
        if changed {
            work.push(pc);
        }
    };
    merge(&mut states, &mut work, 0, &State::entry(Val::Ctx));
    // Callbacks get their arguments from helpers: never the context.
    for f in callbacks(insns) {
        merge(&mut states, &mut work, f, &State::entry(Val::Other));
    }
    while let Some(pc) = work.pop() {
        let (Some(insn), Some(Some(st))) = (insns.get(pc), states.get(pc).copied()) else {
            continue;
        };
        let mut out = transfer(insn, &st);
        if insn.spec().semantics == Semantics::CallLocal {
            let target = insn
                .target(pc)
                .and_then(|t| usize::try_from(t).ok())
                .ok_or(PrepareError::BadTarget { pc })?;
            let mut entry = State::entry(Val::Other);
            entry.regs[1..6].copy_from_slice(&st.regs[1..6]);
            merge(&mut states, &mut work, target, &entry);
            for r in &mut out.regs[0..6] {
                *r = Val::Other;
            }
        }
        for next in Flow::of(insn, pc).successors() {
            if next >= insns.len() {
                return Err(PrepareError::BadTarget { pc });
            }
            merge(&mut states, &mut work, next, &out);
        }
    }
    Ok(states)
}

/// Rewrites the context pointer loads of `insns`.
pub fn rewrite(insns: &[Insn], rewrites: &[FieldRewrite]) -> Result<Vec<Insn>, PrepareError> {
    let mut out = insns.to_vec();
    if rewrites.is_empty() {
        return Ok(out);
    }
    let states = analyse(insns)?;
    for (pc, insn) in insns.iter().enumerate() {
        if insn.op != Op::LdxW {
            continue;
        }
        let Some(field) = rewrites.iter().find(|r| r.field == insn.off) else {
            continue;
        };
        let Some(Some(st)) = states.get(pc) else {
            continue;
        };
        match st.regs.get(usize::from(insn.src)) {
            Some(Val::Ctx) => {
                out[pc] = Insn::new(Op::LdxDw, insn.dst, insn.src, field.shadow, 0);
            }
            Some(Val::Mixed) => return Err(PrepareError::MixedContext { pc, reg: insn.src }),
            _ => {}
        }
    }
    Ok(out)
}
