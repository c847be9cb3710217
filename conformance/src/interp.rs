//! The `interp` engine: ferrobpf's interpreter ([`ferrobpf_vm::interp::Vm`]) with the
//! conformance helper set ([`crate::helpers`]).
//!
//! Loading ([`Program::from_bytes`]) reports decode errors at [`Stage::Decode`] and
//! the other load-time checks at [`Stage::Load`]; run-time errors ([`ExecError`], whose
//! messages start with phrases such as "out of bounds" or "instruction budget
//! exhausted") at [`Stage::Run`]. A test's `-- budget` replaces the configured
//! instruction budget for that run.
//!
//! [`ExecError`]: ferrobpf_vm::interp::ExecError

use crate::engine::{Completion, Engine, Failure, Outcome, RunOptions, Stage};
use crate::helpers::conformance_helpers;
use ferrobpf_vm::interp::{Config, Vm};
use ferrobpf_vm::program::{LoadError, Program};

/// Runs programs in ferrobpf's interpreter.
#[derive(Clone, Debug)]
pub struct InterpEngine {
    vm: Vm,
}

impl Default for InterpEngine {
    fn default() -> Self {
        InterpEngine::new()
    }
}

impl InterpEngine {
    /// The interpreter with the default limits (those of the Linux kernel, no budget).
    pub fn new() -> InterpEngine {
        InterpEngine::with_config(Config::default())
    }

    /// The interpreter with `config` (a test's `-- budget` still overrides its budget).
    pub fn with_config(config: Config) -> InterpEngine {
        InterpEngine {
            vm: Vm::with_helpers(config, conformance_helpers()),
        }
    }
}

/// Loads `program`, telling decode errors from the other load-time checks.
pub fn load(program: &[u8]) -> Result<Program, Failure> {
    Program::from_bytes(program).map_err(|e| {
        let stage = match e {
            LoadError::Decode(_) => Stage::Decode,
            _ => Stage::Load,
        };
        Failure::new(stage, e)
    })
}

impl Engine for InterpEngine {
    fn name(&self) -> &str {
        "interp"
    }

    fn unavailable(&self) -> Option<&str> {
        None
    }

    fn enforces_budget(&self) -> bool {
        true
    }

    fn run(&self, program: &[u8], memory: &[u8], options: &RunOptions) -> Outcome {
        let program = load(program)?;
        let budget_vm;
        let vm = match options.budget {
            Some(budget) => {
                let config = Config {
                    instruction_budget: Some(budget),
                    ..*self.vm.config()
                };
                budget_vm = Vm::with_helpers(config, self.vm.helpers().clone());
                &budget_vm
            }
            None => &self.vm,
        };
        let mut memory = memory.to_vec();
        let r0 = vm
            .run(&program, &mut memory)
            .map_err(|e| Failure::new(Stage::Run, e))?;
        Ok(Completion { r0, memory })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobpf_vm::{encode_program, Insn, Op};

    fn bytes(insns: &[Insn]) -> Vec<u8> {
        encode_program(insns)
    }

    #[test]
    fn runs_over_memory_with_helper_5() {
        let prog = bytes(&[
            Insn::new(Op::LdxB, 1, 1, 0, 0),
            Insn::new(Op::Call, 0, 0, 0, 5),
            Insn::new(Op::StB, 10, 0, -1, 0),
            Insn::new(Op::Exit, 0, 0, 0, 0),
        ]);
        let done = InterpEngine::new()
            .run(&prog, &[7, 8], &RunOptions::default())
            .unwrap();
        assert_eq!(
            done,
            Completion {
                r0: 7,
                memory: vec![7, 8]
            }
        );
    }

    #[test]
    fn stages_and_budget() {
        let engine = InterpEngine::new();
        let none = RunOptions::default();
        let fail = |prog: &[u8], options: &RunOptions| engine.run(prog, &[], options).unwrap_err();
        assert_eq!(fail(&[0x95, 0, 0], &none).stage, Stage::Decode);
        let uninit = bytes(&[Insn::new(Op::Exit, 0, 0, 0, 0)]);
        assert_eq!(fail(&uninit, &none).stage, Stage::Load);
        let oob = bytes(&[
            Insn::new(Op::LdxDw, 0, 10, 0, 0),
            Insn::new(Op::Exit, 0, 0, 0, 0),
        ]);
        let failure = fail(&oob, &none);
        assert_eq!(failure.stage, Stage::Run);
        assert!(failure.message().starts_with("out of bounds"), "{failure}");
        let forever = bytes(&[Insn::new(Op::Ja, 0, 0, -1, 0)]);
        let failure = fail(&forever, &RunOptions { budget: Some(10) });
        assert!(
            failure
                .message()
                .starts_with("instruction budget exhausted"),
            "{failure}"
        );
    }
}
