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
