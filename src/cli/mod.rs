//! Command-line parsing and dispatch. Each subcommand lives in its own module.

mod asm;
mod bench;
mod conformance;
mod disasm;
mod engines;
mod error;
mod input;
mod plugin;
mod run;
mod verified_engine;
mod verify;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

pub use error::CliError;

/// ferrobpf: a portable, embeddable eBPF runtime.
#[derive(Parser, Debug)]
#[command(name = "ferrobpf", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run bpf_conformance `.data` tests (files or directories) on an engine.
    Conformance(conformance::Args),
    /// Assemble text (bpf_conformance syntax) into raw bytecode.
    Asm(asm::Args),
    /// Disassemble a program (raw bytecode, assembler text or ELF object).
    Disasm(disasm::Args),
    /// Run a program and print r0.
    Run(run::Args),
    /// Verify every program of a file (ELF object, bytecode or assembler text).
    Verify(verify::Args),
    /// Time programs on several engines side by side (ns/run and result).
    Bench(bench::Args),
    /// Speak the bpf_conformance plugin protocol (memory hex in argv, program hex on stdin).
    Plugin(plugin::Args),
}

/// Writes `text` and a newline to stdout; a closed pipe is an error, not a panic.
fn print_line(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    writeln!(std::io::stdout().lock(), "{text}").map_err(CliError::Output)
}

/// Runs the parsed command; `Err` is printed as one line by `main`.
pub fn dispatch(cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::Conformance(args) => conformance::main(args),
        Command::Asm(args) => asm::main(args),
        Command::Disasm(args) => disasm::main(args),
        Command::Run(args) => run::main(args),
        Command::Plugin(args) => plugin::main(args),
        Command::Bench(args) => bench::main(args),
        Command::Verify(args) => verify::main(args),
    }
}
