//! The shared bpf_conformance data through the JIT, in both modes, against the
//! expected results.

use ferrobpf_jit::{JitConfig, JitProgram};
use ferrobpf_vm::asm::assemble;
use ferrobpf_vm::helpers::{Helper, HelperRegistry, HelperSignature};
use ferrobpf_vm::program::Program;
use std::path::{Path, PathBuf};

/// One `.data` file: assembler text, input memory and expected r0.
struct Case {
    asm: String,
    mem: Vec<u8>,
    result: Option<u64>,
}

fn parse(text: &str) -> Case {
    let mut case = Case {
        asm: String::new(),
        mem: Vec::new(),
        result: None,
    };
    let mut section = "";
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("-- ") {
            section = name.trim();
            continue;
        }
        let body = line.split('#').next().unwrap_or("").trim();
        match section {
            "asm" => {
                case.asm.push_str(line);
                case.asm.push('\n');
            }
            "mem" => case.mem.extend(
                body.split_whitespace()
                    .filter_map(|b| u8::from_str_radix(b, 16).ok()),
            ),
            "result" if !body.is_empty() => {
                case.result = match body.strip_prefix("0x") {
                    Some(hex) => u64::from_str_radix(hex, 16).ok(),
                    None => body.parse::<i64>().ok().map(|v| v as u64),
                };
            }
            _ => {}
        }
    }
    case
}

/// The conformance helper set: helper 5 returns its first argument.
fn helpers() -> HelperRegistry {
    let mut registry = HelperRegistry::new();
    let signature = HelperSignature::anything(1).expect("valid signature");
    registry.register(5, Helper::new("identity", signature, |_, a| Ok(a[0])));
    registry
}

fn data_dir() -> Option<PathBuf> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/bpf_conformance");
    dir.is_dir().then_some(dir)
}

#[test]
fn shared_conformance_data() {
    let Some(dir) = data_dir() else {
        println!("skipped: ../shared not found");
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "data"))
        .collect();
    files.sort();
    let helpers = helpers();
    let (mut passed, mut refused, mut failed) = (0, 0, Vec::new());
    for path in &files {
        let case = parse(&std::fs::read_to_string(path).expect("readable"));
        let Some(program) = assemble(&case.asm)
            .ok()
            .and_then(|insns| Program::from_insns(insns).ok())
        else {
            refused += 1;
            continue;
        };
        for config in [JitConfig::checked(), JitConfig::verified()] {
            let jit = JitProgram::compile(&program, &config).expect("compiles");
            let mut mem = case.mem.clone();
            let got = jit.run(&helpers, &mut mem).ok();
            if got != case.result {
                failed.push(format!(
                    "{}: {:?} got {got:x?} want {:x?}",
                    path.display(),
                    config.mode,
                    case.result
                ));
            }
        }
        passed += 1;
    }
    println!(
        "{passed} passed, {} failed, {refused} not loadable",
        failed.len()
    );
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
