//! `--engine jit-verified`: the verifier first (a memory program over the test's
//! memory), then the JIT without bounds checks ([`ferrobpf::verified`]); a program
//! the verifier refuses fails at load, as in the kernel.

use ferrobpf::verified::VerifiedJit;
use ferrobpf_conformance::engine::{Completion, Engine, Failure, Outcome, RunOptions, Stage};
use ferrobpf_conformance::helpers::conformance_helpers;
use ferrobpf_conformance::interp::load;
use ferrobpf_conformance::jit::host_jit_unavailable;
use ferrobpf_vm::helpers::HelperRegistry;

/// Verifies each program, then runs it on the JIT without bounds checks.
pub struct VerifiedJitEngine {
    helpers: HelperRegistry,
}

impl VerifiedJitEngine {
    /// The engine, with the conformance suite's helpers.
    pub fn new() -> VerifiedJitEngine {
        VerifiedJitEngine {
            helpers: conformance_helpers(),
        }
    }
}

impl Engine for VerifiedJitEngine {
    fn name(&self) -> &str {
        "jit-verified"
    }

    fn unavailable(&self) -> Option<&str> {
        host_jit_unavailable()
    }

    /// Verified programs terminate: no budget is metered.
    fn enforces_budget(&self) -> bool {
        false
    }

    fn run(&self, program: &[u8], memory: &[u8], _options: &RunOptions) -> Outcome {
        let program = load(program)?;
        let code = VerifiedJit::compile(&program, memory.len(), &self.helpers)
            .map_err(|e| Failure::new(Stage::Load, e))?;
        let mut memory = memory.to_vec();
        let r0 = code
            .run(&self.helpers, &mut memory)
            .map_err(|e| Failure::new(Stage::Run, e))?;
        Ok(Completion { r0, memory })
    }
}
