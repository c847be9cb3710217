//! Loads, stores and atomics: which memory a pointer may reach, and what the stack
//! remembers.

use crate::ctx::{CtxDenied, FieldKind};
use crate::env::Env;
use crate::error::Reason;
use crate::reg::{Ptr, PtrKind, RegState};
use crate::scalar::Scalar;
use crate::stack::STACK_SIZE;
use crate::state::State;

/// Largest variable offset a pointer may carry (the kernel's `BPF_MAX_VAR_OFF`).
pub const MAX_VAR_OFF: i64 = 1 << 29;

/// The value a store writes.
#[derive(Copy, Clone, Debug)]
pub(crate) enum Value {
    /// A register's state (STX).
    Reg(u8, RegState),
    /// An immediate (ST).
    Imm(u64),
    /// Unknown bytes (atomics, helpers filling memory).
    Unknown,
}

impl Value {
    fn is_zero(&self) -> bool {
        match self {
            Value::Reg(_, RegState::Scalar(s)) => s.as_const() == Some(0),
            Value::Imm(v) => *v == 0,
            _ => false,
        }
    }

    fn pointer_reg(&self) -> Option<u8> {
        match self {
            Value::Reg(r, RegState::Ptr(_)) => Some(*r),
            _ => None,
        }
    }
}

/// An unknown number of `size` bytes, sign-extended when `signed`.
pub fn sized_unknown(size: u32, signed: bool) -> Scalar {
    if size >= 8 {
        return Scalar::UNKNOWN;
    }
    let bits = size * 8;
    if signed {
        let half = 1i64 << (bits - 1);
        Scalar::srange(-half, half - 1)
    } else {
        Scalar::urange(0, (1u64 << bits) - 1)
    }
}

/// Sign-extends a loaded scalar of `size` bytes.
fn sign_extend(s: Scalar, size: u32) -> Scalar {
    if size >= 8 {
        return s;
    }
    let bits = size * 8;
    if let Some(v) = s.as_const() {
        let shift = 64 - bits;
        return Scalar::constant((((v << shift) as i64) >> shift) as u64);
    }
    if s.umax < 1 << (bits - 1) {
        s
    } else {
        sized_unknown(size, true)
    }
}

/// The range of offsets `[lo, hi)` an access of `size` at `off` through `p` may touch,
/// relative to the object's start.
pub(crate) fn span(
    reg: u8,
    p: &Ptr,
    off: i64,
    size: u64,
    allow_negative_var: bool,
) -> Result<(i64, i64), Reason> {
    let base = i64::from(p.off) + off;
    if !allow_negative_var && p.var.smin < 0 {
        return Err(Reason::NegativeMin { reg });
    }
    if p.var.umax > MAX_VAR_OFF as u64 && !allow_negative_var {
        return Err(Reason::Unbounded { reg });
    }
    if allow_negative_var && (p.var.smin <= -MAX_VAR_OFF || p.var.smax >= MAX_VAR_OFF) {
        return Err(Reason::Unbounded { reg });
    }
    let (vlo, vhi) = if allow_negative_var {
        (p.var.smin, p.var.smax)
    } else {
        (p.var.smin, p.var.umax as i64)
    };
    Ok((base + vlo, base + vhi + size as i64))
}

/// Checks a load (`value` = None) or store of `size` bytes at `reg + off` and returns
/// what a load yields. Stores update the stack.
pub(crate) fn access(
    env: &Env,
    st: &mut State,
    reg: u8,
    off: i64,
    size: u32,
    value: Option<Value>,
    signed: bool,
) -> Result<RegState, Reason> {
    let write = value.is_some();
    let p = match st.reg(reg) {
        RegState::NotInit => return Err(Reason::UninitReg { reg }),
        RegState::Scalar(_) => {
            return Err(Reason::InvalidMemAccess {
                reg,
                ty: "scalar".into(),
            })
        }
        RegState::Ptr(p) => p,
    };
    if p.maybe_null {
        return Err(Reason::MaybeNull {
            reg,
            ty: st.reg(reg).type_name(),
        });
    }
    let leak = |into| -> Result<(), Reason> {
        match value.and_then(|v| v.pointer_reg()) {
            Some(r) if !env.config.allow_ptr_leaks => Err(Reason::Leak { reg: r, into }),
            _ => Ok(()),
        }
    };
    let size64 = u64::from(size);
    let loaded = RegState::Scalar(sized_unknown(size, signed));
    match p.kind {
        PtrKind::Stack { frame } => {
            let (lo, hi) = span(reg, &p, off, size64, true)?;
            let access = if write { "write to" } else { "read from" };
            if lo < -(STACK_SIZE as i64) || hi > 0 {
                return Err(Reason::StackBounds {
                    access,
                    reg,
                    off: lo,
                    size: size64,
                });
            }
            if lo.rem_euclid(i64::from(size)) != 0 && p.has_fixed_offset() {
                return Err(Reason::Misaligned { reg, off: lo, size });
            }
            let frame = frame as usize;
            let Some(fr) = st.frames.get_mut(frame) else {
                return Err(Reason::InvalidMemAccess {
                    reg,
                    ty: "fp of a returned frame".into(),
                });
            };
            let lo32 = lo as i32;
            let whole_spill = p.has_fixed_offset()
                && size == 8
                && matches!(value, Some(Value::Reg(..) | Value::Imm(_)));
            if value.is_some()
                && !whole_spill
                && !env.config.allow_ptr_leaks
                && fr.stack.overlaps_pointer_spill(lo32, (hi - lo) as usize)
            {
                return Err(Reason::CorruptSpill);
            }
            if let Some(v) = value {
                if !p.has_fixed_offset() {
                    fr.stack.write_data(lo32, (hi - lo) as usize, false);
                    return Ok(RegState::NotInit);
                }
                match v {
                    Value::Reg(_, r) if size == 8 => fr.stack.spill(lo32, r),
                    Value::Reg(_, RegState::Ptr(_)) => return Err(Reason::BadSpill),
                    Value::Imm(x) if size == 8 && x != 0 => {
                        fr.stack.spill(lo32, RegState::constant(x))
                    }
                    _ => fr.stack.write_data(lo32, size as usize, v.is_zero()),
                }
                return Ok(RegState::NotInit);
            }
            if !env.config.allow_uninit_stack && !fr.stack.is_readable(lo32, (hi - lo) as usize) {
                return Err(Reason::UninitStack {
                    reg,
                    off: lo,
                    size: size64,
                });
            }
            if !p.has_fixed_offset() {
                return Ok(loaded);
            }
            let slot_start = lo32.div_euclid(8) * 8;
            if let Some(spilled) = fr.stack.spilled_at(slot_start) {
                return match spilled {
                    r if size == 8 => Ok(r),
                    RegState::Scalar(s) if lo32 == slot_start && s.umax >> (size * 8) == 0 => {
                        Ok(RegState::Scalar(if signed {
                            sign_extend(s, size)
                        } else {
                            s
                        }))
                    }
                    RegState::Scalar(_) => Ok(loaded),
                    _ => Err(Reason::BadFill),
                };
            }
            let data = fr.stack.read_data(lo32, size as usize);
            Ok(RegState::Scalar(if signed {
                sign_extend(data, size)
            } else {
                data
            }))
        }
        PtrKind::Ctx => {
            if !p.has_fixed_offset() {
                return Err(Reason::ModifiedCtx { reg, off: p.off });
            }
            if p.off != 0 {
                return Err(Reason::ModifiedCtx { reg, off: p.off });
            }
            leak("ctx")?;
            match env.ctx.check(off, size, write) {
                Ok(kind) => Ok(match kind {
                    _ if write => RegState::NotInit,
                    FieldKind::Scalar => loaded,
                    FieldKind::PacketData => RegState::ptr(PtrKind::Packet { range: 0 }),
                    FieldKind::PacketEnd => RegState::ptr(PtrKind::PacketEnd),
                    FieldKind::PacketMeta => RegState::ptr(PtrKind::PacketMeta { range: 0 }),
                    FieldKind::Mem {
                        size,
                        writable,
                        nullable,
                    } => {
                        let mut q = Ptr::new(PtrKind::Mem { size, writable });
                        q.maybe_null = nullable;
                        RegState::Ptr(q)
                    }
                }),
                Err(CtxDenied::Invalid) | Err(CtxDenied::Permission) => {
                    Err(Reason::CtxAccess { off, size })
                }
            }
        }
        PtrKind::Packet { range } | PtrKind::PacketMeta { range } => {
            if write && !env.config.prog_type.may_write_packet() {
                return Err(Reason::ReadOnly {
                    reg,
                    what: "packet".into(),
                });
            }
            leak("packet")?;
            if p.var.smin < 0 {
                return Err(Reason::NegativeMin { reg });
            }
            let start = i64::from(p.off) + off;
            if start < 0 || start + size as i64 > i64::from(range) {
                return Err(Reason::PacketBounds {
                    reg,
                    off: start,
                    size: size64,
                    range,
                });
            }
            Ok(loaded)
        }
        PtrKind::MapValue { map } => {
            let info = env.map(map).ok_or(Reason::BadMap(i64::from(map)))?;
            if write && info.read_only {
                return Err(Reason::ReadOnly {
                    reg,
                    what: "map value".into(),
                });
            }
            leak("map")?;
            let (lo, hi) = span(reg, &p, off, size64, false)?;
            if lo < 0 || hi > i64::from(info.value_size) {
                return Err(Reason::MemBounds {
                    what: "map value",
                    mem_size: info.value_size,
                    off: lo,
                    size: size64,
                });
            }
            Ok(loaded)
        }
        PtrKind::MapKey { map } => {
            let info = env.map(map).ok_or(Reason::BadMap(i64::from(map)))?;
            if write {
                return Err(Reason::ReadOnly {
                    reg,
                    what: "map key".into(),
                });
            }
            let (lo, hi) = span(reg, &p, off, size64, false)?;
            if lo < 0 || hi > i64::from(info.key_size) {
                return Err(Reason::MemBounds {
                    what: "map key",
                    mem_size: info.key_size,
                    off: lo,
                    size: size64,
                });
            }
            Ok(loaded)
        }
        PtrKind::Mem {
            size: mem,
            writable,
        } => {
            if write && !writable {
                return Err(Reason::ReadOnly {
                    reg,
                    what: "rdonly_mem".into(),
                });
            }
            leak("mem")?;
            let (lo, hi) = span(reg, &p, off, size64, false)?;
            if lo < 0 || hi > i64::from(mem) {
                return Err(Reason::MemBounds {
                    what: "memory",
                    mem_size: mem,
                    off: lo,
                    size: size64,
                });
            }
            Ok(loaded)
        }
        PtrKind::PacketEnd | PtrKind::MapPtr { .. } | PtrKind::Func { .. } => {
            Err(Reason::InvalidMemAccess {
                reg,
                ty: st.reg(reg).type_name(),
            })
        }
    }
}

/// Checks memory a helper reads (`init`) or fills, `size` bytes in `[min, max]`,
/// through the pointer in `reg`. Filled stack bytes become initialised data.
pub(crate) fn helper_mem(
    env: &Env,
    st: &mut State,
    reg: u8,
    max: u64,
    init: bool,
) -> Result<(), Reason> {
    if max == 0 {
        return Ok(());
    }
    let p = match st.reg(reg) {
        RegState::Ptr(p) if !p.maybe_null => p,
        other => {
            return Err(Reason::BadArg {
                reg,
                got: other.type_name(),
                expected: "pointer to memory",
            })
        }
    };
    match p.kind {
        PtrKind::Stack { frame } => {
            let (lo, hi) = span(reg, &p, 0, max, true)?;
            if lo < -(STACK_SIZE as i64) || hi > 0 {
                return Err(Reason::StackBounds {
                    access: if init { "read from" } else { "write to" },
                    reg,
                    off: lo,
                    size: max,
                });
            }
            let fr = st
                .frames
                .get_mut(frame as usize)
                .ok_or(Reason::InvalidMemAccess {
                    reg,
                    ty: "fp of a returned frame".into(),
                })?;
            if init {
                if !env.config.allow_uninit_stack
                    && !fr.stack.is_readable(lo as i32, (hi - lo) as usize)
                {
                    return Err(Reason::UninitStack {
                        reg,
                        off: lo,
                        size: max,
                    });
                }
            } else {
                if !env.config.allow_ptr_leaks
                    && fr
                        .stack
                        .overlaps_pointer_spill(lo as i32, (hi - lo) as usize)
                {
                    return Err(Reason::CorruptSpill);
                }
                fr.stack.write_data(lo as i32, (hi - lo) as usize, false);
            }
            Ok(())
        }
        PtrKind::Ctx => Err(Reason::BadArg {
            reg,
            got: "ctx".into(),
            expected: "pointer to memory",
        }),
        _ => {
            // Same rules as a store or load of the first and the last byte.
            let value = (!init).then_some(Value::Unknown);
            access(env, st, reg, 0, 1, value, false)?;
            access(env, st, reg, max as i64 - 1, 1, value, false).map(|_| ())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sized_values() {
        assert_eq!(sized_unknown(1, false).umax, 255);
        assert_eq!(sized_unknown(2, true).smin, -32768);
        assert_eq!(
            sign_extend(Scalar::constant(0xff), 1).as_const(),
            Some(u64::MAX)
        );
        assert_eq!(sign_extend(Scalar::urange(0, 10), 1).umax, 10);
    }
}
