//! Finding the mnemonic at the start of a statement: one to three words
//! (`exit`, `call local`, `lock fetch add32`) naming rows of the ISA table.

use super::error::AsmErrorKind;
use crate::isa::{lookup, Operands, Spec, TABLE};

/// The longest multi-word mnemonic in the table.
const MAX_WORDS: usize = 3;

/// Accepted spelling that is not a table mnemonic: `swapN` for `bswapN`.
const ALIAS_PREFIX: (&str, &str) = ("swap", "bswap");

/// A statement split into its mnemonic and operand text.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) struct Split<'a> {
    /// The table mnemonic.
    pub(super) mnemonic: &'static str,
    /// Everything after the mnemonic, untrimmed.
    pub(super) operands: &'a str,
}

/// Rows a statement can assemble to: the table rows with this mnemonic, minus
/// the second half of lddw which is never written.
pub(super) fn rows(mnemonic: &str) -> impl Iterator<Item = &'static Spec> + '_ {
    lookup::by_mnemonic(mnemonic).filter(|s| s.operands != Operands::WideHigh)
}

/// The table mnemonic spelled `written`, aliases included.
fn canonical(written: &str) -> Option<&'static str> {
    if let Some(spec) = rows(written).next() {
        return Some(spec.mnemonic);
    }
    let rest = written.strip_prefix(ALIAS_PREFIX.0)?;
    rows(&format!("{}{rest}", ALIAS_PREFIX.1))
        .next()
        .map(|s| s.mnemonic)
}

/// Splits `body` (a statement without label or comment, trimmed) into mnemonic
/// and operands, taking the longest run of words that names a mnemonic.
pub(super) fn split(body: &str) -> Result<Split<'_>, AsmErrorKind> {
    let words = word_ends(body);
    for n in (1..=words.len()).rev() {
        let Some(&end) = words.get(n - 1) else {
            continue;
        };
        let written = body[..end].split_whitespace().collect::<Vec<_>>().join(" ");
        if let Some(mnemonic) = canonical(&written) {
            return Ok(Split {
                mnemonic,
                operands: &body[end..],
            });
        }
    }
    Err(unknown(body))
}

/// Byte offsets where each of the first [`MAX_WORDS`] words of `body` ends.
fn word_ends(body: &str) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut in_word = false;
    for (i, c) in body.char_indices() {
        if c.is_whitespace() {
            if in_word {
                ends.push(i);
                if ends.len() == MAX_WORDS {
                    return ends;
                }
            }
            in_word = false;
        } else {
            in_word = true;
        }
    }
    if in_word {
        ends.push(body.len());
    }
    ends
}

/// The error for a statement whose words name no mnemonic. A first word that
/// only starts multi-word mnemonics (`lock`) alone on its line is missing its
/// operation.
fn unknown(body: &str) -> AsmErrorKind {
    let mut words = body.split_whitespace();
    let first = words.next().unwrap_or_default();
    let prefix = format!("{first} ");
    let mut continuations: Vec<&str> = TABLE
        .iter()
        .filter_map(|s| s.mnemonic.strip_prefix(prefix.as_str()))
        .collect();
    continuations.dedup();
    match words.next() {
        None if !continuations.is_empty() => AsmErrorKind::MissingOperation {
            prefix: first.to_string(),
            expected: continuations.join(", "),
        },
        Some(second) if !continuations.is_empty() => {
            AsmErrorKind::UnknownMnemonic(format!("{first} {second}"))
        }
        _ => AsmErrorKind::UnknownMnemonic(first.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> (&'static str, &str) {
        let s = split(body).unwrap();
        (s.mnemonic, s.operands)
    }

    #[test]
    fn longest_match_wins() {
        assert_eq!(ok("exit"), ("exit", ""));
        assert_eq!(ok("call local func1"), ("call local", " func1"));
        assert_eq!(ok("call 5"), ("call", " 5"));
        assert_eq!(
            ok("lock  fetch\tadd32 [%r1], %r2"),
            ("lock fetch add32", " [%r1], %r2")
        );
        assert_eq!(ok("lock or [%r10-8]"), ("lock or", " [%r10-8]"));
        assert_eq!(ok("mov %r0,1"), ("mov", " %r0,1"));
    }

    #[test]
    fn aliases() {
        assert_eq!(ok("swap16 %r0"), ("bswap16", " %r0"));
        assert_eq!(ok("swap64 %r0"), ("bswap64", " %r0"));
        assert!(split("swap8 %r0").is_err());
    }

    #[test]
    fn unknown_mnemonics() {
        assert_eq!(
            split("ldxq %r0, %r1"),
            Err(AsmErrorKind::UnknownMnemonic("ldxq".into()))
        );
        assert_eq!(
            split("lddw.high 1"),
            Err(AsmErrorKind::UnknownMnemonic("lddw.high".into()))
        );
        assert_eq!(
            split("lock foo [%r1], %r2"),
            Err(AsmErrorKind::UnknownMnemonic("lock foo".into()))
        );
        let e = split("lock").unwrap_err();
        assert!(matches!(e, AsmErrorKind::MissingOperation { .. }));
        let msg = e.to_string();
        assert!(
            msg.starts_with("Invalid number of operands for lock"),
            "{msg}"
        );
        assert!(msg.contains("fetch add32"), "{msg}");
    }
}
