//! Shared pieces of ferrobpf's fuzz targets (`fuzz_targets/`).
//!
//! - [`cases`]: the inputs of the structured targets, shared with the replay tool;
//! - [`gen`]: structured programs from fuzzer bytes, drawn from the ISA table;
//! - [`helpers`]: the helper set generated programs call;
//! - [`memory`]: regions at fixed addresses, reset before each engine's run;
//! - [`compare`]: runs in the interpreter and the JIT, and what they observed;
//! - [`blinding`]: the scan of compiled code for immediates the program chose;
//! - [`tally`]: how often a filter (kernel, verifier) accepted a program.

pub mod blinding;
pub mod cases;
pub mod compare;
pub mod gen;
pub mod helpers;
pub mod memory;
pub mod tally;

/// Whether known, reported gaps are fuzzed too (`FERROBPF_FUZZ_STRICT=1`). By
/// default the targets avoid or skip them (listed in `SECURITY.md`, with inputs in
/// `fuzz/regressions/`), so the rest keeps being explored.
pub fn strict() -> bool {
    std::env::var_os("FERROBPF_FUZZ_STRICT").is_some_and(|v| v != "0")
}
