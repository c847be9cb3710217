//! ferrobpf-elf: loads relocatable BPF objects as clang (`-target bpf`) and
//! libbpf conventions make them.
//!
//! [`Object::parse`] reads an `EM_BPF` (or old `EM_NONE`) object and returns its
//! programs and maps:
//! - programs: every function of every code section (`SEC("xdp")`, `kprobe/...`,
//!   custom names; several per section), with the subprograms it calls or takes
//!   the address of appended and bpf-to-bpf calls rewritten, typed from the
//!   section name as libbpf does ([`ProgramType::from_section`]);
//! - maps: legacy `maps` / `maps/<name>` definitions, BTF-defined `.maps` (with
//!   inner maps and initial `values`), and `.data*` / `.rodata*` / `.bss*` as
//!   single-entry arrays holding their initial contents;
//! - map and global-data references become `lddw map_idx` (pseudo source 5) and
//!   `lddw map_idx_value` (6) indexing [`Object::maps`]; function pointers become
//!   `lddw func` (4).
//!
//! Anything unexpected (unknown relocation, truncated section, symbol out of
//! range, ...) is a [`LoadError`] naming the section and offset; the loader never
//! skips a relocation and never panics on any input.
//!
//! Not done: CO-RE relocations (`.BTF.ext`) are not applied, so field offsets stay
//! those of the compiler's headers; externs (`__kconfig`, `__ksym`, kfuncs) are
//! refused with [`RelocError::Extern`].

mod btf;
mod elf_file;
mod error;
mod functions;
mod link;
mod maps;
mod object;
mod program;
mod program_type;
mod relocations;

pub use error::{BtfError, LoadError, MapError, RelocError, SectionError, SymbolError};
pub use maps::{MapDef, MapSource, Pinning, SlotValue, BPF_F_RDONLY_PROG};
pub use object::{first_program, Object};
pub use program::{LinkedFunction, Program, Relocation, RelocationKind};
pub use program_type::ProgramType;
