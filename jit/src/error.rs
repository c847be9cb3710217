//! Errors of compilation (run-time faults are the interpreter's `ExecError`).

/// Why a program could not be compiled.
#[derive(Debug, thiserror::Error)]
pub enum JitError {
    /// The instruction form is valid but this JIT cannot run it.
    #[error("instruction {pc}: {what} is not supported by the JIT")]
    Unsupported {
        /// Instruction index.
        pc: usize,
        /// What is missing.
        what: &'static str,
    },
    /// The host is not one the JIT has a back end for.
    #[error("no JIT back end for this host architecture")]
    UnsupportedHost,
    /// The assembler refused the code (a label bound twice or never).
    #[error("code emission failed: {0}")]
    Emit(String),
    /// The code passed [`JitConfig::max_code_bytes`](crate::JitConfig::max_code_bytes).
    #[error("instruction {pc}: the code passes the JIT's limit of {limit} bytes")]
    CodeTooLarge {
        /// Instruction whose code passed the limit (the last one when only the
        /// shared stubs at the end did).
        pc: usize,
        /// The limit.
        limit: usize,
    },
    /// Executable memory could not be mapped or protected.
    #[error("executable memory: {0}")]
    Memory(#[from] std::io::Error),
}
