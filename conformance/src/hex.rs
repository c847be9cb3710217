//! Hex byte text as the conformance files and the plugin protocol write it:
//! whitespace-separated bytes of one or two hex digits (`"aa bb 01"`, `"00  00  01  "`).

/// Why a piece of text is not a list of hex bytes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HexError {
    /// A token is not one or two hex digits.
    #[error("`{token}` (byte {index}) is not a hex byte")]
    BadByte {
        /// The offending token (truncated to 16 characters).
        token: String,
        /// Its position among the bytes.
        index: usize,
    },
}

/// Parses whitespace-separated hex bytes; an empty or blank text gives no bytes.
pub fn parse_bytes(text: &str) -> Result<Vec<u8>, HexError> {
    text.split_whitespace()
        .enumerate()
        .map(|(index, token)| parse_byte(token).ok_or_else(|| bad_byte(token, index)))
        .collect()
}

/// One token of one or two hex digits.
fn parse_byte(token: &str) -> Option<u8> {
    if token.is_empty() || token.len() > 2 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u8::from_str_radix(token, 16).ok()
}

fn bad_byte(token: &str, index: usize) -> HexError {
    HexError::BadByte {
        token: token.chars().take(16).collect(),
        index,
    }
}

/// Formats bytes the way the bpf_conformance runner hands them to a plugin:
/// two lowercase hex digits followed by two spaces per byte.
pub fn format_bytes(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}  ")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_rows_and_plugin_text() {
        assert_eq!(
            parse_bytes("aa bb\n01 2\n").unwrap(),
            vec![0xaa, 0xbb, 1, 2]
        );
        assert_eq!(parse_bytes("00  ff  ").unwrap(), vec![0, 0xff]);
        assert_eq!(parse_bytes("  \n").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn refuses_non_bytes() {
        assert_eq!(
            parse_bytes("00 123").unwrap_err(),
            HexError::BadByte {
                token: "123".into(),
                index: 1
            }
        );
        assert!(parse_bytes("zz").is_err());
        assert!(parse_bytes("+1").is_err());
    }

    proptest! {
        #[test]
        fn round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(parse_bytes(&format_bytes(&bytes)).unwrap(), bytes);
        }

        #[test]
        fn never_panics(text in ".{0,64}") {
            let _ = parse_bytes(&text);
        }
    }
}
