//! Choosing the table row for a mnemonic by the shape of its operands, and
//! filling the row's fields from them.
//!
//! Every row's operand syntax follows from its [`Operands`] kind; rows sharing a
//! mnemonic (`add %r0, 1` and `add %r0, %r1`; the lddw sources) differ in shape.

use super::error::AsmErrorKind;
use super::mnemonic::rows;
use super::number::{Literal, Range};
use super::operand::Operand;
use crate::insn::Insn;
use crate::isa::{Operands, Pseudo, Semantics, Spec, TABLE};

/// Which field a label's distance goes to once it is known.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum TargetField {
    /// The 16-bit `off` field (jumps).
    Off,
    /// The low 32 bits of `imm` (long jumps, local calls, function pointers).
    Imm,
}

impl TargetField {
    /// The range of distances the field holds.
    pub(super) const fn range(self) -> Range {
        match self {
            TargetField::Off => Range::Off16,
            TargetField::Imm => Range::Signed32,
        }
    }
}

/// An encoded statement, possibly waiting for a label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Encoded<'a> {
    /// The instruction; a pending target field holds 0.
    pub(super) insn: Insn,
    /// The label whose distance still has to be written, and where.
    pub(super) pending: Option<(&'a str, TargetField)>,
}

/// Field values gathered from the operands.
#[derive(Default)]
struct Values<'a> {
    dst: u8,
    src: u8,
    off: i64,
    imm: i64,
    pending: Option<(&'a str, TargetField)>,
}

/// Encodes a statement of `mnemonic` (a table mnemonic) with `ops`.
pub(super) fn encode<'a>(
    mnemonic: &'static str,
    ops: &[Operand<'a>],
) -> Result<Encoded<'a>, AsmErrorKind> {
    for spec in rows(mnemonic) {
        if let Some(values) = fill(spec, ops) {
            let v = values?;
            let insn = Insn::new(spec.op, v.dst, v.src, v.off as i16, v.imm);
            return Ok(Encoded {
                insn,
                pending: v.pending,
            });
        }
    }
    Err(mismatch(mnemonic, ops))
}

/// The fields for `spec` from `ops`, or `None` if their shape does not fit the
/// row. Range errors are reported only once the shape fits.
fn fill<'a>(spec: &Spec, ops: &[Operand<'a>]) -> Option<Result<Values<'a>, AsmErrorKind>> {
    use Operand::{Mem, Reg};
    let mut v = Values::default();
    let result = match (spec.operands, ops) {
        (Operands::DstImm, [Reg(d), n]) => {
            v.dst = *d;
            num(n, Range::Imm32)?.map(|imm| v.imm = imm)
        }
        (Operands::DstSrc, [Reg(d), Reg(s)]) => {
            (v.dst, v.src) = (*d, *s);
            Ok(())
        }
        (Operands::Dst, [Reg(d)]) => {
            v.dst = *d;
            Ok(())
        }
        (Operands::Off, [t]) => target(t, TargetField::Off, &mut v)?,
        (Operands::ImmTarget, [t]) => target(t, TargetField::Imm, &mut v)?,
        (Operands::Helper | Operands::AbsImm, [n]) => num(n, Range::Imm32)?.map(|imm| v.imm = imm),
        (Operands::DstImmOff, [Reg(d), n, t]) => {
            v.dst = *d;
            let imm = num(n, Range::Imm32)?;
            let off = target(t, TargetField::Off, &mut v)?;
            imm.map(|imm| v.imm = imm).and(off)
        }
        (Operands::DstSrcOff, [Reg(d), Reg(s), t]) => {
            (v.dst, v.src) = (*d, *s);
            target(t, TargetField::Off, &mut v)?
        }
        (Operands::None, []) => Ok(()),
        (Operands::Load, [Reg(d), Mem { base, off }]) => {
            (v.dst, v.src, v.off) = (*d, *base, i64::from(*off));
            Ok(())
        }
        (Operands::StoreImm, [Mem { base, off }, n]) => {
            (v.dst, v.off) = (*base, i64::from(*off));
            num(n, Range::Imm32)?.map(|imm| v.imm = imm)
        }
        (Operands::StoreReg, [Mem { base, off }, Reg(s)]) => {
            (v.dst, v.src, v.off) = (*base, *s, i64::from(*off));
            Ok(())
        }
        (Operands::IndSrcImm, [Reg(s), n]) => {
            v.src = *s;
            num(n, Range::Imm32)?.map(|imm| v.imm = imm)
        }
        (Operands::Wide, [Reg(d), source]) => {
            let Semantics::Lddw(pseudo) = spec.semantics else {
                return None;
            };
            v.dst = *d;
            wide(pseudo, source, &mut v)?
        }
        _ => return None,
    };
    Some(result.map(|()| v))
}

/// The value of a number operand for a field; `None` if `op` is not a number.
fn num(op: &Operand<'_>, range: Range) -> Option<Result<i64, AsmErrorKind>> {
    match op {
        Operand::Num { lit, text } => Some(range.convert(lit, text)),
        _ => None,
    }
}

/// A jump or call target: a signed distance now, or a label for later; `None`
/// if `op` is neither.
fn target<'a>(
    op: &Operand<'a>,
    field: TargetField,
    v: &mut Values<'a>,
) -> Option<Result<(), AsmErrorKind>> {
    let distance = match op {
        Operand::Label(name) => {
            v.pending = Some((name, field));
            Ok(0)
        }
        Operand::Num { lit, text } if lit.signed => field.range().convert(lit, text),
        _ => return None,
    };
    Some(distance.map(|d| match field {
        TargetField::Off => v.off = d,
        TargetField::Imm => v.imm = d,
    }))
}

/// The second operand of an lddw of source `pseudo`; `None` if it has another
/// shape (a plain number for a keyword source or the other way round, or
/// another keyword).
fn wide<'a>(
    pseudo: Pseudo,
    source: &Operand<'a>,
    v: &mut Values<'a>,
) -> Option<Result<(), AsmErrorKind>> {
    match (pseudo.keyword(), source) {
        (None, n) => Some(num(n, Range::Imm64)?.map(|imm| v.imm = imm)),
        (
            Some(expected),
            Operand::Pseudo {
                keyword,
                arg,
                addend,
            },
        ) if expected == *keyword => Some(pseudo_source(pseudo, arg, *addend, v)),
        _ => None,
    }
}

/// `keyword(arg)+addend`: the argument fills the first slot's immediate (a
/// target for `func`), the addend the second slot's.
fn pseudo_source<'a>(
    pseudo: Pseudo,
    arg: &Operand<'a>,
    addend: Option<(Literal, &'a str)>,
    v: &mut Values<'a>,
) -> Result<(), AsmErrorKind> {
    let high = match addend {
        Some((lit, text)) => Range::Imm32.convert(&lit, text)?,
        None => 0,
    };
    let keyword = pseudo.keyword().unwrap_or_default();
    let low = if matches!(pseudo, Pseudo::Func) {
        target(arg, TargetField::Imm, v).map(|r| r.map(|()| v.imm))
    } else {
        num(arg, Range::Imm32)
    };
    let low = low.ok_or_else(|| AsmErrorKind::OperandKinds {
        mnemonic: "lddw".into(),
        expected: format!("%dst, {}", pseudo_form(pseudo, keyword)),
    })??;
    v.imm = (high << 32) | (low & 0xffff_ffff);
    Ok(())
}

/// The written form of an lddw source.
fn pseudo_form(pseudo: Pseudo, keyword: &str) -> String {
    if matches!(pseudo, Pseudo::Func) {
        format!("{keyword}(label or +N)[+addend]")
    } else {
        format!("{keyword}(imm)[+addend]")
    }
}

/// The error when no row of `mnemonic` takes `ops`.
fn mismatch(mnemonic: &str, ops: &[Operand<'_>]) -> AsmErrorKind {
    if let Some(found) = ops.iter().find_map(|op| match op {
        Operand::Pseudo { keyword, .. } if !pseudo_keywords().any(|k| k == *keyword) => {
            Some(*keyword)
        }
        _ => None,
    }) {
        return AsmErrorKind::UnknownPseudo {
            found: found.to_string(),
            expected: pseudo_keywords().collect::<Vec<_>>().join(", "),
        };
    }
    let mut counts: Vec<usize> = rows(mnemonic).map(|s| arity(s.operands)).collect();
    counts.sort_unstable();
    counts.dedup();
    if !counts.contains(&ops.len()) {
        let expected: Vec<String> = counts.iter().map(usize::to_string).collect();
        return AsmErrorKind::OperandCount {
            mnemonic: mnemonic.to_string(),
            expected: expected.join(" or "),
            found: ops.len(),
        };
    }
    let forms: Vec<String> = rows(mnemonic).map(form).collect();
    AsmErrorKind::OperandKinds {
        mnemonic: mnemonic.to_string(),
        expected: forms.join(" | "),
    }
}

/// The lddw source keywords, from the table.
fn pseudo_keywords() -> impl Iterator<Item = &'static str> {
    TABLE.iter().filter_map(|s| match s.semantics {
        Semantics::Lddw(p) => p.keyword(),
        _ => None,
    })
}

/// Number of operands written for an operand kind.
pub(super) const fn arity(kind: Operands) -> usize {
    match kind {
        Operands::None | Operands::WideHigh => 0,
        Operands::Dst | Operands::Off | Operands::ImmTarget | Operands::Helper => 1,
        Operands::AbsImm => 1,
        Operands::DstImm | Operands::DstSrc | Operands::Load | Operands::StoreImm => 2,
        Operands::StoreReg | Operands::Wide | Operands::IndSrcImm => 2,
        Operands::DstImmOff | Operands::DstSrcOff => 3,
    }
}

/// A row's operand syntax, for messages.
fn form(spec: &Spec) -> String {
    let text = match spec.operands {
        Operands::DstImm => "%dst, imm",
        Operands::DstSrc => "%dst, %src",
        Operands::Dst => "%dst",
        Operands::Off | Operands::ImmTarget => "label or +N",
        Operands::Helper | Operands::AbsImm => "imm",
        Operands::DstImmOff => "%dst, imm, label or +N",
        Operands::DstSrcOff => "%dst, %src, label or +N",
        Operands::None => "no operands",
        Operands::Load => "%dst, [%src+off]",
        Operands::StoreImm => "[%dst+off], imm",
        Operands::StoreReg => "[%dst+off], %src",
        Operands::IndSrcImm => "%src, imm",
        Operands::WideHigh => "",
        Operands::Wide => {
            return match spec.semantics {
                Semantics::Lddw(p) => match p.keyword() {
                    None => "%dst, imm64".to_string(),
                    Some(k) => format!("%dst, {}", pseudo_form(p, k)),
                },
                _ => String::new(),
            }
        }
    };
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::Op;

    fn enc(mnemonic: &'static str, ops: &[&str]) -> Result<Encoded<'static>, AsmErrorKind> {
        let ops: Vec<Operand<'static>> = ops
            .iter()
            .map(|t| Operand::parse(Box::leak(t.to_string().into_boxed_str())).unwrap())
            .collect();
        encode(mnemonic, &ops)
    }

    fn insn(mnemonic: &'static str, ops: &[&str]) -> Insn {
        enc(mnemonic, ops).unwrap().insn
    }

    #[test]
    fn operand_shape_picks_the_row() {
        assert_eq!(
            insn("add", &["%r0", "1"]),
            Insn::new(Op::Add64Imm, 0, 0, 0, 1)
        );
        assert_eq!(
            insn("add", &["%r0", "%r1"]),
            Insn::new(Op::Add64Reg, 0, 1, 0, 0)
        );
        assert_eq!(insn("call", &["5"]), Insn::new(Op::Call, 0, 0, 0, 5));
        assert_eq!(insn("call", &["%r2"]), Insn::new(Op::Callx, 2, 0, 0, 0));
        assert_eq!(
            insn("jeq", &["%r1", "0xb", "+3"]),
            Insn::new(Op::JeqImm, 1, 0, 3, 11)
        );
        assert_eq!(
            insn("ldxw", &["%r0", "[%r1-4]"]),
            Insn::new(Op::LdxW, 0, 1, -4, 0)
        );
        assert_eq!(
            insn("stw", &["[%r10-8]", "7"]),
            Insn::new(Op::StW, 10, 0, -8, 7)
        );
        assert_eq!(
            insn("ldindw", &["%r1", "12"]),
            Insn::new(Op::LdIndW, 0, 1, 0, 12)
        );
        assert_eq!(insn("ldabsb", &["12"]), Insn::new(Op::LdAbsB, 0, 0, 0, 12));
    }

    #[test]
    fn lddw_sources() {
        assert_eq!(
            insn("lddw", &["%r1", "-1"]),
            Insn::new(Op::Lddw, 1, 0, 0, -1)
        );
        assert_eq!(
            insn("lddw", &["%r1", "map_fd(3)"]),
            Insn::new(Op::LddwMapFd, 1, 1, 0, 3)
        );
        assert_eq!(
            insn("lddw", &["%r1", "map_value(3)+16"]),
            Insn::new(Op::LddwMapValue, 1, 2, 0, 16 << 32 | 3)
        );
        assert_eq!(
            insn("lddw", &["%r1", "map_idx_value(-1)-1"]),
            Insn::new(Op::LddwMapIdxValue, 1, 6, 0, -1)
        );
        assert_eq!(
            insn("lddw", &["%r1", "func(-2)"]),
            Insn::new(Op::LddwFunc, 1, 4, 0, 0xffff_fffe)
        );
        let e = enc("lddw", &["%r1", "func(f)"]).unwrap();
        assert_eq!(e.pending, Some(("f", TargetField::Imm)));
        assert!(matches!(
            enc("lddw", &["%r1", "func(3)"]),
            Err(AsmErrorKind::OperandKinds { .. })
        ));
        assert!(matches!(
            enc("lddw", &["%r1", "bogus(3)"]),
            Err(AsmErrorKind::UnknownPseudo { .. })
        ));
        let e = enc("lddw", &["%r1", "map_fd(x)"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Invalid operands for lddw: expected %dst, map_fd(imm)[+addend]"
        );
    }

    #[test]
    fn mismatches_and_ranges() {
        let e = enc("lddw", &["%r0"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Invalid number of operands for lddw: expected 2, found 1"
        );
        let e = enc("ldxb", &["%r0", "%r1"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Invalid operands for ldxb: expected %dst, [%src+off]"
        );
        assert!(enc("ja", &["3"]).is_err());
        assert!(matches!(
            enc("mov32", &["%r0", "2147483648"]),
            Err(AsmErrorKind::OutOfRange { .. })
        ));
        assert!(matches!(
            enc("ja", &["+32768"]),
            Err(AsmErrorKind::OutOfRange { .. })
        ));
        assert_eq!(
            insn("ja32", &["-2147483648"]),
            Insn::new(Op::Gotol, 0, 0, 0, i64::from(i32::MIN))
        );
    }

    /// Rows sharing a mnemonic must differ in operand shape, or the assembler
    /// could not tell them apart.
    #[test]
    fn rows_of_a_mnemonic_have_distinct_forms() {
        for spec in TABLE.iter().filter(|s| s.operands != Operands::WideHigh) {
            let same: Vec<_> = rows(spec.mnemonic)
                .filter(|o| form(o) == form(spec))
                .collect();
            assert_eq!(same.len(), 1, "{:?}", spec.op);
        }
    }
}
