//! `ferrobpf disasm FILE [--llvm]`: print a program as text.

use super::{input, CliError};
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
}

/// Disassembles `args.file` to stdout.
pub fn main(args: Args) -> Result<ExitCode, CliError> {
    let loaded = input::load(&args.file)?;
    let syntax = if args.llvm {
        Syntax::Llvm
    } else {
        Syntax::Conformance
    };
    let text = disassemble(&loaded.insns, syntax);
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(CliError::Output)?;
    Ok(ExitCode::SUCCESS)
}
