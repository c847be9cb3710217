//! A readable listing of an ELF object: its maps, then each program (section,
//! function, type guessed from the section name, size) with its instructions,
//! the references the loader resolved named in comments: `# map counts` after an
//! `lddw map_idx`, `# .rodata+16` after an `lddw map_idx_value` into global data,
//! `# call add` after a bpf-to-bpf call, `# func visit` after a function pointer,
//! `# bpf_map_lookup_elem` after a call of a Linux helper.
//!
//! In the conformance syntax every line is a statement or a `#` comment, so each
//! program's text assembles back to the very instructions the loader produced
//! (relocations included); with [`Syntax::Llvm`] comments start with `;` and
//! lines carry slot numbers, as llvm-objdump prints them.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bpf/xdp_counter.o"))?;
//! let object = ferrobpf::elf::Object::parse(&bytes)?;
//! let text = ferrobpf::listing::object_listing(&object, ferrobpf::Syntax::Conformance, None);
//! assert!(text.contains("lddw %r1, map_idx(0)  # map counts"));
//! # Ok(())
//! # }
//! ```

use ferrobpf_elf::{MapDef, MapSource, Object, Program, RelocationKind};
use ferrobpf_verifier::helpers::Helpers;
use ferrobpf_vm::disasm::{disassemble_insn, Syntax};
use ferrobpf_vm::isa::Semantics;
use ferrobpf_vm::maps::MapType;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The comment marker of `syntax`.
fn comment(syntax: Syntax) -> &'static str {
    match syntax {
        Syntax::Conformance => "#",
        Syntax::Llvm => ";",
    }
}

/// One map's description: `counts: array, key 4, value 8, max_entries 2 (BTF)`.
fn describe_map(def: &MapDef) -> String {
    let kind = MapType::from_id(def.map_type).map_or_else(
        |_| format!("type {}", def.map_type),
        |t| t.name().to_string(),
    );
    let source = match def.source {
        MapSource::Legacy { .. } => format!("legacy, section {}", def.section),
        MapSource::Btf => "BTF".to_string(),
        MapSource::GlobalData if def.read_only => "global data, read-only".to_string(),
        MapSource::GlobalData => "global data".to_string(),
    };
    format!(
        "{}: {kind}, key {}, value {}, max_entries {} ({source})",
        def.name, def.key_size, def.value_size, def.max_entries
    )
}

/// What a resolved reference means, for the comment after its instruction.
fn describe_relocation(kind: &RelocationKind, maps: &[MapDef]) -> String {
    let map_name = |map: usize| maps.get(map).map_or("?", |m| m.name.as_str());
    match kind {
        RelocationKind::Map { map } => format!("map {}", map_name(*map)),
        RelocationKind::MapValue { map, offset } => format!("{}+{offset}", map_name(*map)),
        RelocationKind::Call { function, .. } => format!("call {function}"),
        RelocationKind::FunctionPointer { function, .. } => format!("func {function}"),
    }
}

/// One program: a header comment, then its instructions, each function's start
/// marked by a comment.
pub fn program_listing(program: &Program, maps: &[MapDef], syntax: Syntax) -> String {
    let c = comment(syntax);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{c} section {}, program {}: type {}, {} instructions",
        program.section,
        program.name,
        program.prog_type.name().to_ascii_lowercase(),
        program.insns.len()
    );
    let mut notes: BTreeMap<usize, String> = program
        .relocations
        .iter()
        .map(|r| (r.pc, describe_relocation(&r.kind, maps)))
        .collect();
    let helpers = Helpers::linux();
    for (pc, insn) in program.insns.iter().enumerate() {
        if insn.spec().semantics == Semantics::CallHelper {
            if let Some(proto) = u32::try_from(insn.imm).ok().and_then(|id| helpers.get(id)) {
                notes.entry(pc).or_insert_with(|| proto.name.clone());
            }
        }
    }
    for (pc, insn) in program.insns.iter().enumerate() {
        for f in program.functions.iter().filter(|f| f.start == pc) {
            let _ = writeln!(out, "{c} function {} ({})", f.name, f.section);
        }
        let Some(text) = disassemble_insn(insn, syntax) else {
            continue;
        };
        if syntax == Syntax::Llvm {
            let _ = write!(out, "{pc:>8}:\t");
        }
        out.push_str(&text);
        if let Some(note) = notes.get(&pc) {
            let _ = write!(out, "  {c} {note}");
        }
        out.push('\n');
    }
    out
}

/// The whole object: license, maps, then every program (only those of section
/// or function `only`, when given).
pub fn object_listing(object: &Object, syntax: Syntax, only: Option<&str>) -> String {
    let c = comment(syntax);
    let mut out = String::new();
    if let Some(license) = object.license() {
        let _ = writeln!(out, "{c} license {license}");
    }
    if let Some(version) = object.kernel_version() {
        let _ = writeln!(out, "{c} kernel version {version:#x}");
    }
    for (i, def) in object.maps().iter().enumerate() {
        let _ = writeln!(out, "{c} map {i} {}", describe_map(def));
    }
    let selected = object
        .programs()
        .iter()
        .filter(|p| only.is_none_or(|s| p.section == s || p.name == s));
    for program in selected {
        out.push('\n');
        out.push_str(&program_listing(program, object.maps(), syntax));
    }
    out
}
