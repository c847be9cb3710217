//! The errors a subcommand reports (one line each, exit code 2).

use std::path::PathBuf;

/// Why a subcommand could not do its job.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Reading stdin failed.
    #[error("reading stdin: {0}")]
    Stdin(std::io::Error),
    /// Writing to stdout failed.
    #[error("writing output: {0}")]
    Output(std::io::Error),
    /// Assembler text was refused.
    #[error("{path}: {source}")]
    Asm {
        /// The file.
        path: PathBuf,
        /// What the assembler said.
        source: ferrobpf_vm::asm::AsmError,
    },
    /// Bytecode was refused by the decoder.
    #[error("{path}: {source}")]
    Decode {
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        source: ferrobpf_vm::DecodeError,
    },
    /// An ELF object could not be loaded.
    #[error("{path}: {source}")]
    Elf {
        /// The file.
        path: PathBuf,
        /// What the loader said.
        source: ferrobpf_elf::LoadError,
    },
    /// The program could not be loaded (load-time checks).
    #[error("{0}")]
    Load(#[from] ferrobpf_vm::program::LoadError),
    /// A hex memory argument was malformed.
    #[error("--mem: {0}")]
    Hex(ferrobpf_conformance::hex::HexError),
    /// An option that needs an ELF object was given another kind of file.
    #[error("{path}: --section, --packet, --dump-maps and --repeat need an ELF object")]
    NotElf {
        /// The file.
        path: PathBuf,
    },
    /// No program of the object has this section or function name.
    #[error("{path}: no program in section or function `{name}`")]
    NoProgram {
        /// The file.
        path: PathBuf,
        /// The name asked for.
        name: String,
    },
    /// A `--type` the verifier does not know.
    #[error(transparent)]
    BadType(#[from] ferrobpf_verifier::ProgTypeError),
    /// Run memory too large to describe as a memory program type (4 GiB or more).
    #[error("memory of {len} bytes is too large for a memory program type")]
    MemoryTooLarge {
        /// Its length.
        len: usize,
    },
    /// An engine name that does not exist.
    #[error("unknown engine `{name}` (known: {known})")]
    UnknownEngine {
        /// The name given.
        name: String,
        /// The names accepted.
        known: String,
    },
}
