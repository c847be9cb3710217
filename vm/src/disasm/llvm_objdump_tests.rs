//! [`Syntax::Llvm`] against the real llvm-objdump (when installed): every row,
//! with a few sets of field values, is written as raw words, assembled into an
//! object by llvm-mc and disassembled with `--print-imm-hex`. Forms the installed
//! LLVM prints as `<unknown>` are not compared.

use super::{disassemble_insn, Syntax};
use crate::insn::{encode_program, Insn};
use crate::isa::{Disc, Op, Semantics, Size, TABLE};
use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::process::Command;

/// Whether `tool` runs.
fn available(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// llvm-objdump's text per slot index, without the `<symbol+offset>` suffix of
/// jump targets.
fn objdump(object: &Path, extra: &[&str]) -> HashMap<usize, String> {
    let out = Command::new("llvm-objdump")
        .args(["-d", "--print-imm-hex", "--no-show-raw-insn"])
        .args(extra)
        .arg(object)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| {
            let (index, text) = line.trim_start().split_once(":\t")?;
            let text = match text.rfind(" <") {
                Some(cut) if text.ends_with('>') => &text[..cut],
                _ => text,
            };
            Some((index.parse().ok()?, text.to_string()))
        })
        .collect()
}

/// Differences between LLVM 14 and the syntax this crate follows (see the
/// [`llvm`](super::llvm) module docs), which the comparison leaves out.
fn llvm_14_differs(insn: &Insn) -> bool {
    // LLVM 14 ignores `off` where it tells rows apart (sdiv, smod, movsx) and
    // prints them as div, mod and mov.
    if matches!(insn.spec().disc, Disc::Off(v) if v != 0) {
        return true;
    }
    match insn.spec().semantics {
        // LLVM 14 reads callx's register from the immediate.
        Semantics::Callx => true,
        // LLVM drops the immediate of an indirect packet load.
        Semantics::LdInd(_) => insn.imm != 0,
        _ => false,
    }
}

#[test]
fn matches_llvm_objdump() {
    if !available("llvm-mc") || !available("llvm-objdump") {
        println!("skipped: llvm-mc or llvm-objdump not found");
        return;
    }
    // (dst, src, off, imm). An all-zero lddw with source 2 into r0 is avoided:
    // LLVM 14's decoder prints it as `lea`.
    let fields = [
        (1, 2, -8, -5),
        (3, 4, 0x10, 0x7fff_ffff),
        (0, 0, 0, 1),
        (6, 7, 0, 0),
    ];
    let mut insns = Vec::new();
    for spec in TABLE.iter().filter(|s| s.op != Op::LddwHigh) {
        for (dst, src, off, imm) in fields {
            let insn = Insn::new(spec.op, dst, src, off, imm);
            insns.push(insn);
            if insn.slots() == 2 {
                insns.push(Insn::new(Op::LddwHigh, 0, 0, 0, insn.imm >> 32));
            }
        }
    }
    let quads: String = encode_program(&insns)
        .chunks_exact(8)
        .map(|c| {
            let word = u64::from_le_bytes(c.try_into().unwrap());
            format!("\t.quad {word:#018x}\n")
        })
        .collect();
    let dir = std::env::temp_dir().join(format!("ferrobpf-disasm-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let (source, object) = (dir.join("all.s"), dir.join("all.o"));
    fs::write(&source, quads).unwrap();
    let status = Command::new("llvm-mc")
        .args(["-triple", "bpfel", "-filetype=obj", "-o"])
        .arg(&object)
        .arg(&source)
        .status()
        .unwrap();
    assert!(status.success());
    let plain = objdump(&object, &[]);
    let alu32 = objdump(&object, &["--mattr=+alu32"]);
    fs::remove_dir_all(&dir).unwrap();

    let mut compared = 0;
    let mut skipped = std::collections::BTreeSet::new();
    for (pc, insn) in insns.iter().enumerate() {
        let Some(ours) = disassemble_insn(insn, Syntax::Llvm) else {
            continue;
        };
        // 32-bit atomics need the alu32 decoder in LLVM 14.
        let theirs = match insn.spec().semantics {
            Semantics::Atomic(_, Size::W, _) => &alu32,
            _ => &plain,
        };
        let theirs = theirs.get(&pc).map(String::as_str).unwrap_or("<missing>");
        if theirs == "<unknown>" || llvm_14_differs(insn) {
            skipped.insert(insn.op);
            continue;
        }
        assert_eq!(ours, theirs, "{:?} at slot {pc}", insn);
        compared += 1;
    }
    println!("compared {compared} instructions with llvm-objdump; not compared: {skipped:?}");
    assert!(compared > 200, "only {compared} compared");
}
