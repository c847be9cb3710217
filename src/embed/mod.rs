//! The embedding API: load a clang/libbpf-style BPF object, run its programs over
//! packets or contexts, and talk to them through their maps.
//!
//! ```no_run
//! use ferrobpf::embed::{Object, Packet};
//!
//! # fn main() -> Result<(), ferrobpf::embed::EmbedError> {
//! let bytes = std::fs::read("counter.o").unwrap();
//! let obj = Object::from_elf(&bytes)?;
//! let prog = obj.program("xdp")?.verify()?.jit()?;
//! let mut packet = Packet::xdp(&[0u8; 64]);
//! let action = prog.run_xdp(&mut packet)?;
//! let counts = obj.map("counts")?;
//! let hits = counts.get(&0u32.to_le_bytes())?;
//! # let _ = (action, hits);
//! # Ok(())
//! # }
//! ```
//!
//! [`Program::verify`] runs the verifier (program type from the section name,
//! the object's maps and host helpers) and refuses a program it cannot prove
//! safe with [`EmbedError::Rejected`] (instruction index and reason).
//!
//! [`Object::load`] takes [`Options`]: an instruction budget (for untrusted
//! programs), the engine, CPUs of per-CPU maps, host helpers (closures, by id) and
//! hooks for the Linux helpers that read machine state. Objects, programs and
//! maps are `Send + Sync` handles: programs may run on several threads at once,
//! sharing the maps as kernel programs do.

mod dump;
mod error;
mod maps;
mod object;
mod options;
mod program;
mod verify;

pub use dump::{dump_maps, run_elf, RunRequest};
pub use error::EmbedError;
pub use ferrobpf_verifier::{ProgType, Rejection};
pub use ferrobpf_vm::linux::context::{Packet, SkbMeta, XdpMeta};
pub use ferrobpf_vm::linux::HostHooks;
pub use ferrobpf_vm::maps::{Map, MapError, MapSpec, MapType};
pub use maps::MapRef;
pub use object::Object;
pub use options::{EngineKind, Options, DEFAULT_MAX_MAP_MEMORY};
pub use program::{Program, RunReport};
pub use verify::{inner_map_infos, map_info, verifier_type};
