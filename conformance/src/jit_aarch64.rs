//! The `jit-aarch64` engine: ferrobpf's AArch64 JIT back end in checked mode with
//! blinding, its code executed under emulation on other hosts (feature `emulator`
//! of ferrobpf-jit).

use crate::engine::{Completion, Engine, Failure, Outcome, RunOptions, Stage};
use crate::helpers::conformance_helpers;
use crate::interp::load;
use ferrobpf_jit::aarch64::exec::{self, ExecFailure};
use ferrobpf_jit::JitConfig;
use ferrobpf_vm::helpers::HelperRegistry;

/// Compiles each program for AArch64 and runs the generated code.
#[derive(Clone, Debug)]
pub struct JitAarch64Engine {
    config: JitConfig,
    helpers: HelperRegistry,
}

impl JitAarch64Engine {
    /// The AArch64 JIT with the defaults for untrusted code (checked, blinded).
    pub fn new() -> JitAarch64Engine {
        JitAarch64Engine {
            config: JitConfig::checked(),
            helpers: conformance_helpers(),
        }
    }
}

impl Default for JitAarch64Engine {
    fn default() -> Self {
        JitAarch64Engine::new()
    }
}

impl Engine for JitAarch64Engine {
    fn name(&self) -> &str {
        "jit-aarch64"
    }

    fn unavailable(&self) -> Option<&str> {
        exec::unavailable()
    }

    fn enforces_budget(&self) -> bool {
        true
    }

    fn run(&self, program: &[u8], memory: &[u8], options: &RunOptions) -> Outcome {
        let program = load(program)?;
        let config = self.config.with_budget(options.budget);
        let mut memory = memory.to_vec();
        let r0 = exec::run(&program, &config, &self.helpers, &mut memory).map_err(|e| match e {
            ExecFailure::Compile(e) => Failure::new(Stage::Load, e),
            e => Failure::new(Stage::Run, e),
        })?;
        Ok(Completion { r0, memory })
    }
}
