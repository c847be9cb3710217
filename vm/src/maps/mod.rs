//! Maps with the Linux kernel's semantics, shared by programs and the host.
//!
//! A [`Map`] is one map of any implemented [`MapType`]: arrays (plain and
//! per-CPU), hash maps (plain, per-CPU, LRU, LRU per-CPU), LPM tries, queues and
//! stacks, ring buffers, perf event arrays (records go to host callbacks), stack
//! traces, program arrays, maps of maps, cgroup arrays and redirect maps. Updates
//! take the kernel's flags ([`flags`]), failures are [`MapError`]s that carry the
//! kernel's errno, and the host reads, updates, deletes and iterates through the
//! same API programs use (through helpers).
//!
//! Values live in preallocated [`SharedMemory`](crate::memory::SharedMemory), one
//! allocation per map ([`Map::storage`]), so a run adds one region per map and a
//! value's address stays valid for the map's life. Maps are `Send + Sync`; hash
//! maps index keys in independently locked shards, so lookups take no map-wide
//! lock. A [`MapTable`] holds the maps of one environment and turns the handles
//! programs hold ([`MapId::handle`]) back into maps without locking.
//!
//! Per-CPU maps hold one value per CPU of the table; a program sees the value of
//! the CPU it runs on ([`cpu::current`]).

mod array;
pub mod cpu;
pub mod error;
pub mod flags;
mod hash;
mod ids;
mod index;
mod lpm;
mod map;
pub mod perf;
mod queue;
pub mod ringbuf;
pub mod spec;
pub mod stack_trace;
mod table;
mod values;

pub use error::{errno, neg_errno, MapError};
pub use map::{Found, Keys, Map, Storage};
pub use perf::{CounterValue, PerfCounter, PerfEventArray, PerfSink};
pub use ringbuf::RingBuf;
pub use spec::{MapSpec, MapType};
pub use stack_trace::StackTraceMap;
pub use table::{MapId, MapTable, MAP_HANDLE_TAG, MAX_MAPS};
