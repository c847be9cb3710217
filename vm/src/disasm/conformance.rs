//! The bpf_conformance syntax, which [`assemble`](crate::asm::assemble) reads back
//! exactly: mnemonics from the table, operands laid out by the row's
//! [`Operands`] kind, jump targets as signed slot distances.

use crate::insn::Insn;
use crate::isa::{Operands, Pseudo, Semantics};

/// One instruction; `None` for the second slot of an lddw.
pub(super) fn format(insn: &Insn) -> Option<String> {
    let spec = insn.spec();
    let m = spec.mnemonic;
    let (dst, src, off, imm) = (insn.dst, insn.src, insn.off, insn.imm32());
    Some(match spec.operands {
        Operands::DstImm => format!("{m} %r{dst}, {imm}"),
        Operands::DstSrc => format!("{m} %r{dst}, %r{src}"),
        Operands::Dst => format!("{m} %r{dst}"),
        Operands::Off => format!("{m} {off:+}"),
        Operands::ImmTarget => format!("{m} {imm:+}"),
        Operands::Helper | Operands::AbsImm => format!("{m} {imm}"),
        Operands::DstImmOff => format!("{m} %r{dst}, {imm}, {off:+}"),
        Operands::DstSrcOff => format!("{m} %r{dst}, %r{src}, {off:+}"),
        Operands::None => m.to_string(),
        Operands::Load => format!("{m} %r{dst}, {}", memory(src, off)),
        Operands::StoreImm => format!("{m} {}, {imm}", memory(dst, off)),
        Operands::StoreReg => format!("{m} {}, %r{src}", memory(dst, off)),
        Operands::IndSrcImm => format!("{m} %r{src}, {imm}"),
        Operands::Wide => format!("{m} %r{dst}, {}", wide_source(insn)),
        Operands::WideHigh => return None,
    })
}

/// `[%rN]`, `[%rN+off]` or `[%rN-off]`.
fn memory(base: u8, off: i16) -> String {
    if off == 0 {
        format!("[%r{base}]")
    } else {
        format!("[%r{base}{off:+}]")
    }
}

/// The second operand of an lddw: the 64-bit value in hex, or the source
/// keyword with its argument and, when not zero, the second slot's immediate.
fn wide_source(insn: &Insn) -> String {
    let named = match insn.spec().semantics {
        Semantics::Lddw(pseudo) => pseudo.keyword().map(|k| (pseudo, k)),
        _ => None,
    };
    let Some((pseudo, keyword)) = named else {
        return format!("{:#x}", insn.imm as u64);
    };
    let low = insn.imm32();
    let high = (insn.imm >> 32) as i32;
    let arg = if matches!(pseudo, Pseudo::Func) {
        format!("{low:+}")
    } else {
        low.to_string()
    };
    if high == 0 {
        format!("{keyword}({arg})")
    } else {
        format!("{keyword}({arg}){high:+}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::Op;

    fn text(op: Op, dst: u8, src: u8, off: i16, imm: i64) -> String {
        format(&Insn::new(op, dst, src, off, imm)).unwrap()
    }

    #[test]
    fn forms() {
        assert_eq!(text(Op::Add64Imm, 1, 0, 0, -3), "add %r1, -3");
        assert_eq!(text(Op::Mov32Reg, 1, 2, 0, 0), "mov32 %r1, %r2");
        assert_eq!(text(Op::Be16, 3, 0, 0, 0), "be16 %r3");
        assert_eq!(text(Op::Ja, 0, 0, -2, 0), "ja -2");
        assert_eq!(text(Op::Gotol, 0, 0, 0, 0), "ja32 +0");
        assert_eq!(text(Op::CallLocal, 0, 0, 0, 7), "call local +7");
        assert_eq!(text(Op::Call, 0, 0, 0, 5), "call 5");
        assert_eq!(text(Op::Callx, 2, 0, 0, 0), "call %r2");
        assert_eq!(text(Op::JeqImm, 1, 0, 3, 11), "jeq %r1, 11, +3");
        assert_eq!(text(Op::Jsgt32Reg, 1, 2, -1, 0), "jsgt32 %r1, %r2, -1");
        assert_eq!(text(Op::Exit, 0, 0, 0, 0), "exit");
        assert_eq!(text(Op::LdxDw, 0, 1, 8, 0), "ldxdw %r0, [%r1+8]");
        assert_eq!(text(Op::LdxB, 0, 1, 0, 0), "ldxb %r0, [%r1]");
        assert_eq!(text(Op::StH, 10, 0, -8, 7), "sth [%r10-8], 7");
        assert_eq!(text(Op::StxW, 10, 1, -4, 0), "stxw [%r10-4], %r1");
        assert_eq!(
            text(Op::AtomicFetchAdd64, 10, 1, -8, 0),
            "lock fetch add [%r10-8], %r1"
        );
        assert_eq!(
            text(Op::AtomicCmpxchg32, 1, 2, 0, 0),
            "lock cmpxchg32 [%r1], %r2"
        );
        assert_eq!(text(Op::Movsx8To32, 0, 1, 0, 0), "movsx832 %r0, %r1");
        assert_eq!(text(Op::LdAbsW, 0, 0, 0, 12), "ldabsw 12");
        assert_eq!(text(Op::LdIndH, 0, 1, 0, 12), "ldindh %r1, 12");
    }

    #[test]
    fn lddw_sources() {
        assert_eq!(
            text(Op::Lddw, 0, 0, 0, 0x1122_3344_5566_7788),
            "lddw %r0, 0x1122334455667788"
        );
        assert_eq!(text(Op::Lddw, 0, 0, 0, -1), "lddw %r0, 0xffffffffffffffff");
        assert_eq!(text(Op::LddwMapFd, 1, 0, 0, 3), "lddw %r1, map_fd(3)");
        assert_eq!(
            text(Op::LddwMapValue, 1, 0, 0, 16 << 32 | 3),
            "lddw %r1, map_value(3)+16"
        );
        assert_eq!(
            text(Op::LddwMapIdxValue, 1, 0, 0, -1),
            "lddw %r1, map_idx_value(-1)-1"
        );
        assert_eq!(
            text(Op::LddwFunc, 1, 0, 0, 0xffff_fffe),
            "lddw %r1, func(-2)"
        );
        assert_eq!(text(Op::LddwBtfId, 1, 0, 0, 7), "lddw %r1, btf_id(7)");
        assert_eq!(text(Op::LddwMapIdx, 1, 0, 0, 0), "lddw %r1, map_idx(0)");
        assert_eq!(format(&Insn::new(Op::LddwHigh, 0, 0, 0, 1)), None);
    }
}
