//! `ferrobpf run FILE [--mem HEX | --mem-file BIN] [--engine E] [--budget N]
//! [--verify [--type T]]`: run a program over input memory (r1 = its address,
//! r2 = its length) and print r0; with `--verify`, only once the verifier
//! accepted it.

use super::{engines, input, print_line, verify, CliError};
use ferrobpf::embed::{run_elf as run_elf_request, EngineKind, RunRequest};
use ferrobpf_conformance::engine::RunOptions;
use ferrobpf_conformance::hex;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `ferrobpf run`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Raw bytecode, assembler text or an ELF object (first program section, else `.text`).
    file: PathBuf,
    /// Input memory as hex bytes (`"aa bb cc"` or `aabbcc`).
    #[arg(long, conflicts_with = "mem_file")]
    mem: Option<String>,
    /// Input memory read from a file.
    #[arg(long)]
    mem_file: Option<PathBuf>,
    /// The engine that runs the program.
    #[arg(long, default_value = "interp")]
    engine: String,
    /// Stop with an error after this many instructions.
    #[arg(long)]
    budget: Option<u64>,
    /// ELF objects: run the program of this section or function with its maps, the
    /// context its type needs, and the Linux helpers (the ELF runtime).
    #[arg(long)]
    section: Option<String>,
    /// ELF objects: the packet for an XDP or socket-buffer program (ELF runtime).
    #[arg(long)]
    packet: Option<PathBuf>,
    /// ELF objects: print every map after the runs (ELF runtime).
    #[arg(long)]
    dump_maps: bool,
    /// ELF objects: run this many times, maps keeping their contents (ELF runtime).
    #[arg(long)]
    repeat: Option<u32>,
    /// Verify the program first (as an untrusted one) and refuse to run it when
    /// the verifier rejects it (exit 1, as `ferrobpf verify`).
    #[arg(long)]
    verify: bool,
    /// With --verify: the program type (xdp, socket_filter, sched_cls, ...,
    /// `memory:SIZE`, or `memory` for the run's memory); default: from the ELF
    /// section name, else `memory` (r1 = the run's memory, r2 = its length).
    #[arg(long = "type", requires = "verify")]
    prog_type: Option<String>,
    /// With --verify: verify as the kernel does for root (pointer arithmetic
    /// exposing addresses and uninitialised stack reads allowed).
    #[arg(long, requires = "verify")]
    privileged: bool,
}

impl Args {
    /// Whether an option of the ELF runtime was given.
    fn wants_elf_runtime(&self) -> bool {
        self.section.is_some() || self.packet.is_some() || self.dump_maps || self.repeat.is_some()
    }
}

/// Runs the program once and prints r0 in hex; a run-time error exits 1.
pub fn main(args: Args) -> Result<ExitCode, CliError> {
    if args.wants_elf_runtime() {
        return run_elf(&args);
    }
    let engine = engines::select(&args.engine)?;
    let memory = match (&args.mem, &args.mem_file) {
        (Some(text), _) => parse_mem(text)?,
        (None, Some(path)) => input::read(path)?,
        (None, None) => Vec::new(),
    };
    if args.verify {
        let forced = verify::forced_type(args.prog_type.as_ref(), Some(memory.len()))?;
        let rejected =
            verify::check_first(&args.file, forced.as_ref(), memory.len(), args.privileged)?;
        if let Some(rejected) = rejected {
            eprintln!("error: {rejected}");
            return Ok(ExitCode::FAILURE);
        }
    }
    let loaded = input::load(&args.file)?;
    let options = RunOptions {
        budget: args.budget,
    };
    let code = ferrobpf_vm::encode_program(&loaded.insns);
    match engine.run(&code, &memory, &options) {
        Ok(done) => {
            print_line(&format!("{:#x}", done.r0))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(failure) => {
            eprintln!("error: {failure}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Runs an ELF object's program with its maps and context (`ferrobpf::embed`).
fn run_elf(args: &Args) -> Result<ExitCode, CliError> {
    let bytes = input::read(&args.file)?;
    if input::kind_of(&bytes) != input::Kind::Elf {
        return Err(CliError::NotElf {
            path: args.file.clone(),
        });
    }
    let engine = match args.engine.as_str() {
        "interp" => EngineKind::Interpreter,
        "jit" | "jit-checked" => EngineKind::Jit,
        other => {
            return Err(CliError::UnknownEngine {
                name: other.to_string(),
                known: "interp, jit".to_string(),
            })
        }
    };
    let memory = match (&args.mem, &args.mem_file) {
        (Some(text), _) => Some(parse_mem(text)?),
        (None, Some(path)) => Some(input::read(path)?),
        (None, None) => None,
    };
    let verify_type = verify::forced_type(args.prog_type.as_ref(), memory.as_ref().map(Vec::len))?;
    let packet = args.packet.as_deref().map(input::read).transpose()?;
    let request = RunRequest {
        section: args.section.clone(),
        packet,
        memory,
        repeat: args.repeat.unwrap_or(1),
        engine,
        budget: args.budget,
        dump_maps: args.dump_maps,
        verify: args.verify,
        verify_type,
        privileged: args.privileged,
    };
    match run_elf_request(&bytes, &request) {
        Ok(text) => {
            print_line(text.trim_end())?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Accepts hex bytes separated by spaces, or one run of hex digits.
fn parse_mem(text: &str) -> Result<Vec<u8>, CliError> {
    // An odd-length run is passed whole, so the hex parser names it as malformed.
    let spaced = if text.contains(char::is_whitespace) || !text.len().is_multiple_of(2) {
        text.to_string()
    } else {
        text.as_bytes()
            .chunks(2)
            .map(|pair| String::from_utf8_lossy(pair).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    };
    hex::parse_bytes(&spaced).map_err(CliError::Hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mem_forms() {
        assert_eq!(parse_mem("aa bb 01").unwrap(), vec![0xaa, 0xbb, 1]);
        assert_eq!(parse_mem("aabb01").unwrap(), vec![0xaa, 0xbb, 1]);
        assert!(parse_mem("zz").is_err());
        assert!(parse_mem("abc").is_err());
    }
}
