//! Size of the code the x86-64 JIT emits for the largest programs (issue 7, limits):
//! 1,000,000 slots (the loader's limit) of one instruction form, compiled in checked
//! mode with blinding and a budget (the configuration for untrusted programs).
//!
//! ```text
//! cargo run --release --example jit_size -- [alu|store|call|ldabs|jump]
//! ```

use ferrobpf_jit::{JitConfig, JitProgram};
use ferrobpf_vm::decode::MAX_INSNS;
use ferrobpf_vm::insn::Insn;
use ferrobpf_vm::isa::Op;
use ferrobpf_vm::program::Program;
use std::time::Instant;

/// One instruction of the body, by shape.
fn body(shape: &str, i: usize) -> Insn {
    let i = i as i64;
    match shape {
        "alu" => Insn::new(Op::Add64Imm, 0, 0, 0, 0x1234_5678 ^ i),
        "store" => Insn::new(Op::StxDw, 1, 0, (i % 64) as i16, 0),
        "call" => Insn::new(Op::Call, 0, 0, 0, 1),
        "ldabs" => Insn::new(Op::LdAbsW, 0, 0, 0, i % 64),
        "jump" => Insn::new(Op::JeqImm, 0, 0, 0, 0x7654_3210 ^ i),
        other => panic!("unknown shape {other}"),
    }
}

/// Peak resident set size of the process, in MiB.
fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .unwrap_or(0)
        / 1024
}

fn main() {
    let shape = std::env::args().nth(1).unwrap_or_else(|| "alu".into());
    let mut insns = vec![Insn::new(Op::Mov64Imm, 0, 0, 0, 0)];
    insns.extend((1..MAX_INSNS - 1).map(|i| body(&shape, i)));
    insns.push(Insn::new(Op::Exit, 0, 0, 0, 0));
    let program = Program::from_insns(insns).expect("loads");
    let config = JitConfig::checked().with_budget(Some(1_000_000));
    let start = Instant::now();
    let jit = JitProgram::compile(&program, &config).expect("compiles");
    println!(
        "{shape}: {} slots -> {:.1} MiB of code ({:.1} bytes per slot) in {:.2?}; peak RSS {} MiB",
        program.len(),
        jit.code().len() as f64 / (1 << 20) as f64,
        jit.code().len() as f64 / program.len() as f64,
        start.elapsed(),
        peak_rss_mib()
    );
}
