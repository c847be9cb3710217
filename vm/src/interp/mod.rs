//! The interpreter: runs a loaded program over memory regions with helpers.
//!
//! [`Vm`] holds the limits ([`Config`]) and the helpers; [`Vm::run`] runs a
//! [`Program`](crate::program::Program) over one buffer (r1 = its address, r2 = its
//! length), [`Vm::run_with`] over explicit regions, [`Vm::run_observed`] likewise
//! with an [`Observer`] called before each instruction. Errors are [`ExecError`]s naming
//! the instruction. The semantics of each operation live in [`alu`].
//!
//! Conventions every engine follows:
//! - registers start at 0 except r1-r5 (the run's arguments) and r10 (the entry
//!   frame's pointer); with [`Vm::run`] r1 = buffer address and r2 = its length, and
//!   an empty buffer gives r1 = r2 = 0 and no input region;
//! - the stack is [`Config::frames`] frames of [`Config::stack_frame_size`] bytes;
//!   each local call gets the next frame down (its own r10) and saves r6-r9;
//! - at call depth k (0 = the entry function) the stack region is exactly the live
//!   frames 0 to k ([`StackLayout::live_window`](crate::memory::StackLayout::live_window)):
//!   a callee may use pointers into its callers' frames, but any access below its
//!   own frame is out of bounds; a return makes the callee's frame inaccessible;
//! - the stack is zeroed once per run, not per call: a frame holds what the last
//!   function at the same depth left in it;
//! - the budget counts executed instructions (an LDDW once); the first instruction
//!   past it fails with `BudgetExhausted` at that instruction;
//! - legacy packet loads (LD_ABS / LD_IND) read big-endian from the packet region
//!   (the buffer, under [`Vm::run`]); a load not entirely inside it, a negative
//!   offset included, ends the run at once with r0 = 0, as in the Linux kernel.

pub mod alu;
pub mod config;
pub mod error;
mod exec;
pub mod observe;
pub mod vm;

pub use config::{Config, DEFAULT_MAX_CALL_DEPTH, DEFAULT_STACK_FRAME_SIZE};
pub use error::{ExecError, ExecErrorKind};
pub use observe::{NoObserver, Observer};
pub use vm::{RunInput, RunOutcome, Vm};

#[cfg(test)]
mod tests;

#[cfg(test)]
mod shared_data_tests;

#[cfg(test)]
mod proptests;
