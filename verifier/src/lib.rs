//! ferrobpf-verifier: proves eBPF programs safe before they run.
//!
//! The abstract domains come first: [`tnum`] (known bits), [`scalar`] (bounds kept
//! consistent with the bits) and their transfer functions in [`scalar_alu`].

pub mod scalar;
pub mod scalar_alu;
pub mod tnum;
