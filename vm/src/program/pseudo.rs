//! LDDW pseudo sources: what the 64-bit immediate of a non-plain LDDW becomes.
//!
//! A plain LDDW (source 0) loads its immediate. A function-pointer LDDW (source 4)
//! loads a [function address](function_address), resolved by the program itself.
//! The other sources name maps or BTF variables, which only a map environment can
//! resolve: it implements [`PseudoResolver`] and is given to
//! [`Program::with_resolver`](super::Program::with_resolver). Without one, loading
//! such a program fails, naming the instruction.

use crate::isa::Pseudo;

/// The value a function-pointer LDDW loads is this tag ORed with the slot of the
/// function's first instruction. The tag makes the value a non-canonical host
/// address, so a program that dereferences it faults instead of reading code, and
/// it tells function addresses apart from small numbers.
pub const FUNCTION_ADDRESS_TAG: u64 = 0xfbf0_0000_0000_0000;

/// Bits of a function address that hold the slot index.
const SLOT_MASK: u64 = 0x0000_ffff_ffff_ffff;

/// The address of the function starting at slot `start`.
pub fn function_address(start: usize) -> u64 {
    FUNCTION_ADDRESS_TAG | (start as u64 & SLOT_MASK)
}

/// The slot a function address names, if `addr` has the tag.
pub fn function_slot(addr: u64) -> Option<usize> {
    (addr & !SLOT_MASK == FUNCTION_ADDRESS_TAG)
        .then(|| usize::try_from(addr & SLOT_MASK).ok())
        .flatten()
}

/// One non-plain LDDW to resolve.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct PseudoRequest {
    /// Slot of the LDDW.
    pub pc: usize,
    /// Its source.
    pub pseudo: Pseudo,
    /// The first slot's immediate (map fd, map index or BTF id).
    pub imm: i32,
    /// The second slot's immediate (offset into a map value).
    pub next_imm: i32,
}

/// Why a pseudo source could not be resolved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// No map environment was given.
    #[error("no map environment to resolve it")]
    NoEnvironment,
    /// The environment has no such map.
    #[error("no map {id}")]
    UnknownMap {
        /// The fd or index in the instruction.
        id: i32,
    },
    /// The offset lies outside the map's value.
    #[error("offset {offset} is outside the map value")]
    ValueOffsetOutOfRange {
        /// The offset in the instruction.
        offset: i32,
    },
    /// The environment does not support this source.
    #[error("source not supported by the environment")]
    Unsupported,
}

/// Resolves map and BTF pseudo sources when a program is loaded. The value it
/// returns is what the LDDW loads at run time: a map handle for map sources, the
/// guest address of the value plus the offset for map-value sources (the
/// environment then adds those values as regions when running).
pub trait PseudoResolver {
    /// The value for `request` (never a plain or function source).
    fn resolve(&mut self, request: &PseudoRequest) -> Result<u64, ResolveError>;
}

/// The resolver used when none is given: every request fails with
/// [`ResolveError::NoEnvironment`].
#[derive(Copy, Clone, Debug, Default)]
pub struct NoEnvironment;

impl PseudoResolver for NoEnvironment {
    fn resolve(&mut self, _: &PseudoRequest) -> Result<u64, ResolveError> {
        Err(ResolveError::NoEnvironment)
    }
}

/// A resolved non-plain LDDW: what it said and what it loads.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct PseudoLoad {
    /// Slot of the LDDW.
    pub pc: usize,
    /// Its source.
    pub pseudo: Pseudo,
    /// The 64-bit immediate as written (`next_imm << 32 | imm`).
    pub written: i64,
    /// The value it loads.
    pub value: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_addresses_round_trip() {
        assert_eq!(function_slot(function_address(0)), Some(0));
        assert_eq!(function_slot(function_address(12345)), Some(12345));
        assert_eq!(function_slot(7), None);
        assert_eq!(function_slot(u64::MAX), None);
    }
}
