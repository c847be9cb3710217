//! Numeric literals and the range each instruction field accepts.
//!
//! A literal is decimal (`42`) or hexadecimal (`0x2a`, `0X2A`), with an optional
//! `+` or `-` sign. Ranges:
//!
//! - 32-bit immediates: decimal from -2^31 to 2^31-1; unsigned hex up to
//!   `0xffffffff`, taken as the 32-bit pattern (`0xffffffff` is -1); negative hex
//!   down to `-0x80000000`.
//! - 64-bit immediates (lddw): anything from -2^63 to 2^64-1, taken as the 64-bit
//!   pattern.
//! - 16-bit offsets and jump distances: signed, -32768 to 32767 whatever the base.

use super::error::AsmErrorKind;

/// A literal as written: sign, magnitude and base.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) struct Literal {
    /// A leading `-`.
    negative: bool,
    /// A leading `+` or `-` (jump distances need one).
    pub(super) signed: bool,
    /// Written in hex.
    hex: bool,
    /// The magnitude, `None` when above `u64::MAX`.
    magnitude: Option<u64>,
}

impl Literal {
    /// Parses `text`; `None` if it is not a number at all.
    pub(super) fn parse(text: &str) -> Option<Literal> {
        let (negative, signed, rest) = match text.as_bytes().first() {
            Some(b'-') => (true, true, &text[1..]),
            Some(b'+') => (false, true, &text[1..]),
            _ => (false, false, text),
        };
        let (hex, digits) = match rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
            Some(d) => (true, d),
            None => (false, rest),
        };
        let radix = if hex { 16 } else { 10 };
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return None;
        }
        let magnitude = digits.chars().try_fold(0u64, |acc, c| {
            acc.checked_mul(u64::from(radix))?
                .checked_add(u64::from(c.to_digit(radix)?))
        });
        Some(Literal {
            negative,
            signed,
            hex,
            magnitude,
        })
    }

    /// Parses a literal with a mandatory sign, allowing spaces after the sign
    /// (`+ 16`, `-8`); `None` otherwise.
    pub(super) fn parse_signed(text: &str) -> Option<Literal> {
        let negative = match text.as_bytes().first() {
            Some(b'-') => true,
            Some(b'+') => false,
            _ => return None,
        };
        let unsigned = Literal::parse(text[1..].trim_start())?;
        if unsigned.signed {
            return None;
        }
        Some(Literal {
            negative,
            signed: true,
            ..unsigned
        })
    }

    /// The signed value, `None` beyond the 64-bit magnitude.
    fn value(&self) -> Option<i128> {
        let m = i128::from(self.magnitude?);
        Some(if self.negative { -m } else { m })
    }

    /// The value for a 32-bit immediate field.
    pub(super) fn imm32(&self) -> Option<i32> {
        if self.hex && !self.negative {
            return u32::try_from(self.magnitude?).ok().map(|v| v as i32);
        }
        i32::try_from(self.value()?).ok()
    }

    /// The value for a 64-bit immediate (lddw).
    pub(super) fn imm64(&self) -> Option<i64> {
        if self.negative {
            i64::try_from(self.value()?).ok()
        } else {
            self.magnitude.map(|v| v as i64)
        }
    }

    /// The value for a signed 16-bit field.
    pub(super) fn off16(&self) -> Option<i16> {
        i16::try_from(self.value()?).ok()
    }

    /// The value for a signed 32-bit distance (long jumps, local calls).
    pub(super) fn signed32(&self) -> Option<i32> {
        i32::try_from(self.value()?).ok()
    }
}

/// Which field a number goes to, for range checks and messages.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Range {
    /// A 32-bit immediate (sign-agnostic hex allowed).
    Imm32,
    /// A 64-bit immediate.
    Imm64,
    /// A signed 16-bit offset.
    Off16,
    /// A signed 32-bit jump or call distance.
    Signed32,
}

impl Range {
    /// The field's name in messages.
    pub(super) const fn field(self) -> &'static str {
        match self {
            Range::Imm32 => "a 32-bit immediate",
            Range::Imm64 => "a 64-bit immediate",
            Range::Off16 => "a 16-bit offset",
            Range::Signed32 => "a 32-bit signed distance",
        }
    }

    /// `lit` converted for this field (as an i64), or an out-of-range error
    /// quoting `text`.
    pub(super) fn convert(self, lit: &Literal, text: &str) -> Result<i64, AsmErrorKind> {
        let value = match self {
            Range::Imm32 => lit.imm32().map(i64::from),
            Range::Imm64 => lit.imm64(),
            Range::Off16 => lit.off16().map(i64::from),
            Range::Signed32 => lit.signed32().map(i64::from),
        };
        value.ok_or_else(|| AsmErrorKind::OutOfRange {
            text: text.to_string(),
            field: self.field(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Literal {
        Literal::parse(s).unwrap()
    }

    #[test]
    fn syntax() {
        for bad in ["", "-", "0x", "12a", "x12", "--1", "1.5", "0x-1", " 1"] {
            assert_eq!(Literal::parse(bad), None, "{bad:?}");
        }
        assert!(lit("+3").signed && lit("-3").signed && !lit("3").signed);
        assert_eq!(lit("0XfF").imm32(), Some(255));
        assert_eq!(Literal::parse_signed("+ 16"), Literal::parse("+16"));
        assert_eq!(Literal::parse_signed("-0x8"), Literal::parse("-0x8"));
        for bad in ["16", "+-1", "+", "- -1"] {
            assert_eq!(Literal::parse_signed(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn imm32_range() {
        assert_eq!(lit("2147483647").imm32(), Some(i32::MAX));
        assert_eq!(lit("2147483648").imm32(), None);
        assert_eq!(lit("-2147483648").imm32(), Some(i32::MIN));
        assert_eq!(lit("-2147483649").imm32(), None);
        assert_eq!(lit("0xffffffff").imm32(), Some(-1));
        assert_eq!(lit("0x100000000").imm32(), None);
        assert_eq!(lit("-0x80000000").imm32(), Some(i32::MIN));
        assert_eq!(lit("-0x80000001").imm32(), None);
    }

    #[test]
    fn imm64_range() {
        assert_eq!(lit("0xFFFFFFFFFFFFFFFF").imm64(), Some(-1));
        assert_eq!(lit("18446744073709551615").imm64(), Some(-1));
        assert_eq!(lit("18446744073709551616").imm64(), None);
        assert_eq!(lit("0x10000000000000000").imm64(), None);
        assert_eq!(lit("-9223372036854775808").imm64(), Some(i64::MIN));
        assert_eq!(lit("-9223372036854775809").imm64(), None);
        assert_eq!(lit("2147483648").imm64(), Some(2147483648));
    }

    #[test]
    fn offsets_are_signed_16_bit() {
        assert_eq!(lit("32767").off16(), Some(32767));
        assert_eq!(lit("-32768").off16(), Some(-32768));
        assert_eq!(lit("0x8000").off16(), None);
        assert_eq!(lit("0x10000").off16(), None);
        assert_eq!(lit("-0x8000").off16(), Some(-32768));
    }

    #[test]
    fn convert_reports_the_field() {
        let err = Range::Imm32
            .convert(&lit("0x100000000"), "0x100000000")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Value `0x100000000` is out of range for a 32-bit immediate"
        );
        assert_eq!(Range::Signed32.convert(&lit("-5"), "-5"), Ok(-5));
    }
}
