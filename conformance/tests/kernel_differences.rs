//! The kernel engine over our suite (and the shared bpf_conformance data when present):
//! every test the kernel does not pass is listed in KERNEL_DIFFERENCES.md, and every
//! listed test still disagrees.

use ferrobpf_conformance::differences::parse_differences;
use ferrobpf_conformance::engine::Engine;
use ferrobpf_conformance::kernel::{KernelEngine, NO_BPF};
use ferrobpf_conformance::runner::{run_paths, RunnerOptions};
use std::collections::BTreeMap;
use std::path::Path;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn kernel_disagreements_are_exactly_the_listed_ones() {
    let engine = KernelEngine::new();
    if engine.unavailable().is_some() {
        println!("skipped: {NO_BPF}");
        return;
    }
    let text = std::fs::read_to_string(manifest_dir().join("KERNEL_DIFFERENCES.md")).unwrap();
    let listed = parse_differences(&text).unwrap();

    let mut suites = vec![manifest_dir().join("tests")];
    let shared = manifest_dir().join("../../shared/conformance/bpf_conformance");
    if shared.is_dir() {
        suites.push(shared);
    } else {
        println!("skipped: ../shared not found");
    }
    let prefixes: Vec<String> = suites.iter().map(|p| suite_prefix(p)).collect();

    let summary = run_paths(&engine, &suites, &RunnerOptions::default());
    let failures: BTreeMap<&str, String> = summary
        .failures()
        .map(|r| (r.name.as_str(), r.to_string()))
        .collect();

    let mut problems = Vec::new();
    for (name, report) in &failures {
        if !listed.iter().any(|d| d.name == *name) {
            problems.push(format!("not listed in KERNEL_DIFFERENCES.md: {report}"));
        }
    }
    for entry in &listed {
        let ran = prefixes.iter().any(|p| entry.name.starts_with(p.as_str()));
        if ran && !failures.contains_key(entry.name.as_str()) {
            problems.push(format!(
                "stale entry on line {}: `{}` no longer disagrees",
                entry.line, entry.name
            ));
        }
    }
    println!("kernel: {}", summary.totals());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The name prefix the runner gives the tests of a suite directory.
fn suite_prefix(dir: &Path) -> String {
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    format!("{name}/")
}
