//! Reading a program file: an ELF object, assembler text, or raw bytecode.

use super::CliError;
use ferrobpf_vm::{asm, decode_program, Insn};
use std::path::{Path, PathBuf};

/// What a program file turned out to be.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An ELF object (its first program section, else `.text`).
    Elf,
    /// Assembler text in the bpf_conformance syntax.
    Asm,
    /// Raw little-endian 8-byte instructions.
    Raw,
}

/// A program read from a file, decoded and validated.
pub struct Loaded {
    /// One entry per slot.
    pub insns: Vec<Insn>,
}

/// Reads a whole file, naming it in the error.
pub fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|source| CliError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Tells the file's kind from its contents: the ELF magic, else text that is valid
/// UTF-8 without NUL bytes, else raw bytecode.
pub fn kind_of(bytes: &[u8]) -> Kind {
    if bytes.starts_with(b"\x7fELF") {
        Kind::Elf
    } else if !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok() {
        Kind::Asm
    } else {
        Kind::Raw
    }
}

/// Reads, decodes and validates the program in `path`.
pub fn load(path: &Path) -> Result<Loaded, CliError> {
    let bytes = read(path)?;
    decode(path, bytes)
}

/// Decodes and validates the program in `bytes`, read from `path`.
pub fn decode(path: &Path, bytes: Vec<u8>) -> Result<Loaded, CliError> {
    let kind = kind_of(&bytes);
    let owned = PathBuf::from(path);
    let code = match kind {
        Kind::Elf => ferrobpf_elf::first_program(&bytes)
            .map_err(|source| CliError::Elf {
                path: owned.clone(),
                source,
            })?
            .bytes(),
        Kind::Asm => {
            let text = String::from_utf8_lossy(&bytes);
            let insns = asm::assemble(&text).map_err(|source| CliError::Asm {
                path: owned.clone(),
                source,
            })?;
            ferrobpf_vm::encode_program(&insns)
        }
        Kind::Raw => bytes,
    };
    let insns = decode_program(&code).map_err(|source| CliError::Decode {
        path: owned,
        source,
    })?;
    Ok(Loaded { insns })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(kind_of(b"\x7fELF\x02\x01"), Kind::Elf);
        assert_eq!(kind_of(b"mov %r0, 1\nexit\n"), Kind::Asm);
        assert_eq!(kind_of(&[0xb7, 0, 0, 0, 1, 0, 0, 0]), Kind::Raw);
    }
}
