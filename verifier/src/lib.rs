//! ferrobpf-verifier: proves eBPF programs safe before they run.
//!
//! A program the verifier accepts never faults, never reads uninitialised registers or
//! (for untrusted settings) stack, never leaks a pointer where that is forbidden, and
//! terminates, whatever its input.
//!
//! # Layers
//!
//! - Domains, plain types with their own tests: [`tnum`] (known bits), [`scalar`]
//!   (tnum plus signed/unsigned 64- and 32-bit bounds, reconciled by
//!   [`scalar::Scalar::sync`]), transfer functions [`scalar_alu`] and branch refinement
//!   [`scalar_cmp`]; register states [`reg`] (pointer kinds with fixed and variable
//!   offsets, nullness ids, packet ranges), per-byte stack slots [`stack`], whole path
//!   states and their containment test [`state`].
//! - Program facts: [`cfg`](mod@cfg) (functions, jumps, unreachable code, loops), [`liveness`]
//!   (static register liveness used when comparing states), [`ctx`] (program types and
//!   context layouts, host-defined ones included), [`helpers`] (Linux prototypes and
//!   host helpers from the vm's `HelperSignature`), [`maps`].
//! - The walk: [`verify()`] runs a kernel-style depth-first exploration (both sides of
//!   every undecided branch, states stored at pruning points, paths contained in a
//!   fully explored state end there, bounded loops explored iteration by iteration
//!   within the kernel's budget). When that gives up (budget or a repeating loop
//!   state), a second pass widens loop heads ([`widen`]) and proves termination with
//!   ghost counters ([`ghost`]): a number that moves at least one step towards a bound
//!   on every way back to the head.
//! - Output: [`error::Rejection`] (instruction, reason, state), a kernel-style [`log`],
//!   [`stats`], and optionally a per-instruction [`trace`] for the interpreter's
//!   soundness mode.
//! - Limits: besides the budget of processed instructions, [`Config`] caps the paths
//!   waiting to be explored, the stored states and the memory they take (estimated by
//!   [`footprint`]); reaching a cap rejects the program with [`Reason::Limit`].
//!
//! # Soundness mode
//!
//! With [`Config::record_states`], [`Report::trace`] holds, per instruction, the
//! register files the exploration saw there. An interpreter hook called before each
//! instruction with the slot index, the call depth and the concrete registers (each as
//! a number or as "pointer into region kind K at offset O") can check
//! [`trace::Trace::admits`] for the registers live there ([`liveness::live_in`]).

pub mod cfg;
pub mod checker;
pub mod ctx;
mod env;
pub mod error;
mod exec_alu;
mod exec_call;
mod exec_jmp;
mod exec_mem;
mod explore;
pub mod footprint;
pub mod ghost;
pub mod helpers;
pub mod link;
pub mod liveness;
pub mod log;
pub mod maps;
pub mod reg;
pub mod scalar;
pub mod scalar_alu;
pub mod scalar_cmp;
pub mod stack;
pub mod state;
pub mod stats;
pub mod tnum;
pub mod trace;
pub mod verify;
pub mod widen;

pub use ctx::{ProgType, ProgTypeError};
pub use error::{Limit, Reason, Rejection};
pub use maps::{MapInfo, MapType};
pub use verify::{verify, verify_bytes, Config, Report, VerifyError};
