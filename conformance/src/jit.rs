//! The JIT engines: ferrobpf's JIT for the host (x86-64 or AArch64) in checked or
//! verified mode.

use crate::engine::{Completion, Engine, Failure, Outcome, RunOptions, Stage};
use crate::helpers::conformance_helpers;
use crate::interp::load;
use ferrobpf_jit::{JitConfig, JitProgram, Mode};
use ferrobpf_vm::helpers::HelperRegistry;

/// Compiles each program with the JIT and runs the generated code.
#[derive(Clone, Debug)]
pub struct JitEngine {
    name: &'static str,
    config: JitConfig,
    helpers: HelperRegistry,
}

impl JitEngine {
    /// The JIT in `mode` (checked: bounds checks and blinding, the defaults for
    /// untrusted code; verified: for programs a verifier accepted).
    pub fn new(mode: Mode) -> JitEngine {
        let (name, config) = match mode {
            Mode::Checked => ("jit-checked", JitConfig::checked()),
            Mode::Verified => ("jit", JitConfig::verified()),
        };
        JitEngine {
            name,
            config,
            helpers: conformance_helpers(),
        }
    }
}

/// Why the host has no JIT back end (`None` on x86-64 and AArch64): the
/// [`Engine::unavailable`] of every engine that runs the host's JIT.
pub fn host_jit_unavailable() -> Option<&'static str> {
    if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) {
        None
    } else {
        Some("the JIT has no back end for this host architecture")
    }
}

impl Engine for JitEngine {
    fn name(&self) -> &str {
        self.name
    }

    fn unavailable(&self) -> Option<&str> {
        host_jit_unavailable()
    }

    fn enforces_budget(&self) -> bool {
        true
    }

    fn run(&self, program: &[u8], memory: &[u8], options: &RunOptions) -> Outcome {
        let program = load(program)?;
        let config = match options.budget {
            Some(budget) => self.config.with_budget(Some(budget)),
            None => self.config,
        };
        let compiled =
            JitProgram::compile(&program, &config).map_err(|e| Failure::new(Stage::Load, e))?;
        let mut memory = memory.to_vec();
        let r0 = compiled
            .run(&self.helpers, &mut memory)
            .map_err(|e| Failure::new(Stage::Run, e))?;
        Ok(Completion { r0, memory })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobpf_vm::{encode_program, Insn, Op};

    #[test]
    fn both_modes_run_with_helper_5_and_budget() {
        let prog = encode_program(&[
            Insn::new(Op::LdxB, 1, 1, 0, 0),
            Insn::new(Op::Call, 0, 0, 0, 5),
            Insn::new(Op::Exit, 0, 0, 0, 0),
        ]);
        for mode in [Mode::Checked, Mode::Verified] {
            let engine = JitEngine::new(mode);
            let done = engine.run(&prog, &[7], &RunOptions::default()).unwrap();
            assert_eq!(done.r0, 7);
            let spin = encode_program(&[Insn::new(Op::Ja, 0, 0, -1, 0)]);
            let failure = engine
                .run(&spin, &[], &RunOptions { budget: Some(100) })
                .unwrap_err();
            assert_eq!(failure.stage, Stage::Run);
            assert!(failure
                .message()
                .starts_with("instruction budget exhausted"));
        }
    }
}
