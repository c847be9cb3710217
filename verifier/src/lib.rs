//! ferrobpf-verifier: proves eBPF programs safe before they run.
//!
//! The abstract domains come first: [`tnum`] (known bits), [`scalar`] (bounds kept
//! consistent with the bits) and their transfer functions in [`scalar_alu`].

pub mod cfg;
pub mod ctx;
pub mod error;
pub mod helpers;
pub mod liveness;
pub mod maps;
pub mod reg;
pub mod scalar;
pub mod scalar_alu;
pub mod scalar_cmp;
pub mod stack;
pub mod state;
pub mod stats;
pub mod tnum;
