//! ferrobpf-jit: compiles eBPF programs to host machine code.
//!
//! [`JitProgram::compile`] takes a loaded `ferrobpf_vm::program::Program` and a
//! [`JitConfig`]; [`JitProgram::run`] / [`JitProgram::run_with`] take the same inputs
//! as the interpreter's `Vm::run` / `Vm::run_with` and return the same
//! `Result<u64, ExecError>` (same error kind, same instruction index).
//!
//! # Layers
//! - [`lower`]: the target-neutral walk. It reads each instruction's `Semantics` from
//!   the ISA table (no opcode list), folds what is known at compile time (immediate
//!   divisors, byte order, blinding, provably in-frame stack accesses, budget
//!   segments) and calls a [`lower::masm::MacroAssembler`].
//! - [`x64`]: the x86-64 back end (dynasm-rs). eBPF r0-r10 live in host registers for
//!   the whole run; three scratch registers and a context-block pointer remain.
//! - [`aarch64`]: the AArch64 back end (dynasm-rs), the same walk, eBPF registers in
//!   host registers too. It runs natively on AArch64 hosts and under the Unicorn
//!   emulator elsewhere (feature `emulator`); [`aarch64::exec`] picks.
//! - `delegate` (private): the `MacroAssembler` implementation both back ends share.
//! - [`code`]: executable memory, mapped read+execute only once the code is complete.
//! - `call` (private): the call into generated code and the trampolines back into
//!   Rust (region lookup, helpers, packet loads), by the host's C convention. With
//!   [`code`] (and the emulator's page mapping), the only `unsafe`.
//!
//! [`JitProgram`] compiles with the host's back end: x86-64 or AArch64.
//!
//! # How generated code stays inside its memory (checked mode)
//! Every load and store not provably inside the current stack frame compares its
//! address with a per-size *window* (the bounds of the region the last miss found,
//! in the [`context::JitContext`]). On a miss, out-of-line code checks the live stack
//! (one frame below r10 up to the entry frame's top) and otherwise asks the host,
//! which searches the same region table the interpreter uses and either refreshes the
//! window or records the interpreter's error. Faults leave through one exit stub that
//! restores the host stack. Local calls are native calls with r6-r10 pushed; the
//! call depth is counted in the context block. With a budget, each straight-line
//! segment is charged on entry, and a budget fault names the exact instruction.
//!
//! Verified mode keeps every check until the verifier exists.

#[macro_use]
mod delegate;
pub mod aarch64;
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
