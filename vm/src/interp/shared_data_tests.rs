//! Every positive bpf_conformance program of the shared data loads (no load-time
//! check refuses it) and the interpreter returns the expected r0.

use super::{Config, Vm};
use crate::asm::assemble;
use crate::helpers::{Helper, HelperRegistry, HelperSignature};
use crate::program::Program;
use std::path::Path;

/// The `-- name` sections of a test file, in order, with their lines (comments
/// stripped, blank lines dropped).
fn sections(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("--") {
            out.push((name.trim().to_string(), Vec::new()));
            continue;
        }
        let body = line.split('#').next().unwrap_or("").trim();
        if let (Some((_, lines)), false) = (out.last_mut(), body.is_empty()) {
            lines.push(body.to_string());
        }
    }
    out
}

#[test]
fn every_positive_shared_program_loads_and_runs() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/bpf_conformance");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("skipped: ../shared not found");
        return;
    };
    let mut helpers = HelperRegistry::new();
    let sig = HelperSignature::anything(1).unwrap();
    helpers.register(5, Helper::new("identity", sig, |_, a| Ok(a[0])));
    let vm = Vm::with_helpers(
        Config {
            instruction_budget: Some(1 << 24),
            ..Config::default()
        },
        helpers,
    );
    let mut count = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "data") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let secs = sections(&text);
        let get = |name: &str| {
            secs.iter()
                .find(|(n, _)| n == name)
                .map(|(_, l)| l.join("\n"))
        };
        let name = path.display();
        let asm = get("asm").unwrap_or_else(|| panic!("{name}: no asm"));
        let program = Program::from_insns(assemble(&asm).unwrap())
            .unwrap_or_else(|e| panic!("{name}: refused: {e}"));
        let mut mem: Vec<u8> = get("mem")
            .unwrap_or_default()
            .split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect();
        let result = get("result").unwrap_or_else(|| panic!("{name}: no result"));
        let want = match result.trim().strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).unwrap(),
            None => result.trim().parse().unwrap(),
        };
        let got = vm
            .run(&program, &mut mem)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got, want, "{name}: got {got:#x}, want {want:#x}");
        count += 1;
    }
    assert_eq!(count, 313);
}
