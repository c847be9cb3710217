//! Running the AArch64 back end's code, whatever the build: natively on an AArch64
//! host, under the emulator elsewhere with feature `emulator`, otherwise reported
//! as unavailable.

use crate::config::JitConfig;
use crate::error::JitError;
use ferrobpf_vm::helpers::HelperRegistry;
use ferrobpf_vm::interp::{ExecError, RunInput};
use ferrobpf_vm::program::Program;

/// Why a compile-and-run did not return r0.
#[derive(Debug, thiserror::Error)]
pub enum ExecFailure {
    /// The program could not be compiled.
    #[error(transparent)]
    Compile(#[from] JitError),
    /// The program faulted, as the interpreter would have.
    #[error(transparent)]
    Run(#[from] ExecError),
    /// The code could not be executed here (no emulator in this build, or the
    /// emulator failed).
    #[error("AArch64 code cannot run here: {0}")]
    Host(String),
}

/// Why AArch64 code cannot be executed by this build, or `None` when it can.
pub fn unavailable() -> Option<&'static str> {
    if cfg!(any(target_arch = "aarch64", feature = "emulator")) {
        None
    } else {
        Some("AArch64 code runs only on AArch64 hosts or with the `emulator` feature of ferrobpf-jit")
    }
}

/// What holds the code: the native program on an AArch64 host, the emulated one
/// elsewhere with the emulator, else the bare code.
#[cfg(target_arch = "aarch64")]
type Compiled = crate::program::JitProgram;
#[cfg(all(not(target_arch = "aarch64"), feature = "emulator"))]
type Compiled = super::emu::EmulatedProgram;
#[cfg(all(not(target_arch = "aarch64"), not(feature = "emulator")))]
type Compiled = super::A64Code;

/// A program compiled by the AArch64 back end, run natively on an AArch64 host and
/// under the emulator on others.
#[derive(Debug)]
pub struct A64Program {
    compiled: Compiled,
}

impl A64Program {
    /// Compiles `program` with `config`.
    pub fn compile(program: &Program, config: &JitConfig) -> Result<A64Program, JitError> {
        A64Program::compile_with(program, config, program.len() > super::NEAR_LIMIT)
    }

    /// Compiles `program`, with far conditional branches or not (tests force them
    /// on small programs).
    pub fn compile_with(
        program: &Program,
        config: &JitConfig,
        far: bool,
    ) -> Result<A64Program, JitError> {
        #[cfg(target_arch = "aarch64")]
        let compiled = crate::program::JitProgram::compile_a64(program, config, far)?;
        #[cfg(all(not(target_arch = "aarch64"), feature = "emulator"))]
        let compiled = super::emu::EmulatedProgram::compile_with(program, config, far)?;
        #[cfg(all(not(target_arch = "aarch64"), not(feature = "emulator")))]
        let compiled = super::compile_with(program, config, crate::call::host_fns(), far)?;
        Ok(A64Program { compiled })
    }

    /// The machine code.
    pub fn bytes(&self) -> &[u8] {
        #[cfg(target_arch = "aarch64")]
        let bytes = self.compiled.code().bytes();
        #[cfg(all(not(target_arch = "aarch64"), feature = "emulator"))]
        let bytes = &self.compiled.code().bytes;
        #[cfg(all(not(target_arch = "aarch64"), not(feature = "emulator")))]
        let bytes = &self.compiled.bytes;
        bytes
    }

    /// Runs over `mem` with the plain-memory ABI, like `JitProgram::run`.
    pub fn run(&self, helpers: &HelperRegistry, mem: &mut [u8]) -> Result<u64, ExecFailure> {
        self.run_with(helpers, RunInput::for_memory(mem))
    }

    /// Runs from explicit regions and arguments, like `JitProgram::run_with`.
    pub fn run_with(
        &self,
        helpers: &HelperRegistry,
        input: RunInput<'_>,
    ) -> Result<u64, ExecFailure> {
        #[cfg(target_arch = "aarch64")]
        {
            Ok(self.compiled.run_with(helpers, input)?)
        }
        #[cfg(all(not(target_arch = "aarch64"), feature = "emulator"))]
        {
            use super::emu::EmuError;
            self.compiled.run_with(helpers, input).map_err(|e| match e {
                EmuError::Exec(e) => ExecFailure::Run(e),
                other => ExecFailure::Host(other.to_string()),
            })
        }
        #[cfg(all(not(target_arch = "aarch64"), not(feature = "emulator")))]
        {
            let _ = (helpers, input);
            Err(ExecFailure::Host(unavailable().unwrap_or_default().into()))
        }
    }
}

/// Compiles `program` with `config` for AArch64 and runs it over `memory` with the
/// plain-memory ABI; returns r0.
pub fn run(
    program: &Program,
    config: &JitConfig,
    helpers: &HelperRegistry,
    memory: &mut [u8],
) -> Result<u64, ExecFailure> {
    A64Program::compile(program, config)?.run(helpers, memory)
}
