//! Why a text is not a program: the line and what is wrong with it.

/// An assembler error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AsmError {
    /// The text holds no instruction at all.
    #[error("Empty program: no instructions")]
    Empty,
    /// A line (numbered from 1) could not be assembled.
    #[error("line {line}: {kind}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        kind: AsmErrorKind,
    },
}

impl AsmError {
    /// The error `kind` at 1-based `line`.
    pub fn at(line: usize, kind: AsmErrorKind) -> AsmError {
        AsmError::Line { line, kind }
    }

    /// The 1-based line of the error, if it concerns one line.
    pub fn line(&self) -> Option<usize> {
        match self {
            AsmError::Empty => None,
            AsmError::Line { line, .. } => Some(*line),
        }
    }
}

/// What is wrong with a line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AsmErrorKind {
    /// No instruction has this mnemonic.
    #[error("Unknown mnemonic `{0}`")]
    UnknownMnemonic(String),
    /// The mnemonic exists but takes another number of operands.
    #[error("Invalid number of operands for {mnemonic}: expected {expected}, found {found}")]
    OperandCount {
        /// The mnemonic as written.
        mnemonic: String,
        /// The accepted counts, e.g. `2` or `1 or 2`.
        expected: String,
        /// Operands on the line.
        found: usize,
    },
    /// A word that only starts longer mnemonics (`lock`) with nothing after it.
    #[error("Invalid number of operands for {prefix}: expected an operation ({expected}) and its operands")]
    MissingOperation {
        /// The word as written.
        prefix: String,
        /// The words that may follow it.
        expected: String,
    },
    /// The operands have the right count but not the right kinds.
    #[error("Invalid operands for {mnemonic}: expected {expected}")]
    OperandKinds {
        /// The mnemonic as written.
        mnemonic: String,
        /// The accepted operand forms, e.g. `%dst, imm | %dst, %src`.
        expected: String,
    },
    /// A register other than `%r0` to `%r10`.
    #[error("Invalid register `{0}` (expected %r0 to %r10)")]
    InvalidRegister(String),
    /// An operand that is not a register, number, memory reference, label or
    /// lddw source.
    #[error("Invalid operand `{0}`")]
    InvalidOperand(String),
    /// A number that does not parse.
    #[error("Invalid number `{0}`")]
    InvalidNumber(String),
    /// A number that does not fit the field it goes to.
    #[error("Value `{text}` is out of range for {field}")]
    OutOfRange {
        /// The number as written.
        text: String,
        /// The field, e.g. "a 32-bit immediate".
        field: &'static str,
    },
    /// A label definition with an invalid name.
    #[error("Invalid label name `{0}`")]
    InvalidLabel(String),
    /// A label defined twice.
    #[error("Duplicate label `{name}` (first defined on line {first_line})")]
    DuplicateLabel {
        /// The label.
        name: String,
        /// Where it was first defined.
        first_line: usize,
    },
    /// A jump or call to a label that is never defined.
    #[error("Undefined label `{0}`")]
    UndefinedLabel(String),
    /// A label too far away for the field that holds the distance.
    #[error("Label `{label}` is {distance} slots away, out of range for {field}")]
    TargetOutOfRange {
        /// The label.
        label: String,
        /// Distance in slots from the instruction after the jump.
        distance: i64,
        /// The field, e.g. "a 16-bit jump offset".
        field: &'static str,
    },
    /// An lddw source keyword that does not exist.
    #[error("Unknown lddw source `{found}` (expected one of {expected})")]
    UnknownPseudo {
        /// The keyword as written.
        found: String,
        /// The keywords that exist.
        expected: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_line() {
        let e = AsmError::at(3, AsmErrorKind::InvalidRegister("%r50".into()));
        assert_eq!(
            e.to_string(),
            "line 3: Invalid register `%r50` (expected %r0 to %r10)"
        );
        assert_eq!(e.line(), Some(3));
        assert_eq!(AsmError::Empty.line(), None);
    }
}
