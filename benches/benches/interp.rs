//! The interpreter on the shared workloads. Throughput is in executed instructions,
//! so criterion's `thrpt` line reads as instructions per second.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ferrobpf_benches::{fill_buffer, WORKLOADS};
use ferrobpf_vm::interp::{Config, Vm};
use std::hint::black_box;

fn interp(c: &mut Criterion) {
    let vm = Vm::new(Config::default());
    let mut group = c.benchmark_group("interp");
    for w in WORKLOADS {
        let Ok(program) = w.program() else {
            continue;
        };
        let mut buf = fill_buffer();
        let Ok(outcome) = vm.run_counted(&program, &mut buf) else {
            continue;
        };
        group.throughput(Throughput::Elements(outcome.instructions));
        group.bench_function(w.name, |b| {
            b.iter(|| vm.run(black_box(&program), black_box(&mut buf)))
        });
    }
    group.finish();
}

criterion_group!(benches, interp);
criterion_main!(benches);
