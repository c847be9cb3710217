//! ferrobpf-verifier: proves eBPF programs safe before they run.
//!
//! The abstract domains come first: [`tnum`] (known bits), [`scalar`] (bounds kept
//! consistent with the bits), their transfer functions ([`scalar_alu`],
//! [`scalar_cmp`]), then register, stack and whole-path states ([`reg`], [`stack`],
//! [`state`]). Program facts: [`cfg`], [`liveness`], [`ctx`] (program types and their
//! contexts), [`helpers`], [`maps`]. The exploration ([`verify`]) walks every path,
//! refining at branches and pruning paths contained in explored states; rejections
//! ([`error`]) name the instruction, the reason and the state.

pub mod cfg;
pub mod ctx;
mod env;
pub mod error;
mod exec_alu;
mod exec_call;
mod exec_jmp;
mod exec_mem;
mod explore;
pub mod ghost;
pub mod helpers;
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

pub use ctx::ProgType;
pub use error::{Reason, Rejection};
pub use maps::{MapInfo, MapType};
pub use verify::{verify, verify_bytes, Config, Report, VerifyError};
