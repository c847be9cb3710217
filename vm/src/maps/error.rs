//! Why a map operation failed, with the errno the kernel gives for it.

use crate::memory::AllocError;

/// Linux errno values the map operations return (negated when a program sees them).
pub mod errno {
    /// `EPERM`: operation not permitted.
    pub const EPERM: i32 = 1;
    /// `ENOENT`: no such element.
    pub const ENOENT: i32 = 2;
    /// `E2BIG`: the map is full, or an index is past its end.
    pub const E2BIG: i32 = 7;
    /// `ENOMEM`: out of memory.
    pub const ENOMEM: i32 = 12;
    /// `EBUSY`: busy.
    pub const EBUSY: i32 = 16;
    /// `EEXIST`: the element exists.
    pub const EEXIST: i32 = 17;
    /// `EINVAL`: invalid argument.
    pub const EINVAL: i32 = 22;
    /// `ENOSPC`: no space left.
    pub const ENOSPC: i32 = 28;
    /// `EOPNOTSUPP`: operation not supported.
    pub const EOPNOTSUPP: i32 = 95;
}

/// A refused map operation or map creation. [`MapError::errno`] gives the Linux
/// error number a program (negated) or the `bpf()` syscall would see.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    /// No element has the key (`ENOENT`).
    #[error("no element with this key")]
    NotFound,
    /// The element exists and `BPF_NOEXIST` was given (`EEXIST`).
    #[error("element exists")]
    Exists,
    /// The map is full, or an array index is past its end (`E2BIG`).
    #[error("map is full or index out of range")]
    Full,
    /// Unknown or contradictory `BPF_*` flags (`EINVAL`).
    #[error("invalid flags {0:#x}")]
    InvalidFlags(u64),
    /// A key of the wrong size (`EINVAL`).
    #[error("key of {got} bytes, the map's keys have {expected}")]
    KeySize {
        /// The map's key size.
        expected: u32,
        /// Bytes given.
        got: usize,
    },
    /// A value of the wrong size (`EINVAL`).
    #[error("value of {got} bytes, expected {expected}")]
    ValueSize {
        /// Bytes expected (for per-CPU maps from the host: one rounded value per CPU).
        expected: usize,
        /// Bytes given.
        got: usize,
    },
    /// A key the map cannot hold, e.g. an LPM prefix longer than its data (`EINVAL`).
    #[error("invalid key: {0}")]
    InvalidKey(&'static str),
    /// The map type has no such operation (`EINVAL` for programs, `EOPNOTSUPP`
    /// where the kernel says so).
    #[error("{op} is not supported by {map_type} maps")]
    Unsupported {
        /// The operation.
        op: &'static str,
        /// The map type's name.
        map_type: &'static str,
    },
    /// A map-in-map or program-array value that is not a compatible map or program
    /// (`EINVAL`).
    #[error("incompatible entry: {0}")]
    Incompatible(String),
    /// The map definition is invalid (`EINVAL`, as `BPF_MAP_CREATE` says).
    #[error("invalid map definition: {0}")]
    InvalidSpec(String),
    /// The Linux map type is not implemented by ferrobpf.
    #[error("map type {0} is not supported")]
    UnsupportedType(u32),
    /// The map's storage could not be allocated (`ENOMEM`).
    #[error("{0}")]
    Alloc(#[from] AllocError),
    /// Not enough space (ring buffer reservation, perf output without a reader):
    /// `ENOSPC` / `ENOENT` as the kernel gives.
    #[error("no space or no reader")]
    NoSpace,
}

impl MapError {
    /// The Linux errno for this error (positive).
    pub fn errno(&self) -> i32 {
        use errno::*;
        match self {
            MapError::NotFound => ENOENT,
            MapError::Exists => EEXIST,
            MapError::Full => E2BIG,
            MapError::InvalidFlags(_)
            | MapError::KeySize { .. }
            | MapError::ValueSize { .. }
            | MapError::InvalidKey(_)
            | MapError::Unsupported { .. }
            | MapError::Incompatible(_)
            | MapError::InvalidSpec(_)
            | MapError::UnsupportedType(_) => EINVAL,
            MapError::Alloc(_) => ENOMEM,
            MapError::NoSpace => ENOSPC,
        }
    }

    /// The value a helper returns to the program for this error: `-errno`.
    pub fn to_return(&self) -> u64 {
        neg_errno(self.errno())
    }
}

/// Checks that `key` has the map's key size.
pub(crate) fn check_key(key: &[u8], expected: usize) -> Result<(), MapError> {
    if key.len() == expected {
        Ok(())
    } else {
        Err(MapError::KeySize {
            expected: expected as u32,
            got: key.len(),
        })
    }
}

/// `-errno` as a helper's 64-bit return value.
pub fn neg_errno(errno: i32) -> u64 {
    (-i64::from(errno)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_values() {
        assert_eq!(MapError::NotFound.to_return(), (-2i64) as u64);
        assert_eq!(MapError::Exists.errno(), 17);
        assert_eq!(MapError::Full.errno(), 7);
        assert_eq!(MapError::InvalidFlags(8).errno(), 22);
    }
}
