//! Engine names accepted by `--engine`: `jit` is the JIT in verified mode with its
//! bounds checks kept (nothing proved them unnecessary), `jit-verified` runs the
//! verifier first and drops them, `jit-checked` is checked mode (checks, blinding).

use super::verified_engine::VerifiedJitEngine;
use super::CliError;
use ferrobpf_conformance::engine::Engine;
use ferrobpf_conformance::interp::InterpEngine;
use ferrobpf_conformance::jit::JitEngine;
use ferrobpf_conformance::jit_aarch64::JitAarch64Engine;
use ferrobpf_conformance::kernel::KernelEngine;
use ferrobpf_jit::Mode;

/// The names `--engine` accepts, in the order `--help` and errors list them.
pub const NAMES: &[&str] = &[
    "interp",
    "jit",
    "jit-verified",
    "jit-checked",
    "jit-aarch64",
    "kernel",
];

/// The engine called `name`.
pub fn select(name: &str) -> Result<Box<dyn Engine>, CliError> {
    match name {
        "interp" => Ok(Box::new(InterpEngine::new())),
        "jit" => Ok(Box::new(JitEngine::new(Mode::Verified))),
        "jit-verified" => Ok(Box::new(VerifiedJitEngine::new())),
        "jit-checked" => Ok(Box::new(JitEngine::new(Mode::Checked))),
        "jit-aarch64" => Ok(Box::new(JitAarch64Engine::new())),
        "kernel" => Ok(Box::new(KernelEngine::new())),
        _ => Err(CliError::UnknownEngine {
            name: name.to_string(),
            known: NAMES.join(", "),
        }),
    }
}
