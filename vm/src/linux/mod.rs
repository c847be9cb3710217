//! Linux compatibility: the kernel's helpers by id with their prototypes, the
//! program contexts (XDP, socket buffers, tracing blobs, host-defined), the
//! load-time preparation of programs (context-field rewriting, code for the
//! helpers that call back into the program) and the per-run state helpers share.

pub mod context;
pub mod helpers;
pub mod hooks;
pub mod prepare;
pub mod resolve;
pub mod run;
pub mod run_state;

pub use helpers::{prototype, registry, HelperEnv, LinuxHelper, HELPERS};
pub use hooks::HostHooks;
pub use prepare::{prepare, PrepareError};
pub use resolve::MapResolver;
pub use run::{run_blob, run_memory, run_skb, run_xdp, Engine, Outcome, RunError};

#[cfg(test)]
mod tests;
