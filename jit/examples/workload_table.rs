//! Prints ns/run (minimum over interleaved rounds) of the three shared workloads in
//! the interpreter and the JIT, for comparison with `kern_bench` and `native_bench`
//! of ../shared/bench. Pin it to one CPU: `taskset -c 1 cargo run --release -p
//! ferrobpf-jit --example workload_table`.

use ferrobpf_jit::{JitConfig, JitProgram};
use ferrobpf_vm::helpers::HelperRegistry;
use ferrobpf_vm::interp::{Config, Vm};
use std::time::Instant;

// Only the workloads and their buffer are used here.
#[allow(dead_code)]
#[path = "../../benches/src/lib.rs"]
mod workloads;

use workloads::{fill_buffer, WORKLOADS};

/// Minimum ns per call of `f` over `rounds` rounds of `reps` calls.
fn time(rounds: usize, reps: usize, mut f: impl FnMut() -> u64) -> (f64, u64) {
    let mut best = f64::MAX;
    let mut result = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..reps {
            result = std::hint::black_box(f());
        }
        best = best.min(t.elapsed().as_nanos() as f64 / reps as f64);
    }
    (best, result)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let helpers = HelperRegistry::new();
    let budget = JitConfig::checked().with_budget(Some(u64::MAX));
    // SAFETY: the workloads index their 64 KiB buffer within bounds (the Linux
    // verifier accepts them for it: benches/compare.sh), and they run on that buffer.
    let unchecked = unsafe { JitConfig::verified_unchecked() };
    let engines = [
        ("jit-unchecked", unchecked),
        ("jit-verified", JitConfig::verified()),
        ("jit-checked", JitConfig::checked()),
        ("jit-checked+budget", budget),
    ];
    for w in WORKLOADS {
        let name = w.name;
        let program = w.program()?;
        let mut buf = fill_buffer();
        let vm = Vm::new(Config::default());
        let (ns, r) = time(5, 20, || vm.run(&program, &mut buf).unwrap_or(0));
        println!("{name:6} interp              {ns:>12.0} ns/run  result={r:#x}");
        for (engine, config) in engines {
            let jit = JitProgram::compile(&program, &config)?;
            let (ns, r) = time(5, 500, || jit.run(&helpers, &mut buf).unwrap_or(0));
            println!("{name:6} {engine:19} {ns:>12.0} ns/run  result={r:#x}");
            if r != w.expected {
                return Err(format!("{name} {engine}: want {:#x}", w.expected).into());
            }
        }
    }
    Ok(())
}
