//! What can go wrong when embedding: loading an object, finding its parts,
//! preparing, compiling and running programs.

use ferrobpf_vm::linux::{PrepareError, RunError};
use ferrobpf_vm::maps::MapError;

/// An embedding error. Every variant names the program or map involved.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// The ELF object is malformed or uses something the loader refuses.
    #[error("loading the object: {0}")]
    Elf(#[from] ferrobpf_elf::LoadError),
    /// No program has this name (function or section).
    #[error("no program named {0:?}")]
    NoSuchProgram(String),
    /// No map has this name.
    #[error("no map named {0:?}")]
    NoSuchMap(String),
    /// A map of the object could not be created.
    #[error("map {map:?}: {error}")]
    Map {
        /// The map's name.
        map: String,
        /// Why.
        error: MapError,
    },
    /// A program uses a map that could not be created.
    #[error("program {program:?} uses map {map:?}, which could not be created: {error}")]
    MapUnavailable {
        /// The program.
        program: String,
        /// The map.
        map: String,
        /// Why the map is missing.
        error: MapError,
    },
    /// A program could not be prepared (unknown helper, context misuse, ...).
    #[error("program {program:?}: {error}")]
    Prepare {
        /// The program.
        program: String,
        /// Why.
        error: PrepareError,
    },
    /// A program could not be loaded for an engine.
    #[error("program {program:?}: {error}")]
    Load {
        /// The program.
        program: String,
        /// Why.
        error: ferrobpf_vm::program::LoadError,
    },
    /// The JIT could not compile a program.
    #[error("program {program:?}: {error}")]
    Jit {
        /// The program.
        program: String,
        /// Why.
        error: ferrobpf_jit::JitError,
    },
    /// The verifier rejected a program (or could not prove it safe).
    #[error("program {program:?} rejected by the verifier: {rejection}")]
    Rejected {
        /// The program.
        program: String,
        /// Where and why: [`Rejection::pc`](ferrobpf_verifier::Rejection::pc) is
        /// the instruction index, [`reason`](ferrobpf_verifier::Rejection::reason)
        /// the rule it breaks.
        rejection: Box<ferrobpf_verifier::Rejection>,
    },
    /// A program's type has no model in the verifier (its section names none, or
    /// one the verifier does not know): verify it with an explicit type.
    #[error("program {program:?} is of type {program_type}, which the verifier does not model; give a type to verify it as")]
    UnverifiableType {
        /// The program.
        program: String,
        /// Its type.
        program_type: &'static str,
    },
    /// A program was run with a context its type does not take.
    #[error("program {program:?} is of type {program_type}, not {wanted}")]
    WrongContext {
        /// The program.
        program: String,
        /// Its type.
        program_type: &'static str,
        /// The context the run gave.
        wanted: &'static str,
    },
    /// A map operation failed.
    #[error("map {map:?}: {error}")]
    MapOp {
        /// The map.
        map: String,
        /// Why.
        error: MapError,
    },
    /// A run failed (program fault, budget, ...).
    #[error("program {program:?}: {error}")]
    Run {
        /// The program that was started.
        program: String,
        /// Why.
        error: RunError,
    },
}
