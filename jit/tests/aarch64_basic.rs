//! The AArch64 back end's code, executed under emulation, against the interpreter on
//! hand-written programs: ALU, jumps, byte order, division corner cases, memory,
//! atomics, calls, faults.

use ferrobpf_jit::aarch64::emu::{EmuError, EmulatedProgram};
use ferrobpf_jit::JitConfig;
use ferrobpf_vm::asm::assemble;
use ferrobpf_vm::helpers::HelperRegistry;
use ferrobpf_vm::interp::Vm;
use ferrobpf_vm::program::Program;

/// Runs `text` on the interpreter and on the AArch64 code (checked with blinding,
/// verified; near and far branches) over copies of `mem`; all must agree.
fn agree(text: &str, mem: &[u8]) -> Result<u64, EmuError> {
    let program = Program::from_insns(assemble(text).expect("assembles")).expect("loads");
    let mut want_mem = mem.to_vec();
    let want = Vm::default().run(&program, &mut want_mem);
    for config in [JitConfig::checked(), JitConfig::verified()] {
        for far in [false, true] {
            let jit = EmulatedProgram::compile_with(&program, &config, far).expect("compiles");
            let mut got_mem = mem.to_vec();
            let got = jit.run(&HelperRegistry::new(), &mut got_mem);
            assert_eq!(
                got,
                want.clone().map_err(EmuError::from),
                "{config:?} far={far}\n{text}"
            );
            assert_eq!(got_mem, want_mem, "{config:?} far={far}\n{text}");
        }
    }
    want.map_err(EmuError::from)
}

#[test]
fn returns_an_immediate() {
    assert_eq!(agree("mov %r0, 42\nexit", &[]), Ok(42));
}

#[test]
fn materialises_wide_immediates() {
    for v in [
        "0",
        "-1",
        "0x12345678",
        "-0x12345678",
        "0x7fffffff",
        "-0x80000000",
        "0xffff",
        "0x10000",
        "-0x10000",
    ] {
        agree(&format!("mov %r0, {v}\nexit"), &[]).unwrap();
        agree(&format!("mov32 %r0, {v}\nexit"), &[]).unwrap();
        agree(&format!("mov %r0, -1\nadd %r0, {v}\nexit"), &[]).unwrap();
        agree(&format!("mov %r0, 7\nadd32 %r0, {v}\nexit"), &[]).unwrap();
    }
    for v in [
        "0x123456789abcdef0",
        "0xffffffff00000000",
        "0xffff0000ffff0000",
        "0x8000000000000000",
        "1",
    ] {
        agree(&format!("lddw %r0, {v}\nexit"), &[]).unwrap();
    }
}

#[test]
fn division_follows_the_rfc() {
    for op in ["div", "sdiv", "mod", "smod"] {
        for w in ["", "32"] {
            for (a, b) in [
                ("7", "0"),
                ("-7", "0"),
                ("-7", "2"),
                ("7", "-2"),
                ("-0x80000000", "-1"),
                ("-1", "-1"),
                ("-13", "5"),
            ] {
                let reg = format!("lddw %r0, {a}\nmov %r1, {b}\n{op}{w} %r0, %r1\nexit");
                agree(&reg, &[]).unwrap();
                let imm = format!("lddw %r0, {a}\n{op}{w} %r0, {b}\nexit");
                agree(&imm, &[]).unwrap();
            }
        }
    }
    agree(
        "lddw %r0, 0x8000000000000000\nmov %r1, -1\nsdiv %r0, %r1\nexit",
        &[],
    )
    .unwrap();
    agree(
        "lddw %r0, 0x8000000000000000\nmov %r1, -1\nsmod %r0, %r1\nexit",
        &[],
    )
    .unwrap();
}

#[test]
fn byte_order_and_sign_extension() {
    for op in [
        "be16", "be32", "be64", "le16", "le32", "le64", "bswap16", "bswap32", "bswap64",
    ] {
        agree(
            &format!("lddw %r0, 0x0123456789abcdef\n{op} %r0\nexit"),
            &[],
        )
        .unwrap();
    }
    for op in [
        "movsx864",
        "movsx1664",
        "movsx3264",
        "movsx832",
        "movsx1632",
    ] {
        for v in ["0x0123456789abcdef", "0xfedcba9876543210", "0x80808080"] {
            agree(&format!("lddw %r1, {v}\n{op} %r0, %r1\nexit"), &[]).unwrap();
        }
    }
}

#[test]
fn local_calls_and_depth() {
    agree(
        "mov %r6, 5\ncall local +2\nadd %r0, %r6\nexit\nmov %r6, 9\nmov %r0, 30\nexit",
        &[],
    )
    .unwrap();
    // Endless recursion hits the depth limit at the call instruction.
    let err = agree("call local +1\nexit\ncall local -1\nexit", &[]);
    assert!(err.is_err());
}

#[test]
fn callee_reads_its_callers_frame() {
    agree(
        "call local +1\nexit\nldxw %r0, [%r10+4]\ncall local -2\nexit",
        &[],
    )
    .unwrap_err();
    agree(
        "stw [%r10-4], 7\ncall local +1\nexit\nldxw %r0, [%r10+508]\nexit",
        &[],
    )
    .unwrap();
}
