//! Why a program cannot be loaded.

use super::pseudo::ResolveError;
use crate::decode::DecodeError;
use crate::isa::Pseudo;

/// A refused program. Every variant names the offending slot (`pc`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// The bytes are not a valid program.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A jump leaves the function it is in.
    #[error("instruction {pc}: jump to {target} leaves the function starting at {function}")]
    JumpOutOfFunction {
        /// Slot of the jump.
        pc: usize,
        /// Its target.
        target: usize,
        /// First slot of the function holding the jump.
        function: usize,
    },
    /// A function's last instruction falls through into the next function.
    #[error("instruction {pc}: execution falls through into the function at {next}")]
    FallsIntoNextFunction {
        /// Slot of the last instruction.
        pc: usize,
        /// First slot of the next function.
        next: usize,
    },
    /// A register is read on some path before anything wrote it.
    #[error("instruction {pc}: invalid read of uninitialized register r{reg}")]
    UninitializedRegister {
        /// Slot of the read.
        pc: usize,
        /// The register.
        reg: u8,
    },
    /// A map or BTF LDDW could not be resolved.
    #[error("instruction {pc}: cannot resolve lddw {}: {error}", pseudo.keyword().unwrap_or("imm64"))]
    UnresolvedPseudo {
        /// Slot of the LDDW.
        pc: usize,
        /// Its source.
        pseudo: Pseudo,
        /// Why.
        error: ResolveError,
    },
}
