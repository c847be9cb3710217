//! Caps on the verifier's own resources (issue 7, limits under hostile programs):
//! pathological programs are refused with [`Reason::Limit`] naming the cap, instead of
//! taking gigabytes. The programs of `fuzz/regressions/verifier_limits/` and smaller
//! ones of the same shapes; small caps keep the tests fast.

use ferrobpf_verifier::{verify, Config, Limit, ProgType, Reason, Rejection};
use ferrobpf_vm::asm::assemble;
use ferrobpf_vm::Insn;
use std::fmt::Write;
use std::path::Path;

/// 64 bytes of memory in r1 (the regression programs were written for the fuzzing
/// context, whose first field points to such memory).
fn config() -> Config {
    Config::new(ProgType::Memory { size: 64 })
}

fn regression(name: &str) -> Vec<Insn> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/regressions/verifier_limits")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let text = text.replacen("ldxdw %r9, [%r1+0]", "mov %r9, %r1", 1);
    assemble(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// One branch on a fresh unknown number; both sides meet again.
const BRANCH: &str = "ldxdw %r3, [%r9+0]\njeq %r3, 0, +1\nmov %r4, 1\n";

/// `n` branches in a row: no path ends before all of them were taken, so `n`
/// paths wait at once (each one is pruned where it meets the first path).
fn branches(n: usize) -> Vec<Insn> {
    let mut text = String::from("mov %r9, %r1\nmov %r0, 0\n");
    text.push_str(&BRANCH.repeat(n));
    text.push_str("exit\n");
    assemble(&text).unwrap()
}

/// Like [`branches`], at the bottom of `calls` nested calls, each frame's 64 bytes
/// of stack holding numbers (the combined stack is the kernel's 512 bytes).
fn deep_branches(calls: usize, n: usize) -> Vec<Insn> {
    let mut text = String::from("call f1\nexit\n");
    for level in 1..=calls {
        let _ = writeln!(text, "f{level}:\nmov %r9, %r1");
        for k in 1..=8 {
            let _ = writeln!(text, "stdw [%r10-{}], {k}", 8 * k);
        }
        if level < calls {
            let _ = writeln!(text, "mov %r1, %r9\ncall f{}\nexit", level + 1);
        }
    }
    text.push_str("mov %r0, 0\n");
    text.push_str(&BRANCH.repeat(n));
    text.push_str("ldxdw %r3, [%r10-8]\nadd %r0, %r3\nexit\n");
    let text = text.replace("call f", "call local f");
    assemble(&text).unwrap()
}

fn rejection(insns: &[Insn], config: &Config) -> Box<Rejection> {
    verify(insns, &[], config).expect_err("pathological program accepted")
}

fn assert_limit(r: &Rejection, limit: Limit, max: usize, len: usize) {
    assert_eq!(r.reason, Reason::Limit { limit, max }, "{r}");
    assert!(r.pc < len, "{r}");
}

#[test]
fn pending_branches_are_capped_like_the_kernel() {
    // The kernel's limit, with the default settings.
    let insns = branches(8_200);
    let r = rejection(&insns, &config());
    assert_limit(&r, Limit::PendingBranches, 8_192, insns.len());
    assert_eq!(r.stats.peak_pending, 8_192);
    // Fewer branches than the cap verify.
    let insns = branches(300);
    let mut small = config();
    small.max_pending = 300;
    verify(&insns, &[], &small).unwrap();
    small.max_pending = 299;
    assert_limit(
        &rejection(&insns, &small),
        Limit::PendingBranches,
        299,
        insns.len(),
    );
}

#[test]
fn memory_of_pending_paths_is_capped() {
    let insns = deep_branches(7, 400);
    let mut cfg = config();
    let ok = verify(&insns, &[], &cfg).unwrap();
    // 400 waiting paths of 8 frames: several MiB.
    assert!(ok.stats.peak_memory > 4 << 20, "{:?}", ok.stats);
    cfg.max_memory = 2 << 20;
    let r = rejection(&insns, &cfg);
    assert_limit(&r, Limit::MemoryBytes, 2 << 20, insns.len());
    assert!(r.stats.peak_memory > 2 << 20);
    assert!(r.stats.peak_memory < 3 << 20, "{:?}", r.stats);
}

#[test]
fn stored_states_are_capped() {
    let insns = branches(200);
    let mut cfg = config();
    let ok = verify(&insns, &[], &cfg).unwrap();
    assert!(ok.stats.peak_states > 20, "{:?}", ok.stats);
    cfg.max_states = 20;
    assert_limit(
        &rejection(&insns, &cfg),
        Limit::StoredStates,
        20,
        insns.len(),
    );
}

#[test]
fn nested_loops_around_a_branch_give_up_within_the_caps() {
    // Three nested counted loops of 100 around one branch, the whole stack live:
    // 2 GB before the caps. Both passes share the budget of processed instructions
    // (kept small here); the widening pass runs into the cap on pending paths.
    let insns = regression("loop-3.asm");
    let mut cfg = config();
    cfg.max_insns = 50_000;
    cfg.max_pending = 500;
    let r = rejection(&insns, &cfg);
    assert_limit(&r, Limit::PendingBranches, 500, insns.len());
    // Or into the memory budget, when that is the smaller.
    cfg.max_pending = 8_192;
    cfg.max_memory = 8 << 20;
    let r = rejection(&insns, &cfg);
    assert_limit(&r, Limit::MemoryBytes, 8 << 20, insns.len());
}

#[test]
fn the_log_is_cut_at_its_cap() {
    let insns = branches(50);
    let mut cfg = config();
    cfg.log_level = 2;
    let full = verify(&insns, &[], &cfg).unwrap().log;
    cfg.max_log_bytes = 1_000;
    let cut = verify(&insns, &[], &cfg).unwrap().log;
    assert!(full.len() > 10_000);
    assert!(cut.len() < 2_000 + 100, "{}", cut.len());
    assert!(cut.contains("(log cut at 1000 bytes)"));
}
