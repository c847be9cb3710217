//! ferrobpf's own clang-built test objects (`tests/bpf/*.o` at the repository root):
//! the Linux verifier accepts every program of them it can load
//! (`tests/kernel_compare.rs`), and so must we, as the kernel runs them (privileged),
//! with the maps' inner-map templates: maps of maps (BTF `values`, legacy
//! `inner_map_idx`), `bpf_for_each_map_elem` callbacks, `bpf_loop`, tail calls.
//! One program is rejected, as by the kernel (Linux 6.18, `bpftool prog loadall`):
//! `more_helpers/tracing` calls `bpf_probe_write_user`, which kprobes are not offered
//! ("program of this type cannot use helper bpf_probe_write_user#36").

mod common;

use ferrobpf_elf::Object;
use ferrobpf_verifier::{verify, Config, ProgType, Reason};
use std::path::Path;

#[test]
fn every_program_of_the_test_objects_verifies() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/bpf");
    let mut objects: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/bpf")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "o"))
        .collect();
    objects.sort();
    let (mut verified, mut problems) = (0, Vec::new());
    for path in &objects {
        let file = path.file_stem().unwrap().to_string_lossy().into_owned();
        let obj = Object::parse(&std::fs::read(path).unwrap()).unwrap();
        let maps = common::map_infos(&obj);
        for prog in obj.programs() {
            // The types the verifier models (host-defined and untyped ones have no
            // kernel verdict); the section name decides, as libbpf's does.
            let Some(t) = ProgType::from_section(&prog.section) else {
                continue;
            };
            let mut config = Config::privileged(t);
            config.inner_maps = common::inner_maps(&obj);
            let name = format!("{file}/{}", prog.name);
            match verify(&prog.insns, &maps, &config) {
                Ok(_) if name != "more_helpers/tracing" => verified += 1,
                Err(r)
                    if name == "more_helpers/tracing"
                        && r.reason
                            == (Reason::HelperNotAllowed {
                                name: "bpf_probe_write_user".into(),
                                id: 36,
                            }) => {}
                Ok(_) => problems.push(format!("{name}: accepted; the kernel rejects it")),
                Err(r) => problems.push(format!("{name}: {r}")),
            }
        }
    }
    println!("{verified} programs verified");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(verified >= 29, "{verified}");
}
