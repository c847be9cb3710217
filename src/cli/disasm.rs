//! `ferrobpf disasm FILE [--llvm] [--section S]`: print a program as text.
//!
//! For an ELF object: its maps, then every program (section, function, type,
//! size) with the references the loader resolved named in comments (see
//! [`ferrobpf::listing`]).

use super::{input, CliError};
use ferrobpf::listing::object_listing;
use ferrobpf_vm::disasm::{disassemble, Syntax};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `ferrobpf disasm`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Raw bytecode, assembler text or an ELF object.
    file: PathBuf,
    /// Print llvm-objdump's syntax instead of the reassemblable conformance syntax.
    #[arg(long)]
    llvm: bool,
    /// ELF objects: only the programs of this section (or this function).
    #[arg(long)]
    section: Option<String>,
}

/// Disassembles `args.file` to stdout.
pub fn main(args: Args) -> Result<ExitCode, CliError> {
    let syntax = if args.llvm {
        Syntax::Llvm
    } else {
        Syntax::Conformance
    };
    let bytes = input::read(&args.file)?;
    let text = if input::kind_of(&bytes) == input::Kind::Elf {
        let object = ferrobpf_elf::Object::parse(&bytes).map_err(|source| CliError::Elf {
            path: args.file.clone(),
            source,
        })?;
        if let Some(name) = &args.section {
            if !object
                .programs()
                .iter()
                .any(|p| &p.section == name || &p.name == name)
            {
                return Err(CliError::NoProgram {
                    path: args.file,
                    name: name.clone(),
                });
            }
        }
        object_listing(&object, syntax, args.section.as_deref())
    } else {
        if args.section.is_some() {
            return Err(CliError::NotElf { path: args.file });
        }
        disassemble(&input::decode(&args.file, bytes)?.insns, syntax)
    };
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(CliError::Output)?;
    Ok(ExitCode::SUCCESS)
}
