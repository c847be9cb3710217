//! No mapping holding JIT code is writable and executable at once (W^X), with the
//! host's back end (x86-64 or AArch64).
#![cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]

use ferrobpf_jit::{JitConfig, JitProgram};
use ferrobpf_vm::asm::assemble;
use ferrobpf_vm::program::Program;

/// The permission string (`rwxp`) of every mapping in /proc/self/maps that overlaps
/// `range`.
fn permissions(range: &std::ops::Range<usize>) -> Vec<String> {
    let maps = std::fs::read_to_string("/proc/self/maps").expect("procfs");
    maps.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (lo, hi) = fields.next()?.split_once('-')?;
            let lo = usize::from_str_radix(lo, 16).ok()?;
            let hi = usize::from_str_radix(hi, 16).ok()?;
            (lo < range.end && range.start < hi).then(|| fields.next().map(str::to_owned))?
        })
        .collect()
}

#[test]
fn jit_code_is_never_writable_and_executable() {
    let program = Program::from_insns(
        assemble("mov %r0, 1\nl:\nadd %r0, 1\njlt %r0, 10, l\nexit").expect("assembles"),
    )
    .expect("loads");
    let mut all = Vec::new();
    for config in [JitConfig::checked(), JitConfig::verified()] {
        let jit = JitProgram::compile(&program, &config).expect("compiles");
        let perms = permissions(&jit.code().address_range());
        assert!(!perms.is_empty(), "code mapping not found");
        for p in &perms {
            assert!(p.contains('x'), "code not executable: {p}");
            assert!(!p.contains('w'), "code writable and executable: {p}");
        }
        all.push(jit);
    }
    // No mapping of the whole process is both writable and executable either.
    let maps = std::fs::read_to_string("/proc/self/maps").expect("procfs");
    for line in maps.lines() {
        let perms = line.split_whitespace().nth(1).unwrap_or("");
        assert!(
            !(perms.contains('w') && perms.contains('x')),
            "W+X mapping: {line}"
        );
    }
}
