//! Compile time of the JIT per eBPF instruction, on the small shared workloads and on
//! a large program of random valid instructions, and on `mov r0, 0; exit` (the fixed
//! cost: mapping the code, glue, setup), so that fixed costs and per-instruction
//! costs show separately. Best of several compilations.
//! Run with `cargo run --release -p ferrobpf-benches --bin compile_ns [slots] [runs]
//! [name filter]`; under `chrt -f 50` on a busy machine.

use ferrobpf_benches::{random_program, typical_program, WORKLOADS};
use ferrobpf_jit::{JitConfig, JitProgram};
use ferrobpf_vm::insn::Insn;
use ferrobpf_vm::isa::Op;
use ferrobpf_vm::program::Program;
use std::process::ExitCode;
use std::time::Instant;

/// Best wall time of `runs` compilations of `program` with `config`, in ns, and the
/// size of the code.
fn best(program: &Program, config: &JitConfig, runs: u32) -> Result<(f64, usize), String> {
    let mut best = f64::INFINITY;
    let mut size = 0;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let jit = JitProgram::compile(program, config).map_err(|e| e.to_string())?;
        best = best.min(start.elapsed().as_nanos() as f64);
        size = jit.code().len();
    }
    Ok((best, size))
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let slots: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let runs: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let only = args.next().unwrap_or_default();
    let mut programs = Vec::new();
    for w in WORKLOADS {
        match w.program() {
            Ok(p) => programs.push((w.name.to_string(), p)),
            Err(e) => {
                eprintln!("{}: {e}", w.name);
                return ExitCode::FAILURE;
            }
        }
    }
    for (name, program) in [
        // `mov r0, 0; exit`: the fixed cost of a compilation (mapping, glue, setup).
        (
            "exit-only".to_string(),
            Program::from_insns(vec![
                Insn::new(Op::Mov64Imm, 0, 0, 0, 0),
                Insn::new(Op::Exit, 0, 0, 0, 0),
            ]),
        ),
        (format!("typical-{slots}"), typical_program(slots)),
        (format!("random-{slots}"), random_program(slots, 1)),
    ] {
        match program {
            Ok(p) => programs.push((name, p)),
            Err(e) => {
                eprintln!("{name}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let modes = [
        ("verified", JitConfig::verified()),
        ("checked", JitConfig::checked()),
    ];
    for (name, program) in programs.iter().filter(|(n, _)| n.contains(&only)) {
        for (mode, config) in &modes {
            match best(program, config, runs) {
                Ok((ns, size)) => println!(
                    "{name:14} {mode:8} {:>7} insns {:>12.0} ns {:>8.2} ns/insn {:>6.1} B/insn",
                    program.len(),
                    ns,
                    ns / program.len() as f64,
                    size as f64 / program.len() as f64
                ),
                Err(e) => {
                    eprintln!("{name} {mode}: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    ExitCode::SUCCESS
}
