//! Why a helper call failed.

use crate::memory::MemoryError;

/// A helper's failure. The interpreter reports it as
/// `ExecErrorKind::HelperFailed` with the helper's id and the calling instruction.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HelperError {
    /// The helper accessed guest memory it may not.
    #[error("{0}")]
    Memory(#[from] MemoryError),
    /// An argument has a value the helper cannot accept.
    #[error("invalid argument {index} ({value:#x})")]
    InvalidArgument {
        /// Argument position, 1-5 (the register r1-r5 holding it).
        index: u8,
        /// Its value.
        value: u64,
    },
    /// A host-defined failure.
    #[error("{0}")]
    Failed(String),
}
