//! The `interp` engine over the shared bpf_conformance data (when present) and over our
//! own suite: no test may fail.

use ferrobpf_conformance::interp::InterpEngine;
use ferrobpf_conformance::runner::{run_paths, RunnerOptions, Summary};
use std::path::{Path, PathBuf};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(dir: PathBuf) -> Summary {
    let summary = run_paths(&InterpEngine::new(), &[dir], &RunnerOptions::default());
    println!("{summary}");
    summary
}

#[test]
fn shared_bpf_conformance_data() {
    let dir = manifest_dir().join("../../shared/conformance/bpf_conformance");
    if !dir.is_dir() {
        println!("skipped: ../shared not found");
        return;
    }
    let summary = run(dir);
    assert_eq!(summary.failed(), 0, "{summary}");
    assert_eq!(summary.skipped(), 0, "{summary}");
    // 313 tests and 60 negative ones in the vendored copy.
    assert!(summary.passed() >= 373, "{summary}");
}

#[test]
fn our_suite() {
    let summary = run(manifest_dir().join("tests"));
    assert_eq!(summary.failed(), 0, "{summary}");
    assert!(summary.passed() > 0, "{summary}");
}
