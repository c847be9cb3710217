//! The interpreter: runs a loaded program over memory regions with helpers.
//!
//! [`Vm`] holds the limits ([`Config`]) and the helpers; [`Vm::run`] runs a
//! [`Program`](crate::program::Program) over one buffer (r1 = its address, r2 = its
//! length), [`Vm::run_with`] over explicit regions. Errors are [`ExecError`]s naming
//! the instruction. The semantics of each operation live in [`alu`].

pub mod alu;
pub mod config;
pub mod error;
mod exec;
pub mod vm;

pub use config::{Config, DEFAULT_MAX_CALL_DEPTH, DEFAULT_STACK_FRAME_SIZE};
pub use error::{ExecError, ExecErrorKind};
pub use vm::{RunInput, RunOutcome, Vm};

#[cfg(test)]
mod tests;

#[cfg(test)]
mod shared_data_tests;

#[cfg(test)]
mod proptests;
