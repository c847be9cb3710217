//! ferrobpf-jit: compiles eBPF programs to host machine code.
//!
//! The [`lower`] module walks a loaded program and the ISA table once and drives a
//! [`lower::masm::MacroAssembler`]; each back end (x86-64 in [`x64`]) only emits.
//! [`JitProgram`] is the entry point: compile a `ferrobpf_vm::program::Program` with a
//! [`JitConfig`], then run it over the same region table and helpers as the
//! interpreter.
//!
//! `unsafe` lives in two modules only: [`code`] (executable memory) and `call` (the
//! call into generated code and the trampolines back into Rust).

mod call;
pub mod code;
pub mod config;
pub mod context;
mod env;
pub mod error;
pub mod fault;
pub mod lower;
pub mod program;
#[cfg(target_arch = "x86_64")]
pub mod x64;

pub use config::{JitConfig, Mode};
pub use error::JitError;
pub use program::JitProgram;
