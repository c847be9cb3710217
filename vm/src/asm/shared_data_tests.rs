//! The assembler against the shared bpf_conformance data: every positive test's
//! program assembles, decodes and survives disassembly, `-- raw` sections agree with `-- asm`, and
//! every `negative/invalid_*` program is refused.

use super::assemble;
use crate::decode::decode_program;
use crate::disasm::{disassemble, Syntax};
use crate::insn::encode_program;
use std::fs;
use std::path::{Path, PathBuf};

/// The shared data directory, or `None` (after saying so) when it is absent.
fn data_dir() -> Option<PathBuf> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/bpf_conformance");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: ../shared not found");
        None
    }
}

/// The `.data` files directly in `dir`, sorted.
fn data_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "data"))
        .collect();
    files.sort();
    files
}

/// The body of section `name` (`-- name` up to the next `--` line), if present.
fn section(text: &str, name: &str) -> Option<String> {
    let mut body: Option<String> = None;
    let mut inside = false;
    for line in text.lines() {
        if let Some(header) = line.strip_prefix("--") {
            if inside {
                break;
            }
            inside = header.trim() == name;
            if inside {
                body = Some(String::new());
            }
        } else if let (true, Some(b)) = (inside, body.as_mut()) {
            b.push_str(line);
            b.push('\n');
        }
    }
    body
}

/// A `-- raw` section of 64-bit words (hex or decimal), as little-endian bytes.
fn raw_words(body: &str) -> Vec<u8> {
    body.lines()
        .map(|l| l.split('#').next().unwrap().trim())
        .filter(|l| !l.is_empty())
        .flat_map(|w| {
            let v = match w.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16).unwrap(),
                None => w.parse::<u64>().unwrap(),
            };
            v.to_le_bytes()
        })
        .collect()
}

#[test]
fn every_positive_program_assembles_and_decodes() {
    let Some(dir) = data_dir() else { return };
    let mut count = 0;
    for path in data_files(&dir) {
        let text = fs::read_to_string(&path).unwrap();
        let Some(asm) = section(&text, "asm") else {
            continue;
        };
        let insns = assemble(&asm).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let bytes = encode_program(&insns);
        let decoded = decode_program(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(decoded, insns, "{}", path.display());
        let text = disassemble(&insns, Syntax::Conformance);
        assert_eq!(assemble(&text), Ok(insns), "{}:\n{text}", path.display());
        count += 1;
    }
    assert!(count > 300, "only {count} programs");
}

#[test]
fn asm_sections_equal_their_raw_sections() {
    let Some(dir) = data_dir() else { return };
    let lddw = fs::read_to_string(dir.join("lddw.data")).unwrap();
    assert!(section(&lddw, "raw").is_some());
    let mut compared = 0;
    for path in data_files(&dir) {
        let text = fs::read_to_string(&path).unwrap();
        let (Some(asm), Some(raw)) = (section(&text, "asm"), section(&text, "raw")) else {
            continue;
        };
        let insns = assemble(&asm).unwrap();
        assert_eq!(
            encode_program(&insns),
            raw_words(&raw),
            "{}",
            path.display()
        );
        compared += 1;
    }
    assert!(compared >= 1);
}

#[test]
fn every_invalid_program_is_refused() {
    let Some(dir) = data_dir() else { return };
    let mut refused = 0;
    for path in data_files(&dir.join("negative")) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("invalid_") {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap();
        let asm = section(&text, "asm").unwrap_or_default();
        let err = assemble(&asm).expect_err(&name);
        let expected = section(&text, "error").unwrap_or_default();
        let expected = expected.trim();
        if !expected.is_empty() && !asm.trim().is_empty() {
            let message = err.to_string().to_lowercase();
            assert!(message.contains(&expected.to_lowercase()), "{name}: {err}");
        }
        refused += 1;
    }
    assert!(refused >= 10, "only {refused} invalid programs");
}
