//! The AArch64 back end's code, executed (natively on an AArch64 host, under
//! emulation elsewhere), against the interpreter on hand-written programs: ALU,
//! jumps, byte order, division corner cases, memory, atomics, calls, faults.

use ferrobpf_jit::aarch64::exec::{A64Program, ExecFailure};
use ferrobpf_jit::JitConfig;
use ferrobpf_vm::asm::assemble;
use ferrobpf_vm::helpers::HelperRegistry;
use ferrobpf_vm::interp::{Config, ExecError, ExecErrorKind, Vm};
use ferrobpf_vm::program::Program;

/// The outcome of a run that executed: r0 or the program's fault, whose address is
/// replaced by 0 when it is outside `mem` (each engine has its own stack).
fn ran(result: Result<u64, ExecFailure>, mem: &[u8]) -> Result<u64, ExecError> {
    result.map_err(|e| match e {
        ExecFailure::Run(e) => normalize(e, mem),
        other => panic!("the code did not run: {other}"),
    })
}

/// `e` with its address replaced by 0 when it is outside `mem`.
fn normalize(mut e: ExecError, mem: &[u8]) -> ExecError {
    let range = mem.as_ptr_range();
    let inside = |addr: u64| (range.start as u64..=range.end as u64).contains(&addr);
    match &mut e.kind {
        ExecErrorKind::OutOfBounds { addr, .. } | ExecErrorKind::ReadOnlyWrite { addr, .. }
            if !inside(*addr) =>
        {
            *addr = 0
        }
        _ => {}
    }
    e
}

/// Runs `text` on the interpreter and on the AArch64 code (checked with blinding,
/// verified; near and far branches) over copies of `mem`; all must agree.
fn agree(text: &str, mem: &[u8]) -> Result<u64, ExecError> {
    let program = Program::from_insns(assemble(text).expect("assembles")).expect("loads");
    agree_with(&program, mem, Config::default())
}

/// [`agree`] for a loaded program, with the interpreter's `limits`.
fn agree_with(program: &Program, mem: &[u8], limits: Config) -> Result<u64, ExecError> {
    let text =
        ferrobpf_vm::disasm::disassemble(program.insns(), ferrobpf_vm::disasm::Syntax::Conformance);
    let text = text.lines().take(40).collect::<Vec<_>>().join("\n");
    // One buffer for every engine, so faulting addresses in it are the same.
    let mut buf = mem.to_vec();
    let want = Vm::new(limits)
        .run(program, &mut buf)
        .map_err(|e| normalize(e, &buf));
    let want_mem = buf.clone();
    for config in [JitConfig::checked(), JitConfig::verified()] {
        let config = JitConfig { limits, ..config };
        for far in [false, true] {
            let jit = A64Program::compile_with(program, &config, far).expect("compiles");
            buf.copy_from_slice(mem);
            let got = jit.run(&HelperRegistry::new(), &mut buf);
            let got = ran(got, &buf);
            assert_eq!(got, want, "{config:?} far={far}\n{text}");
            assert_eq!(buf, want_mem, "{config:?} far={far}\n{text}");
        }
    }
    want
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

#[test]
fn memory_faults_name_the_instruction() {
    let mem = [1u8, 2, 3, 4, 5, 6, 7, 8];
    agree("ldxdw %r0, [%r1]\nexit", &mem).unwrap();
    agree("ldxdw %r0, [%r1+1]\nexit", &mem).unwrap_err();
    agree("mov %r0, 0\nstxw [%r1+6], %r0\nexit", &mem).unwrap_err();
    agree("stdw [%r1], -2\nldxh %r0, [%r1+6]\nexit", &mem).unwrap();
    agree("ldxw %r0, [%r10+8]\nexit", &mem).unwrap_err();
    agree("stdw [%r10-512], 9\nldxdw %r0, [%r10-512]\nexit", &mem).unwrap();
}

#[test]
fn atomics_match_the_interpreter() {
    let mem = [0x11u8, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0, 0, 0, 0];
    for op in ["add", "or", "and", "xor", "xchg", "cmpxchg"] {
        for (suffix, off) in [("", 0), ("32", 0), ("", 1), ("32", 2)] {
            let fetch = matches!(op, "xchg" | "cmpxchg");
            let forms: &[&str] = if fetch { &["fetch"] } else { &["", "fetch"] };
            for form in forms {
                let mn = match *form {
                    "fetch" => format!("lock fetch_{op}{suffix}"),
                    _ => format!("lock {op}{suffix}"),
                };
                let mn = mn
                    .replace("fetch_xchg", "xchg")
                    .replace("fetch_cmpxchg", "cmpxchg");
                let text = format!(
                    "mov %r0, 0x44332211\nmov %r2, 0x0f0f\n{mn} [%r1+{off}], %r2\nadd %r0, %r2\nexit"
                );
                if assemble(&text).is_ok() {
                    agree(&text, &mem).unwrap();
                }
            }
        }
    }
}

#[test]
fn budget_faults_at_the_interpreters_instruction() {
    let program =
        Program::from_insns(assemble("mov %r0, 0\nadd %r0, 1\nja -2\nexit").unwrap()).unwrap();
    for budget in [1, 2, 3, 100, 4097] {
        let limits = Config {
            instruction_budget: Some(budget),
            ..Config::default()
        };
        agree_with(&program, &[], limits).unwrap_err();
    }
}

#[test]
fn large_frames_and_large_programs() {
    let limits = Config {
        stack_frame_size: 8192,
        ..Config::default()
    };
    let text = "stdw [%r10-8192], 5\ncall local +2\nldxdw %r0, [%r10-8192]\nexit\n\
                stdw [%r10-8192], 7\nldxdw %r0, [%r10+8]\nexit";
    let program = Program::from_insns(assemble(text).unwrap()).unwrap();
    assert_eq!(agree_with(&program, &[], limits), Ok(5));
    // More slots than NEAR_LIMIT: far branches across more than 1 MiB of code,
    // checked accesses whose misses are far away.
    let mut text = String::from("mov %r0, 0\nldxb %r2, [%r1+3]\njeq %r2, 4, +30000\n");
    for i in 0..10_000 {
        text.push_str(&format!(
            "add %r0, {i}\nstxb [%r1+{}], %r0\nldxb %r3, [%r1+1]\n",
            i % 8
        ));
    }
    text.push_str("exit\n");
    let program = Program::from_insns(assemble(&text).unwrap()).unwrap();
    let jit = A64Program::compile(&program, &JitConfig::checked()).unwrap();
    assert!(jit.bytes().len() > 1 << 20);
    for first in [4u8, 5] {
        let mut want_mem = [0, 1, 2, first, 4, 5, 6, 7];
        let mut got_mem = want_mem;
        let want = Vm::default().run(&program, &mut want_mem);
        let want = want.map_err(|e| normalize(e, &want_mem));
        let got = jit.run(&HelperRegistry::new(), &mut got_mem);
        let got = ran(got, &got_mem);
        assert_eq!((got, got_mem), (want, want_mem));
    }
}

/// Frames of 0 bytes: no stack memory at all (the emulator once refused to map the
/// empty stack before running anything; fuzz/regressions/diff_jit/aarch64-empty-stack).
#[test]
fn frames_of_zero_bytes() {
    let limits = Config {
        stack_frame_size: 0,
        ..Config::default()
    };
    let mem = [1u8, 2, 3, 4, 5, 6, 7, 8];
    for (text, ok) in [
        ("mov %r0, 1\nexit", true),
        ("ldxdw %r0, [%r1]\nstb [%r1+7], 9\nexit", true),
        (
            "mov %r6, 3\ncall local +2\nadd %r0, %r6\nexit\nmov %r0, 4\nexit",
            true,
        ),
        ("mov %r0, 0\nstb [%r10-1], 1\nexit", false),
        ("ldxb %r0, [%r10]\nexit", false),
        ("call local +1\nexit\nldxb %r0, [%r10-1]\nexit", false),
    ] {
        let program = Program::from_insns(assemble(text).unwrap()).unwrap();
        assert_eq!(agree_with(&program, &mem, limits).is_ok(), ok, "{text}");
    }
}
