//! A run that stopped early, with the instruction that stopped it.

use ferrobpf_vm::helpers::HelperError;
use ferrobpf_vm::memory::MemoryError;

/// Why a run stopped early.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrapKind {
    /// A load, store or atomic outside the regions (or a write to read-only memory).
    Memory(MemoryError),
    /// No helper is registered under the id.
    UnknownHelper(u64),
    /// The helper failed.
    Helper {
        /// Its id.
        id: u32,
        /// What it reported.
        error: HelperError,
    },
    /// Local calls nested deeper than allowed.
    CallDepth,
    /// The instruction budget ran out.
    Budget,
}

/// A run that stopped early at instruction `pc`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trap {
    /// Instruction index.
    pub pc: usize,
    /// What happened.
    pub kind: TrapKind,
}
