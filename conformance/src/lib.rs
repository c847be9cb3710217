//! ferrobpf-conformance: the bpf_conformance `.data` format, a runner, and the engines
//! it drives (ferrobpf's interpreter, the Linux kernel, and JITs added by other crates).

pub mod differences;
pub mod engine;
pub mod helpers;
pub mod hex;
pub mod interp;
pub mod judge;
#[cfg(target_os = "linux")]
pub mod kernel;
pub mod plugin;
pub mod runner;
pub mod testfile;
