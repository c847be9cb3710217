//! ferrobpf: a portable, embeddable eBPF runtime.
//!
//! This crate is the embedding facade. [`embed`] loads clang/libbpf-style BPF
//! objects (maps, Linux helpers, XDP and socket-buffer contexts, tail calls) and
//! runs their programs on the interpreter or the JIT; the re-exports below are the
//! lower-level pieces. Run a raw program in the interpreter:
//!
//! ```
//! use ferrobpf::{assemble, encode_program, Config, Program, Vm};
//!
//! let insns = assemble("ldxb %r0, [%r1+1]\nadd %r0, 40\nexit").unwrap();
//! let program = Program::from_bytes(&encode_program(&insns)).unwrap();
//! let vm = Vm::new(Config { instruction_budget: Some(1_000), ..Config::default() });
//! let mut memory = [1u8, 2, 3];
//! assert_eq!(vm.run(&program, &mut memory).unwrap(), 42);
//! ```

pub mod embed;
pub mod listing;
pub mod verified;

pub use ferrobpf_elf as elf;
pub use ferrobpf_verifier as verifier;
pub use ferrobpf_vm as vm;
pub use ferrobpf_vm::helpers::{ArgKind, Helper, HelperRegistry, HelperSignature, ReturnKind};
pub use ferrobpf_vm::interp::{Config, ExecError, ExecErrorKind, Vm};
pub use ferrobpf_vm::program::{LoadError, Program};
pub use ferrobpf_vm::{assemble, decode_program, disassemble, encode_program, Insn, Syntax};
