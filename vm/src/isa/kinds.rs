//! The vocabulary the ISA table is written in: classes, groups, operand kinds and
//! the structured meaning ("semantics") of each row.

/// Instruction class: the low three bits of the opcode (RFC 9669 section 3).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    /// Non-standard loads (LDDW, legacy packet loads).
    Ld,
    /// Loads into a register.
    Ldx,
    /// Stores of an immediate.
    St,
    /// Stores of a register, and atomics.
    Stx,
    /// 32-bit arithmetic.
    Alu32,
    /// 64-bit jumps, calls and exit.
    Jmp,
    /// 32-bit jumps.
    Jmp32,
    /// 64-bit arithmetic.
    Alu64,
}

impl Class {
    /// The class encoded in the low three bits of `opcode`.
    pub const fn of(opcode: u8) -> Class {
        match opcode & 7 {
            0 => Class::Ld,
            1 => Class::Ldx,
            2 => Class::St,
            3 => Class::Stx,
            4 => Class::Alu32,
            5 => Class::Jmp,
            6 => Class::Jmp32,
            _ => Class::Alu64,
        }
    }
}

/// Conformance group (RFC 9669 section 2.4).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    /// Base 32-bit instructions.
    Base32,
    /// 64-bit instructions beyond base32.
    Base64,
    /// 32-bit atomics.
    Atomic32,
    /// 64-bit atomics.
    Atomic64,
    /// 32-bit multiply, divide, modulo.
    Divmul32,
    /// 64-bit multiply, divide, modulo.
    Divmul64,
    /// Legacy packet access (LD_ABS / LD_IND).
    Packet,
    /// Call of a helper whose id is held in a register.
    Callx,
}

impl Group {
    /// Every group, in table order.
    pub const ALL: [Group; 8] = [
        Group::Base32,
        Group::Base64,
        Group::Atomic32,
        Group::Atomic64,
        Group::Divmul32,
        Group::Divmul64,
        Group::Packet,
        Group::Callx,
    ];

    /// The group's name as the RFC and bpf_conformance spell it.
    pub const fn name(self) -> &'static str {
        match self {
            Group::Base32 => "base32",
            Group::Base64 => "base64",
            Group::Atomic32 => "atomic32",
            Group::Atomic64 => "atomic64",
            Group::Divmul32 => "divmul32",
            Group::Divmul64 => "divmul64",
            Group::Packet => "packet",
            Group::Callx => "callx",
        }
    }
}

/// Operation width of arithmetic and comparisons.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Width {
    /// 32-bit: operands truncated, result zero-extended.
    W32,
    /// 64-bit.
    W64,
}

/// Size of a memory access.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Size {
    /// One byte.
    B,
    /// Two bytes.
    H,
    /// Four bytes.
    W,
    /// Eight bytes.
    DW,
}

impl Size {
    /// Number of bytes accessed.
    pub const fn bytes(self) -> u32 {
        match self {
            Size::B => 1,
            Size::H => 2,
            Size::W => 4,
            Size::DW => 8,
        }
    }
}

/// Where the second operand of an ALU or jump instruction comes from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// The 32-bit immediate, sign-extended for 64-bit operations.
    Imm,
    /// The `src` register.
    Reg,
}

/// Arithmetic operations (RFC 9669 section 4.1).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum AluOp {
    /// dst += src
    Add,
    /// dst -= src
    Sub,
    /// dst *= src
    Mul,
    /// unsigned division; division by zero gives 0
    Div,
    /// signed division; division by zero gives 0
    Sdiv,
    /// dst |= src
    Or,
    /// dst &= src
    And,
    /// shift left, amount masked to the width
    Lsh,
    /// logical shift right, amount masked
    Rsh,
    /// dst = -dst
    Neg,
    /// unsigned modulo; modulo by zero leaves dst
    Mod,
    /// signed modulo (sign of dividend); modulo by zero leaves dst
    Smod,
    /// dst ^= src
    Xor,
    /// dst = src
    Mov,
    /// dst = sign-extended low 8 bits of src
    Movsx8,
    /// dst = sign-extended low 16 bits of src
    Movsx16,
    /// dst = sign-extended low 32 bits of src
    Movsx32,
    /// arithmetic shift right, amount masked
    Arsh,
}

/// Byte-order operations (RFC 9669 section 4.2).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum EndOp {
    /// Convert to little endian (truncate and zero-extend on a little-endian host).
    Le,
    /// Convert to big endian.
    Be,
    /// Unconditional byte swap (ALU64 class).
    Swap,
}

/// Conditions of conditional jumps (RFC 9669 section 4.3).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum JmpCond {
    /// ==
    Eq,
    /// unsigned >
    Gt,
    /// unsigned >=
    Ge,
    /// dst & src != 0
    Set,
    /// !=
    Ne,
    /// signed >
    Sgt,
    /// signed >=
    Sge,
    /// unsigned <
    Lt,
    /// unsigned <=
    Le,
    /// signed <
    Slt,
    /// signed <=
    Sle,
}

/// Atomic read-modify-write operations (RFC 9669 section 5.3).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum AtomicOp {
    /// add
    Add,
    /// or
    Or,
    /// and
    And,
    /// xor
    Xor,
    /// exchange (always fetches)
    Xchg,
    /// compare with r0 and exchange (always fetches into r0)
    Cmpxchg,
}

/// The meaning of an LDDW's immediate, chosen by its `src` field (RFC 9669 section 5.4).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Pseudo {
    /// src 0: the 64-bit immediate itself.
    Imm64,
    /// src 1: the map whose file descriptor is `imm`.
    MapFd,
    /// src 2: address of the value of map fd `imm`, plus `next_imm`.
    MapValue,
    /// src 3: address of the variable with BTF id `imm`.
    BtfId,
    /// src 4: address of the instruction `imm` slots after this one (a function pointer).
    Func,
    /// src 5: the map with index `imm` in the program's map table.
    MapIdx,
    /// src 6: address of the value of map index `imm`, plus `next_imm`.
    MapIdxValue,
}

/// What the instruction does, in structured form. Consumers that treat a family
/// alike (the verifier's ALU transfer function, a JIT's compare lowering) match on this.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Semantics {
    /// Arithmetic.
    Alu(AluOp, Width, Source),
    /// Byte order conversion or swap of the given bit width (16, 32 or 64).
    End(EndOp, u8),
    /// Unconditional jump by the 16-bit offset.
    Ja,
    /// Unconditional jump by the 32-bit immediate ("gotol").
    Gotol,
    /// Conditional jump.
    Jcond(JmpCond, Width, Source),
    /// Call of a host helper by its id.
    CallHelper,
    /// Call of a program-local function (PC-relative immediate).
    CallLocal,
    /// Call of a host helper whose id is in the `dst` register.
    Callx,
    /// Return from the current function (or the program).
    Exit,
    /// 64-bit immediate load (two slots).
    Lddw(Pseudo),
    /// The second slot of an LDDW, never valid on its own.
    LddwHigh,
    /// Legacy packet load at an absolute offset into r0.
    LdAbs(Size),
    /// Legacy packet load at `src + imm` into r0.
    LdInd(Size),
    /// Load: dst = *(size *)(src + off), sign-extended when `signed`.
    Load(Size, bool),
    /// Store immediate: *(size *)(dst + off) = imm.
    StoreImm(Size),
    /// Store register: *(size *)(dst + off) = src.
    StoreReg(Size),
    /// Atomic operation on *(size *)(dst + off); `fetch` returns the old value.
    Atomic(AtomicOp, Size, bool),
}

/// Which fields of the raw instruction an operation uses; every other field must be
/// zero (or equal the row's discriminator). Also drives the assembler's operand syntax.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Operands {
    /// `op dst, imm`
    DstImm,
    /// `op dst, src`
    DstSrc,
    /// `op dst`
    Dst,
    /// `op +off`
    Off,
    /// `op +imm` (jump or local call target in the immediate)
    ImmTarget,
    /// `op imm` (helper id)
    Helper,
    /// `op dst, imm, +off`
    DstImmOff,
    /// `op dst, src, +off`
    DstSrcOff,
    /// no operands
    None,
    /// `op dst, [src+off]`
    Load,
    /// `op [dst+off], imm`
    StoreImm,
    /// `op [dst+off], src`
    StoreReg,
    /// `op dst, imm64` over two slots
    Wide,
    /// the second LDDW slot: no fields but the immediate
    WideHigh,
    /// `op imm` (legacy absolute packet offset)
    AbsImm,
    /// `op src, imm` (legacy indirect packet offset)
    IndSrcImm,
}

/// A row's extra decoding key, for opcodes shared by several operations.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Disc {
    /// The opcode alone identifies the row.
    None,
    /// The `off` field must hold this value (SDIV/SMOD, MOVSX).
    Off(i16),
    /// The `imm` field must hold this value (END widths, atomic operations).
    Imm(i32),
    /// The `src` field must hold this value (CALL kinds, LDDW pseudo sources).
    Src(u8),
}

/// The raw fields an instruction form reads.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Fields {
    /// `dst` register field.
    pub dst: bool,
    /// `src` register field.
    pub src: bool,
    /// `off` field.
    pub off: bool,
    /// `imm` field.
    pub imm: bool,
}

impl Operands {
    /// The fields this operand kind reads (a row's discriminator comes on top).
    pub const fn fields(self) -> Fields {
        let (dst, src, off, imm) = match self {
            Operands::DstImm => (true, false, false, true),
            Operands::DstSrc => (true, true, false, false),
            Operands::Dst => (true, false, false, false),
            Operands::Off => (false, false, true, false),
            Operands::ImmTarget | Operands::Helper => (false, false, false, true),
            Operands::DstImmOff => (true, false, true, true),
            Operands::DstSrcOff => (true, true, true, false),
            Operands::None => (false, false, false, false),
            Operands::Load | Operands::StoreReg => (true, true, true, false),
            Operands::StoreImm => (true, false, true, true),
            Operands::Wide => (true, false, false, true),
            Operands::WideHigh | Operands::AbsImm => (false, false, false, true),
            Operands::IndSrcImm => (false, true, false, true),
        };
        Fields { dst, src, off, imm }
    }
}

impl Semantics {
    /// Whether the instruction writes its `dst` register.
    pub const fn writes_dst(self) -> bool {
        matches!(
            self,
            Semantics::Alu(..) | Semantics::End(..) | Semantics::Load(..) | Semantics::Lddw(_)
        )
    }

    /// Whether the instruction writes its `src` register (fetching atomics).
    pub const fn writes_src(self) -> bool {
        matches!(self, Semantics::Atomic(op, _, true) if !matches!(op, AtomicOp::Cmpxchg))
    }

    /// Whether the instruction may transfer control elsewhere than the next slot
    /// within the same function (jumps; calls return to the next slot).
    pub const fn is_branch(self) -> bool {
        matches!(
            self,
            Semantics::Ja | Semantics::Gotol | Semantics::Jcond(..)
        )
    }

    /// Whether execution can never continue at the next slot.
    pub const fn ends_block(self) -> bool {
        matches!(self, Semantics::Ja | Semantics::Gotol | Semantics::Exit)
    }
}

impl Pseudo {
    /// The assembler keyword for a non-plain LDDW source (`None` for a plain immediate).
    pub const fn keyword(self) -> Option<&'static str> {
        match self {
            Pseudo::Imm64 => None,
            Pseudo::MapFd => Some("map_fd"),
            Pseudo::MapValue => Some("map_value"),
            Pseudo::BtfId => Some("btf_id"),
            Pseudo::Func => Some("func"),
            Pseudo::MapIdx => Some("map_idx"),
            Pseudo::MapIdxValue => Some("map_idx_value"),
        }
    }
}
