//! Running the AArch64 back end's code, whatever the build: under the emulator with
//! feature `emulator`, otherwise reported as unavailable (native execution on an
//! AArch64 host is not wired yet).

use crate::config::JitConfig;
use crate::error::JitError;
use ferrobpf_vm::helpers::HelperRegistry;
use ferrobpf_vm::interp::ExecError;
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
    if cfg!(feature = "emulator") {
        None
    } else {
        Some("AArch64 code runs only with the `emulator` feature of ferrobpf-jit")
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
    #[cfg(feature = "emulator")]
    {
        use super::emu::{EmuError, EmulatedProgram};
        let compiled = EmulatedProgram::compile(program, config)?;
        compiled.run(helpers, memory).map_err(|e| match e {
            EmuError::Exec(e) => ExecFailure::Run(e),
            other => ExecFailure::Host(other.to_string()),
        })
    }
    #[cfg(not(feature = "emulator"))]
    {
        let _ = (program, config, helpers, memory);
        Err(ExecFailure::Host(unavailable().unwrap_or_default().into()))
    }
}
