//! Arithmetic on registers: scalar transfer functions, pointer arithmetic and its rules.

use crate::env::{Env, Ids};
use crate::error::Reason;
use crate::exec_mem::MAX_VAR_OFF;
use crate::link;
use crate::reg::{Ptr, PtrKind, RegState};
use crate::scalar::Scalar;
use crate::scalar_alu::{alu, bswap, truncate};
use crate::state::State;
use ferrobpf_vm::isa::{AluOp, EndOp, Semantics, Source, Width};
use ferrobpf_vm::Insn;

fn op_name(op: AluOp) -> &'static str {
    match op {
        AluOp::Add => "+=",
        AluOp::Sub => "-=",
        AluOp::Mul => "*=",
        AluOp::Div | AluOp::Sdiv => "/=",
        AluOp::Or => "|=",
        AluOp::And => "&=",
        AluOp::Lsh => "<<=",
        AluOp::Rsh => ">>=",
        AluOp::Neg => "neg",
        AluOp::Mod | AluOp::Smod => "%=",
        AluOp::Xor => "^=",
        AluOp::Mov | AluOp::Movsx8 | AluOp::Movsx16 | AluOp::Movsx32 => "=",
        AluOp::Arsh => "s>>=",
    }
}

fn arith(reg: u8, what: impl Into<String>) -> Reason {
    Reason::PointerArith {
        reg,
        what: what.into(),
    }
}

/// Reads register `r`, which must be initialised.
pub(crate) fn read(st: &State, r: u8) -> Result<RegState, Reason> {
    match st.reg(r) {
        RegState::NotInit => Err(Reason::UninitReg { reg: r }),
        v => Ok(v),
    }
}

/// Executes an ALU or byte-order instruction.
pub(crate) fn exec(env: &Env, st: &mut State, insn: &Insn, ids: &mut Ids) -> Result<(), Reason> {
    let dst = insn.dst;
    match insn.spec().semantics {
        Semantics::End(kind, bits) => {
            let v = read(st, dst)?;
            let s = match v {
                RegState::Scalar(s) => s,
                _ if env.config.allow_ptr_leaks => Scalar::UNKNOWN,
                _ => return Err(arith(dst, "pointer arithmetic prohibited")),
            };
            let r = match kind {
                EndOp::Le => truncate(&s, u32::from(bits)),
                EndOp::Be | EndOp::Swap => bswap(&s, u32::from(bits)),
            };
            st.set_reg(dst, RegState::Scalar(r));
            Ok(())
        }
        Semantics::Alu(op, w, src) => {
            let (src_state, src_reg) = match src {
                Source::Imm if op == AluOp::Neg => (RegState::constant(0), None),
                Source::Imm => {
                    let imm = insn.imm32();
                    if matches!(op, AluOp::Div | AluOp::Mod | AluOp::Sdiv | AluOp::Smod) && imm == 0
                    {
                        return Err(Reason::DivByZero);
                    }
                    let bits = if w == Width::W64 { 64 } else { 32 };
                    if matches!(op, AluOp::Lsh | AluOp::Rsh | AluOp::Arsh)
                        && (imm < 0 || imm >= bits)
                    {
                        return Err(Reason::InvalidShift(i64::from(imm)));
                    }
                    let v = if w == Width::W64 {
                        i64::from(imm) as u64
                    } else {
                        u64::from(imm as u32)
                    };
                    (RegState::constant(v), None)
                }
                Source::Reg => (read(st, insn.src)?, Some(insn.src)),
            };
            exec_alu(env, st, op, w, dst, src_state, src_reg, ids)
        }
        _ => Ok(()),
    }
}

#[allow(clippy::too_many_arguments)]
fn exec_alu(
    env: &Env,
    st: &mut State,
    op: AluOp,
    w: Width,
    dst: u8,
    src: RegState,
    src_reg: Option<u8>,
    ids: &mut Ids,
) -> Result<(), Reason> {
    let leaks = env.config.allow_ptr_leaks;
    if op == AluOp::Mov {
        if let (Width::W64, Some(s), RegState::Scalar(_)) = (w, src_reg, src) {
            if s != dst {
                link::copy(st, dst, s, ids);
            }
            return Ok(());
        }
        let v = match (w, src) {
            (Width::W64, v) => v,
            (Width::W32, RegState::Scalar(s)) => RegState::Scalar(s.zext32()),
            (Width::W32, _) if leaks => RegState::Scalar(Scalar::urange(0, u64::from(u32::MAX))),
            (Width::W32, _) => {
                return Err(arith(src_reg.unwrap_or(dst), "partial copy of pointer"))
            }
        };
        st.set_reg(dst, v);
        return Ok(());
    }
    if matches!(op, AluOp::Movsx8 | AluOp::Movsx16 | AluOp::Movsx32) {
        let s = match src {
            RegState::Scalar(s) => s,
            _ if leaks => Scalar::UNKNOWN,
            _ => return Err(arith(src_reg.unwrap_or(dst), "sign-extension of pointer")),
        };
        st.set_reg(dst, RegState::Scalar(alu(op, w, &Scalar::UNKNOWN, &s)));
        return Ok(());
    }
    let d = read(st, dst)?;
    let result = match (d, src) {
        (RegState::Scalar(a), RegState::Scalar(b)) => RegState::Scalar(alu(op, w, &a, &b)),
        (RegState::Ptr(p), RegState::Scalar(s)) if op != AluOp::Neg => {
            ptr_arith(dst, op, w, p, s, false, leaks, ids)?
        }
        (RegState::Ptr(_), _) if op == AluOp::Neg => {
            if leaks {
                RegState::UNKNOWN
            } else {
                return Err(arith(dst, "pointer arithmetic prohibited"));
            }
        }
        (RegState::Scalar(s), RegState::Ptr(p)) => {
            if op == AluOp::Sub {
                return Err(arith(dst, "tried to subtract pointer from scalar"));
            }
            ptr_arith(dst, op, w, p, s, true, leaks, ids)?
        }
        (RegState::Ptr(_), RegState::Ptr(_)) => {
            if op == AluOp::Sub && leaks {
                RegState::UNKNOWN
            } else {
                return Err(arith(
                    dst,
                    format!("pointer {} pointer prohibited", op_name(op)),
                ));
            }
        }
        _ => return Err(Reason::UninitReg { reg: dst }),
    };
    let before = st.link(dst);
    st.set_reg(dst, result);
    // `dst += c` / `dst -= c` (64-bit): a linked number stays linked, moved by c.
    if let (Width::W64, RegState::Scalar(b)) = (w, src) {
        match (op, b.as_const()) {
            (AluOp::Add, Some(c)) => link::shift(st, dst, before, c),
            (AluOp::Sub, Some(c)) => link::shift(st, dst, before, c.wrapping_neg()),
            _ => {}
        }
    }
    Ok(())
}

/// `ptr op scalar` (or `scalar + ptr` when `swapped`), the kernel's rules.
#[allow(clippy::too_many_arguments)]
fn ptr_arith(
    dst: u8,
    op: AluOp,
    w: Width,
    p: Ptr,
    s: Scalar,
    swapped: bool,
    leaks: bool,
    ids: &mut Ids,
) -> Result<RegState, Reason> {
    if w == Width::W32 {
        if op == AluOp::Sub && leaks {
            return Ok(RegState::UNKNOWN);
        }
        return Err(arith(dst, "32-bit pointer arithmetic prohibited"));
    }
    let ty = RegState::Ptr(p).type_name();
    if p.maybe_null {
        return Err(arith(
            dst,
            format!("pointer arithmetic on {ty} prohibited, null-check it first"),
        ));
    }
    let known = s.as_const();
    let map_ptr_plus_zero =
        matches!(p.kind, PtrKind::MapPtr { .. }) && known == Some(0) && op == AluOp::Add;
    if !p.kind.allows_arith() && !map_ptr_plus_zero {
        return Err(arith(dst, format!("pointer arithmetic on {ty} prohibited")));
    }
    match op {
        AluOp::Add | AluOp::Sub => {}
        AluOp::And | AluOp::Or | AluOp::Xor => {
            return Err(arith(
                dst,
                format!("bitwise operator {} on pointer prohibited", op_name(op)),
            ))
        }
        _ => {
            return Err(arith(
                dst,
                format!(
                    "pointer arithmetic with {} operator prohibited",
                    op_name(op)
                ),
            ))
        }
    }
    let _ = swapped;
    if let Some(k) = known {
        let k = k as i64;
        if k >= MAX_VAR_OFF || k <= -MAX_VAR_OFF {
            return Err(arith(
                dst,
                format!("math between {ty} pointer and {k} is not allowed"),
            ));
        }
        let mut q = p;
        let delta = if op == AluOp::Sub { -k } else { k };
        let off = i64::from(p.off) + delta;
        if off >= MAX_VAR_OFF || off <= -MAX_VAR_OFF {
            return Err(arith(
                dst,
                format!("{ty} pointer offset {off} is not allowed"),
            ));
        }
        q.off = off as i32;
        return Ok(RegState::Ptr(q));
    }
    if s.smin == i64::MIN {
        return Err(arith(
            dst,
            format!(
                "math between {ty} pointer and register with unbounded min value is not allowed"
            ),
        ));
    }
    if s.smin <= -MAX_VAR_OFF {
        return Err(arith(
            dst,
            "min value is outside of the allowed memory range",
        ));
    }
    let mut q = p;
    q.var = alu(op, Width::W64, &p.var, &s);
    if q.var.smin <= -MAX_VAR_OFF || q.var.smin == i64::MIN {
        return Err(arith(dst, format!("{ty} pointer offset is out of bounds")));
    }
    if matches!(q.kind, PtrKind::Packet { .. } | PtrKind::PacketMeta { .. }) {
        q.kind = q.kind.without_range();
        q.id = ids.fresh();
    }
    Ok(RegState::Ptr(q))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_rules() {
        let mut ids = Ids::default();
        let fp = Ptr::new(PtrKind::Stack { frame: 0 });
        let r = ptr_arith(
            1,
            AluOp::Add,
            Width::W64,
            fp,
            Scalar::constant(u64::MAX - 7),
            false,
            false,
            &mut ids,
        )
        .unwrap();
        assert_eq!(r.as_ptr().unwrap().off, -8);
        assert!(ptr_arith(
            1,
            AluOp::Mul,
            Width::W64,
            fp,
            Scalar::constant(2),
            false,
            false,
            &mut ids
        )
        .is_err());
        assert!(ptr_arith(
            1,
            AluOp::Add,
            Width::W32,
            fp,
            Scalar::constant(2),
            false,
            false,
            &mut ids
        )
        .is_err());
        assert!(ptr_arith(
            1,
            AluOp::Add,
            Width::W64,
            fp,
            Scalar::UNKNOWN,
            false,
            false,
            &mut ids
        )
        .is_err());
        let pkt = Ptr::new(PtrKind::Packet { range: 14 });
        let r = ptr_arith(
            1,
            AluOp::Add,
            Width::W64,
            pkt,
            Scalar::urange(0, 20),
            false,
            false,
            &mut ids,
        )
        .unwrap();
        let q = r.as_ptr().unwrap();
        assert_eq!(q.kind, PtrKind::Packet { range: 0 });
        assert_ne!(q.id, 0);
        assert_eq!(q.var.umax, 20);
    }
}
