//! `ferrobpf plugin [--engine E] [MEMORY_HEX] [--elf]`: the bpf_conformance plugin
//! protocol, so the upstream runner can test ferrobpf unchanged.

use super::{engines, CliError};
use ferrobpf_conformance::plugin::run_plugin;
use std::io::{Read, Write};
use std::process::ExitCode;

/// Arguments of `ferrobpf plugin`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The engine that runs the program.
    #[arg(long, default_value = "interp")]
    engine: String,
    /// The upstream runner's arguments: the memory as hex bytes, plugin options.
    #[arg(allow_hyphen_values = true, trailing_var_arg = true)]
    rest: Vec<String>,
}

/// Reads the program hex from stdin, runs it and prints r0 in hex.
pub fn main(args: Args) -> Result<ExitCode, CliError> {
    let engine = engines::select(&args.engine)?;
    let mut stdin = String::new();
    std::io::stdin()
        .read_to_string(&mut stdin)
        .map_err(CliError::Stdin)?;
    let reply = run_plugin(engine.as_ref(), &args.rest, &stdin);
    std::io::stdout()
        .write_all(reply.stdout.as_bytes())
        .map_err(CliError::Output)?;
    Ok(ExitCode::from(u8::try_from(reply.exit_code).unwrap_or(1)))
}
