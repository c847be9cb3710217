//! `ferrobpf bench FILE... --mem-file BIN [--engine interp,jit,jit-checked,kernel]
//! [--repeat N] [--rounds R]`: time programs on several engines side by side, one line
//! per (file, engine) with ns/run and the result.
//!
//! Rounds are interleaved across engines (round 1 on every engine, then round 2, ...)
//! and the best round counts, so a noisy moment of the machine hits all engines alike.
//! In-process engines reuse one copy of the memory for all runs of a round, as the
//! native harness does; the kernel engine times `BPF_PROG_TEST_RUN` with `repeat` and
//! reports the kernel's own average.

use super::{input, print_line, CliError};
use ferrobpf::verified::VerifiedJit;
use ferrobpf_conformance::kernel::KernelEngine;
use ferrobpf_jit::{JitConfig, JitProgram};
use ferrobpf_vm::helpers::HelperRegistry;
use ferrobpf_vm::interp::{Config, Vm};
use ferrobpf_vm::program::Program;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Arguments of `ferrobpf bench`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Programs (raw bytecode, assembler text or ELF objects).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Input memory (r1 = its address, r2 = its length).
    #[arg(long)]
    mem_file: PathBuf,
    /// Comma-separated engines: interp, jit (verified mode, checks kept),
    /// jit-verified (the verifier, then no bounds checks), jit-checked, kernel.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "interp,jit,jit-verified,jit-checked,kernel"
    )]
    engine: Vec<String>,
    /// Runs per round.
    #[arg(long, default_value_t = 200)]
    repeat: u32,
    /// Rounds; the best counts.
    #[arg(long, default_value_t = 5)]
    rounds: u32,
}

/// One engine, ready to time one program.
enum Timer {
    Interp(Vm, Box<Program>),
    Jit(JitProgram),
    Verified(VerifiedJit),
    Kernel(KernelEngine, Vec<u8>),
}

/// What a round measured: r0 of the last run and nanoseconds per run.
type Measure = Result<(u64, f64), String>;

impl Timer {
    fn new(name: &str, program: &Program, mem_len: usize) -> Result<Timer, String> {
        let jit = |config: JitConfig| {
            JitProgram::compile(program, &config)
                .map(Timer::Jit)
                .map_err(|e| e.to_string())
        };
        match name {
            "interp" => Ok(Timer::Interp(
                Vm::new(Config::default()),
                Box::new(program.clone()),
            )),
            "jit" => jit(JitConfig::verified()),
            "jit-verified" => VerifiedJit::compile(program, mem_len, &HelperRegistry::new())
                .map(Timer::Verified)
                .map_err(|e| e.to_string()),
            "jit-checked" => jit(JitConfig::checked()),
            "kernel" => {
                let engine = KernelEngine::new();
                match ferrobpf_conformance::engine::Engine::unavailable(&engine) {
                    Some(reason) => Err(format!("skipped: {reason}")),
                    None => Ok(Timer::Kernel(
                        engine,
                        ferrobpf_vm::encode_program(program.insns()),
                    )),
                }
            }
            other => Err(format!("unknown engine `{other}`")),
        }
    }

    fn round(&self, memory: &[u8], repeat: u32) -> Measure {
        let repeat = repeat.max(1);
        let helpers = HelperRegistry::new();
        let mut mem = memory.to_vec();
        let mut time = |run: &mut dyn FnMut(&mut [u8]) -> Result<u64, String>| {
            let start = Instant::now();
            let mut r0 = 0;
            for _ in 0..repeat {
                r0 = run(&mut mem)?;
            }
            Ok((r0, start.elapsed().as_nanos() as f64 / f64::from(repeat)))
        };
        match self {
            Timer::Interp(vm, program) => {
                time(&mut |m| vm.run(program, m).map_err(|e| e.to_string()))
            }
            Timer::Jit(code) => time(&mut |m| code.run(&helpers, m).map_err(|e| e.to_string())),
            Timer::Verified(code) => {
                time(&mut |m| code.run(&helpers, m).map_err(|e| e.to_string()))
            }
            Timer::Kernel(engine, bytes) => engine
                .time(bytes, memory, repeat)
                .map(|(done, ns)| (done.r0, f64::from(ns)))
                .map_err(|e| e.to_string()),
        }
    }
}

/// Times every (file, engine) pair and prints one line each.
pub fn main(args: Args) -> Result<ExitCode, CliError> {
    let memory = input::read(&args.mem_file)?;
    let mut any_failed = false;
    for file in &args.files {
        let loaded = input::load(file)?;
        let program = Program::from_insns(loaded.insns)?;
        let timers: Vec<(String, Result<Timer, String>)> = args
            .engine
            .iter()
            .map(|name| (name.clone(), Timer::new(name, &program, memory.len())))
            .collect();
        let mut best: Vec<Measure> = vec![Err("no round ran".into()); timers.len()];
        for _ in 0..args.rounds.max(1) {
            for ((_, timer), best) in timers.iter().zip(best.iter_mut()) {
                let Ok(timer) = timer else { continue };
                let measured = timer.round(&memory, args.repeat);
                *best = match (best.clone(), measured) {
                    (Ok((_, old)), Ok((r0, ns))) => Ok((r0, old.min(ns))),
                    (_, now) => now,
                };
            }
        }
        for ((name, timer), best) in timers.iter().zip(best) {
            let line = match timer.as_ref().map_err(Clone::clone).and(best) {
                Ok((r0, ns)) => format!(
                    "{} {name:<12} ns/run={ns:.0} result={r0:#x}",
                    file.display()
                ),
                Err(e) => {
                    any_failed |= !e.starts_with("skipped:");
                    format!("{} {name:<12} {e}", file.display())
                }
            };
            print_line(&line)?;
        }
    }
    Ok(if any_failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
