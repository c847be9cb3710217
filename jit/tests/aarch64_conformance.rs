//! The conformance suite through the runner on the `jit-aarch64` engine (code
//! executed natively on an AArch64 host, under emulation elsewhere): the shared
//! bpf_conformance data and the project's own tests in conformance/tests must all
//! pass.

use ferrobpf_conformance::engine::Engine;
use ferrobpf_conformance::jit_aarch64::JitAarch64Engine;
use ferrobpf_conformance::runner::{run_paths, RunnerOptions};
use std::path::{Path, PathBuf};

fn run(engine: &dyn Engine, dir: PathBuf) -> usize {
    let summary = run_paths(
        engine,
        std::slice::from_ref(&dir),
        &RunnerOptions::default(),
    );
    let failures: Vec<String> = summary
        .failures()
        .map(|r| format!("{}: {:?}", r.name, r.verdict))
        .collect();
    println!("{}: {}", dir.display(), summary.totals());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    summary.passed()
}

#[test]
fn conformance_suites_pass() {
    let engine = JitAarch64Engine::new();
    assert_eq!(engine.unavailable(), None);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(run(&engine, root.join("../conformance/tests")) > 0);
    let shared = root.join("../../shared/conformance/bpf_conformance");
    if shared.is_dir() {
        assert!(run(&engine, shared) > 0);
    } else {
        println!("skipped: ../shared not found");
    }
}
