//! ferrobpf-conformance: the bpf_conformance `.data` test format, a runner, and the
//! engines it drives.
//!
//! - [`testfile`]: the `.data` parser ([`testfile::TestFile`]), typed errors naming the
//!   file and line; [`hex`]: hex byte text.
//! - [`engine`]: the [`engine::Engine`] trait every engine implements (name,
//!   availability, budget support, `run(program bytes, memory)`), and the outcome of a
//!   run: r0 and the final memory, or a typed error with the [`engine::Stage`] it
//!   stopped at.
//! - [`interp`]: ferrobpf's interpreter; [`kernel`] (Linux only): the Linux kernel
//!   through `bpf()`; JIT engines implement the same trait in their own crates.
//! - [`helpers`]: the helper set conformance tests call (helper 5 returns r1).
//! - [`runner`]: runs files and directories and judges the outcomes (the rules are in
//!   its docs); [`runner::run_paths`] returns a [`runner::Summary`] whose `Display` is one
//!   line per failure and the totals line `N passed, M failed, K skipped`.
//! - [`plugin`]: the bpf_conformance plugin protocol over any engine.
//! - [`differences`]: the format of `KERNEL_DIFFERENCES.md`.
//!
//! ```no_run
//! use ferrobpf_conformance::interp::InterpEngine;
//! use ferrobpf_conformance::runner::{run_paths, RunnerOptions};
//!
//! let paths = ["../shared/conformance/bpf_conformance".into()];
//! let summary = run_paths(&InterpEngine::new(), &paths, &RunnerOptions::default());
//! println!("{summary}");
//! ```

pub mod differences;
pub mod engine;
pub mod helpers;
pub mod hex;
pub mod interp;
pub mod jit;
pub mod jit_aarch64;
pub mod judge;
#[cfg(target_os = "linux")]
pub mod kernel;
pub mod plugin;
pub mod runner;
pub mod testfile;
