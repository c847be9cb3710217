//! Why a run stopped with an error.

use crate::helpers::HelperError;
use crate::memory::MemoryError;
use std::fmt;

/// A run-time error: what happened, at which instruction (slot index). Every engine
/// (interpreter, JITs) reports the same kind at the same instruction.
///
/// The `Display` form is `"<kind> at instruction <pc>"`, where `<kind>` starts with a
/// fixed lowercase phrase (see [`ExecErrorKind`]) that tests may match as a substring.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at instruction {pc}")]
pub struct ExecError {
    /// Slot of the instruction that failed.
    pub pc: usize,
    /// What went wrong.
    pub kind: ExecErrorKind,
}

/// What went wrong. Each variant's message starts with the phrase in its docs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExecErrorKind {
    /// "out of bounds": a load, store or atomic outside every region.
    OutOfBounds {
        /// First address accessed.
        addr: u64,
        /// Bytes accessed.
        size: u64,
        /// Whether it was a write.
        write: bool,
    },
    /// "write to read-only memory": a store or atomic into a read-only region.
    ReadOnlyWrite {
        /// First address written.
        addr: u64,
        /// Bytes written.
        size: u64,
    },
    /// "instruction budget exhausted": the instruction would exceed the budget.
    BudgetExhausted {
        /// The budget, in executed instructions.
        budget: u64,
    },
    /// "call depth exceeded": a local call beyond the maximum number of frames.
    CallDepthExceeded {
        /// The maximum number of frames (the entry function's included).
        max_frames: usize,
    },
    /// "unknown helper": no helper is registered under the id.
    UnknownHelper {
        /// The id called (for `callx`, the register's whole value).
        id: u64,
    },
    /// "helper failed": the helper returned an error.
    HelperFailed {
        /// The helper's id.
        id: u32,
        /// Its error.
        error: HelperError,
    },
    /// "invalid program counter": control reached a slot that is not an
    /// instruction. A loaded [`Program`](crate::program::Program) rules this out; it
    /// is reported rather than trusted.
    InvalidProgramCounter,
}

impl fmt::Display for ExecErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExecErrorKind::OutOfBounds { addr, size, write } => write!(
                f,
                "out of bounds {} of {size} bytes at {addr:#x}",
                if *write { "write" } else { "read" }
            ),
            ExecErrorKind::ReadOnlyWrite { addr, size } => {
                write!(f, "write to read-only memory of {size} bytes at {addr:#x}")
            }
            ExecErrorKind::BudgetExhausted { budget } => {
                write!(f, "instruction budget exhausted ({budget} instructions)")
            }
            ExecErrorKind::CallDepthExceeded { max_frames } => {
                write!(f, "call depth exceeded (at most {max_frames} frames)")
            }
            ExecErrorKind::UnknownHelper { id } => write!(f, "unknown helper {id}"),
            ExecErrorKind::HelperFailed { id, error } => {
                write!(f, "helper failed: helper {id}: {error}")
            }
            ExecErrorKind::InvalidProgramCounter => f.write_str("invalid program counter"),
        }
    }
}

impl From<MemoryError> for ExecErrorKind {
    fn from(e: MemoryError) -> ExecErrorKind {
        match e {
            MemoryError::OutOfBounds { addr, size, write } => {
                ExecErrorKind::OutOfBounds { addr, size, write }
            }
            MemoryError::ReadOnly { addr, size } => ExecErrorKind::ReadOnlyWrite { addr, size },
        }
    }
}

impl ExecError {
    /// The error `kind` at slot `pc`.
    pub fn new(pc: usize, kind: impl Into<ExecErrorKind>) -> ExecError {
        ExecError {
            pc,
            kind: kind.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_start_with_their_phrase_and_end_with_the_instruction() {
        let cases = [
            (
                ExecErrorKind::OutOfBounds {
                    addr: 16,
                    size: 8,
                    write: false,
                },
                "out of bounds read of 8 bytes at 0x10",
            ),
            (
                ExecErrorKind::ReadOnlyWrite { addr: 16, size: 1 },
                "write to read-only memory",
            ),
            (
                ExecErrorKind::BudgetExhausted { budget: 5 },
                "instruction budget exhausted",
            ),
            (
                ExecErrorKind::CallDepthExceeded { max_frames: 8 },
                "call depth exceeded",
            ),
            (ExecErrorKind::UnknownHelper { id: 9 }, "unknown helper 9"),
            (
                ExecErrorKind::HelperFailed {
                    id: 1,
                    error: HelperError::Failed("boom".into()),
                },
                "helper failed: helper 1: boom",
            ),
            (
                ExecErrorKind::InvalidProgramCounter,
                "invalid program counter",
            ),
        ];
        for (kind, phrase) in cases {
            let text = ExecError::new(3, kind).to_string();
            assert!(text.starts_with(phrase), "{text}");
            assert!(text.ends_with(" at instruction 3"), "{text}");
        }
    }
}
