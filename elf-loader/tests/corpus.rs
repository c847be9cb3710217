//! The real-world corpus (`../shared/corpus/ebpf-samples`): every object loads,
//! every program the kernel's verdict table lists is found in its section, every
//! map reference points into the map table, and the type guessed from the section
//! name agrees with the table whenever the name says anything.

use ferrobpf_elf::{Object, ProgramType};
use ferrobpf_vm::isa::{Pseudo, Semantics};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/ebpf-samples");
    dir.is_dir().then_some(dir)
}

/// (object, section) -> kernel program type name, from kernel_verdicts.tsv.
fn verdicts(dir: &std::path::Path) -> BTreeMap<(String, String), String> {
    let text = std::fs::read_to_string(dir.join("kernel_verdicts.tsv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            (
                (cols[0].to_string(), cols[1].to_string()),
                cols[3].to_string(),
            )
        })
        .collect()
}

fn objects(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for sub in std::fs::read_dir(dir).unwrap() {
        let sub = sub.unwrap().path();
        if !sub.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&sub).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "o") {
                out.push(f.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

/// Every `map_idx` / `map_idx_value` LDDW names an existing map, with the value
/// offset inside it for global data.
fn check_map_refs(obj: &Object, name: &str) -> usize {
    let mut refs = 0;
    for prog in obj.programs() {
        for insn in &prog.insns {
            let map = match insn.spec().semantics {
                Semantics::Lddw(Pseudo::MapIdx) => (insn.imm as u32) as usize,
                Semantics::Lddw(Pseudo::MapIdxValue) => {
                    let map = &obj.maps()[(insn.imm as u32) as usize];
                    assert!(((insn.imm >> 32) as u32) < map.value_size, "{name}");
                    (insn.imm as u32) as usize
                }
                _ => continue,
            };
            assert!(map < obj.maps().len(), "{name} {}: map {map}", prog.name);
            refs += 1;
        }
    }
    refs
}

#[test]
fn every_corpus_object_loads() {
    let Some(dir) = corpus_dir() else {
        println!("skipped: ../shared not found");
        return;
    };
    let table = verdicts(&dir);
    let (mut programs, mut maps, mut refs, mut typed, mut custom) = (0, 0, 0, 0, 0);
    let files = objects(&dir);
    for file in &files {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let obj = Object::parse(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        programs += obj.programs().len();
        maps += obj.maps().len();
        refs += check_map_refs(&obj, file);
        let listed: Vec<_> = table.iter().filter(|((o, _), _)| o == file).collect();
        assert_eq!(listed.len(), obj.programs().len(), "{file}: programs");
        for ((_, section), kernel_type) in listed {
            let prog = obj
                .programs()
                .iter()
                .find(|p| &p.section == section)
                .unwrap_or_else(|| panic!("{file}: no program in {section}"));
            if prog.prog_type == ProgramType::Unspec {
                custom += 1;
            } else {
                assert_eq!(prog.prog_type.name(), kernel_type, "{file} {section}");
                typed += 1;
            }
        }
    }
    assert_eq!(files.len(), 69);
    assert_eq!(programs, table.len());
    println!(
        "corpus: {} objects, {programs} programs, {maps} maps, {refs} map references; \
         type from section name: {typed} agree with the kernel table, {custom} custom names",
        files.len()
    );
}
