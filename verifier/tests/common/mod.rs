//! Shared by the corpus tests: reading the hand-written programs and their headers,
//! and map descriptions from ELF objects. (Each test crate uses a part of it.)
#![allow(dead_code)]

use ferrobpf_elf::{MapDef, Object};
use ferrobpf_verifier::{Config, MapInfo, MapType, ProgType};
use ferrobpf_vm::asm::assemble;
use ferrobpf_vm::Insn;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One program with what its header says.
pub struct Program {
    /// File stem.
    pub name: String,
    /// `# type:` (socket filter by default).
    pub prog_type: ProgType,
    /// `# map:` lines, in order (`map_fd(i)` names the i-th).
    pub maps: Vec<MapInfo>,
    /// The instructions.
    pub insns: Vec<Insn>,
    /// Privileged (the kernel as root) unless `# config: unprivileged`.
    pub config: Config,
}

/// `verifier/tests`.
pub fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// `verifier/tests/corpus`.
pub fn corpus_dir() -> PathBuf {
    tests_dir().join("corpus")
}

fn map_type(name: &str) -> MapType {
    MapType::ALL
        .into_iter()
        .find(|t| t.name() == name)
        .unwrap_or_else(|| panic!("unknown map type {name}"))
}

/// Parses `# type: T`, `# map: TYPE key=K value=V entries=N [rdonly]` and
/// `# config: unprivileged` headers, and assembles the rest.
pub fn parse(name: &str, text: &str) -> Program {
    let mut prog_type = ProgType::SocketFilter;
    let mut maps = Vec::new();
    let mut privileged = true;
    for line in text.lines() {
        let Some(meta) = line.strip_prefix("# ") else {
            continue;
        };
        if let Some(t) = meta.strip_prefix("type: ") {
            prog_type = ProgType::from_name(t.trim()).unwrap_or_else(|| panic!("{name}: type {t}"));
        } else if let Some(m) = meta.strip_prefix("map: ") {
            let mut words = m.split_whitespace();
            let t = map_type(words.next().unwrap_or(""));
            let mut info = MapInfo::new(t, 0, 0, 1);
            for w in words {
                match w.split_once('=') {
                    Some(("key", v)) => info.key_size = v.parse().unwrap(),
                    Some(("value", v)) => info.value_size = v.parse().unwrap(),
                    Some(("entries", v)) => info.max_entries = v.parse().unwrap(),
                    None if w == "rdonly" => info.read_only = true,
                    _ => panic!("{name}: map field {w}"),
                }
            }
            maps.push(info);
        } else if meta.trim() == "config: unprivileged" {
            privileged = false;
        }
    }
    let insns = assemble(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let config = if privileged {
        Config::privileged(prog_type.clone())
    } else {
        Config::new(prog_type.clone())
    };
    Program {
        name: name.to_string(),
        prog_type,
        maps,
        insns,
        config,
    }
}

/// Every `*.s` program under `tests/<dir>`, sorted by name.
pub fn programs_in(dir: &str) -> Vec<Program> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(tests_dir().join(dir))
        .expect("program directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "s"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            parse(&name, &std::fs::read_to_string(p).unwrap())
        })
        .collect()
}

/// What the verifier needs to know of an object's maps, in the object's order (the
/// order `lddw map_idx` uses).
pub fn map_infos(obj: &Object) -> Vec<MapInfo> {
    obj.maps().iter().map(map_info).collect()
}

fn map_info(m: &MapDef) -> MapInfo {
    MapInfo {
        map_type: MapType::from_kernel_id(m.map_type),
        key_size: m.key_size,
        value_size: m.value_size,
        max_entries: m.max_entries,
        read_only: m.read_only,
    }
}

/// The inner-map templates of an object's maps of maps, by the outer map's index.
pub fn inner_maps(obj: &Object) -> BTreeMap<u32, MapInfo> {
    obj.maps()
        .iter()
        .enumerate()
        .filter_map(|(i, m)| Some((i as u32, map_info(m.inner.as_deref()?))))
        .collect()
}
