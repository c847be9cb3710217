//! Engine names accepted by `--engine`.

use super::CliError;
use ferrobpf_conformance::engine::Engine;
use ferrobpf_conformance::interp::InterpEngine;
use ferrobpf_conformance::kernel::KernelEngine;

/// The names `--engine` accepts, in the order `--help` and errors list them.
pub const NAMES: &[&str] = &["interp", "kernel"];

/// The engine called `name`.
pub fn select(name: &str) -> Result<Box<dyn Engine>, CliError> {
    match name {
        "interp" => Ok(Box::new(InterpEngine::new())),
        "kernel" => Ok(Box::new(KernelEngine::new())),
        _ => Err(CliError::UnknownEngine {
            name: name.to_string(),
            known: NAMES.join(", "),
        }),
    }
}
