//! The syntax of llvm-objdump's BPF disassembler, with immediates in hex as
//! `llvm-objdump --print-imm-hex` prints them (the default from LLVM 15 on).
//!
//! Checked against llvm-objdump 14 for every form it knows. For the forms it
//! does not know, the text follows later LLVM releases: modulo and signed
//! division (`%=`, `s%=`, `s/=`), sign-extending moves (`(s8)r1`) and loads
//! (`*(s8 *)`), `bswapN`, `gotol`, `callx rN` (register from `dst`, as the
//! kernel reads it), stores of an immediate, `jset` conditions, and 32-bit
//! atomics with `w` registers (what llvm-objdump 14 prints with
//! `--mattr=+alu32`). Like llvm-objdump, an lddw with a non-zero source prints
//! as `ld_pseudo` with its first immediate unsigned and without its second.
//! Indirect packet loads add their immediate, which LLVM drops, as
//! `skb[rN + imm]`.

use crate::insn::Insn;
use crate::isa::{AluOp, AtomicOp, EndOp, JmpCond, Pseudo, Semantics, Size, Source, Width};

/// One instruction; `None` for the second slot of an lddw.
pub(super) fn format(insn: &Insn) -> Option<String> {
    let (dst, src, off, imm) = (insn.dst, insn.src, insn.off, insn.imm32());
    Some(match insn.spec().semantics {
        Semantics::Alu(op, width, source) => {
            let d = reg(width, dst);
            let rhs = match source {
                Source::Imm => hex(i64::from(imm)),
                Source::Reg => reg(width, src),
            };
            match alu(op) {
                Alu::Neg => format!("{d} = -{d}"),
                Alu::Mov => format!("{d} = {rhs}"),
                Alu::SignExtend(bits) => format!("{d} = (s{bits}){}", reg(width, src)),
                Alu::Compound(symbol) => format!("{d} {symbol}= {rhs}"),
            }
        }
        Semantics::End(op, bits) => {
            let name = match op {
                EndOp::Le => "le",
                EndOp::Be => "be",
                EndOp::Swap => "bswap",
            };
            format!("r{dst} = {name}{bits} r{dst}")
        }
        Semantics::Ja => format!("goto {}", signed_hex(i64::from(off))),
        Semantics::Gotol => format!("gotol {}", signed_hex(i64::from(imm))),
        Semantics::Jcond(cond, width, source) => {
            let rhs = match source {
                Source::Imm => hex(i64::from(imm)),
                Source::Reg => reg(width, src),
            };
            format!(
                "if {} {} {rhs} goto {}",
                reg(width, dst),
                condition(cond),
                signed_hex(i64::from(off))
            )
        }
        Semantics::CallHelper | Semantics::CallLocal => format!("call {}", hex(i64::from(imm))),
        Semantics::Callx => format!("callx r{dst}"),
        Semantics::Exit => "exit".to_string(),
        Semantics::Lddw(Pseudo::Imm64) => format!("r{dst} = {} ll", hex(insn.imm)),
        Semantics::Lddw(_) => {
            let low = i64::from(imm as u32);
            format!("ld_pseudo\tr{dst}, {}, {}", hex(i64::from(src)), hex(low))
        }
        Semantics::LddwHigh => return None,
        Semantics::LdAbs(size) => format!("r0 = *(u{} *)skb[{}]", bits(size), hex(i64::from(imm))),
        Semantics::LdInd(size) if imm == 0 => format!("r0 = *(u{} *)skb[r{src}]", bits(size)),
        Semantics::LdInd(size) => {
            format!("r0 = *(u{} *)skb[{}]", bits(size), address(src, imm))
        }
        Semantics::Load(size, signed) => {
            let kind = if signed { 's' } else { 'u' };
            format!(
                "r{dst} = *({kind}{} *)({})",
                bits(size),
                address(src, i32::from(off))
            )
        }
        Semantics::StoreImm(size) => format!(
            "*(u{} *)({}) = {}",
            bits(size),
            address(dst, i32::from(off)),
            hex(i64::from(imm))
        ),
        Semantics::StoreReg(size) => {
            format!(
                "*(u{} *)({}) = r{src}",
                bits(size),
                address(dst, i32::from(off))
            )
        }
        Semantics::Atomic(op, size, fetch) => atomic(op, size, fetch, dst, src, off),
    })
}

/// How an arithmetic operation is written.
enum Alu {
    /// `d = -d`
    Neg,
    /// `d = s`
    Mov,
    /// `d = (sN)s`
    SignExtend(u8),
    /// `d op= s`
    Compound(&'static str),
}

/// The written form of `op`.
const fn alu(op: AluOp) -> Alu {
    Alu::Compound(match op {
        AluOp::Neg => return Alu::Neg,
        AluOp::Mov => return Alu::Mov,
        AluOp::Movsx8 => return Alu::SignExtend(8),
        AluOp::Movsx16 => return Alu::SignExtend(16),
        AluOp::Movsx32 => return Alu::SignExtend(32),
        AluOp::Add => "+",
        AluOp::Sub => "-",
        AluOp::Mul => "*",
        AluOp::Div => "/",
        AluOp::Sdiv => "s/",
        AluOp::Or => "|",
        AluOp::And => "&",
        AluOp::Lsh => "<<",
        AluOp::Rsh => ">>",
        AluOp::Mod => "%",
        AluOp::Smod => "s%",
        AluOp::Xor => "^",
        AluOp::Arsh => "s>>",
    })
}

/// The comparison operator of a conditional jump.
const fn condition(cond: JmpCond) -> &'static str {
    match cond {
        JmpCond::Eq => "==",
        JmpCond::Gt => ">",
        JmpCond::Ge => ">=",
        JmpCond::Set => "&",
        JmpCond::Ne => "!=",
        JmpCond::Sgt => "s>",
        JmpCond::Sge => "s>=",
        JmpCond::Lt => "<",
        JmpCond::Le => "<=",
        JmpCond::Slt => "s<",
        JmpCond::Sle => "s<=",
    }
}

/// Atomic operations: `lock *(u64 *)(r1 + 0x8) += r2`,
/// `r2 = atomic_fetch_add((u64 *)(r1 + 0x8), r2)`, `r2 = xchg_64(r1 + 0x8, r2)`,
/// `r0 = cmpxchg_64(r1 + 0x8, r0, r2)`, with `w` registers and `32_32` names
/// for 32-bit ones.
fn atomic(op: AtomicOp, size: Size, fetch: bool, dst: u8, src: u8, off: i16) -> String {
    let n = bits(size);
    let width = if n == 64 { Width::W64 } else { Width::W32 };
    let v = reg(width, src);
    let at = address(dst, i32::from(off));
    let suffix = if n == 64 { "_64" } else { "32_32" };
    let (name, symbol) = match op {
        AtomicOp::Add => ("add", "+"),
        AtomicOp::Or => ("or", "|"),
        AtomicOp::And => ("and", "&"),
        AtomicOp::Xor => ("xor", "^"),
        AtomicOp::Xchg => return format!("{v} = xchg{suffix}({at}, {v})"),
        AtomicOp::Cmpxchg => {
            let r0 = reg(width, 0);
            return format!("{r0} = cmpxchg{suffix}({at}, {r0}, {v})");
        }
    };
    if fetch {
        format!("{v} = atomic_fetch_{name}((u{n} *)({at}), {v})")
    } else {
        format!("lock *(u{n} *)({at}) {symbol}= {v}")
    }
}

/// Register `n` viewed at `width`: `rN` or `wN`.
fn reg(width: Width, n: u8) -> String {
    match width {
        Width::W64 => format!("r{n}"),
        Width::W32 => format!("w{n}"),
    }
}

/// Access size in bits.
const fn bits(size: Size) -> u32 {
    size.bytes() * 8
}

/// `rN + 0x8` / `rN - 0x8`.
fn address(base: u8, off: i32) -> String {
    let sign = if off < 0 { '-' } else { '+' };
    format!("r{base} {sign} {:#x}", off.unsigned_abs())
}

/// A value in hex with a leading `-` for negatives: `0x5`, `-0x7`.
fn hex(v: i64) -> String {
    if v < 0 {
        format!("-{:#x}", v.unsigned_abs())
    } else {
        format!("{v:#x}")
    }
}

/// A jump distance: `+0x3`, `-0x2`.
fn signed_hex(v: i64) -> String {
    if v < 0 {
        hex(v)
    } else {
        format!("+{v:#x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::Op;

    fn text(op: Op, dst: u8, src: u8, off: i16, imm: i64) -> String {
        format(&Insn::new(op, dst, src, off, imm)).unwrap()
    }

    /// Lines as llvm-objdump 14 prints them with `--print-imm-hex`.
    #[test]
    fn forms_llvm_14_prints() {
        assert_eq!(text(Op::Mov32Reg, 7, 4, 0, 0), "w7 = w4");
        assert_eq!(text(Op::Mov64Imm, 4, 0, 0, -7), "r4 = -0x7");
        assert_eq!(text(Op::Mov32Imm, 4, 0, 0, 9), "w4 = 0x9");
        assert_eq!(text(Op::Add64Reg, 3, 4, 0, 0), "r3 += r4");
        assert_eq!(text(Op::Add32Imm, 1, 0, 0, 4093), "w1 += 0xffd");
        assert_eq!(text(Op::Arsh64Imm, 2, 0, 0, 3), "r2 s>>= 0x3");
        assert_eq!(text(Op::Xor32Imm, 1, 0, 0, -1), "w1 ^= -0x1");
        assert_eq!(text(Op::Neg32, 1, 0, 0, 0), "w1 = -w1");
        assert_eq!(text(Op::Be32, 1, 0, 0, 0), "r1 = be32 r1");
        assert_eq!(text(Op::Le16, 0, 0, 0, 0), "r0 = le16 r0");
        assert_eq!(text(Op::LdxW, 4, 2, 12, 0), "r4 = *(u32 *)(r2 + 0xc)");
        assert_eq!(
            text(Op::LdxDw, 0, 10, -32768, 0),
            "r0 = *(u64 *)(r10 - 0x8000)"
        );
        assert_eq!(text(Op::StxB, 1, 4, 243, 0), "*(u8 *)(r1 + 0xf3) = r4");
        assert_eq!(
            text(Op::AtomicAdd64, 1, 4, 0, 0),
            "lock *(u64 *)(r1 + 0x0) += r4"
        );
        assert_eq!(
            text(Op::AtomicFetchAdd64, 1, 4, 8, 0),
            "r4 = atomic_fetch_add((u64 *)(r1 + 0x8), r4)"
        );
        assert_eq!(
            text(Op::AtomicXchg64, 1, 0, 64, 0),
            "r0 = xchg_64(r1 + 0x40, r0)"
        );
        assert_eq!(
            text(Op::AtomicCmpxchg64, 1, 3, 72, 0),
            "r0 = cmpxchg_64(r1 + 0x48, r0, r3)"
        );
        assert_eq!(
            text(Op::AtomicAdd32, 2, 1, 12, 0),
            "lock *(u32 *)(r2 + 0xc) += w1"
        );
        assert_eq!(
            text(Op::AtomicFetchXor32, 1, 2, -8, 0),
            "w2 = atomic_fetch_xor((u32 *)(r1 - 0x8), w2)"
        );
        assert_eq!(
            text(Op::AtomicXchg32, 2, 0, 8, 0),
            "w0 = xchg32_32(r2 + 0x8, w0)"
        );
        assert_eq!(
            text(Op::AtomicCmpxchg32, 2, 5, 4, 0),
            "w0 = cmpxchg32_32(r2 + 0x4, w0, w5)"
        );
        assert_eq!(
            text(Op::Lddw, 2, 0, 0, 0x1122_3344_5566_7788),
            "r2 = 0x1122334455667788 ll"
        );
        assert_eq!(text(Op::Lddw, 1, 0, 0, -1), "r1 = -0x1 ll");
        assert_eq!(text(Op::LddwMapFd, 1, 0, 0, 3), "ld_pseudo\tr1, 0x1, 0x3");
        assert_eq!(
            text(Op::LddwMapFd, 1, 0, 0, -5),
            "ld_pseudo\tr1, 0x1, 0xfffffffb"
        );
        assert_eq!(text(Op::JsltImm, 6, 0, 1, -5), "if r6 s< -0x5 goto +0x1");
        assert_eq!(text(Op::Jlt32Imm, 7, 0, 1, 9), "if w7 < 0x9 goto +0x1");
        assert_eq!(text(Op::Jne32Reg, 1, 2, 1, 0), "if w1 != w2 goto +0x1");
        assert_eq!(text(Op::Ja, 0, 0, -32768, 0), "goto -0x8000");
        assert_eq!(text(Op::Call, 0, 0, 0, 5), "call 0x5");
        assert_eq!(text(Op::Call, 0, 0, 0, -1), "call -0x1");
        assert_eq!(text(Op::CallLocal, 0, 0, 0, 34), "call 0x22");
        assert_eq!(text(Op::Exit, 0, 0, 0, 0), "exit");
        assert_eq!(text(Op::LdAbsB, 0, 0, 0, 12), "r0 = *(u8 *)skb[0xc]");
        assert_eq!(text(Op::LdIndH, 0, 1, 0, 0), "r0 = *(u16 *)skb[r1]");
    }

    /// Forms llvm-objdump 14 does not know, in the syntax of later releases.
    #[test]
    fn later_llvm_forms() {
        assert_eq!(text(Op::Sdiv64Reg, 0, 1, 0, 0), "r0 s/= r1");
        assert_eq!(text(Op::Smod32Imm, 0, 0, 0, 3), "w0 s%= 0x3");
        assert_eq!(text(Op::Mod64Reg, 0, 1, 0, 0), "r0 %= r1");
        assert_eq!(text(Op::Movsx8To64, 0, 1, 0, 0), "r0 = (s8)r1");
        assert_eq!(text(Op::Movsx16To32, 0, 1, 0, 0), "w0 = (s16)w1");
        assert_eq!(text(Op::Bswap16, 3, 0, 0, 0), "r3 = bswap16 r3");
        assert_eq!(text(Op::LdxSw, 0, 1, 8, 0), "r0 = *(s32 *)(r1 + 0x8)");
        assert_eq!(text(Op::StW, 10, 0, -8, 7), "*(u32 *)(r10 - 0x8) = 0x7");
        assert_eq!(text(Op::Gotol, 0, 0, 0, 3), "gotol +0x3");
        assert_eq!(text(Op::Callx, 2, 0, 0, 0), "callx r2");
        assert_eq!(text(Op::JsetImm, 1, 0, 2, 16), "if r1 & 0x10 goto +0x2");
        assert_eq!(text(Op::LdIndW, 0, 1, 0, 12), "r0 = *(u32 *)skb[r1 + 0xc]");
        assert_eq!(format(&Insn::new(Op::LddwHigh, 0, 0, 0, 0)), None);
    }
}
