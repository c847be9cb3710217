//! Assembler for the bpf_conformance text syntax.
//!
//! [`assemble`] turns text into one [`Insn`] per 8-byte slot, exactly as
//! [`decode_program`](crate::decode::decode_program) returns them (an lddw is
//! followed by its [`Op::LddwHigh`](crate::isa::Op::LddwHigh) entry), so
//! [`encode_program`](crate::insn::encode_program) gives the bytes. Mnemonics
//! and operand syntax come from the ISA table ([`Spec::mnemonic`](crate::isa::Spec::mnemonic) and
//! [`Spec::operands`](crate::isa::Spec::operands)); rows sharing a mnemonic are
//! told apart by the shape of the operands.
//!
//! # Syntax
//!
//! One statement per line; `#` starts a comment; blank lines are ignored.
//!
//! - Labels: `name:` before a statement or alone on a line (letters, digits,
//!   `_` and `.`, not starting with a digit). Unless a label `exit` is defined,
//!   `exit` as a target names the first `exit` instruction (as upstream does).
//! - Registers: `%r0` to `%r10`.
//! - Numbers: decimal or `0x` hex, optionally signed. 32-bit immediates take
//!   -2^31..2^31-1 in decimal and up to `0xffffffff` in hex (the bit pattern);
//!   lddw takes any 64-bit value; offsets are signed 16-bit.
//! - Memory: `[%r1]`, `[%r1+8]`, `[%r10-8]`.
//! - Jump and call targets: a label or a signed distance in slots from the next
//!   instruction, `+3` / `-2` (16-bit for `ja` and conditional jumps, 32-bit
//!   for `ja32` and `call local`).
//! - Forms by operand kind: `add %r0, 1`, `add %r0, %r1`, `neg %r0`,
//!   `be16 %r0` (`swapN` is accepted for `bswapN`), `ja label`, `ja32 label`,
//!   `jeq %r1, 5, label`, `jeq %r1, %r2, +3`, `call 5` (helper),
//!   `call local label`, `call %r2` (callx), `exit`, `ldxw %r0, [%r1+4]`,
//!   `stw [%r10-8], 7`, `stxdw [%r10-8], %r1`, `lock add [%r10-8], %r1`,
//!   `lock fetch add32 [%r10-8], %r1`, `lock cmpxchg [%r10-8], %r1`,
//!   `movsx832 %r0, %r1`, `ldabsw 12`, `ldindw %r1, 12`,
//!   `lddw %r0, 0x1122334455667788`.
//!
//! # lddw sources
//!
//! An lddw whose `src` field is not 0 names its source with the keyword of
//! [`Pseudo::keyword`](crate::isa::Pseudo::keyword), an argument in parentheses
//! that fills the first slot's immediate, and an optional signed addend that
//! fills the second slot's immediate (meaningful for the value sources; the
//! kernel wants 0 elsewhere):
//!
//! | text | src | first imm | second imm |
//! |------|-----|-----------|------------|
//! | `lddw %r1, map_fd(3)` | 1 | 3 | 0 |
//! | `lddw %r1, map_value(3)+16` | 2 | 3 | 16 |
//! | `lddw %r1, btf_id(7)` | 3 | 7 | 0 |
//! | `lddw %r1, func(label)` / `func(+4)` | 4 | distance in slots | 0 |
//! | `lddw %r1, map_idx(0)` | 5 | 0 | 0 |
//! | `lddw %r1, map_idx_value(0)+8` | 6 | 0 | 8 |
//!
//! The result is not validated beyond the syntax: a program that writes `%r10`
//! or falls off its end assembles, and [`decode_program`](crate::decode::decode_program)
//! refuses its bytes.

mod error;
mod labels;
mod line;
mod mnemonic;
mod number;
mod operand;
mod select;

#[cfg(test)]
mod shared_data_tests;

pub use error::{AsmError, AsmErrorKind};

use crate::insn::Insn;
use crate::isa::Op;
use labels::Labels;
use operand::Operand;

/// Assembles `text` into one instruction per slot (see the [module docs](self)).
pub fn assemble(text: &str) -> Result<Vec<Insn>, AsmError> {
    let mut insns: Vec<Insn> = Vec::new();
    let mut labels = Labels::default();
    for (index, source) in text.lines().enumerate() {
        let line = index + 1;
        let at = |kind| AsmError::at(line, kind);
        let parts = line::split(source).map_err(at)?;
        for label in parts.labels {
            labels.define(label, insns.len(), line)?;
        }
        let Some(body) = parts.body else { continue };
        let split = mnemonic::split(body).map_err(at)?;
        let operands = line::operands(split.operands)
            .into_iter()
            .map(Operand::parse)
            .collect::<Result<Vec<_>, _>>()
            .map_err(at)?;
        let encoded = select::encode(split.mnemonic, &operands).map_err(at)?;
        if let Some((label, field)) = encoded.pending {
            labels.refer(insns.len(), line, label, field);
        }
        let insn = encoded.insn;
        insns.push(insn);
        if insn.slots() == 2 {
            let high = (insn.imm >> 32) as i32;
            insns.push(Insn::new(Op::LddwHigh, 0, 0, 0, i64::from(high)));
        }
    }
    if insns.is_empty() {
        return Err(AsmError::Empty);
    }
    labels.resolve(&mut insns)?;
    Ok(insns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insn::encode_program;
    use crate::isa::TABLE;
    use proptest::prelude::*;

    fn err(text: &str) -> AsmError {
        assemble(text).unwrap_err()
    }

    #[test]
    fn one_entry_per_slot() {
        let insns = assemble("lddw %r0, 0x1122334455667788\nexit").unwrap();
        assert_eq!(insns.len(), 3);
        assert_eq!(
            insns[0],
            Insn::new(Op::Lddw, 0, 0, 0, 0x1122_3344_5566_7788)
        );
        assert_eq!(insns[1], Insn::new(Op::LddwHigh, 0, 0, 0, 0x1122_3344));
        assert_eq!(
            encode_program(&insns),
            [
                0x18, 0, 0, 0, 0x88, 0x77, 0x66, 0x55, 0, 0, 0, 0, 0x44, 0x33, 0x22, 0x11, 0x95, 0,
                0, 0, 0, 0, 0, 0
            ]
        );
    }

    #[test]
    fn labels_resolve_to_slot_distances() {
        let text = "ja end\nlddw %r1, 1\nback: mov %r0, 1\nend:\njne %r0, 0, back\nja32 back\ncall local fn\nexit\nfn: lddw %r2, func(back)+7\nexit";
        let insns = assemble(text).unwrap();
        assert_eq!(insns[0].off, 3);
        assert_eq!(insns[4].off, -2);
        assert_eq!(insns[5].imm, -3);
        assert_eq!(insns[6].imm, 1);
        assert_eq!(insns[8].imm, 7 << 32 | (-6i64 as u32 as i64));
        assert_eq!(insns[9], Insn::new(Op::LddwHigh, 0, 0, 0, 7));
    }

    #[test]
    fn exit_names_the_first_exit_unless_defined() {
        let insns = assemble("jeq %r1, 0xb, exit\nmov %r0, 2\nexit\nexit").unwrap();
        assert_eq!(insns[0].off, 1);
        let insns = assemble("ja exit\nexit\nexit: exit").unwrap();
        assert_eq!(insns[0].off, 1);
        assert_eq!(err("ja exit").to_string(), "line 1: Undefined label `exit`");
    }

    #[test]
    fn label_errors_name_the_line() {
        assert_eq!(
            err("a: exit\na: exit").to_string(),
            "line 2: Duplicate label `a` (first defined on line 1)"
        );
        assert_eq!(
            err("exit\n\nja nowhere").to_string(),
            "line 3: Undefined label `nowhere`"
        );
        let far = format!("ja far\n{}far: exit", "lddw %r0, 0\n".repeat(16_400));
        assert!(matches!(
            err(&far),
            AsmError::Line {
                line: 1,
                kind: AsmErrorKind::TargetOutOfRange { .. }
            }
        ));
        assert!(assemble(&far.replace("ja far", "ja32 far")).is_ok());
    }

    #[test]
    fn upstream_error_messages() {
        let contains = |text: &str, what: &str| {
            let msg = err(text).to_string();
            assert!(msg.to_lowercase().contains(&what.to_lowercase()), "{msg}");
        };
        contains(
            "lock or [%r10-8]\nexit",
            "Invalid number of operands for lock",
        );
        contains("lock\nexit", "Invalid number of operands for lock");
        contains("or %r0, %r50\nexit", "Invalid register");
        contains("ldxq %r0, %r1", "line 1: Unknown mnemonic `ldxq`");
        contains(
            "exit\nmov32 %r0, 2147483648",
            "line 2: Value `2147483648` is out of range",
        );
        assert_eq!(err("# nothing\n\n"), AsmError::Empty);
    }

    #[test]
    fn odd_spacing_and_comments() {
        let a = assemble("  mov\t%r0 ,  1   # one\nstxdw [ %r10 - 8 ],%r0\nexit").unwrap();
        let b = assemble("mov %r0, 1\nstxdw [%r10-8], %r0\nexit").unwrap();
        assert_eq!(a, b);
    }

    /// Statement-like text: a table mnemonic (or junk) and operand-like tokens.
    fn statement() -> impl Strategy<Value = String> {
        let mnemonic = prop_oneof![
            proptest::sample::select(TABLE.iter().map(|s| s.mnemonic).collect::<Vec<_>>())
                .prop_map(str::to_string),
            "[a-z]{1,8}( [a-z0-9]{1,6})?",
        ];
        let operand = "(%r[0-9]{1,3}|\\[ ?%r[0-9]{1,2} ?([+-] ?(0x)?[0-9a-fA-F]{1,9})?\\]|[+-]?(0x)?[0-9a-f]{1,21}|[a-z_]{1,9}(\\([a-z0-9+-]{0,6}\\)?)?([+-][0-9]{1,11})?|[a-z%\\[\\]()+ -]{0,6})";
        (
            "([a-z_][a-z0-9_]{0,3}: ?)?",
            mnemonic,
            proptest::collection::vec(operand, 0..4),
            "( ?#[a-z ]{0,8})?",
        )
            .prop_map(|(label, m, ops, comment)| format!("{label}{m} {}{comment}", ops.join(", ")))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]
        #[test]
        fn random_text_never_panics(lines in proptest::collection::vec(any::<String>(), 0..6)) {
            let _ = assemble(&lines.join("\n"));
        }

    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]
        #[test]
        fn random_statements_never_panic(lines in proptest::collection::vec(statement(), 0..8)) {
            let text = lines.join("\n");
            if let Ok(insns) = assemble(&text) {
                prop_assert!(!insns.is_empty());
                let _ = encode_program(&insns);
            }
        }
    }
}
