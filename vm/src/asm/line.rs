//! One source line: comment, label definitions, and the statement's parts.

use super::error::AsmErrorKind;
use super::operand::identifier_len;

/// A line split into label definitions and the statement after them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Line<'a> {
    /// Labels defined on this line (`name:`), in order.
    pub(super) labels: Vec<&'a str>,
    /// The statement text, trimmed; `None` for a line without one.
    pub(super) body: Option<&'a str>,
}

/// Splits a line. `#` starts a comment; any number of `name:` definitions may
/// precede the statement.
pub(super) fn split(text: &str) -> Result<Line<'_>, AsmErrorKind> {
    let mut rest = text.split('#').next().unwrap_or_default().trim();
    let mut labels = Vec::new();
    loop {
        let name_len = identifier_len(rest);
        if name_len > 0 && rest[name_len..].starts_with(':') {
            labels.push(&rest[..name_len]);
            rest = rest[name_len + 1..].trim_start();
            continue;
        }
        let first_word = rest.split_whitespace().next().unwrap_or_default();
        if let Some(name) = first_word.strip_suffix(':') {
            return Err(AsmErrorKind::InvalidLabel(name.to_string()));
        }
        break;
    }
    Ok(Line {
        labels,
        body: (!rest.is_empty()).then_some(rest),
    })
}

/// Splits operand text on commas, trimming each; no text gives no operands.
pub(super) fn operands(text: &str) -> Vec<&str> {
    let text = text.trim();
    if text.is_empty() {
        Vec::new()
    } else {
        text.split(',').map(str::trim).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_comments_and_bodies() {
        assert_eq!(
            split("  # only a comment"),
            Ok(Line {
                labels: vec![],
                body: None
            })
        );
        assert_eq!(
            split(""),
            Ok(Line {
                labels: vec![],
                body: None
            })
        );
        assert_eq!(
            split("fail: mov %r0, 1 # c"),
            Ok(Line {
                labels: vec!["fail"],
                body: Some("mov %r0, 1")
            })
        );
        assert_eq!(
            split("a:b: exit"),
            Ok(Line {
                labels: vec!["a", "b"],
                body: Some("exit")
            })
        );
        assert_eq!(
            split("L1:"),
            Ok(Line {
                labels: vec!["L1"],
                body: None
            })
        );
        assert_eq!(
            split("1x: exit"),
            Err(AsmErrorKind::InvalidLabel("1x".into()))
        );
        assert_eq!(
            split("a-b: exit"),
            Err(AsmErrorKind::InvalidLabel("a-b".into()))
        );
    }

    #[test]
    fn operand_lists() {
        assert_eq!(operands("  "), Vec::<&str>::new());
        assert_eq!(operands(" %r0 ,1"), vec!["%r0", "1"]);
        assert_eq!(operands("%r0,"), vec!["%r0", ""]);
    }
}
