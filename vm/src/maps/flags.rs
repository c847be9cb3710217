//! The `flags` argument of map updates.

use super::error::MapError;

/// `BPF_ANY`: create a new element or update an existing one.
pub const BPF_ANY: u64 = 0;
/// `BPF_NOEXIST`: create a new element only.
pub const BPF_NOEXIST: u64 = 1;
/// `BPF_EXIST`: update an existing element only (for queues and stacks: push even
/// when full, dropping the oldest element).
pub const BPF_EXIST: u64 = 2;
/// `BPF_F_LOCK`: update under the value's spin lock (accepted; values are copied
/// whole either way).
pub const BPF_F_LOCK: u64 = 4;

/// What an update may do, decoded from its flags.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum UpdateMode {
    /// `BPF_ANY`.
    Any,
    /// `BPF_NOEXIST`.
    NoExist,
    /// `BPF_EXIST`.
    Exist,
}

impl UpdateMode {
    /// Decodes `flags` as the kernel does for hash and array maps: the low bits
    /// select ANY / NOEXIST / EXIST, `BPF_F_LOCK` may be added, anything else is
    /// invalid.
    pub fn from_flags(flags: u64) -> Result<UpdateMode, MapError> {
        match flags & !BPF_F_LOCK {
            BPF_ANY => Ok(UpdateMode::Any),
            BPF_NOEXIST => Ok(UpdateMode::NoExist),
            BPF_EXIST => Ok(UpdateMode::Exist),
            _ => Err(MapError::InvalidFlags(flags)),
        }
    }

    /// Checks the mode against whether the element exists.
    pub fn check(self, exists: bool) -> Result<(), MapError> {
        match (self, exists) {
            (UpdateMode::NoExist, true) => Err(MapError::Exists),
            (UpdateMode::Exist, false) => Err(MapError::NotFound),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_decode_like_the_kernel() {
        assert_eq!(UpdateMode::from_flags(0), Ok(UpdateMode::Any));
        assert_eq!(UpdateMode::from_flags(1 | 4), Ok(UpdateMode::NoExist));
        assert_eq!(UpdateMode::from_flags(2), Ok(UpdateMode::Exist));
        assert_eq!(UpdateMode::from_flags(3), Err(MapError::InvalidFlags(3)));
        assert_eq!(UpdateMode::from_flags(8), Err(MapError::InvalidFlags(8)));
        assert_eq!(UpdateMode::NoExist.check(true), Err(MapError::Exists));
        assert_eq!(UpdateMode::Exist.check(false), Err(MapError::NotFound));
        assert_eq!(UpdateMode::Any.check(true), Ok(()));
    }
}
