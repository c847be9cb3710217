//! Disassembler to the bpf_conformance syntax and to llvm-objdump syntax.
//!
//! Both read the instruction's table row ([`Spec::operands`](crate::isa::Spec::operands)
//! and [`Spec::semantics`](crate::isa::Spec::semantics)), never opcode bytes.
//! [`Syntax::Conformance`] text assembles back to the very same instructions
//! with [`assemble`](crate::asm::assemble); [`Syntax::Llvm`] is for reading and
//! for comparison with `llvm-objdump -d --print-imm-hex`.

mod conformance;
mod llvm;

#[cfg(test)]
mod llvm_objdump_tests;
#[cfg(test)]
mod roundtrip_tests;

use crate::insn::Insn;

/// Which text syntax to write.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Syntax {
    /// bpf_conformance assembler syntax (`add %r0, 1`, `ja +3`), reassemblable:
    /// jump targets are signed slot distances, lddw sources are written as in
    /// the [assembler docs](crate::asm).
    Conformance,
    /// llvm-objdump's BPF syntax (`r0 += 0x1`, `if r1 == 0x5 goto +0x3`).
    Llvm,
}

/// One instruction in `syntax`; `None` for the second slot of an lddw, which
/// the lddw's own text covers.
pub fn disassemble_insn(insn: &Insn, syntax: Syntax) -> Option<String> {
    match syntax {
        Syntax::Conformance => conformance::format(insn),
        Syntax::Llvm => llvm::format(insn),
    }
}

/// A whole program (one entry per slot, as decoded), one line per instruction.
/// Conformance lines are the bare statements; Llvm lines start with the slot
/// index as llvm-objdump's `--no-show-raw-insn` output does (`      3:\tr0 = 0x1`).
pub fn disassemble(insns: &[Insn], syntax: Syntax) -> String {
    let mut out = String::new();
    for (pc, insn) in insns.iter().enumerate() {
        let Some(text) = disassemble_insn(insn, syntax) else {
            continue;
        };
        if syntax == Syntax::Llvm {
            out.push_str(&format!("{pc:>8}:\t"));
        }
        out.push_str(&text);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::Op;

    #[test]
    fn programs() {
        let prog = [
            Insn::new(Op::Lddw, 0, 0, 0, 1),
            Insn::new(Op::LddwHigh, 0, 0, 0, 0),
            Insn::new(Op::Exit, 0, 0, 0, 0),
        ];
        assert_eq!(
            disassemble(&prog, Syntax::Conformance),
            "lddw %r0, 0x1\nexit\n"
        );
        assert_eq!(
            disassemble(&prog, Syntax::Llvm),
            "       0:\tr0 = 0x1 ll\n       2:\texit\n"
        );
        assert_eq!(disassemble(&[], Syntax::Llvm), "");
    }
}
