//! The three shared workloads (../shared/bench) through the interpreter and the JIT in
//! verified and checked mode, and compile time per instruction.
//!
//! The workloads, their buffer and their results come from the root benches crate
//! (`benches/src/lib.rs`, bytecode in `benches/workloads`, built by its `build.sh`).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ferrobpf_jit::{JitConfig, JitProgram};
use ferrobpf_vm::helpers::HelperRegistry;
use ferrobpf_vm::interp::{Config, Vm};
use std::hint::black_box;

#[path = "../../benches/src/lib.rs"]
mod workloads;

use workloads::{fill_buffer, random_program, typical_program, WORKLOADS};

fn modes() -> [(&'static str, JitConfig); 2] {
    [
        ("verified", JitConfig::verified()),
        ("checked", JitConfig::checked()),
    ]
}

fn run(c: &mut Criterion) {
    let helpers = HelperRegistry::new();
    for w in WORKLOADS {
        let (name, want) = (w.name, w.expected);
        let program = w.program().expect("workload loads");
        let vm = Vm::new(Config::default());
        let mut buf = fill_buffer();
        assert_eq!(vm.run(&program, &mut buf), Ok(want));
        c.bench_function(&format!("interp/{name}"), |b| {
            b.iter(|| vm.run(black_box(&program), black_box(&mut buf)))
        });
        for (mode, config) in modes() {
            let jit = JitProgram::compile(&program, &config).expect("compiles");
            let mut buf = fill_buffer();
            assert_eq!(jit.run(&helpers, &mut buf), Ok(want));
            c.bench_function(&format!("jit-{mode}/{name}"), |b| {
                b.iter(|| jit.run(&helpers, black_box(&mut buf)))
            });
        }
    }
}

fn compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    let large = [
        (
            "typical",
            typical_program(65536).expect("synthetic program loads"),
        ),
        (
            "random",
            random_program(65536, 1).expect("synthetic program loads"),
        ),
    ];
    for (kind, program) in &large {
        group.throughput(Throughput::Elements(program.len() as u64));
        for (mode, config) in modes() {
            group.bench_function(format!("{mode}/{kind}-{}", program.len()), |b| {
                b.iter(|| JitProgram::compile(black_box(program), &config))
            });
        }
    }
    for w in WORKLOADS {
        let name = w.name;
        let program = w.program().expect("workload loads");
        group.throughput(Throughput::Elements(program.len() as u64));
        for (mode, config) in modes() {
            group.bench_function(format!("{mode}/{name}"), |b| {
                b.iter(|| JitProgram::compile(black_box(&program), &config))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, run, compile);
criterion_main!(benches);
