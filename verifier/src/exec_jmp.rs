//! Conditional jumps: which sides are possible, and what each side proves (scalar
//! bounds, non-null pointers, packet ranges).

use crate::env::Env;
use crate::error::Reason;
use crate::exec_alu::read;
use crate::link;
use crate::reg::{PtrKind, RegState};
use crate::scalar::Scalar;
use crate::scalar_cmp::{effective, refine, Cond};
use crate::state::State;
use ferrobpf_vm::isa::{JmpCond, Semantics, Source, Width};
use ferrobpf_vm::Insn;

/// Largest packet offset for which range proofs are kept (the kernel's `MAX_PACKET_OFF`).
const MAX_PACKET_OFF: u64 = 0xffff;

/// Which sides of a conditional jump a path continues on.
pub(crate) enum Branch {
    /// Only the fall-through side (the state is refined in place).
    Fall,
    /// Only the taken side (the state is refined in place).
    Taken,
    /// Both: the state in place is the fall-through side; this is the taken side.
    Both(Box<State>),
}

/// Marks every copy of the pointer with nullness id `id` null (it becomes the number 0,
/// releasing its reference) or non-null.
pub(crate) fn mark_null(st: &mut State, id: u32, is_null: bool) {
    let mut released = None;
    st.for_each_reg_mut(|r| {
        if let RegState::Ptr(p) = r {
            if p.id == id && p.maybe_null {
                if is_null {
                    if p.ref_id != 0 {
                        released = Some(p.ref_id);
                    }
                    *r = RegState::constant(0);
                } else {
                    p.maybe_null = false;
                }
            }
        }
    });
    if let Some(ref_id) = released {
        st.refs.retain(|&x| x != ref_id);
    }
}

/// Gives every packet pointer sharing `reg`'s id and kind at least `range` proven bytes.
fn set_range(st: &mut State, reg: u8, range: u32) {
    let Some(p) = st.reg(reg).as_ptr().copied() else {
        return;
    };
    let same = |k: &PtrKind| {
        matches!(
            (k, p.kind),
            (PtrKind::Packet { .. }, PtrKind::Packet { .. })
                | (PtrKind::PacketMeta { .. }, PtrKind::PacketMeta { .. })
        )
    };
    st.for_each_reg_mut(|r| {
        if let RegState::Ptr(q) = r {
            if q.id == p.id && same(&q.kind) {
                q.kind = match q.kind {
                    PtrKind::Packet { range: old } => PtrKind::Packet {
                        range: old.max(range),
                    },
                    PtrKind::PacketMeta { range: old } => PtrKind::PacketMeta {
                        range: old.max(range),
                    },
                    k => k,
                };
            }
        }
    });
}

/// On a side where `lo c hi` holds with `lo` a packet (or meta) pointer and `hi` its
/// end (or the packet start), the bytes before `lo` are proven.
fn packet_side(st: &mut State, c: Cond, lo: u8) {
    let Some(p) = st.reg(lo).as_ptr().copied() else {
        return;
    };
    if p.off < 0 || p.var.umax > MAX_PACKET_OFF || p.var.umax + p.off as u64 > MAX_PACKET_OFF {
        return;
    }
    let range = match c {
        Cond::Le(false) => p.off as u32,
        Cond::Lt(false) => p.off as u32 + 1,
        _ => return,
    };
    set_range(st, lo, range);
}

fn is_pkt_pair(a: &RegState, b: &RegState) -> bool {
    matches!(
        (a.as_ptr().map(|p| p.kind), b.as_ptr().map(|p| p.kind)),
        (Some(PtrKind::Packet { .. }), Some(PtrKind::PacketEnd))
            | (
                Some(PtrKind::PacketMeta { .. }),
                Some(PtrKind::Packet { .. })
            )
    )
}

/// Executes a conditional jump.
pub(crate) fn exec(env: &Env, st: &mut State, insn: &Insn) -> Result<Branch, Reason> {
    let Semantics::Jcond(cond, w, src) = insn.spec().semantics else {
        return Ok(Branch::Fall);
    };
    let dst = insn.dst;
    let a = read(st, dst)?;
    let (b, src_reg) = match src {
        Source::Imm => {
            let v = if w == Width::W64 {
                i64::from(insn.imm32()) as u64
            } else {
                u64::from(insn.imm32() as u32)
            };
            (RegState::constant(v), None)
        }
        Source::Reg => (read(st, insn.src)?, Some(insn.src)),
    };
    match (a, b) {
        (RegState::Scalar(x), RegState::Scalar(y)) => {
            Ok(scalar_branch(st, cond, w, dst, src_reg, &x, &y))
        }
        (RegState::Ptr(p), RegState::Scalar(z)) | (RegState::Scalar(z), RegState::Ptr(p))
            if z.as_const() == Some(0)
                && w == Width::W64
                && matches!(cond, JmpCond::Eq | JmpCond::Ne) =>
        {
            let eq_taken = cond == JmpCond::Eq;
            if !p.maybe_null {
                // A valid pointer is never 0.
                return Ok(if eq_taken {
                    Branch::Fall
                } else {
                    Branch::Taken
                });
            }
            let mut other = st.clone();
            // `other` is the taken side.
            mark_null(&mut other, p.id, eq_taken);
            mark_null(st, p.id, !eq_taken);
            Ok(Branch::Both(Box::new(other)))
        }
        (x, y) if w == Width::W64 && (is_pkt_pair(&x, &y) || is_pkt_pair(&y, &x)) => {
            let mut other = st.clone();
            let (lo, c_taken) = match src_reg {
                Some(_) if is_pkt_pair(&x, &y) => (dst, effective(cond, true)),
                Some(s) => (s, effective(cond, true).swap()),
                None => return Ok(Branch::Both(Box::new(other))),
            };
            packet_side(&mut other, c_taken, lo);
            packet_side(st, c_taken.negate(), lo);
            Ok(Branch::Both(Box::new(other)))
        }
        _ => {
            if !env.config.allow_ptr_leaks {
                return Err(Reason::PointerArith {
                    reg: dst,
                    what: "pointer comparison prohibited".into(),
                });
            }
            Ok(Branch::Both(Box::new(st.clone())))
        }
    }
}

fn scalar_branch(
    st: &mut State,
    cond: JmpCond,
    w: Width,
    dst: u8,
    src_reg: Option<u8>,
    x: &Scalar,
    y: &Scalar,
) -> Branch {
    let taken = refine(effective(cond, true), w, x, y);
    let fall = refine(effective(cond, false), w, x, y);
    let apply = |st: &mut State, (a, b): (Scalar, Scalar)| {
        link::refine(st, dst, a);
        if let Some(s) = src_reg {
            if s != dst {
                link::refine(st, s, b);
            }
        }
    };
    match (taken, fall) {
        (Some(t), None) => {
            apply(st, t);
            Branch::Taken
        }
        (Some(t), Some(f)) => {
            let mut other = st.clone();
            apply(&mut other, t);
            apply(st, f);
            Branch::Both(Box::new(other))
        }
        (None, Some(f)) => {
            apply(st, f);
            Branch::Fall
        }
        // Neither side possible: the path itself is impossible; keep it going one way.
        (None, None) => Branch::Fall,
    }
}
