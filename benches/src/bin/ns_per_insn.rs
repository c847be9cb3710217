//! Quick timing of the interpreter on the shared workloads: for each, the best of
//! several timed runs, the executed instruction count and ns per instruction.
//! Run with `cargo run --release -p ferrobpf-benches --bin ns_per_insn [runs]`.

use ferrobpf_benches::{fill_buffer, WORKLOADS};
use ferrobpf_vm::interp::{Config, Vm};
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let runs: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let vm = Vm::new(Config::default());
    for w in WORKLOADS {
        let program = match w.program() {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{}: {e}", w.name);
                return ExitCode::FAILURE;
            }
        };
        let mut buf = fill_buffer();
        let mut best = f64::INFINITY;
        let mut count = 0;
        for _ in 0..runs.max(1) {
            let start = Instant::now();
            let out = vm.run_counted(&program, &mut buf);
            let ns = start.elapsed().as_nanos() as f64;
            match out {
                Ok(o) if o.value == w.expected => count = o.instructions,
                Ok(o) => {
                    eprintln!("{}: got {:#x}, want {:#x}", w.name, o.value, w.expected);
                    return ExitCode::FAILURE;
                }
                Err(e) => {
                    eprintln!("{}: {e}", w.name);
                    return ExitCode::FAILURE;
                }
            }
            best = best.min(ns);
        }
        println!(
            "{:6} {:>12.0} ns/run {:>9} insns {:>6.2} ns/insn",
            w.name,
            best,
            count,
            best / count as f64
        );
    }
    ExitCode::SUCCESS
}
