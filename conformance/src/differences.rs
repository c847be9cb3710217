//! `KERNEL_DIFFERENCES.md`: the known disagreements between ferrobpf's interpreter and
//! the Linux kernel engine, one list entry per test:
//!
//! ```text
//! - `bpf_conformance/lsh32-imm-high.data`: refused by the kernel verifier: shift by 32
//! ```
//!
//! Lines that are not entries (headings, prose, blank lines) are ignored.

use std::collections::BTreeSet;

/// One listed disagreement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelDifference {
    /// The test's runner name (`suite/file.data`).
    pub name: String,
    /// Why the kernel disagrees.
    pub reason: String,
    /// The 1-based line of the entry.
    pub line: usize,
}

/// A malformed differences file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DifferencesError {
    /// An entry line that is not ``- `name`: reason``.
    #[error("line {line}: expected \"- `test name`: reason\"")]
    Malformed {
        /// The line.
        line: usize,
    },
    /// A test listed twice.
    #[error("line {line}: `{name}` is already listed on line {first}")]
    Duplicate {
        /// The line of the second entry.
        line: usize,
        /// The test.
        name: String,
        /// The line of the first entry.
        first: usize,
    },
}

/// Parses the entries of a differences file, in file order.
pub fn parse_differences(text: &str) -> Result<Vec<KernelDifference>, DifferencesError> {
    let mut entries: Vec<KernelDifference> = Vec::new();
    let mut names = BTreeSet::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let Some(rest) = raw.trim().strip_prefix("- `") else {
            continue;
        };
        let malformed = DifferencesError::Malformed { line };
        let (name, rest) = rest.split_once('`').ok_or(malformed.clone())?;
        let reason = rest.strip_prefix(':').ok_or(malformed.clone())?.trim();
        if name.is_empty() || reason.is_empty() {
            return Err(malformed);
        }
        if !names.insert(name.to_string()) {
            let first = entries
                .iter()
                .find(|e| e.name == name)
                .map_or(0, |e| e.line);
            return Err(DifferencesError::Duplicate {
                line,
                name: name.to_string(),
                first,
            });
        }
        entries.push(KernelDifference {
            name: name.to_string(),
            reason: reason.to_string(),
            line,
        });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_entries_and_skips_prose() {
        let text = "# Title\n\nSome prose.\n\n## suite\n- `a/x.data`: refused: shift\n  - `b.data`:  callx \n";
        let entries = parse_differences(text).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].name, "a/x.data");
        assert_eq!(entries[0].reason, "refused: shift");
        assert_eq!(entries[0].line, 6);
        assert_eq!(entries[1].reason, "callx");
    }

    #[test]
    fn refuses_malformed_and_duplicate_entries() {
        assert_eq!(
            parse_differences("- `x.data` no colon\n").unwrap_err(),
            DifferencesError::Malformed { line: 1 }
        );
        assert_eq!(
            parse_differences("- `x.data`:\n").unwrap_err(),
            DifferencesError::Malformed { line: 1 }
        );
        assert_eq!(
            parse_differences("- `x.data`: a\n- `x.data`: b\n").unwrap_err(),
            DifferencesError::Duplicate {
                line: 2,
                name: "x.data".into(),
                first: 1
            }
        );
    }

    proptest! {
        #[test]
        fn never_panics(text in "(- `|`|:|[a-z. ]|\n){0,80}") {
            let _ = parse_differences(&text);
        }
    }
}
