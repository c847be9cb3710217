//! One operand as written: register, memory reference, number, label or lddw source.

use super::error::AsmErrorKind;
use super::number::{Literal, Range};
use crate::insn::NUM_REGS;

/// A parsed operand. Which field it fills depends on the instruction form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Operand<'a> {
    /// `%r0` to `%r10`.
    Reg(u8),
    /// `[%rN]`, `[%rN+off]` or `[%rN-off]`.
    Mem {
        /// Base register.
        base: u8,
        /// Offset, range-checked.
        off: i16,
    },
    /// A number; `text` is kept for range errors.
    Num {
        /// The literal.
        lit: Literal,
        /// As written.
        text: &'a str,
    },
    /// A label name.
    Label(&'a str),
    /// An lddw source: `keyword(arg)`, optionally followed by `+addend`/`-addend`.
    Pseudo {
        /// The keyword before the parenthesis.
        keyword: &'a str,
        /// The operand inside the parentheses (a number or a label).
        arg: Box<Operand<'a>>,
        /// The second slot's immediate, when written.
        addend: Option<(Literal, &'a str)>,
    },
}

impl<'a> Operand<'a> {
    /// Parses one operand (already trimmed).
    pub(super) fn parse(text: &'a str) -> Result<Operand<'a>, AsmErrorKind> {
        let invalid = || AsmErrorKind::InvalidOperand(text.to_string());
        let first = text.chars().next().ok_or_else(invalid)?;
        if first == '%' {
            return register(text).map(Operand::Reg);
        }
        if first == '[' {
            return memory(text);
        }
        if first.is_ascii_digit() || first == '+' || first == '-' {
            let lit = Literal::parse(text)
                .ok_or_else(|| AsmErrorKind::InvalidNumber(text.to_string()))?;
            return Ok(Operand::Num { lit, text });
        }
        let name_len = identifier_len(text);
        if name_len == 0 {
            return Err(invalid());
        }
        let (name, rest) = text.split_at(name_len);
        if rest.is_empty() {
            return Ok(Operand::Label(name));
        }
        let inner_and_tail = rest.strip_prefix('(').ok_or_else(invalid)?;
        let close = inner_and_tail.find(')').ok_or_else(invalid)?;
        let (inner, tail) = inner_and_tail.split_at(close);
        let arg = match Operand::parse(inner.trim())? {
            arg @ (Operand::Num { .. } | Operand::Label(_)) => arg,
            _ => return Err(invalid()),
        };
        let tail = tail[1..].trim_start();
        let addend = if tail.is_empty() {
            None
        } else {
            let lit = Literal::parse_signed(tail).ok_or_else(invalid)?;
            Some((lit, tail))
        };
        Ok(Operand::Pseudo {
            keyword: name,
            arg: Box::new(arg),
            addend,
        })
    }
}

/// Length in bytes of the identifier at the start of `text` (letters, digits, `_`
/// and `.`, not starting with a digit); 0 if none.
pub(super) fn identifier_len(text: &str) -> usize {
    let mut len = 0;
    for (i, c) in text.char_indices() {
        let ok = c.is_ascii_alphabetic() || c == '_' || c == '.' || (i > 0 && c.is_ascii_digit());
        if !ok {
            break;
        }
        len = i + c.len_utf8();
    }
    len
}

/// `%r0` to `%r10`.
fn register(text: &str) -> Result<u8, AsmErrorKind> {
    text.strip_prefix("%r")
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .filter(|n| *n == "0" || !n.starts_with('0'))
        .and_then(|n| n.parse::<u8>().ok())
        .filter(|&n| usize::from(n) < NUM_REGS)
        .ok_or_else(|| AsmErrorKind::InvalidRegister(text.to_string()))
}

/// `[%rN]`, `[%rN+off]`, `[%rN-off]`; spaces allowed inside the brackets.
fn memory(text: &str) -> Result<Operand<'_>, AsmErrorKind> {
    let inner = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .ok_or_else(|| AsmErrorKind::InvalidOperand(text.to_string()))?
        .trim();
    let split = inner.find(['+', '-']).unwrap_or(inner.len());
    let (reg, off_text) = inner.split_at(split);
    let base = register(reg.trim_end())?;
    if off_text.is_empty() {
        return Ok(Operand::Mem { base, off: 0 });
    }
    let lit = Literal::parse_signed(off_text)
        .ok_or_else(|| AsmErrorKind::InvalidNumber(off_text.to_string()))?;
    let off = Range::Off16.convert(&lit, off_text)? as i16;
    Ok(Operand::Mem { base, off })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(text: &str) -> Operand<'_> {
        Operand::Num {
            lit: Literal::parse(text).unwrap(),
            text,
        }
    }

    #[test]
    fn registers() {
        assert_eq!(Operand::parse("%r0"), Ok(Operand::Reg(0)));
        assert_eq!(Operand::parse("%r10"), Ok(Operand::Reg(10)));
        for bad in ["%r11", "%r50", "%r", "%x1", "%r01", "%r-1", "%r256"] {
            assert_eq!(
                Operand::parse(bad),
                Err(AsmErrorKind::InvalidRegister(bad.into())),
                "{bad}"
            );
        }
    }

    #[test]
    fn memory_references() {
        assert_eq!(
            Operand::parse("[%r1]"),
            Ok(Operand::Mem { base: 1, off: 0 })
        );
        assert_eq!(
            Operand::parse("[%r10-8]"),
            Ok(Operand::Mem { base: 10, off: -8 })
        );
        assert_eq!(
            Operand::parse("[ %r1 + 0x10 ]"),
            Ok(Operand::Mem { base: 1, off: 16 })
        );
        assert_eq!(
            Operand::parse("[%r1-32768]"),
            Ok(Operand::Mem {
                base: 1,
                off: -32768
            })
        );
        assert!(matches!(
            Operand::parse("[%r1+0x10000]"),
            Err(AsmErrorKind::OutOfRange { .. })
        ));
        assert!(matches!(
            Operand::parse("[%r1+32768]"),
            Err(AsmErrorKind::OutOfRange { .. })
        ));
        assert!(matches!(
            Operand::parse("[%r1+-8]"),
            Err(AsmErrorKind::InvalidNumber(_))
        ));
        assert!(matches!(
            Operand::parse("[%r1+8"),
            Err(AsmErrorKind::InvalidOperand(_))
        ));
        assert!(matches!(
            Operand::parse("[%r99+8]"),
            Err(AsmErrorKind::InvalidRegister(_))
        ));
    }

    #[test]
    fn numbers_labels_and_pseudo_sources() {
        assert_eq!(Operand::parse("-8"), Ok(num("-8")));
        assert_eq!(Operand::parse("0x10"), Ok(num("0x10")));
        assert!(matches!(
            Operand::parse("1x"),
            Err(AsmErrorKind::InvalidNumber(_))
        ));
        assert_eq!(Operand::parse("func1"), Ok(Operand::Label("func1")));
        assert_eq!(
            Operand::parse("map_value(3) + 16"),
            Ok(Operand::Pseudo {
                keyword: "map_value",
                arg: Box::new(num("3")),
                addend: Some((Literal::parse("+16").unwrap(), "+ 16")),
            })
        );
        assert_eq!(
            Operand::parse("func(start)"),
            Ok(Operand::Pseudo {
                keyword: "func",
                arg: Box::new(Operand::Label("start")),
                addend: None,
            })
        );
        for bad in [
            "map_fd(3",
            "map_fd(3)x",
            "map_fd([%r1])",
            "a-b",
            "é",
            "map_fd(3)++1",
        ] {
            assert!(Operand::parse(bad).is_err(), "{bad}");
        }
    }
}
