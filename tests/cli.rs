//! The `ferrobpf` command over the test objects of tests/bpf: `disasm` of ELF
//! objects (sections, types, sizes, resolved references), `run --verify` and
//! `verify` exit codes.

mod common;

use common::object_path;
use ferrobpf::elf::Object;
use ferrobpf::listing::{object_listing, program_listing};
use ferrobpf::{assemble, Syntax};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Every test object.
const OBJECTS: [&str; 11] = [
    "btf_maps",
    "calls",
    "cross_section_calls",
    "global_data",
    "legacy_maps",
    "more_helpers",
    "plugin_filter",
    "skb_helpers",
    "text_only",
    "xdp_counter",
    "xdp_helpers",
];

fn ferrobpf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ferrobpf"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn path(name: &str) -> String {
    object_path(name).to_string_lossy().into_owned()
}

/// A file under the system's temporary directory, unique to this process.
fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
    let p = std::env::temp_dir().join(format!("ferrobpf-cli-{}-{name}", std::process::id()));
    std::fs::write(&p, contents).unwrap();
    p
}

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn every_listed_program_assembles_back_to_the_loaded_instructions() {
    for name in OBJECTS {
        let object = Object::parse(&std::fs::read(object_path(name)).unwrap()).unwrap();
        for program in object.programs() {
            let text = program_listing(program, object.maps(), Syntax::Conformance);
            let insns = assemble(&text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
            assert_eq!(insns, program.insns, "{name}/{}", program.name);
        }
        // The whole listing, several programs after one another, still parses.
        assert!(assemble(&object_listing(&object, Syntax::Conformance, None)).is_ok());
    }
}

#[test]
fn disasm_shows_sections_types_sizes_and_references() {
    let out = ferrobpf(&["disasm", &path("calls")]);
    assert!(out.status.success());
    let text = stdout(&out);
    for line in [
        "# map 0 total: array, key 4, value 8, max_entries 1 (BTF)",
        "# section xdp, program first: type xdp, 24 instructions",
        "# section tc, program tc_one: type sched_cls,",
        "# function clamp (.text)",
        "call local +7  # call clamp",
        "lddw %r2, func(+21)  # func step",
        "lddw %r1, map_idx(0)  # map total",
        "call 181  # bpf_loop",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    let text = stdout(&ferrobpf(&["disasm", &path("global_data")]));
    for line in [
        "# map 1 .rodata: array, key 4, value 11, max_entries 1 (global data, read-only)",
        "lddw %r1, map_idx_value(0)  # .data+0",
        "lddw %r1, map_idx_value(1)+4  # .rodata+4",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    let text = stdout(&ferrobpf(&["disasm", &path("legacy_maps")]));
    assert!(text.contains(
        "# map 3 lru: lru_hash, key 4, value 4, max_entries 16 (legacy, section maps/lru)"
    ));
    assert!(text.contains("# section kprobe/do_sys_open, program probe_open: type kprobe,"));
}

#[test]
fn disasm_llvm_syntax_and_one_section() {
    let out = ferrobpf(&[
        "disasm",
        "--llvm",
        "--section",
        "socket",
        &path("legacy_maps"),
    ]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("; section socket, program count_packets"));
    assert!(!text.contains("probe_open"));
    assert!(
        text.contains("\tcall 0x1  ; bpf_map_lookup_elem\n"),
        "{text}"
    );
    assert!(text.contains("  ; map counts\n"), "{text}");
    let missing = ferrobpf(&["disasm", "--section", "nope", &path("legacy_maps")]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr)
        .contains("no program in section or function `nope`"));
}

#[test]
fn disasm_of_raw_programs_is_unchanged() {
    let raw = temp_file(
        "raw.bin",
        &ferrobpf::encode_program(&assemble("mov %r0, 7\nexit").unwrap()),
    );
    let out = ferrobpf(&["disasm", arg(&raw)]);
    assert_eq!(stdout(&out), "mov %r0, 7\nexit\n");
    let refused = ferrobpf(&["disasm", "--section", "xdp", arg(&raw)]);
    assert_eq!(refused.status.code(), Some(2));
    let _ = std::fs::remove_file(raw);
}

#[test]
fn run_verify_refuses_rejected_programs() {
    let ok = temp_file("ok.s", b"mov %r0, 1\nexit\n");
    let bad = temp_file("bad.s", b"ldxdw %r0, [%r10-8]\nexit\n");
    let out = ferrobpf(&["run", "--verify", arg(&ok)]);
    assert_eq!(
        (out.status.code(), stdout(&out).as_str()),
        (Some(0), "0x1\n")
    );
    let out = ferrobpf(&["run", "--verify", arg(&bad)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("rejected by the verifier: insn 0:"), "{err}");
    // Without --verify the program runs (and reads zeroed stack).
    assert_eq!(ferrobpf(&["run", arg(&bad)]).status.code(), Some(0));
    let unknown = ferrobpf(&["run", "--verify", "--type", "nope", arg(&ok)]);
    assert_eq!(unknown.status.code(), Some(2));
    let _ = (std::fs::remove_file(ok), std::fs::remove_file(bad));
}

#[test]
fn run_verify_on_objects() {
    let packet = temp_file("packet.bin", &common::udp_frame(53, 1));
    let counter = path("xdp_counter");
    let base = [
        "run",
        counter.as_str(),
        "--packet",
        arg(&packet),
        "--verify",
    ];
    // Untrusted: `data_end - data` is refused, the program does not run.
    let out = ferrobpf(&base);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("insn 29: R8 pointer -= pointer prohibited")
    );
    let mut privileged = base.to_vec();
    privileged.extend(["--privileged", "--engine", "jit"]);
    let out = ferrobpf(&privileged);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("count_packets (XDP): 0x2 XDP_PASS"));
    // An object's first program run without its runtime (`.text` programs have
    // no type: --type gives one).
    let text_only = path("text_only");
    let entry = ["run", "--verify", text_only.as_str(), "--mem", "05000000"];
    let out = ferrobpf(&entry);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "0x1a\n");
    let mut as_xdp = entry.to_vec();
    as_xdp.extend(["--type", "xdp"]);
    let out = ferrobpf(&as_xdp);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    // As XDP, the first context word is the packet pointer, which square multiplies.
    assert!(
        err.contains("entry rejected by the verifier: insn 5: R0 pointer *= pointer"),
        "{err}"
    );
    let _ = std::fs::remove_file(packet);
}

#[test]
fn verify_exit_codes() {
    // Maps of maps: lookups give the inner map the object defines.
    for name in ["calls", "btf_maps", "legacy_maps"] {
        assert_eq!(
            ferrobpf(&["verify", &path(name)]).status.code(),
            Some(0),
            "{name}"
        );
    }
    assert_eq!(
        ferrobpf(&["verify", &path("text_only")]).status.code(),
        Some(1)
    );
    let junk = temp_file("junk.o", b"\x7fELF junk");
    assert_eq!(ferrobpf(&["verify", arg(&junk)]).status.code(), Some(2));
    let _ = std::fs::remove_file(junk);
}

#[test]
fn run_verify_defaults_to_the_memory_type_of_the_run() {
    // r1 = the run's memory, r2 = its length: an access past it is refused
    // before the program runs, for the size actually given.
    let read8 = temp_file("read8.s", b"ldxdw %r0, [%r1+8]\nexit\n");
    let run = |mem: &str, extra: &[&str]| {
        let mut args = vec!["run", "--verify", arg(&read8), "--mem", mem];
        args.extend(extra);
        ferrobpf(&args)
    };
    let out = run("00000000000000000200000000000000", &[]);
    assert_eq!(
        (out.status.code(), stdout(&out).as_str()),
        (Some(0), "0x2\n")
    );
    let out = run("0000000000000000", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    // `--type memory` is the same; `memory:SIZE` verifies for SIZE bytes.
    let out = run("0000000000000000", &["--type", "memory"]);
    assert_eq!(out.status.code(), Some(1));
    let out = ferrobpf(&["verify", "--type", "memory:16", arg(&read8)]);
    assert_eq!(out.status.code(), Some(0));
    let out = ferrobpf(&["verify", "--type", "memory:15", arg(&read8)]);
    assert_eq!(out.status.code(), Some(1));
    let out = ferrobpf(&["verify", "--type", "memory:lots", arg(&read8)]);
    assert_eq!(out.status.code(), Some(2));
    // The bundled example verifies and runs over its packet.
    let out = ferrobpf(&[
        "run",
        "--verify",
        "examples/checksum.o",
        "--mem-file",
        "examples/packet.bin",
    ]);
    assert_eq!(
        (out.status.code(), stdout(&out).as_str()),
        (Some(0), "0xffff\n")
    );
    let _ = std::fs::remove_file(read8);
}

#[test]
fn bench_verified_jit_drops_checks_only_for_accepted_programs() {
    let out = ferrobpf(&[
        "bench",
        "benches/workloads/sieve.o",
        "--mem-file",
        "benches/workloads/buffer.bin",
        "--engine",
        "jit-verified,jit",
        "--repeat",
        "1",
        "--rounds",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert_eq!(text.matches("result=0x404").count(), 2, "{text}");
    // Over a buffer too small for the sieve, the verifier refuses it.
    let small = temp_file("small.bin", &[0u8; 64]);
    let out = ferrobpf(&[
        "bench",
        "benches/workloads/sieve.o",
        "--mem-file",
        arg(&small),
        "--engine",
        "jit-verified",
        "--repeat",
        "1",
        "--rounds",
        "1",
    ]);
    let text = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("rejected by the verifier"), "{text}");
    let _ = std::fs::remove_file(small);
}
