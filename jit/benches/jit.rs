//! The three shared workloads (../shared/bench) through the interpreter and the JIT in
//! verified and checked mode, and compile time per instruction.
//!
//! The workloads, their buffer and their results come from the root benches crate
//! (`benches/src/lib.rs`, bytecode in `benches/workloads`, built by its `build.sh`).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ferrobpf_jit::{JitConfig, JitProgram};
use ferrobpf_vm::helpers::HelperRegistry;
use ferrobpf_vm::insn::Insn;
use ferrobpf_vm::interp::{Config, Vm};
use ferrobpf_vm::isa::Op;
use ferrobpf_vm::program::Program;
use std::hint::black_box;

#[path = "../../benches/src/lib.rs"]
mod workloads;

use workloads::{fill_buffer, WORKLOADS};

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

/// A large program of typical instructions (arithmetic, loads, stores, forward
/// branches), for compile time per instruction without the fixed costs dominating.
fn large_program(blocks: usize) -> Program {
    let mut insns = vec![
        Insn::new(Op::Mov64Imm, 0, 0, 0, 0),
        Insn::new(Op::Mov64Imm, 3, 0, 0, 1),
    ];
    for i in 0..blocks as i64 {
        insns.extend([
            Insn::new(Op::LdxB, 4, 1, (i % 60) as i16, 0),
            Insn::new(Op::Xor32Reg, 0, 4, 0, 0),
            Insn::new(Op::Mul32Imm, 0, 0, 0, 16_777_619),
            Insn::new(Op::Add64Imm, 3, 0, 0, i),
            Insn::new(Op::Lsh64Imm, 3, 0, 0, 3),
            Insn::new(Op::StxDw, 10, 3, -8, 0),
            Insn::new(Op::JgtImm, 3, 0, 1, 1000),
            Insn::new(Op::Sub64Reg, 3, 0, 0, 0),
        ]);
    }
    insns.push(Insn::new(Op::Exit, 0, 0, 0, 0));
    Program::from_insns(insns).expect("synthetic program loads")
}

fn compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    let large = large_program(8192);
    group.throughput(Throughput::Elements(large.len() as u64));
    for (mode, config) in modes() {
        group.bench_function(format!("{mode}/large-{}", large.len()), |b| {
            b.iter(|| JitProgram::compile(black_box(&large), &config))
        });
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
