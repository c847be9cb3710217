//! The conformance suite through the runner on the host's JIT engines, checked and
//! verified: the project's own tests in conformance/tests and the shared
//! bpf_conformance data must all pass.

use ferrobpf_conformance::engine::Engine;
use ferrobpf_conformance::jit::JitEngine;
use ferrobpf_conformance::runner::{run_paths, RunnerOptions};
use ferrobpf_jit::Mode;
use std::path::Path;

#[test]
fn conformance_suites_pass_in_both_modes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("../conformance/tests")];
    let shared = root.join("../../shared/conformance/bpf_conformance");
    if shared.is_dir() {
        dirs.push(shared);
    } else {
        println!("skipped: ../shared not found");
    }
    let mut failures: Vec<String> = Vec::new();
    for mode in [Mode::Checked, Mode::Verified] {
        let engine = JitEngine::new(mode);
        assert_eq!(engine.unavailable(), None);
        for dir in &dirs {
            let summary = run_paths(
                &engine,
                std::slice::from_ref(dir),
                &RunnerOptions::default(),
            );
            println!("{} {}: {}", engine.name(), dir.display(), summary.totals());
            assert!(summary.passed() > 0, "nothing ran in {}", dir.display());
            let name = engine.name();
            failures.extend(
                summary
                    .failures()
                    .map(|r| format!("{name} {}: {:?}", r.name, r.verdict)),
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
