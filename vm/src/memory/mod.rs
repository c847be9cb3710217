//! Guest memory: regions, checked access, the raw access layer.
//!
//! Guest addresses are real host addresses (as in uBPF): a pointer the program
//! holds is the host address of the byte it names. Every access goes through a
//! [`RegionTable`], which checks it against the regions the run was given (input
//! memory or context, packet, the live frames of the stack, read-only data, map
//! values) before the private `raw` layer touches memory. Map storage is
//! [`SharedMemory`], shared by runs and host threads. The table's [`Region`]
//! array has a fixed C layout so generated code (the JITs) can check accesses inline
//! against the very same table; the stack's region changes start and length in place
//! with the call depth ([`RegionTable::set_stack_depth`], [`StackLayout::live_window`]).

pub mod atomic;
pub mod error;
mod lookup;
mod raw;
pub mod region;
pub mod shared;
pub mod stack;
pub mod table;
pub mod word;

pub use error::MemoryError;
pub use region::{Region, RegionId, RegionKind};
pub use shared::{AllocError, SharedMemory};
pub use stack::{Stack, StackLayout, StackWindow};
pub use table::RegionTable;
pub use word::Word;
