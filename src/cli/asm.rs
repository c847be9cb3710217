//! `ferrobpf asm FILE [-o OUT]`: assemble text into raw bytecode.

use super::{input, CliError};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `ferrobpf asm`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Assembler text (bpf_conformance syntax).
    file: PathBuf,
    /// Where to write the bytecode (default: stdout).
    #[arg(short, long)]
    output: Option<PathBuf>,
}

/// Assembles `args.file`, validates the result like any loaded program, and writes it.
pub fn main(args: Args) -> Result<ExitCode, CliError> {
    let loaded = input::load(&args.file)?;
    let bytes = ferrobpf_vm::encode_program(&loaded.insns);
    match args.output {
        Some(path) => {
            std::fs::write(&path, &bytes).map_err(|source| CliError::Io { path, source })?
        }
        None => std::io::stdout()
            .write_all(&bytes)
            .map_err(CliError::Output)?,
    }
    Ok(ExitCode::SUCCESS)
}
