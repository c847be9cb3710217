//! Register states: what the verifier knows about one register at one program point.

use crate::scalar::Scalar;
use std::fmt;

/// What a pointer points into.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum PtrKind {
    /// The program's context (`PTR_TO_CTX`).
    Ctx,
    /// A stack frame: `frame` is the call depth whose stack it is (`PTR_TO_STACK`).
    Stack {
        /// Call depth of the frame (0 = the program's main function).
        frame: u8,
    },
    /// Packet data; `range` bytes past the pointer's base are proven readable
    /// (`PTR_TO_PACKET`).
    Packet {
        /// Bytes proven in bounds by a comparison with the packet end.
        range: u32,
    },
    /// Packet metadata before the data (`PTR_TO_PACKET_META`).
    PacketMeta {
        /// Bytes proven in bounds by a comparison with the packet data.
        range: u32,
    },
    /// One past the packet's last byte (`PTR_TO_PACKET_END`): compare only.
    PacketEnd,
    /// A map itself, for helpers (`CONST_PTR_TO_MAP`).
    MapPtr {
        /// Index into the program's map table.
        map: u32,
    },
    /// A value of a map (`PTR_TO_MAP_VALUE`).
    MapValue {
        /// Index into the program's map table.
        map: u32,
    },
    /// A key of a map, in iteration callbacks (`PTR_TO_MAP_KEY`).
    MapKey {
        /// Index into the program's map table.
        map: u32,
    },
    /// A block of memory of known size, e.g. a ring buffer reservation (`PTR_TO_MEM`).
    Mem {
        /// Size in bytes.
        size: u32,
        /// Whether stores are allowed.
        writable: bool,
    },
    /// A program function, as a callback (`PTR_TO_FUNC`).
    Func {
        /// Slot index of the function's first instruction.
        target: u32,
    },
}

impl PtrKind {
    /// Kernel-style name for logs and errors.
    pub fn name(&self) -> &'static str {
        match self {
            PtrKind::Ctx => "ctx",
            PtrKind::Stack { .. } => "fp",
            PtrKind::Packet { .. } => "pkt",
            PtrKind::PacketMeta { .. } => "pkt_meta",
            PtrKind::PacketEnd => "pkt_end",
            PtrKind::MapPtr { .. } => "map_ptr",
            PtrKind::MapValue { .. } => "map_value",
            PtrKind::MapKey { .. } => "map_key",
            PtrKind::Mem { writable: true, .. } => "mem",
            PtrKind::Mem {
                writable: false, ..
            } => "rdonly_mem",
            PtrKind::Func { .. } => "func",
        }
    }

    /// Whether pointer arithmetic is allowed on this kind.
    pub fn allows_arith(&self) -> bool {
        !matches!(
            self,
            PtrKind::PacketEnd | PtrKind::MapPtr { .. } | PtrKind::Func { .. }
        )
    }

    /// The same kind with any proven packet range dropped (used when the offset moves).
    pub fn without_range(self) -> PtrKind {
        match self {
            PtrKind::Packet { .. } => PtrKind::Packet { range: 0 },
            PtrKind::PacketMeta { .. } => PtrKind::PacketMeta { range: 0 },
            k => k,
        }
    }
}

/// A pointer: kind, fixed offset, variable offset and nullness.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ptr {
    /// What it points into.
    pub kind: PtrKind,
    /// Constant offset from the object's start.
    pub off: i32,
    /// Variable offset added on top of `off` (constant zero when none).
    pub var: Scalar,
    /// Whether the pointer may be 0 (the `_OR_NULL` forms).
    pub maybe_null: bool,
    /// Identity shared by copies: a null check refines every register with the same
    /// id; packet pointers with the same id share range proofs. 0 = none.
    pub id: u32,
    /// Acquired reference this pointer carries (ring buffer reservations), 0 = none.
    pub ref_id: u32,
}

impl Ptr {
    /// A non-null pointer at offset 0.
    pub fn new(kind: PtrKind) -> Ptr {
        Ptr {
            kind,
            off: 0,
            var: Scalar::constant(0),
            maybe_null: false,
            id: 0,
            ref_id: 0,
        }
    }

    /// Whether the variable offset is the constant 0.
    pub fn has_fixed_offset(&self) -> bool {
        self.var.as_const() == Some(0)
    }
}

/// The state of one register.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum RegState {
    /// Never written on this path (reading it is an error).
    NotInit,
    /// A number.
    Scalar(Scalar),
    /// A pointer.
    Ptr(Ptr),
}

impl RegState {
    /// An unknown number.
    pub const UNKNOWN: RegState = RegState::Scalar(Scalar::UNKNOWN);

    /// The number `v`.
    pub fn constant(v: u64) -> RegState {
        RegState::Scalar(Scalar::constant(v))
    }

    /// A non-null pointer at offset 0.
    pub fn ptr(kind: PtrKind) -> RegState {
        RegState::Ptr(Ptr::new(kind))
    }

    /// The scalar, if this is one.
    pub fn scalar(&self) -> Option<&Scalar> {
        match self {
            RegState::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The pointer, if this is one.
    pub fn as_ptr(&self) -> Option<&Ptr> {
        match self {
            RegState::Ptr(p) => Some(p),
            _ => None,
        }
    }

    /// Whether the register may be read.
    pub fn is_init(&self) -> bool {
        !matches!(self, RegState::NotInit)
    }

    /// Kernel-style type name.
    pub fn type_name(&self) -> String {
        match self {
            RegState::NotInit => "?".into(),
            RegState::Scalar(_) => "scalar".into(),
            RegState::Ptr(p) => {
                let mut s = p.kind.name().to_string();
                if p.maybe_null {
                    s.push_str("_or_null");
                }
                s
            }
        }
    }
}

impl fmt::Display for RegState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegState::NotInit => f.write_str("?"),
            RegState::Scalar(s) => match s.as_const() {
                Some(_) => write!(f, "{s}"),
                None => write!(f, "scalar({s})"),
            },
            RegState::Ptr(p) => {
                let mut parts = Vec::new();
                if p.id != 0 {
                    parts.push(format!("id={}", p.id));
                }
                if p.ref_id != 0 {
                    parts.push(format!("ref_obj_id={}", p.ref_id));
                }
                match p.kind {
                    PtrKind::MapPtr { map }
                    | PtrKind::MapValue { map }
                    | PtrKind::MapKey { map } => parts.push(format!("map={map}")),
                    PtrKind::Packet { range } | PtrKind::PacketMeta { range } => {
                        parts.push(format!("r={range}"))
                    }
                    PtrKind::Mem { size, .. } => parts.push(format!("sz={size}")),
                    PtrKind::Func { target } => parts.push(format!("insn={target}")),
                    PtrKind::Stack { frame } if frame > 0 => parts.push(format!("frame={frame}")),
                    _ => {}
                }
                if p.off != 0 {
                    parts.push(format!("off={}", p.off));
                }
                if !p.has_fixed_offset() {
                    parts.push(p.var.to_string());
                }
                write!(f, "{}({})", self.type_name(), parts.join(","))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_kernel_like() {
        assert_eq!(RegState::constant(5).to_string(), "5");
        assert_eq!(RegState::ptr(PtrKind::Ctx).to_string(), "ctx()");
        let mut p = Ptr::new(PtrKind::MapValue { map: 0 });
        p.maybe_null = true;
        p.id = 3;
        assert_eq!(
            RegState::Ptr(p).to_string(),
            "map_value_or_null(id=3,map=0)"
        );
        let mut p = Ptr::new(PtrKind::Stack { frame: 0 });
        p.off = -8;
        assert_eq!(RegState::Ptr(p).to_string(), "fp(off=-8)");
        assert_eq!(
            RegState::Scalar(Scalar::urange(0, 255)).to_string(),
            "scalar(smin=0,smax=255,umax=255,smin32=0,smax32=255,umax32=255,var_off=(0x0; 0xff))"
        );
    }

    #[test]
    fn kinds() {
        assert!(!PtrKind::PacketEnd.allows_arith());
        assert!(PtrKind::Ctx.allows_arith());
        assert_eq!(
            PtrKind::Packet { range: 8 }.without_range(),
            PtrKind::Packet { range: 0 }
        );
        assert!(!RegState::NotInit.is_init());
    }
}
