//! The three shared workloads (../shared/bench) through the interpreter and the JIT in
//! verified and checked mode, and compile time per instruction.
//!
//! The bytecode in `benches/workloads/*.bin` was built from `../shared/bench/mem_entry.c`
//! with `clang -O2 -target bpf -mcpu=v3 -fno-builtin -DWORKLOAD=k_<name>` and
//! `llvm-objcopy -O binary --only-section=.text`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ferrobpf_jit::{JitConfig, JitProgram};
use ferrobpf_vm::helpers::HelperRegistry;
use ferrobpf_vm::insn::Insn;
use ferrobpf_vm::interp::{Config, Vm};
use ferrobpf_vm::isa::Op;
use ferrobpf_vm::program::Program;
use std::hint::black_box;

const BUF_SIZE: usize = 65536;

/// The workloads and the results every engine must return.
const WORKLOADS: [(&str, &[u8], u64); 3] = [
    (
        "arith",
        include_bytes!("workloads/arith.bin"),
        0x8b42_6b26_a848_c555,
    ),
    ("fnv", include_bytes!("workloads/fnv.bin"), 0x69a2_07b5),
    ("sieve", include_bytes!("workloads/sieve.bin"), 0x404),
];

/// The deterministic buffer of `common.h` (LCG seeded with 12345).
fn fill() -> Vec<u8> {
    let mut s: u32 = 12345;
    (0..BUF_SIZE)
        .map(|_| {
            s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (s >> 16) as u8
        })
        .collect()
}

fn modes() -> [(&'static str, JitConfig); 2] {
    [
        ("verified", JitConfig::verified()),
        ("checked", JitConfig::checked()),
    ]
}

fn run(c: &mut Criterion) {
    let helpers = HelperRegistry::new();
    for (name, bytes, want) in WORKLOADS {
        let program = Program::from_bytes(bytes).expect("workload loads");
        let vm = Vm::new(Config::default());
        let mut buf = fill();
        assert_eq!(vm.run(&program, &mut buf), Ok(want));
        c.bench_function(&format!("interp/{name}"), |b| {
            b.iter(|| vm.run(black_box(&program), black_box(&mut buf)))
        });
        for (mode, config) in modes() {
            let jit = JitProgram::compile(&program, &config).expect("compiles");
            let mut buf = fill();
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
    for (name, bytes, _) in WORKLOADS {
        let program = Program::from_bytes(bytes).expect("workload loads");
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
