//! The instruction set as one table: every valid instruction form of RFC 9669, with its
//! encoding, assembler mnemonic, operand kinds, conformance group and semantics.
//!
//! This is the only opcode list in ferrobpf. Decode and encode look rows up here, the
//! assembler and disassembler take mnemonics and operand kinds from here, the interpreter
//! dispatches on [`Op`] (one variant per row), and the JITs and the verifier read
//! [`Semantics`]. A row is an *instruction form*: the opcode byte plus, where several forms
//! share an opcode, the discriminating field ([`Disc`]).

use super::kinds::{
    AluOp as A, AtomicOp as At, Disc, EndOp, Group, JmpCond as J, Operands, Pseudo, Semantics,
    Size::{self, B, DW, H, W},
    Source::{Imm, Reg},
    Width::{W32, W64},
};
use Semantics::{
    Alu, Atomic, CallHelper, CallLocal, Callx, End, Exit, Gotol, Ja, Jcond, LdAbs, LdInd, Lddw,
    LddwHigh, Load, StoreImm, StoreReg,
};

/// One row of the table.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// The row's identity.
    pub op: Op,
    /// The opcode byte.
    pub opcode: u8,
    /// The extra field that tells this row from others with the same opcode.
    pub disc: Disc,
    /// Assembler mnemonic (bpf_conformance syntax).
    pub mnemonic: &'static str,
    /// Which fields are used, and the assembler's operand syntax.
    pub operands: Operands,
    /// Conformance group.
    pub group: Group,
    /// What it does.
    pub semantics: Semantics,
}

macro_rules! isa_table {
    ($( $name:ident = $opcode:literal, $disc:expr, $mn:literal, $ops:ident, $group:ident, $sem:expr; )*) => {
        /// An instruction form: one variant per row of [`TABLE`], in table order.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Op { $( #[doc = $mn] $name, )* }

        /// The instruction set, indexed by `Op as usize`.
        pub static TABLE: &[Spec] = &[ $( Spec {
            op: Op::$name,
            opcode: $opcode,
            disc: $disc,
            mnemonic: $mn,
            operands: Operands::$ops,
            group: Group::$group,
            semantics: $sem,
        }, )* ];
    };
}

const N: Disc = Disc::None;
const SDIV: Disc = Disc::Off(1);
const fn imm(v: i32) -> Disc {
    Disc::Imm(v)
}
const fn src(v: u8) -> Disc {
    Disc::Src(v)
}
const fn off(v: i16) -> Disc {
    Disc::Off(v)
}
const fn atomic(op: At, size: Size, fetch: bool) -> Semantics {
    Atomic(op, size, fetch)
}

isa_table! {
    // ---- ALU (32-bit), class 0x04 ----
    Add32Imm = 0x04, N, "add32", DstImm, Base32, Alu(A::Add, W32, Imm);
    Add32Reg = 0x0c, N, "add32", DstSrc, Base32, Alu(A::Add, W32, Reg);
    Sub32Imm = 0x14, N, "sub32", DstImm, Base32, Alu(A::Sub, W32, Imm);
    Sub32Reg = 0x1c, N, "sub32", DstSrc, Base32, Alu(A::Sub, W32, Reg);
    Mul32Imm = 0x24, N, "mul32", DstImm, Divmul32, Alu(A::Mul, W32, Imm);
    Mul32Reg = 0x2c, N, "mul32", DstSrc, Divmul32, Alu(A::Mul, W32, Reg);
    Div32Imm = 0x34, off(0), "div32", DstImm, Divmul32, Alu(A::Div, W32, Imm);
    Div32Reg = 0x3c, off(0), "div32", DstSrc, Divmul32, Alu(A::Div, W32, Reg);
    Sdiv32Imm = 0x34, SDIV, "sdiv32", DstImm, Divmul32, Alu(A::Sdiv, W32, Imm);
    Sdiv32Reg = 0x3c, SDIV, "sdiv32", DstSrc, Divmul32, Alu(A::Sdiv, W32, Reg);
    Or32Imm = 0x44, N, "or32", DstImm, Base32, Alu(A::Or, W32, Imm);
    Or32Reg = 0x4c, N, "or32", DstSrc, Base32, Alu(A::Or, W32, Reg);
    And32Imm = 0x54, N, "and32", DstImm, Base32, Alu(A::And, W32, Imm);
    And32Reg = 0x5c, N, "and32", DstSrc, Base32, Alu(A::And, W32, Reg);
    Lsh32Imm = 0x64, N, "lsh32", DstImm, Base32, Alu(A::Lsh, W32, Imm);
    Lsh32Reg = 0x6c, N, "lsh32", DstSrc, Base32, Alu(A::Lsh, W32, Reg);
    Rsh32Imm = 0x74, N, "rsh32", DstImm, Base32, Alu(A::Rsh, W32, Imm);
    Rsh32Reg = 0x7c, N, "rsh32", DstSrc, Base32, Alu(A::Rsh, W32, Reg);
    Neg32 = 0x84, N, "neg32", Dst, Base32, Alu(A::Neg, W32, Imm);
    Mod32Imm = 0x94, off(0), "mod32", DstImm, Divmul32, Alu(A::Mod, W32, Imm);
    Mod32Reg = 0x9c, off(0), "mod32", DstSrc, Divmul32, Alu(A::Mod, W32, Reg);
    Smod32Imm = 0x94, SDIV, "smod32", DstImm, Divmul32, Alu(A::Smod, W32, Imm);
    Smod32Reg = 0x9c, SDIV, "smod32", DstSrc, Divmul32, Alu(A::Smod, W32, Reg);
    Xor32Imm = 0xa4, N, "xor32", DstImm, Base32, Alu(A::Xor, W32, Imm);
    Xor32Reg = 0xac, N, "xor32", DstSrc, Base32, Alu(A::Xor, W32, Reg);
    Mov32Imm = 0xb4, N, "mov32", DstImm, Base32, Alu(A::Mov, W32, Imm);
    Mov32Reg = 0xbc, off(0), "mov32", DstSrc, Base32, Alu(A::Mov, W32, Reg);
    Movsx8To32 = 0xbc, off(8), "movsx832", DstSrc, Base32, Alu(A::Movsx8, W32, Reg);
    Movsx16To32 = 0xbc, off(16), "movsx1632", DstSrc, Base32, Alu(A::Movsx16, W32, Reg);
    Arsh32Imm = 0xc4, N, "arsh32", DstImm, Base32, Alu(A::Arsh, W32, Imm);
    Arsh32Reg = 0xcc, N, "arsh32", DstSrc, Base32, Alu(A::Arsh, W32, Reg);
    Le16 = 0xd4, imm(16), "le16", Dst, Base32, End(EndOp::Le, 16);
    Le32 = 0xd4, imm(32), "le32", Dst, Base32, End(EndOp::Le, 32);
    Le64 = 0xd4, imm(64), "le64", Dst, Base64, End(EndOp::Le, 64);
    Be16 = 0xdc, imm(16), "be16", Dst, Base32, End(EndOp::Be, 16);
    Be32 = 0xdc, imm(32), "be32", Dst, Base32, End(EndOp::Be, 32);
    Be64 = 0xdc, imm(64), "be64", Dst, Base64, End(EndOp::Be, 64);

    // ---- ALU64, class 0x07 ----
    Add64Imm = 0x07, N, "add", DstImm, Base64, Alu(A::Add, W64, Imm);
    Add64Reg = 0x0f, N, "add", DstSrc, Base64, Alu(A::Add, W64, Reg);
    Sub64Imm = 0x17, N, "sub", DstImm, Base64, Alu(A::Sub, W64, Imm);
    Sub64Reg = 0x1f, N, "sub", DstSrc, Base64, Alu(A::Sub, W64, Reg);
    Mul64Imm = 0x27, N, "mul", DstImm, Divmul64, Alu(A::Mul, W64, Imm);
    Mul64Reg = 0x2f, N, "mul", DstSrc, Divmul64, Alu(A::Mul, W64, Reg);
    Div64Imm = 0x37, off(0), "div", DstImm, Divmul64, Alu(A::Div, W64, Imm);
    Div64Reg = 0x3f, off(0), "div", DstSrc, Divmul64, Alu(A::Div, W64, Reg);
    Sdiv64Imm = 0x37, SDIV, "sdiv", DstImm, Divmul64, Alu(A::Sdiv, W64, Imm);
    Sdiv64Reg = 0x3f, SDIV, "sdiv", DstSrc, Divmul64, Alu(A::Sdiv, W64, Reg);
    Or64Imm = 0x47, N, "or", DstImm, Base64, Alu(A::Or, W64, Imm);
    Or64Reg = 0x4f, N, "or", DstSrc, Base64, Alu(A::Or, W64, Reg);
    And64Imm = 0x57, N, "and", DstImm, Base64, Alu(A::And, W64, Imm);
    And64Reg = 0x5f, N, "and", DstSrc, Base64, Alu(A::And, W64, Reg);
    Lsh64Imm = 0x67, N, "lsh", DstImm, Base64, Alu(A::Lsh, W64, Imm);
    Lsh64Reg = 0x6f, N, "lsh", DstSrc, Base64, Alu(A::Lsh, W64, Reg);
    Rsh64Imm = 0x77, N, "rsh", DstImm, Base64, Alu(A::Rsh, W64, Imm);
    Rsh64Reg = 0x7f, N, "rsh", DstSrc, Base64, Alu(A::Rsh, W64, Reg);
    Neg64 = 0x87, N, "neg", Dst, Base64, Alu(A::Neg, W64, Imm);
    Mod64Imm = 0x97, off(0), "mod", DstImm, Divmul64, Alu(A::Mod, W64, Imm);
    Mod64Reg = 0x9f, off(0), "mod", DstSrc, Divmul64, Alu(A::Mod, W64, Reg);
    Smod64Imm = 0x97, SDIV, "smod", DstImm, Divmul64, Alu(A::Smod, W64, Imm);
    Smod64Reg = 0x9f, SDIV, "smod", DstSrc, Divmul64, Alu(A::Smod, W64, Reg);
    Xor64Imm = 0xa7, N, "xor", DstImm, Base64, Alu(A::Xor, W64, Imm);
    Xor64Reg = 0xaf, N, "xor", DstSrc, Base64, Alu(A::Xor, W64, Reg);
    Mov64Imm = 0xb7, N, "mov", DstImm, Base64, Alu(A::Mov, W64, Imm);
    Mov64Reg = 0xbf, off(0), "mov", DstSrc, Base64, Alu(A::Mov, W64, Reg);
    Movsx8To64 = 0xbf, off(8), "movsx864", DstSrc, Base64, Alu(A::Movsx8, W64, Reg);
    Movsx16To64 = 0xbf, off(16), "movsx1664", DstSrc, Base64, Alu(A::Movsx16, W64, Reg);
    Movsx32To64 = 0xbf, off(32), "movsx3264", DstSrc, Base64, Alu(A::Movsx32, W64, Reg);
    Arsh64Imm = 0xc7, N, "arsh", DstImm, Base64, Alu(A::Arsh, W64, Imm);
    Arsh64Reg = 0xcf, N, "arsh", DstSrc, Base64, Alu(A::Arsh, W64, Reg);
    Bswap16 = 0xd7, imm(16), "bswap16", Dst, Base32, End(EndOp::Swap, 16);
    Bswap32 = 0xd7, imm(32), "bswap32", Dst, Base32, End(EndOp::Swap, 32);
    Bswap64 = 0xd7, imm(64), "bswap64", Dst, Base64, End(EndOp::Swap, 64);

    // ---- JMP, class 0x05 ----
    Ja = 0x05, N, "ja", Off, Base32, Ja;
    JeqImm = 0x15, N, "jeq", DstImmOff, Base64, Jcond(J::Eq, W64, Imm);
    JeqReg = 0x1d, N, "jeq", DstSrcOff, Base64, Jcond(J::Eq, W64, Reg);
    JgtImm = 0x25, N, "jgt", DstImmOff, Base64, Jcond(J::Gt, W64, Imm);
    JgtReg = 0x2d, N, "jgt", DstSrcOff, Base64, Jcond(J::Gt, W64, Reg);
    JgeImm = 0x35, N, "jge", DstImmOff, Base64, Jcond(J::Ge, W64, Imm);
    JgeReg = 0x3d, N, "jge", DstSrcOff, Base64, Jcond(J::Ge, W64, Reg);
    JsetImm = 0x45, N, "jset", DstImmOff, Base64, Jcond(J::Set, W64, Imm);
    JsetReg = 0x4d, N, "jset", DstSrcOff, Base64, Jcond(J::Set, W64, Reg);
    JneImm = 0x55, N, "jne", DstImmOff, Base64, Jcond(J::Ne, W64, Imm);
    JneReg = 0x5d, N, "jne", DstSrcOff, Base64, Jcond(J::Ne, W64, Reg);
    JsgtImm = 0x65, N, "jsgt", DstImmOff, Base64, Jcond(J::Sgt, W64, Imm);
    JsgtReg = 0x6d, N, "jsgt", DstSrcOff, Base64, Jcond(J::Sgt, W64, Reg);
    JsgeImm = 0x75, N, "jsge", DstImmOff, Base64, Jcond(J::Sge, W64, Imm);
    JsgeReg = 0x7d, N, "jsge", DstSrcOff, Base64, Jcond(J::Sge, W64, Reg);
    Call = 0x85, src(0), "call", Helper, Base32, CallHelper;
    CallLocal = 0x85, src(1), "call local", ImmTarget, Base32, CallLocal;
    Callx = 0x8d, N, "call", Dst, Callx, Callx;
    Exit = 0x95, N, "exit", None, Base32, Exit;
    JltImm = 0xa5, N, "jlt", DstImmOff, Base64, Jcond(J::Lt, W64, Imm);
    JltReg = 0xad, N, "jlt", DstSrcOff, Base64, Jcond(J::Lt, W64, Reg);
    JleImm = 0xb5, N, "jle", DstImmOff, Base64, Jcond(J::Le, W64, Imm);
    JleReg = 0xbd, N, "jle", DstSrcOff, Base64, Jcond(J::Le, W64, Reg);
    JsltImm = 0xc5, N, "jslt", DstImmOff, Base64, Jcond(J::Slt, W64, Imm);
    JsltReg = 0xcd, N, "jslt", DstSrcOff, Base64, Jcond(J::Slt, W64, Reg);
    JsleImm = 0xd5, N, "jsle", DstImmOff, Base64, Jcond(J::Sle, W64, Imm);
    JsleReg = 0xdd, N, "jsle", DstSrcOff, Base64, Jcond(J::Sle, W64, Reg);

    // ---- JMP32, class 0x06 ----
    Gotol = 0x06, N, "ja32", ImmTarget, Base32, Gotol;
    Jeq32Imm = 0x16, N, "jeq32", DstImmOff, Base32, Jcond(J::Eq, W32, Imm);
    Jeq32Reg = 0x1e, N, "jeq32", DstSrcOff, Base32, Jcond(J::Eq, W32, Reg);
    Jgt32Imm = 0x26, N, "jgt32", DstImmOff, Base32, Jcond(J::Gt, W32, Imm);
    Jgt32Reg = 0x2e, N, "jgt32", DstSrcOff, Base32, Jcond(J::Gt, W32, Reg);
    Jge32Imm = 0x36, N, "jge32", DstImmOff, Base32, Jcond(J::Ge, W32, Imm);
    Jge32Reg = 0x3e, N, "jge32", DstSrcOff, Base32, Jcond(J::Ge, W32, Reg);
    Jset32Imm = 0x46, N, "jset32", DstImmOff, Base32, Jcond(J::Set, W32, Imm);
    Jset32Reg = 0x4e, N, "jset32", DstSrcOff, Base32, Jcond(J::Set, W32, Reg);
    Jne32Imm = 0x56, N, "jne32", DstImmOff, Base32, Jcond(J::Ne, W32, Imm);
    Jne32Reg = 0x5e, N, "jne32", DstSrcOff, Base32, Jcond(J::Ne, W32, Reg);
    Jsgt32Imm = 0x66, N, "jsgt32", DstImmOff, Base32, Jcond(J::Sgt, W32, Imm);
    Jsgt32Reg = 0x6e, N, "jsgt32", DstSrcOff, Base32, Jcond(J::Sgt, W32, Reg);
    Jsge32Imm = 0x76, N, "jsge32", DstImmOff, Base32, Jcond(J::Sge, W32, Imm);
    Jsge32Reg = 0x7e, N, "jsge32", DstSrcOff, Base32, Jcond(J::Sge, W32, Reg);
    Jlt32Imm = 0xa6, N, "jlt32", DstImmOff, Base32, Jcond(J::Lt, W32, Imm);
    Jlt32Reg = 0xae, N, "jlt32", DstSrcOff, Base32, Jcond(J::Lt, W32, Reg);
    Jle32Imm = 0xb6, N, "jle32", DstImmOff, Base32, Jcond(J::Le, W32, Imm);
    Jle32Reg = 0xbe, N, "jle32", DstSrcOff, Base32, Jcond(J::Le, W32, Reg);
    Jslt32Imm = 0xc6, N, "jslt32", DstImmOff, Base32, Jcond(J::Slt, W32, Imm);
    Jslt32Reg = 0xce, N, "jslt32", DstSrcOff, Base32, Jcond(J::Slt, W32, Reg);
    Jsle32Imm = 0xd6, N, "jsle32", DstImmOff, Base32, Jcond(J::Sle, W32, Imm);
    Jsle32Reg = 0xde, N, "jsle32", DstSrcOff, Base32, Jcond(J::Sle, W32, Reg);

    // ---- LD: wide immediates and legacy packet access, class 0x00 ----
    Lddw = 0x18, src(0), "lddw", Wide, Base64, Lddw(Pseudo::Imm64);
    LddwMapFd = 0x18, src(1), "lddw", Wide, Base64, Lddw(Pseudo::MapFd);
    LddwMapValue = 0x18, src(2), "lddw", Wide, Base64, Lddw(Pseudo::MapValue);
    LddwBtfId = 0x18, src(3), "lddw", Wide, Base64, Lddw(Pseudo::BtfId);
    LddwFunc = 0x18, src(4), "lddw", Wide, Base64, Lddw(Pseudo::Func);
    LddwMapIdx = 0x18, src(5), "lddw", Wide, Base64, Lddw(Pseudo::MapIdx);
    LddwMapIdxValue = 0x18, src(6), "lddw", Wide, Base64, Lddw(Pseudo::MapIdxValue);
    LddwHigh = 0x00, N, "lddw.high", WideHigh, Base64, LddwHigh;
    LdAbsW = 0x20, N, "ldabsw", AbsImm, Packet, LdAbs(W);
    LdAbsH = 0x28, N, "ldabsh", AbsImm, Packet, LdAbs(H);
    LdAbsB = 0x30, N, "ldabsb", AbsImm, Packet, LdAbs(B);
    LdAbsDw = 0x38, N, "ldabsdw", AbsImm, Packet, LdAbs(DW);
    LdIndW = 0x40, N, "ldindw", IndSrcImm, Packet, LdInd(W);
    LdIndH = 0x48, N, "ldindh", IndSrcImm, Packet, LdInd(H);
    LdIndB = 0x50, N, "ldindb", IndSrcImm, Packet, LdInd(B);
    LdIndDw = 0x58, N, "ldinddw", IndSrcImm, Packet, LdInd(DW);

    // ---- LDX, class 0x01 ----
    LdxW = 0x61, N, "ldxw", Load, Base32, Load(W, false);
    LdxH = 0x69, N, "ldxh", Load, Base32, Load(H, false);
    LdxB = 0x71, N, "ldxb", Load, Base32, Load(B, false);
    LdxDw = 0x79, N, "ldxdw", Load, Base64, Load(DW, false);
    LdxSw = 0x81, N, "ldxsw", Load, Base64, Load(W, true);
    LdxSh = 0x89, N, "ldxsh", Load, Base32, Load(H, true);
    LdxSb = 0x91, N, "ldxsb", Load, Base32, Load(B, true);

    // ---- ST, class 0x02 ----
    StW = 0x62, N, "stw", StoreImm, Base32, StoreImm(W);
    StH = 0x6a, N, "sth", StoreImm, Base32, StoreImm(H);
    StB = 0x72, N, "stb", StoreImm, Base32, StoreImm(B);
    StDw = 0x7a, N, "stdw", StoreImm, Base64, StoreImm(DW);

    // ---- STX and atomics, class 0x03 ----
    StxW = 0x63, N, "stxw", StoreReg, Base32, StoreReg(W);
    StxH = 0x6b, N, "stxh", StoreReg, Base32, StoreReg(H);
    StxB = 0x73, N, "stxb", StoreReg, Base32, StoreReg(B);
    StxDw = 0x7b, N, "stxdw", StoreReg, Base64, StoreReg(DW);
    AtomicAdd32 = 0xc3, imm(0x00), "lock add32", StoreReg, Atomic32, atomic(At::Add, W, false);
    AtomicFetchAdd32 = 0xc3, imm(0x01), "lock fetch add32", StoreReg, Atomic32, atomic(At::Add, W, true);
    AtomicOr32 = 0xc3, imm(0x40), "lock or32", StoreReg, Atomic32, atomic(At::Or, W, false);
    AtomicFetchOr32 = 0xc3, imm(0x41), "lock fetch or32", StoreReg, Atomic32, atomic(At::Or, W, true);
    AtomicAnd32 = 0xc3, imm(0x50), "lock and32", StoreReg, Atomic32, atomic(At::And, W, false);
    AtomicFetchAnd32 = 0xc3, imm(0x51), "lock fetch and32", StoreReg, Atomic32, atomic(At::And, W, true);
    AtomicXor32 = 0xc3, imm(0xa0), "lock xor32", StoreReg, Atomic32, atomic(At::Xor, W, false);
    AtomicFetchXor32 = 0xc3, imm(0xa1), "lock fetch xor32", StoreReg, Atomic32, atomic(At::Xor, W, true);
    AtomicXchg32 = 0xc3, imm(0xe1), "lock xchg32", StoreReg, Atomic32, atomic(At::Xchg, W, true);
    AtomicCmpxchg32 = 0xc3, imm(0xf1), "lock cmpxchg32", StoreReg, Atomic32, atomic(At::Cmpxchg, W, true);
    AtomicAdd64 = 0xdb, imm(0x00), "lock add", StoreReg, Atomic64, atomic(At::Add, DW, false);
    AtomicFetchAdd64 = 0xdb, imm(0x01), "lock fetch add", StoreReg, Atomic64, atomic(At::Add, DW, true);
    AtomicOr64 = 0xdb, imm(0x40), "lock or", StoreReg, Atomic64, atomic(At::Or, DW, false);
    AtomicFetchOr64 = 0xdb, imm(0x41), "lock fetch or", StoreReg, Atomic64, atomic(At::Or, DW, true);
    AtomicAnd64 = 0xdb, imm(0x50), "lock and", StoreReg, Atomic64, atomic(At::And, DW, false);
    AtomicFetchAnd64 = 0xdb, imm(0x51), "lock fetch and", StoreReg, Atomic64, atomic(At::And, DW, true);
    AtomicXor64 = 0xdb, imm(0xa0), "lock xor", StoreReg, Atomic64, atomic(At::Xor, DW, false);
    AtomicFetchXor64 = 0xdb, imm(0xa1), "lock fetch xor", StoreReg, Atomic64, atomic(At::Xor, DW, true);
    AtomicXchg64 = 0xdb, imm(0xe1), "lock xchg", StoreReg, Atomic64, atomic(At::Xchg, DW, true);
    AtomicCmpxchg64 = 0xdb, imm(0xf1), "lock cmpxchg", StoreReg, Atomic64, atomic(At::Cmpxchg, DW, true);
}

impl Op {
    /// This form's row in [`TABLE`].
    #[inline]
    pub fn spec(self) -> &'static Spec {
        &TABLE[self as usize]
    }

    /// Every form, in table order.
    pub fn all() -> impl Iterator<Item = Op> {
        TABLE.iter().map(|s| s.op)
    }
}

#[cfg(test)]
mod tests {
    use super::super::kinds::{Class, Semantics};
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn rows_are_indexed_by_op() {
        for (i, spec) in TABLE.iter().enumerate() {
            assert_eq!(spec.op as usize, i, "{:?}", spec.op);
        }
    }

    #[test]
    fn encodings_are_unique() {
        let mut seen = HashSet::new();
        for spec in TABLE {
            assert!(seen.insert((spec.opcode, spec.disc)), "{:?}", spec.op);
        }
    }

    /// The opcode byte written in each row agrees with the class, operation and
    /// source bits its semantics imply (RFC 9669 section 3).
    #[test]
    fn opcode_bits_agree_with_semantics() {
        for spec in TABLE {
            let class = Class::of(spec.opcode);
            match spec.semantics {
                Semantics::Alu(_, width, source) => {
                    let want = if width == W64 {
                        Class::Alu64
                    } else {
                        Class::Alu32
                    };
                    assert_eq!(class, want, "{:?}", spec.op);
                    let x = spec.opcode & 8 != 0;
                    assert_eq!(x, source == Reg, "{:?}", spec.op);
                }
                Semantics::Jcond(_, width, source) => {
                    let want = if width == W64 {
                        Class::Jmp
                    } else {
                        Class::Jmp32
                    };
                    assert_eq!(class, want, "{:?}", spec.op);
                    assert_eq!(spec.opcode & 8 != 0, source == Reg, "{:?}", spec.op);
                }
                Semantics::Load(..) => assert_eq!(class, Class::Ldx),
                Semantics::StoreImm(_) => assert_eq!(class, Class::St),
                Semantics::StoreReg(_) | Semantics::Atomic(..) => assert_eq!(class, Class::Stx),
                Semantics::Lddw(_) | Semantics::LdAbs(_) | Semantics::LdInd(_) => {
                    assert_eq!(class, Class::Ld)
                }
                _ => {}
            }
        }
    }

    #[test]
    fn every_group_is_present() {
        for g in Group::ALL {
            assert!(TABLE.iter().any(|s| s.group == g), "{g:?}");
        }
    }
}
