//! The memory program type (`ProgType::Memory`): raw programs with r1 = memory and
//! r2 = its length, as the shared bench workloads (`benches/workloads/*.o`) and
//! `examples/checksum.o` are built.

use ferrobpf_elf::Object;
use ferrobpf_verifier::{verify, Config, ProgType, Reason};
use ferrobpf_vm::asm::assemble;
use std::path::Path;

/// The entry program of an object in this repository.
fn entry(rel: &str) -> Vec<ferrobpf_vm::Insn> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let obj = Object::parse(&bytes).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let prog = obj
        .programs()
        .iter()
        .find(|p| p.name == "entry")
        .unwrap_or_else(|| panic!("{rel}: no entry"));
    prog.insns.clone()
}

#[test]
fn bench_workloads_verify_over_their_buffer() {
    for name in ["arith", "fnv", "sieve"] {
        let insns = entry(&format!("benches/workloads/{name}.o"));
        let config = Config::new(ProgType::Memory { size: 65536 });
        if let Err(r) = verify(&insns, &[], &config) {
            panic!("{name}: insn {}: {}", r.pc, r.reason);
        }
        // Half the buffer is not enough for the workloads that walk all of it.
        let small = Config::new(ProgType::Memory { size: 4096 });
        assert_eq!(
            verify(&insns, &[], &small).is_ok(),
            name == "arith",
            "{name}"
        );
    }
}

#[test]
fn checksum_example_verifies_with_its_length() {
    let insns = entry("examples/checksum.o");
    // Every length: frames too short for an IPv4 header (the length check returns),
    // and longer ones, where the header length is bounded by `r5 = ihl + 14;
    // if r5 > len`: the bound reaches `ihl` through linked scalars (the kernel's
    // `sync_linked_regs`).
    for size in (0..=100).chain([1514, 65536]) {
        let config = Config::new(ProgType::Memory { size });
        if let Err(r) = verify(&insns, &[], &config) {
            panic!("size {size}: insn {}: {}", r.pc, r.reason);
        }
    }
    // Without the link (r5 computed afresh from the memory), sizes 34-73 are refused.
    let mut unlinked = insns.clone();
    unlinked[11] = assemble("ldxb %r5, [%r1+14]").unwrap()[0];
    unlinked[12] = assemble("add %r5, 14").unwrap()[0];
    let config = Config::new(ProgType::Memory { size: 34 });
    let r = verify(&unlinked, &[], &config).expect_err("needs linked scalars");
    assert!(matches!(r.reason, Reason::MemBounds { .. }), "{}", r.reason);
    // As a socket filter r2 is not set.
    assert!(verify(&insns, &[], &Config::new(ProgType::SocketFilter)).is_err());
}

#[test]
fn memory_bounds_are_enforced() {
    let run = |text: &str, size: u32| {
        let insns = assemble(text).expect("assembles");
        verify(&insns, &[], &Config::new(ProgType::Memory { size })).map_err(|r| r.reason)
    };
    // r2 is the size: a read at r1 + r2 - 1 is in bounds, at r1 + r2 it is not.
    let last = "add %r1, %r2\nsub %r1, 1\nldxb %r0, [%r1]\nexit";
    assert!(run(last, 16).is_ok());
    let past = "add %r1, %r2\nldxb %r0, [%r1]\nexit";
    assert!(matches!(run(past, 16), Err(Reason::MemBounds { .. })));
    // Writes are allowed; r3 is not initialised.
    assert!(run("stxdw [%r1+8], %r2\nmov %r0, 0\nexit", 16).is_ok());
    assert!(run("stxdw [%r1+16], %r2\nmov %r0, 0\nexit", 16).is_err());
    assert!(run("mov %r0, %r3\nexit", 16).is_err());
    // A variable offset bounded by a comparison with r2.
    let var =
        "ldxb %r3, [%r1]\njge %r3, %r2, +3\nadd %r1, %r3\nldxb %r0, [%r1]\nexit\nmov %r0, 0\nexit";
    assert!(run(var, 200).is_ok());
    assert!(run(var.replace("%r2", "300").as_str(), 200).is_err());
    // The pointer may not leak into the memory or the result.
    assert!(run("stxdw [%r1], %r1\nmov %r0, 0\nexit", 16).is_err());
    assert!(run("mov %r0, %r1\nexit", 16).is_err());
}
