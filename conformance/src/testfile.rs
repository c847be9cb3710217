//! The bpf_conformance `.data` test file format.
//!
//! A file is split into sections by lines starting with `--` (`-- asm`, `-- raw`,
//! `-- mem`, `-- result`, `-- error`, and ferrobpf's own `-- budget`). Text after `#`
//! is a comment, blank lines are skipped. `-- c`, `-- no register offset` and any other
//! section name are notes: their contents are ignored.
//!
//! - `-- asm`: the program in bpf_conformance assembler syntax (kept as text, with its
//!   first line number, for the assembler).
//! - `-- raw`: the program as data, used instead of `-- asm` when both are present. Each
//!   line is either one 64-bit integer holding a whole instruction as a little-endian host
//!   reads it (byte 0 = opcode; hex with `0x` or decimal), or eight hex bytes in wire order.
//! - `-- mem`: input memory as hex bytes, over any number of lines.
//! - `-- result`: expected r0, hex when it contains `0x`, else decimal; a leading `-`
//!   gives the two's complement.
//! - `-- error`: expected error text (may be empty).
//! - `-- budget`: instruction budget, decimal.

use crate::hex::{self, HexError};
use std::path::{Path, PathBuf};

/// The program text of an `-- asm` section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsmText {
    /// File line number (1-based) of the section's first content line; line `k` (1-based)
    /// of `text` is file line `first_line + k - 1`.
    pub first_line: usize,
    /// The section's lines, comments removed, line structure kept.
    pub text: String,
}

impl AsmText {
    /// The file line of line `k` (1-based) of [`AsmText::text`].
    pub fn file_line(&self, k: usize) -> usize {
        self.first_line + k.saturating_sub(1)
    }
}

/// Where a test's program comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProgramSource<'a> {
    /// Instruction bytes from `-- raw`.
    Raw(&'a [u8]),
    /// Assembler text from `-- asm`.
    Asm(&'a AsmText),
}

/// One parsed test file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TestFile {
    /// The `-- asm` section.
    pub asm: Option<AsmText>,
    /// The `-- raw` section as instruction bytes.
    pub raw: Option<Vec<u8>>,
    /// The `-- mem` section (empty when absent).
    pub mem: Vec<u8>,
    /// The `-- result` value.
    pub result: Option<u64>,
    /// The `-- error` text, trimmed (present but possibly empty).
    pub error: Option<String>,
    /// The `-- budget` value.
    pub budget: Option<u64>,
}

impl TestFile {
    /// The program to run: `-- raw` when it holds instructions, else a non-blank
    /// `-- asm`; `None` when the file has no program.
    pub fn program(&self) -> Option<ProgramSource<'_>> {
        match (&self.raw, &self.asm) {
            (Some(raw), _) if !raw.is_empty() => Some(ProgramSource::Raw(raw)),
            (_, Some(asm)) if !asm.text.trim().is_empty() => Some(ProgramSource::Asm(asm)),
            _ => None,
        }
    }

    /// Parses the text of a test file.
    pub fn parse(text: &str) -> Result<TestFile, ParseError> {
        let mut file = TestFile::default();
        let mut seen: Vec<Section> = Vec::new();
        let mut current: Option<(Section, usize)> = None;
        let mut body: Vec<(usize, &str)> = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            let content = strip_comment(line);
            let trimmed = content.trim();
            if let Some(name) = trimmed.strip_prefix("--") {
                if let Some((section, header)) = current.take() {
                    file.fill(section, header, &body)?;
                }
                body.clear();
                let section = Section::named(name.trim());
                if section != Section::Note {
                    if seen.contains(&section) {
                        return Err(ParseError::at(number, ParseErrorKind::Duplicate(section)));
                    }
                    seen.push(section);
                }
                current = Some((section, number));
            } else if current.is_some() {
                body.push((number, content));
            } else if !trimmed.is_empty() {
                return Err(ParseError::at(number, ParseErrorKind::OutsideSection));
            }
        }
        if let Some((section, header)) = current {
            file.fill(section, header, &body)?;
        }
        Ok(file)
    }

    /// Reads and parses a test file; errors name the file.
    pub fn load(path: &Path) -> Result<TestFile, TestFileError> {
        let text = std::fs::read_to_string(path).map_err(|source| TestFileError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        TestFile::parse(&text).map_err(|source| TestFileError::Parse {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Stores one finished section. `header` is the line of its `--` line.
    fn fill(
        &mut self,
        section: Section,
        header: usize,
        body: &[(usize, &str)],
    ) -> Result<(), ParseError> {
        let lines = || body.iter().filter(|(_, l)| !l.trim().is_empty());
        match section {
            Section::Note => {}
            Section::Asm => {
                let first_line = header + 1;
                let text = body.iter().map(|(_, l)| *l).collect::<Vec<_>>().join("\n");
                self.asm = Some(AsmText { first_line, text });
            }
            Section::Raw => {
                let mut bytes = Vec::new();
                for (number, line) in lines() {
                    bytes.extend(raw_line(line).map_err(|kind| ParseError::at(*number, kind))?);
                }
                self.raw = Some(bytes);
            }
            Section::Mem => {
                let mut bytes = Vec::new();
                for (number, line) in lines() {
                    let row = hex::parse_bytes(line)
                        .map_err(|e| ParseError::at(*number, ParseErrorKind::Mem(e)))?;
                    bytes.extend(row);
                }
                self.mem = bytes;
            }
            Section::Result => {
                self.result = Some(single_value(section, header, body, parse_value)?);
            }
            Section::Budget => {
                self.budget = Some(single_value(section, header, body, |t| t.parse().ok())?);
            }
            Section::Error => {
                let text = body.iter().map(|(_, l)| l.trim()).collect::<Vec<_>>();
                self.error = Some(text.join("\n").trim().to_string());
            }
        }
        Ok(())
    }
}

/// The kinds of section; all note sections share [`Section::Note`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Section {
    /// `-- asm`
    Asm,
    /// `-- raw`
    Raw,
    /// `-- mem`
    Mem,
    /// `-- result`
    Result,
    /// `-- error`
    Error,
    /// `-- budget`
    Budget,
    /// Any other name (`-- c`, `-- no register offset`, ...): ignored.
    Note,
}

impl Section {
    fn named(name: &str) -> Section {
        match name.to_ascii_lowercase().as_str() {
            "asm" => Section::Asm,
            "raw" => Section::Raw,
            "mem" => Section::Mem,
            "result" => Section::Result,
            "error" => Section::Error,
            "budget" => Section::Budget,
            _ => Section::Note,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Section::Asm => "asm",
            Section::Raw => "raw",
            Section::Mem => "mem",
            Section::Result => "result",
            Section::Error => "error",
            Section::Budget => "budget",
            Section::Note => "note",
        }
    }
}

impl std::fmt::Display for Section {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "-- {}", self.name())
    }
}

/// A parse error at a 1-based line of the file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct ParseError {
    /// The line number.
    pub line: usize,
    /// What is wrong.
    pub kind: ParseErrorKind,
}

impl ParseError {
    fn at(line: usize, kind: ParseErrorKind) -> ParseError {
        ParseError { line, kind }
    }
}

/// What is wrong with a test file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    /// Text before the first section header.
    #[error("text outside any section")]
    OutsideSection,
    /// A section that appears twice.
    #[error("second `{0}` section")]
    Duplicate(Section),
    /// A `-- raw` line that is neither one integer nor eight hex bytes.
    #[error("raw instruction line is neither one 64-bit integer nor 8 hex bytes: `{0}`")]
    RawLine(String),
    /// A bad `-- mem` line.
    #[error("memory: {0}")]
    Mem(HexError),
    /// A `-- result` or `-- budget` section without exactly one value.
    #[error("`{section}` needs exactly one value, found {count}")]
    ValueCount {
        /// The section.
        section: Section,
        /// How many values it holds.
        count: usize,
    },
    /// A value that is not a number.
    #[error("`{0}` is not a valid number here")]
    BadValue(String),
}

/// A test file that could not be read or parsed, with its path.
#[derive(Debug, thiserror::Error)]
pub enum TestFileError {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file could not be parsed.
    #[error("{}: {source}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parse error.
        source: ParseError,
    },
}

fn strip_comment(line: &str) -> &str {
    line.split('#').next().unwrap_or("")
}

/// One `-- raw` line: a 64-bit integer or a row of eight hex bytes.
fn raw_line(line: &str) -> Result<Vec<u8>, ParseErrorKind> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let bad = || ParseErrorKind::RawLine(line.trim().chars().take(64).collect());
    match tokens.as_slice() {
        [word] => parse_value(word)
            .map(|v| v.to_le_bytes().to_vec())
            .ok_or_else(bad),
        row if row.len() == 8 => hex::parse_bytes(line).map_err(|_| bad()),
        _ => Err(bad()),
    }
}

/// The one value of a `-- result` or `-- budget` section.
fn single_value(
    section: Section,
    header: usize,
    body: &[(usize, &str)],
    parse: impl Fn(&str) -> Option<u64>,
) -> Result<u64, ParseError> {
    let tokens: Vec<(usize, &str)> = body
        .iter()
        .flat_map(|(n, l)| l.split_whitespace().map(move |t| (*n, t)))
        .collect();
    match tokens.as_slice() {
        [(line, token)] => parse(token)
            .ok_or_else(|| ParseError::at(*line, ParseErrorKind::BadValue((*token).into()))),
        _ => Err(ParseError::at(
            header,
            ParseErrorKind::ValueCount {
                section,
                count: tokens.len(),
            },
        )),
    }
}

/// A 64-bit value: hex when it has a `0x` prefix, else decimal; `-` negates (wrapping).
pub fn parse_value(token: &str) -> Option<u64> {
    let (negative, digits) = match token.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, token),
    };
    let magnitude = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) if !hex.starts_with('+') => u64::from_str_radix(hex, 16).ok()?,
        Some(_) => return None,
        None if !digits.starts_with('+') => digits.parse::<u64>().ok()?,
        None => return None,
    };
    if negative {
        (magnitude <= 1 << 63).then(|| magnitude.wrapping_neg())
    } else {
        Some(magnitude)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_every_section() {
        let text = "# header\n-- asm\nmov %r0, 1 # one\n\nexit\n-- mem\naa bb\ncc\n\
                    -- result\n0x10\n-- error\n  out of bounds \n-- budget\n100\n\
                    -- c\nint main() { return x--; }\n-- no register offset\ncall instruction\n";
        let file = TestFile::parse(text).unwrap();
        let asm = file.asm.as_ref().unwrap();
        assert_eq!(asm.first_line, 3);
        assert_eq!(asm.text, "mov %r0, 1 \n\nexit");
        assert_eq!(asm.file_line(3), 5);
        assert_eq!(file.mem, vec![0xaa, 0xbb, 0xcc]);
        assert_eq!(file.result, Some(16));
        assert_eq!(file.error.as_deref(), Some("out of bounds"));
        assert_eq!(file.budget, Some(100));
        assert_eq!(file.program(), Some(ProgramSource::Asm(asm)));
    }

    #[test]
    fn raw_integers_and_byte_rows() {
        let text = "-- asm\nexit\n-- raw\n0x5566778800000018\n0x1122334400000000\n\
                    95 00 00 00 00 00 00 00\n-- error\n";
        let file = TestFile::parse(text).unwrap();
        let raw = file.raw.as_deref().unwrap();
        assert_eq!(raw.len(), 24);
        assert_eq!(&raw[..8], &[0x18, 0, 0, 0, 0x88, 0x77, 0x66, 0x55]);
        assert_eq!(&raw[16..], &[0x95, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(file.program(), Some(ProgramSource::Raw(raw)));
        assert_eq!(file.error.as_deref(), Some(""));
        let bad = TestFile::parse("-- raw\n95 00 00\n").unwrap_err();
        assert_eq!(bad.line, 2);
        assert!(matches!(bad.kind, ParseErrorKind::RawLine(_)));
    }

    #[test]
    fn values() {
        assert_eq!(parse_value("0xffffffffffffffff"), Some(u64::MAX));
        assert_eq!(parse_value("-1"), Some(u64::MAX));
        assert_eq!(parse_value("-0x8000000000000000"), Some(1 << 63));
        assert_eq!(parse_value("-9223372036854775809"), None);
        assert_eq!(parse_value("42"), Some(42));
        assert_eq!(parse_value("0x"), None);
        assert_eq!(parse_value("+1"), None);
        assert_eq!(parse_value("0x+1"), None);
        assert_eq!(parse_value("1x"), None);
    }

    #[test]
    fn errors_name_the_line() {
        let e = TestFile::parse("-- asm\nexit\n-- asm\nexit\n").unwrap_err();
        assert_eq!(
            e,
            ParseError::at(3, ParseErrorKind::Duplicate(Section::Asm))
        );
        assert_eq!(e.to_string(), "line 3: second `-- asm` section");
        let e = TestFile::parse("exit\n").unwrap_err();
        assert_eq!(e.line, 1);
        let e = TestFile::parse("-- result\n1 2\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 1: `-- result` needs exactly one value, found 2"
        );
        let e = TestFile::parse("-- result\n\n0x1g\n").unwrap_err();
        assert_eq!(e.line, 3);
        let e = TestFile::parse("-- mem\n00\nzz\n").unwrap_err();
        assert_eq!(e.line, 3);
        let e = TestFile::parse("-- budget\n-1\n").unwrap_err();
        assert!(matches!(e.kind, ParseErrorKind::BadValue(_)));
    }

    #[test]
    fn empty_files_have_no_program() {
        assert_eq!(TestFile::parse("# nothing\n").unwrap(), TestFile::default());
        let file = TestFile::parse("-- asm\n-- Unknown directive\n-- error\nInvalid\n").unwrap();
        assert_eq!(file.program(), None);
        assert_eq!(file.error.as_deref(), Some("Invalid"));
    }

    #[test]
    fn load_names_the_file() {
        let missing = Path::new("/nonexistent/x.data");
        let e = TestFile::load(missing).unwrap_err();
        assert!(e.to_string().starts_with("/nonexistent/x.data: "), "{e}");
    }

    proptest! {
        #[test]
        fn never_panics_on_random_text(text in "(-- (asm|raw|mem|result|error|budget|c)\n|[ -~\n#]{0,20}){0,12}") {
            let _ = TestFile::parse(&text);
        }

        #[test]
        fn never_panics_on_any_text(text in "\\PC{0,200}") {
            let _ = TestFile::parse(&text);
        }
    }
}
