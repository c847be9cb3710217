//! Peak memory of the verifier on pathological programs (issue 7, limits):
//!
//! ```text
//! cargo run --release --example verifier_memory -- SHAPE N [--trace]
//! ```
//!
//! Shapes (N sets the size):
//! - `diamonds`: the whole 512-byte stack written, then N branches on unknown bits,
//!   each adding a different constant to r6, so no two paths' states are equal and
//!   nothing prunes; at the end every stack slot is read (all live);
//! - `deep`: the same diamonds at the bottom of a chain of 7 calls, each frame's whole
//!   stack written first (8 frames of stored stack per state);
//! - `loop`: the whole stack written, then N nested counted loops of 100 iterations
//!   around a diamond;
//! - `deeploop`: those loops at the bottom of the chain of 7 calls;
//! - `ladder`: the whole stack written, then N branches each on a fresh unknown
//!   number, one side counting in r6 (read at the end), so paths that meet again
//!   differ and nothing prunes: the pending paths grow by one per branch and each
//!   one explores the rest again (quadratic work);
//! - `deepladder`: the ladder at the bottom of the chain of 7 calls.
//!
//! `--trace` also records per-instruction states (the soundness mode); `--no-widen`
//! stops after the kernel-style pass (no loop widening); `--asm` prints the program
//! instead. One shape per process: the peak resident size (`VmHWM`) is
//! the process's.

use ferrobpf_fuzz::cases::verifier_config;
use ferrobpf_verifier::verify;
use ferrobpf_verifier::verify::KERNEL_INSN_BUDGET;
use ferrobpf_vm::assemble;
use std::fmt::Write;
use std::time::Instant;

/// Whole-stack stores, in 8-byte slots.
const SLOTS: i64 = 64;

fn fill_stack(text: &mut String) {
    for k in 1..=SLOTS {
        let _ = writeln!(text, "stdw [%r10-{}], {k}", 8 * k);
    }
}

fn diamonds(text: &mut String, n: u32) {
    text.push_str("ldxdw %r2, [%r9+0]\nmov %r6, 0\n");
    for i in 0..n {
        let _ = writeln!(text, "jset %r2, {}, +1", 1u64 << (i % 31));
        let _ = writeln!(text, "add %r6, {}", 3 * i + 1);
    }
    for k in 1..=SLOTS {
        let _ = writeln!(text, "ldxdw %r7, [%r10-{}]\nadd %r6, %r7", 8 * k);
    }
    text.push_str("mov %r0, %r6\n");
}

/// N nested counted loops of 100 iterations around a diamond, every stack slot read
/// at the end.
fn loops(text: &mut String, n: u32) {
    const COUNTERS: [u8; 4] = [3, 4, 5, 8];
    text.push_str("ldxdw %r2, [%r9+0]\nmov %r6, 0\n");
    for i in 0..n {
        let r = COUNTERS[i as usize % COUNTERS.len()];
        let _ = writeln!(text, "mov %r{r}, 100\nl{i}:");
    }
    text.push_str("jset %r2, 1, +1\nadd %r6, 1\n");
    for i in (0..n).rev() {
        let r = COUNTERS[i as usize % COUNTERS.len()];
        let _ = writeln!(text, "sub %r{r}, 1\njne %r{r}, 0, l{i}");
    }
    for k in 1..=SLOTS {
        let _ = writeln!(text, "ldxdw %r7, [%r10-{}]\nadd %r6, %r7", 8 * k);
    }
    text.push_str("mov %r0, %r6\n");
}

fn ladder(text: &mut String, n: u32) {
    text.push_str("mov %r6, 0\n");
    for _ in 0..n {
        text.push_str("ldxdw %r2, [%r9+0]\njeq %r2, 0, +1\nadd %r6, 1\n");
    }
    for k in 1..=SLOTS {
        let _ = writeln!(text, "ldxdw %r7, [%r10-{}]\nadd %r6, %r7", 8 * k);
    }
    text.push_str("mov %r0, %r6\n");
}

fn program(shape: &str, n: u32) -> String {
    let mut text = String::from("ldxdw %r9, [%r1+0]\n");
    match shape {
        "diamonds" => {
            fill_stack(&mut text);
            diamonds(&mut text, n);
            text.push_str("exit\n");
        }
        "deep" | "deeploop" | "deepladder" => {
            let bottom = match shape {
                "deep" => diamonds,
                "deeploop" => loops,
                _ => ladder,
            };
            text.push_str("mov %r1, %r9\ncall local f1\nexit\n");
            for level in 1..=7 {
                let _ = writeln!(text, "f{level}:\nmov %r9, %r1");
                fill_stack(&mut text);
                if level < 7 {
                    let _ = writeln!(text, "mov %r1, %r9\ncall local f{}\nexit", level + 1);
                } else {
                    bottom(&mut text, n);
                    text.push_str("exit\n");
                }
            }
        }
        "loop" | "ladder" => {
            fill_stack(&mut text);
            if shape == "loop" {
                loops(&mut text, n);
            } else {
                ladder(&mut text, n);
            }
            text.push_str("exit\n");
        }
        other => panic!("unknown shape {other}"),
    }
    text
}

/// The process's peak resident set size, from /proc/self/status.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let shape = args.get(1).map(String::as_str).unwrap_or("diamonds");
    let n: u32 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(20);
    let trace = args.iter().any(|a| a == "--trace");
    let text = program(shape, n);
    if args.iter().any(|a| a == "--asm") {
        print!("{text}");
        return;
    }
    let insns = assemble(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut config = verifier_config();
    config.max_insns = KERNEL_INSN_BUDGET;
    config.record_states = trace;
    config.widen_loops = !args.iter().any(|a| a == "--no-widen");
    let before = peak_rss_kib();
    let start = Instant::now();
    let verdict = verify(&insns, &[], &config);
    let time = start.elapsed();
    let (verdict, stats) = match &verdict {
        Ok(r) => ("accepted".to_string(), r.stats.clone()),
        Err(r) => (format!("rejected: {}", r.reason), r.stats.clone()),
    };
    println!(
        "{shape} n={n} trace={trace} slots={}: {verdict}; processed {} insns, stored {} states \
         (peak {}), pruned {}, peak pending {}, peak estimate {} MiB; {:.2?}; \
         peak RSS {} MiB (before: {} MiB)",
        insns.len(),
        stats.insns_processed,
        stats.states_stored,
        stats.peak_states,
        stats.pruned,
        stats.peak_pending,
        stats.peak_memory >> 20,
        time,
        peak_rss_kib() / 1024,
        before / 1024
    );
}
