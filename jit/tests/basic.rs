//! Hand-checked programs through the JIT, in both modes.

use ferrobpf_jit::{JitConfig, JitProgram};
use ferrobpf_vm::asm::assemble;
use ferrobpf_vm::helpers::{Helper, HelperRegistry, HelperSignature};
use ferrobpf_vm::interp::{Config, ExecError, ExecErrorKind, Vm};
use ferrobpf_vm::program::Program;

fn run_with(text: &str, mem: &mut [u8], config: JitConfig) -> Result<u64, ExecError> {
    let program = Program::from_insns(assemble(text).expect("assembles")).expect("loads");
    let jit = JitProgram::compile(&program, &config).expect("compiles");
    jit.run(&HelperRegistry::new(), mem)
}

/// Runs `text`, which accesses only memory it may, in every mode (without bounds
/// checks too); all must agree.
fn run(text: &str, mem: &mut [u8]) -> u64 {
    let checked = run_with(text, &mut mem.to_vec(), JitConfig::checked()).expect("runs checked");
    // SAFETY: every program given to `run` stays inside its memory (the tests that
    // go out of bounds call `run_with` with a checking configuration).
    let unchecked = unsafe { JitConfig::verified_unchecked() };
    let unchecked = run_with(text, &mut mem.to_vec(), unchecked).expect("runs unchecked");
    let verified = run_with(text, mem, JitConfig::verified()).expect("runs verified");
    assert_eq!(checked, verified, "modes disagree");
    assert_eq!(unchecked, verified, "unchecked accesses disagree");
    verified
}

#[test]
fn arithmetic() {
    let r = run(
        "mov32 %r0, 0\nmov32 %r1, 2\nadd32 %r0, 1\nadd32 %r0, %r1\nadd32 %r0, %r0\nadd32 %r0, -3\nexit",
        &mut [],
    );
    assert_eq!(r, 3);
    assert_eq!(run("mov %r0, -1\nrsh32 %r0, 4\nexit", &mut []), 0x0fff_ffff);
    assert_eq!(
        run("lddw %r0, 0x123456789abcdef0\nexit", &mut []),
        0x1234_5678_9abc_def0
    );
    assert_eq!(
        run("mov %r0, 7\nmul %r0, -3\nexit", &mut []),
        (-21i64) as u64
    );
}

#[test]
fn division_follows_the_rfc() {
    assert_eq!(
        run("mov %r0, 7\nmov %r1, 0\ndiv %r0, %r1\nexit", &mut []),
        0
    );
    assert_eq!(
        run("mov %r0, 7\nmov %r1, 0\nmod %r0, %r1\nexit", &mut []),
        7
    );
    assert_eq!(
        run("mov %r0, -1\nmov32 %r1, 0\nmod32 %r0, %r1\nexit", &mut []),
        0xffff_ffff
    );
    assert_eq!(
        run(
            "lddw %r0, 0x8000000000000000\nmov %r1, -1\nsdiv %r0, %r1\nexit",
            &mut []
        ),
        0x8000_0000_0000_0000
    );
    assert_eq!(
        run("mov %r0, -7\nmov %r3, 2\nsmod %r0, %r3\nexit", &mut []),
        (-1i64) as u64
    );
    assert_eq!(
        run(
            "mov %r3, 100\nmov %r0, 7\ndiv %r3, %r0\nmov %r0, %r3\nexit",
            &mut []
        ),
        14
    );
}

#[test]
fn memory_and_bounds() {
    let mut mem = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];
    assert_eq!(run("ldxdw %r0, [%r1]\nbe16 %r0\nexit", &mut mem), 0x1122);
    assert_eq!(run("stw [%r10-4], 5\nldxw %r0, [%r10-4]\nexit", &mut []), 5);
    let err = run_with("ldxdw %r0, [%r1+1]\nexit", &mut mem, JitConfig::checked()).unwrap_err();
    assert_eq!(err.pc, 0);
    assert!(matches!(err.kind, ExecErrorKind::OutOfBounds { .. }));
}

#[test]
fn local_calls_and_depth() {
    let text = "mov %r6, 6\nmov %r1, 1\ncall local f\nadd %r0, %r6\nexit\nf:\nmov %r6, 0\nmov %r0, %r1\nexit";
    assert_eq!(run(text, &mut []), 7);
    let deep = "call local f\nexit\nf:\ncall local f\nexit";
    let err = run_with(deep, &mut [], JitConfig::checked()).unwrap_err();
    assert_eq!(err.kind, ExecErrorKind::CallDepthExceeded { max_frames: 8 });
    assert_eq!(err.pc, 2);
}

#[test]
fn budget_stops_loops() {
    let config = JitConfig::checked().with_budget(Some(10));
    let err = run_with(
        "mov %r0, 0\nl:\nadd %r0, 1\nadd %r0, 2\nja l\nexit",
        &mut [],
        config,
    )
    .unwrap_err();
    assert_eq!(
        err,
        ExecError::new(1, ExecErrorKind::BudgetExhausted { budget: 10 })
    );
}

#[test]
fn misaligned_atomics_match_the_interpreter_without_split_locks() {
    let text =
        "mov %r2, 5\nlock fetch add [%r1+3], %r2\nmov %r0, 77\nlock cmpxchg32 [%r1+9], %r2\n\
                mov %r3, 9\nlock xchg [%r1+1], %r3\nmov %r4, -1\nlock fetch xor32 [%r1+6], %r4\n\
                add %r0, %r2\nadd %r0, %r3\nadd %r0, %r4\nexit";
    let program = Program::from_insns(assemble(text).expect("assembles")).expect("loads");
    let mut want_mem: Vec<u8> = (0..32).collect();
    let want = ferrobpf_vm::interp::Vm::default().run(&program, &mut want_mem);
    for config in [JitConfig::checked(), JitConfig::verified()] {
        let mut mem: Vec<u8> = (0..32).collect();
        let jit = JitProgram::compile(&program, &config).expect("compiles");
        assert_eq!(jit.run(&HelperRegistry::new(), &mut mem), want);
        assert_eq!(mem, want_mem);
    }
}

/// Occurrences of `pattern` in `code`.
fn occurrences(code: &[u8], pattern: &[u8]) -> usize {
    code.windows(pattern.len())
        .filter(|w| *w == pattern)
        .count()
}

/// With blinding, neither the id of `call IMM` nor the offset of `ldabs`/`ldind`
/// reaches the code verbatim; without it they do (the scan would see a leak).
#[test]
fn blinding_hides_helper_ids_and_packet_offsets() {
    const ID: u32 = 0x1234_5678;
    const IND: i32 = 0x5e6f_7a8b;
    const ABS: i32 = 0x1a2b_3c4d;
    let index = 2i64.wrapping_sub(i64::from(IND));
    let text = format!(
        "lddw %r6, {index}\nmov %r1, 7\ncall {ID}\nmov %r7, %r0\nldindh %r6, {IND}\n\
         add %r0, %r7\nmov %r8, %r0\njeq %r8, 0x3359, +1\nldabsw {ABS}\nmov %r0, %r8\nexit"
    );
    let program = Program::from_insns(assemble(&text).expect("assembles")).expect("loads");
    let mut helpers = HelperRegistry::new();
    let sig = HelperSignature::anything(5).expect("signature");
    helpers.register(ID, Helper::new("triple", sig, |_, a| Ok(a[0] * 3)));
    let mem = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];
    let vm = Vm::with_helpers(Config::default(), helpers.clone());
    let want = vm.run(&program, &mut mem.clone());
    assert_eq!(want, Ok(21 + 0x3344));
    let patterns = [ID.to_le_bytes(), IND.to_le_bytes(), ABS.to_le_bytes()];
    for config in [JitConfig::checked(), JitConfig::verified()] {
        let jit = JitProgram::compile(&program, &config).expect("compiles");
        assert_eq!(jit.run(&helpers, &mut mem.clone()), want);
        for p in &patterns {
            let n = occurrences(jit.code().bytes(), p);
            if config.blinding {
                assert_eq!(n, 0, "{p:x?} found {n} times");
            } else if cfg!(target_arch = "x86_64") {
                // x86-64 carries 32-bit immediates whole; AArch64 splits them into
                // 16-bit pieces, so only the blinded half applies there.
                assert!(n > 0, "{p:x?} not found unblinded");
            }
        }
    }
}

/// A compilation reusing the buffers an earlier one left on the thread produces the
/// same code as one on a fresh thread.
#[test]
fn reused_buffers_give_the_same_code() {
    let load = |text: &str| Program::from_insns(assemble(text).expect("assembles")).expect("loads");
    let big = load(&format!(
        "{}exit",
        "ldxdw %r0, [%r1+8]\nadd %r0, 3\n".repeat(500)
    ));
    let small = load("mov %r0, 1\nl:\nadd %r0, 1\njlt %r0, 10, l\nldxb %r2, [%r1]\nexit");
    let config = JitConfig::verified();
    let fresh = std::thread::spawn({
        let small = small.clone();
        move || {
            JitProgram::compile(&small, &config)
                .expect("compiles")
                .code()
                .bytes()
                .to_vec()
        }
    })
    .join()
    .expect("thread");
    JitProgram::compile(&big, &config).expect("compiles");
    let reused = JitProgram::compile(&small, &config).expect("compiles");
    assert_eq!(reused.code().bytes(), &fresh[..]);
    assert_eq!(
        reused.run(&HelperRegistry::new(), &mut [7, 0, 0, 0]),
        Ok(10)
    );
}

// Only the workloads and their buffer are used here.
#[allow(dead_code)]
#[path = "../../benches/src/lib.rs"]
mod workloads;

/// The shared benchmark workloads return their expected results in every mode.
#[test]
fn shared_workloads_in_every_mode() {
    // SAFETY: the workloads index their 64 KiB buffer within bounds (the Linux
    // verifier accepts them for it: benches/compare.sh), and they run on that buffer.
    let unchecked = unsafe { JitConfig::verified_unchecked() };
    for w in workloads::WORKLOADS {
        let program = w.program().expect("loads");
        for config in [JitConfig::checked(), JitConfig::verified(), unchecked] {
            let jit = JitProgram::compile(&program, &config).expect("compiles");
            let mut buf = workloads::fill_buffer();
            let got = jit.run(&HelperRegistry::new(), &mut buf);
            assert_eq!(got, Ok(w.expected), "{} {config:?}", w.name);
        }
    }
}

#[test]
fn code_larger_than_the_cap_is_refused_at_the_instruction_that_passes_it() {
    let text = "mov %r0, 0\n".to_string() + &"add %r0, 1\n".repeat(10_000) + "exit\n";
    let program = Program::from_bytes(&ferrobpf_vm::encode_program(&assemble(&text).unwrap()))
        .expect("loads");
    for config in [JitConfig::checked(), JitConfig::verified()] {
        let err = JitProgram::compile(&program, &config.with_max_code_bytes(4096)).unwrap_err();
        match err {
            ferrobpf_jit::JitError::CodeTooLarge { pc, limit } => {
                assert_eq!(limit, 4096);
                assert!(pc > 0 && pc < 10_000, "stopped at {pc}");
            }
            other => panic!("{other}"),
        }
        let jit = JitProgram::compile(&program, &config).expect("fits the default cap");
        assert!(jit.code().len() < config.max_code_bytes);
        assert_eq!(jit.run(&HelperRegistry::new(), &mut []), Ok(10_000));
    }
}
