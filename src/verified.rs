//! Verified memory programs on the JIT without bounds checks.
//!
//! The JIT's fastest code ([`JitConfig::verified_unchecked`]) drops the bounds
//! checks of loads, stores and atomics, which is sound only for a program a verifier
//! accepted for the exact memory of every run. [`VerifiedJit`] is the safe way to
//! get it for raw programs of the memory calling convention (r1 = memory, r2 = its
//! length): it runs `ferrobpf-verifier` with [`ProgType::Memory`] over the given
//! size and compiles only an accepted program, and each run checks that the memory
//! has exactly that size.

use ferrobpf_jit::{JitConfig, JitError, JitProgram};
use ferrobpf_verifier::{verify, Config, ProgType, Rejection};
use ferrobpf_vm::helpers::HelperRegistry;
use ferrobpf_vm::interp::ExecError;
use ferrobpf_vm::program::Program;

/// Why a program could not be compiled without checks.
#[derive(Debug, thiserror::Error)]
pub enum VerifiedJitError {
    /// The verifier refused the program.
    #[error("rejected by the verifier: insn {}: {}", .0.pc, .0.reason)]
    Rejected(Box<Rejection>),
    /// The memory size does not fit the memory program type (4 GiB or more).
    #[error("memory of {0} bytes is too large for a memory program type")]
    TooLarge(usize),
    /// The JIT refused the program.
    #[error(transparent)]
    Compile(#[from] JitError),
}

/// Why a run of a [`VerifiedJit`] failed.
#[derive(Debug, thiserror::Error)]
pub enum VerifiedRunError {
    /// The memory is not the size the program was verified for.
    #[error("memory of {given} bytes given to a program verified for {verified} bytes")]
    SizeMismatch {
        /// Size the verifier assumed.
        verified: usize,
        /// Size given to the run.
        given: usize,
    },
    /// The generated code stopped with an error (helpers, division, call depth).
    #[error(transparent)]
    Exec(#[from] ExecError),
}

/// A memory program the verifier accepted for `size` bytes, compiled without
/// bounds checks.
#[derive(Debug)]
pub struct VerifiedJit {
    code: JitProgram,
    size: usize,
}

impl VerifiedJit {
    /// Verifies `program` as an untrusted memory program over `size` bytes (with
    /// `helpers` callable) and compiles it without bounds checks.
    pub fn compile(
        program: &Program,
        size: usize,
        helpers: &HelperRegistry,
    ) -> Result<VerifiedJit, VerifiedJitError> {
        let size32 = u32::try_from(size).map_err(|_| VerifiedJitError::TooLarge(size))?;
        let mut config = Config::new(ProgType::Memory { size: size32 });
        config.helpers.add_registry(helpers);
        verify(program.insns(), &[], &config).map_err(VerifiedJitError::Rejected)?;
        // SAFETY: the verifier accepted this program for r1 = `size` writable bytes
        // and r2 = `size`, the default stack limits the JIT also uses, and the
        // helpers of `helpers`; `run` refuses memory of any other size, so every run
        // has the layout the verifier assumed.
        let config = unsafe { JitConfig::verified_unchecked() };
        let code = JitProgram::compile(program, &config)?;
        Ok(VerifiedJit { code, size })
    }

    /// Runs the code over `mem`, which must have the verified size.
    pub fn run(&self, helpers: &HelperRegistry, mem: &mut [u8]) -> Result<u64, VerifiedRunError> {
        if mem.len() != self.size {
            return Err(VerifiedRunError::SizeMismatch {
                verified: self.size,
                given: mem.len(),
            });
        }
        Ok(self.code.run(helpers, mem)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobpf_vm::{assemble, encode_program};

    fn program(text: &str) -> Program {
        Program::from_bytes(&encode_program(&assemble(text).unwrap())).unwrap()
    }

    #[test]
    fn accepted_programs_run_on_memory_of_the_verified_size_only() {
        let helpers = HelperRegistry::new();
        let p = program("ldxdw %r0, [%r1+8]\nexit");
        let code = VerifiedJit::compile(&p, 16, &helpers).unwrap();
        let mut mem = [0u8; 16];
        mem[8] = 42;
        assert_eq!(code.run(&helpers, &mut mem).unwrap(), 42);
        let err = code.run(&helpers, &mut [0u8; 8]).unwrap_err();
        assert!(matches!(
            err,
            VerifiedRunError::SizeMismatch {
                verified: 16,
                given: 8
            }
        ));
        assert!(code.run(&helpers, &mut [0u8; 17]).is_err());
    }

    #[test]
    fn rejected_programs_are_not_compiled() {
        let helpers = HelperRegistry::new();
        let p = program("ldxdw %r0, [%r1+9]\nexit");
        let err = VerifiedJit::compile(&p, 16, &helpers).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("rejected by the verifier: insn 0:"),
            "{err}"
        );
    }
}
