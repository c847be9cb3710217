//! Why a guest memory access was refused.

/// A refused guest memory access. The interpreter adds the instruction index.
#[derive(Copy, Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MemoryError {
    /// No region holds all of `[addr, addr + size)`.
    #[error("out of bounds {} of {size} bytes at {addr:#x}", if *.write { "write" } else { "read" })]
    OutOfBounds {
        /// First guest address accessed.
        addr: u64,
        /// Number of bytes.
        size: u64,
        /// Whether the access was a write.
        write: bool,
    },
    /// The access lies in a region that may not be written.
    #[error("write to read-only memory of {size} bytes at {addr:#x}")]
    ReadOnly {
        /// First guest address written.
        addr: u64,
        /// Number of bytes.
        size: u64,
    },
}
