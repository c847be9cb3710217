//! What a helper sees of the running program: checked access to guest memory.

use crate::memory::{MemoryError, RegionTable, Word};

/// A helper's view of the run. Guest memory is reachable only through these
/// methods, each checked against the run's region table exactly like the program's
/// own loads and stores.
#[derive(Debug)]
pub struct HelperContext<'m, 'a> {
    memory: &'m mut RegionTable<'a>,
}

impl<'m, 'a> HelperContext<'m, 'a> {
    /// A context over the run's regions (engines build one per helper call).
    pub fn new(memory: &'m mut RegionTable<'a>) -> HelperContext<'m, 'a> {
        HelperContext { memory }
    }

    /// Reads a `T` (any alignment) at guest address `addr`.
    pub fn read<T: Word>(&self, addr: u64) -> Result<T, MemoryError> {
        self.memory.read(addr)
    }

    /// Writes a `T` (any alignment) at guest address `addr`.
    pub fn write<T: Word>(&mut self, addr: u64, value: T) -> Result<(), MemoryError> {
        self.memory.write(addr, value)
    }

    /// The `len` guest bytes at `addr`, for reading (empty for `len` 0).
    pub fn bytes(&self, addr: u64, len: u64) -> Result<&[u8], MemoryError> {
        self.memory.bytes(addr, len)
    }

    /// The `len` guest bytes at `addr`, for writing (empty for `len` 0).
    pub fn bytes_mut(&mut self, addr: u64, len: u64) -> Result<&mut [u8], MemoryError> {
        self.memory.bytes_mut(addr, len)
    }
}
