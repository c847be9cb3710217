//! The interpreter's semantics, edge case by edge case.

use super::*;
use crate::asm::assemble;
use crate::helpers::{Helper, HelperError, HelperRegistry, HelperSignature};
use crate::memory::{RegionKind, RegionTable};
use crate::program::Program;

fn program(text: &str) -> Program {
    let insns = assemble(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    Program::from_insns(insns).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn budgeted() -> Config {
    Config {
        instruction_budget: Some(1 << 20),
        ..Config::default()
    }
}

fn run_on(text: &str, mem: &mut [u8]) -> Result<u64, ExecError> {
    Vm::new(budgeted()).run(&program(text), mem)
}

fn run(text: &str) -> Result<u64, ExecError> {
    run_on(text, &mut [])
}

fn value(text: &str) -> u64 {
    run(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn alu32_zero_extends() {
    assert_eq!(value("mov %r0, -1\nadd32 %r0, 1\nexit"), 0);
    assert_eq!(value("mov32 %r0, -1\nexit"), 0xffff_ffff);
    assert_eq!(value("mov %r0, -1\nmov32 %r0, %r0\nexit"), 0xffff_ffff);
    assert_eq!(value("mov %r0, -1\nneg32 %r0\nexit"), 1);
    assert_eq!(value("mov %r0, -2\narsh32 %r0, 1\nexit"), 0xffff_ffff);
    assert_eq!(value("mov %r0, -1\nlsh32 %r0, 4\nexit"), 0xffff_fff0);
    assert_eq!(value("mov %r0, -1\nmov %r0, 7\nexit"), 7);
}

#[test]
fn shift_amounts_are_masked() {
    assert_eq!(value("mov %r0, 1\nlsh %r0, 65\nexit"), 2);
    assert_eq!(value("mov %r0, 1\nmov %r1, 33\nlsh32 %r0, %r1\nexit"), 2);
    assert_eq!(value("mov %r0, 8\nmov %r1, -1\nrsh %r0, %r1\nexit"), 0);
    assert_eq!(value("mov %r0, -8\narsh %r0, 65\nexit"), (-4i64) as u64);
}

#[test]
fn division_and_modulo_by_zero() {
    assert_eq!(value("mov %r0, 9\nmov %r1, 0\ndiv %r0, %r1\nexit"), 0);
    assert_eq!(value("mov %r0, 9\nmov %r1, 0\nmod %r0, %r1\nexit"), 9);
    assert_eq!(value("mov %r0, 9\nmov %r1, 0\nsdiv %r0, %r1\nexit"), 0);
    assert_eq!(
        value("mov %r0, -9\nmov %r1, 0\nsmod %r0, %r1\nexit"),
        (-9i64) as u64
    );
    // 32-bit forms zero-extend, also when the dividend is left alone.
    assert_eq!(
        value("mov %r0, -1\nmov %r1, 0\nmod32 %r0, %r1\nexit"),
        0xffff_ffff
    );
    assert_eq!(
        value("mov %r0, -1\nmov %r1, 0\nsmod32 %r0, %r1\nexit"),
        0xffff_ffff
    );
    assert_eq!(value("mov %r0, -1\nmov %r1, 0\ndiv32 %r0, %r1\nexit"), 0);
    assert_eq!(value("mov %r0, -1\nmod32 %r0, 0\nexit"), 0xffff_ffff);
}

#[test]
fn immediates_of_64_bit_division_are_sign_extended() {
    // RFC 9669: `div %r0, -10` divides by 0xfffffffffffffff6.
    assert_eq!(value("mov %r0, -1\ndiv %r0, -10\nexit"), 1);
    assert_eq!(value("mov %r0, -1\nmod %r0, -10\nexit"), 9);
    // 32-bit forms take the immediate's 32 bits, unsigned.
    assert_eq!(value("mov32 %r0, -1\ndiv32 %r0, -10\nexit"), 1);
    assert_eq!(value("mov %r0, 100\ndiv32 %r0, -1\nexit"), 0);
}

#[test]
fn signed_division_overflow() {
    let min64 = "lddw %r0, 0x8000000000000000\n";
    assert_eq!(value(&format!("{min64}sdiv %r0, -1\nexit")), 1 << 63);
    assert_eq!(value(&format!("{min64}smod %r0, -1\nexit")), 0);
    assert_eq!(
        value(&format!("{min64}mov %r1, -1\nsdiv %r0, %r1\nexit")),
        1 << 63
    );
    assert_eq!(
        value("mov32 %r0, 0x80000000\nsdiv32 %r0, -1\nexit"),
        0x8000_0000
    );
    assert_eq!(value("mov32 %r0, 0x80000000\nsmod32 %r0, -1\nexit"), 0);
    assert_eq!(value("mov %r0, -7\nsmod %r0, 2\nexit"), (-1i64) as u64);
    assert_eq!(
        value("mov %r0, 7\nsdiv32 %r0, -2\nexit"),
        (-3i32) as u32 as u64
    );
}

#[test]
fn sign_extending_moves() {
    assert_eq!(
        value("mov %r1, 0x80\nmovsx864 %r0, %r1\nexit"),
        0xffff_ffff_ffff_ff80
    );
    assert_eq!(
        value("mov %r1, 0x8000\nmovsx1664 %r0, %r1\nexit"),
        0xffff_ffff_ffff_8000
    );
    assert_eq!(
        value("mov32 %r1, 0x80000000\nmovsx3264 %r0, %r1\nexit"),
        0xffff_ffff_8000_0000
    );
    assert_eq!(value("mov %r1, 0x80\nmovsx832 %r0, %r1\nexit"), 0xffff_ff80);
    assert_eq!(
        value("mov %r1, 0x8000\nmovsx1632 %r0, %r1\nexit"),
        0xffff_8000
    );
}

#[test]
fn sign_extending_loads() {
    let mut mem = [0x80, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0];
    let ldx = |op: &str, mem: &mut [u8]| run_on(&format!("{op} %r0, [%r1]\nexit"), mem).unwrap();
    assert_eq!(ldx("ldxsb", &mut mem), 0xffff_ffff_ffff_ff80);
    assert_eq!(ldx("ldxsh", &mut mem), 0xffff_ffff_ffff_ff80);
    assert_eq!(ldx("ldxsw", &mut mem), 0xffff_ffff_ffff_ff80);
    assert_eq!(ldx("ldxb", &mut mem), 0x80);
    assert_eq!(ldx("ldxh", &mut mem), 0xff80);
    assert_eq!(ldx("ldxw", &mut mem), 0xffff_ff80);
    assert_eq!(ldx("ldxdw", &mut mem), 0x7f_ffff_ff80);
}

#[test]
fn unaligned_loads_and_stores() {
    let mut mem = [0u8; 16];
    let v = run_on(
        "lddw %r2, 0x1122334455667788\nstxdw [%r1+3], %r2\nldxw %r0, [%r1+5]\nexit",
        &mut mem,
    );
    assert_eq!(v, Ok(0x3344_5566));
    assert_eq!(mem[3..11], 0x1122_3344_5566_7788u64.to_le_bytes());
    assert_eq!(
        run_on("sth [%r1+15], 1\nmov %r0, 0\nexit", &mut mem)
            .unwrap_err()
            .pc,
        0
    );
}

#[test]
fn byte_order() {
    let v = "lddw %r0, 0x0102030405060708\n";
    assert_eq!(value(&format!("{v}le16 %r0\nexit")), 0x0708);
    assert_eq!(value(&format!("{v}le32 %r0\nexit")), 0x0506_0708);
    assert_eq!(value(&format!("{v}le64 %r0\nexit")), 0x0102_0304_0506_0708);
    assert_eq!(value(&format!("{v}be16 %r0\nexit")), 0x0807);
    assert_eq!(value(&format!("{v}be32 %r0\nexit")), 0x0807_0605);
    assert_eq!(value(&format!("{v}be64 %r0\nexit")), 0x0807_0605_0403_0201);
    assert_eq!(value(&format!("{v}bswap16 %r0\nexit")), 0x0807);
    assert_eq!(value(&format!("{v}bswap32 %r0\nexit")), 0x0807_0605);
    assert_eq!(
        value(&format!("{v}bswap64 %r0\nexit")),
        0x0807_0605_0403_0201
    );
}

#[test]
fn jmp32_compares_low_halves() {
    let p = "lddw %r1, 0x100000000\nmov %r0, 1\njeq32 %r1, 0, +1\nmov %r0, 2\nexit";
    assert_eq!(value(p), 1);
    let p = "lddw %r1, 0x100000000\nmov %r0, 1\njeq %r1, 0, +1\nmov %r0, 2\nexit";
    assert_eq!(value(p), 2);
    // Signed 32-bit: 0xffffffff is -1 in the low half.
    let p = "mov32 %r1, -1\nmov %r0, 1\njslt32 %r1, 0, +1\nmov %r0, 2\nexit";
    assert_eq!(value(p), 1);
    // 64-bit immediates are sign-extended.
    let p = "mov %r1, -1\nmov %r0, 1\njeq %r1, -1, +1\nmov %r0, 2\nexit";
    assert_eq!(value(p), 1);
}

#[test]
fn gotol_jumps_by_the_immediate() {
    assert_eq!(value("mov %r0, 1\nja32 +1\nmov %r0, 2\nexit"), 1);
    assert_eq!(
        value("mov %r0, 0\nja32 +2\nadd %r0, 5\nexit\nadd %r0, 1\nja32 -4"),
        6
    );
}

const CALLS: &str = "
mov %r0, 0
mov %r1, 1
mov %r2, 2
mov %r3, 3
mov %r4, 4
mov %r5, 5
mov %r6, 6
mov %r7, 7
mov %r8, 8
mov %r9, 9
stdw [%r10-8], 42
call local func
jne %r6, 6, fail
jne %r7, 7, fail
jne %r8, 8, fail
jne %r9, 9, fail
ldxdw %r1, [%r10-8]
jne %r1, 42, fail
exit
fail:
mov %r0, -1
exit
func:
mov %r0, %r1
add %r0, %r2
add %r0, %r3
add %r0, %r4
add %r0, %r5
mov %r6, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
stdw [%r10-8], 0
exit
";

#[test]
fn local_calls_pass_arguments_and_preserve_r6_to_r9_and_frames() {
    assert_eq!(value(CALLS), 15);
}

#[test]
fn frames_have_their_own_r10() {
    // The callee returns its r10; the caller subtracts it from its own.
    let p = "mov %r1, %r10\ncall local f\nmov %r2, %r10\nsub %r2, %r0\nmov %r0, %r2\nexit\nf:\nmov %r0, %r10\nexit";
    assert_eq!(value(p), 512);
}

/// A function calling itself `depth` times in total before returning.
fn recursion(depth: u32) -> String {
    format!("mov %r1, {depth}\ncall local f\nexit\nf:\nmov %r0, %r1\nsub %r1, 1\njeq %r1, 0, +1\ncall local f\nexit")
}

#[test]
fn call_depth_is_limited_to_eight_frames() {
    // Seven nested calls plus the entry function: eight frames.
    assert_eq!(value(&recursion(7)), 1);
    let e = run(&recursion(8)).unwrap_err();
    assert_eq!(
        e,
        ExecError::new(6, ExecErrorKind::CallDepthExceeded { max_frames: 8 })
    );
    assert!(e.to_string().starts_with("call depth exceeded"), "{e}");
    let shallow = Vm::new(Config {
        max_call_depth: 2,
        ..budgeted()
    });
    assert_eq!(shallow.run(&program(&recursion(1)), &mut []), Ok(1));
    assert!(shallow.run(&program(&recursion(2)), &mut []).is_err());
}

/// Where and how `text` fails out of bounds: (instruction, bytes, write).
fn oob(text: &str) -> (usize, u64, bool) {
    match run(text) {
        Err(ExecError {
            pc,
            kind: ExecErrorKind::OutOfBounds { size, write, .. },
        }) => (pc, size, write),
        other => panic!("{other:?}\n{text}"),
    }
}

#[test]
fn the_entry_function_reaches_its_own_frame_only() {
    assert_eq!(value("stb [%r10-512], 7\nldxb %r0, [%r10-512]\nexit"), 7);
    assert_eq!(oob("ldxb %r0, [%r10-513]\nexit"), (0, 1, false));
    assert_eq!(oob("mov %r0, 0\nstb [%r10-513], 1\nexit"), (1, 1, true));
    // Straddling the bottom of the frame.
    assert_eq!(oob("mov %r0, 0\nstxdw [%r10-516], %r0\nexit"), (1, 8, true));
    assert_eq!(oob("ldxdw %r0, [%r10-516]\nexit"), (0, 8, false));
    // Far below, where deeper frames would be.
    assert_eq!(oob("ldxb %r0, [%r10-4096]\nexit"), (0, 1, false));
    // The faulting address is reported.
    let e = run("mov %r1, %r10\nldxw %r0, [%r1-514]\nexit").unwrap_err();
    let r10 = value("mov %r0, %r10\nexit");
    assert_eq!(
        e,
        ExecError::new(
            1,
            ExecErrorKind::OutOfBounds {
                addr: r10 - 514,
                size: 4,
                write: false
            }
        )
    );
}

#[test]
fn a_callee_reaches_its_frame_and_its_callers_but_nothing_below() {
    // Below the callee's frame: read, write, straddle; faulting at the callee's slot.
    let callee = |body: &str| format!("call local f\nexit\nf:\n{body}\nexit");
    assert_eq!(oob(&callee("ldxb %r0, [%r10-513]")), (2, 1, false));
    assert_eq!(oob(&callee("mov %r0, 0\nstdw [%r10-520], 1")), (3, 8, true));
    assert_eq!(oob(&callee("ldxh %r0, [%r10-513]")), (2, 2, false));
    assert_eq!(value(&callee("stw [%r10-512], 9\nldxw %r0, [%r10-512]")), 9);
    // Above its r10 is the caller's frame: the bottom and the top of it.
    let p = "stdw [%r10-512], 5\nstdw [%r10-8], 6\ncall local f\nexit\nf:\n\
             ldxdw %r0, [%r10+0]\nldxdw %r1, [%r10+504]\nlsh %r0, 4\nor %r0, %r1\nexit";
    assert_eq!(value(p), 0x56);
    // At the deepest frame, the entry frame is still reachable; above it is not.
    let deep = "stdw [%r10-8], 3\nmov %r1, %r10\nmov %r2, 7\ncall local f\nexit\nf:\n\
                sub %r2, 1\njeq %r2, 0, +2\ncall local f\nexit\nldxdw %r0, [%r1-8]\nexit";
    assert_eq!(value(deep), 3);
    assert_eq!(oob(&deep.replace("[%r1-8]", "[%r1+0]")), (9, 8, false));
}

#[test]
fn a_pointer_into_the_callers_frame_works_in_the_callee() {
    let p = "stdw [%r10-16], 40\nmov %r1, %r10\nadd %r1, -16\ncall local f\n\
             ldxdw %r0, [%r10-16]\nexit\nf:\nldxdw %r2, [%r1]\nadd %r2, 2\n\
             stxdw [%r1], %r2\nstdw [%r10-8], 1\nmov %r0, 0\nexit";
    assert_eq!(value(p), 42);
}

#[test]
fn a_returned_callees_frame_is_gone() {
    // The callee returns a pointer into its own frame; the caller cannot use it.
    let p = |access: &str| {
        format!("call local f\n{access}\nmov %r0, 0\nexit\nf:\nstdw [%r10-8], 1\nmov %r0, %r10\nadd %r0, -8\nexit")
    };
    assert_eq!(oob(&p("ldxdw %r1, [%r0]")), (1, 8, false));
    assert_eq!(oob(&p("stdw [%r0], 2")), (1, 8, true));
    assert_eq!(oob(&p("stxdw [%r0+0], %r0")), (1, 8, true));
    // A helper cannot reach it either.
    let e = run_helpers(&p("mov %r1, %r0\ncall 2"), &mut []).unwrap_err();
    assert_eq!(e.pc, 2);
    assert!(e.to_string().starts_with("helper failed"), "{e}");
    // Calling again makes the frame live again, holding what the last callee left.
    let again = "call local f\ncall local f\nexit\nf:\nldxdw %r0, [%r10-8]\nstdw [%r10-8], 7\nexit";
    assert_eq!(value(again), 7);
}

fn registry() -> HelperRegistry {
    let mut helpers = HelperRegistry::new();
    let sig = HelperSignature::anything(5).unwrap();
    helpers.register(
        1,
        Helper::new("sum", sig.clone(), |_, a| Ok(a.iter().sum())),
    );
    helpers.register(
        2,
        Helper::new("peek", sig.clone(), |ctx, a| {
            Ok(u64::from(ctx.read::<u8>(a[0])?))
        }),
    );
    helpers.register(
        3,
        Helper::new("fail", sig, |_, a| {
            Err(HelperError::InvalidArgument {
                index: 1,
                value: a[0],
            })
        }),
    );
    helpers
}

fn run_helpers(text: &str, mem: &mut [u8]) -> Result<u64, ExecError> {
    Vm::with_helpers(budgeted(), registry()).run(&program(text), mem)
}

#[test]
fn helpers_by_id() {
    let p = "mov %r1, 1\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\ncall 1\nexit";
    assert_eq!(run_helpers(p, &mut []), Ok(15));
    assert_eq!(run_helpers("call 2\nexit", &mut [9]), Ok(9));
    let e = run_helpers("mov %r1, 0\ncall 2\nexit", &mut [9]).unwrap_err();
    assert_eq!(e.pc, 1);
    assert!(matches!(
        e.kind,
        ExecErrorKind::HelperFailed {
            id: 2,
            error: HelperError::Memory(_)
        }
    ));
    let e = run_helpers("mov %r1, 7\ncall 3\nexit", &mut []).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("helper failed: helper 3: invalid argument 1"),
        "{e}"
    );
    let e = run_helpers("mov %r0, 0\ncall 99\nexit", &mut []).unwrap_err();
    assert_eq!(
        e,
        ExecError::new(1, ExecErrorKind::UnknownHelper { id: 99 })
    );
    assert_eq!(e.to_string(), "unknown helper 99 at instruction 1");
}

#[test]
fn callx_takes_the_id_from_dst() {
    let p =
        "mov %r1, 4\nmov %r2, 5\nmov %r3, 0\nmov %r4, 0\nmov %r5, 0\nmov %r6, 1\ncall %r6\nexit";
    assert_eq!(run_helpers(p, &mut []), Ok(9));
    let e = run_helpers("lddw %r6, 0x100000001\ncall %r6\nexit", &mut []).unwrap_err();
    assert_eq!(
        e,
        ExecError::new(2, ExecErrorKind::UnknownHelper { id: 0x1_0000_0001 })
    );
}

#[test]
fn legacy_packet_loads_are_big_endian_and_end_the_run_when_outside() {
    let mut pkt = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99];
    assert_eq!(run_on("ldabsw 1\nexit", &mut pkt), Ok(0x2233_4455));
    assert_eq!(run_on("ldabsh 7\nexit", &mut pkt), Ok(0x8899));
    assert_eq!(run_on("ldabsb 8\nexit", &mut pkt), Ok(0x99));
    assert_eq!(
        run_on("ldabsdw 0\nexit", &mut pkt),
        Ok(0x1122_3344_5566_7788)
    );
    assert_eq!(
        run_on("mov %r3, 2\nldindh %r3, 1\nexit", &mut pkt),
        Ok(0x4455)
    );
    // Outside the packet: the run ends at once with r0 = 0.
    let vm = Vm::new(budgeted());
    let out = vm.run_counted(&program("mov %r0, 5\nldabsw 6\nmov %r0, 7\nexit"), &mut pkt);
    assert_eq!(
        out,
        Ok(RunOutcome {
            value: 0,
            instructions: 2
        })
    );
    assert_eq!(run_on("mov %r3, -1\nldindb %r3, 0\nexit", &mut pkt), Ok(0));
    assert_eq!(run_on("ldabsb 0\nexit", &mut []), Ok(0));
}

#[test]
fn the_budget_is_exact() {
    let p = program("mov %r0, 0\nadd %r0, 1\njlt %r0, 3, -2\nexit");
    let vm = |budget| {
        Vm::new(Config {
            instruction_budget: Some(budget),
            ..Config::default()
        })
    };
    assert_eq!(
        vm(8).run_counted(&p, &mut []),
        Ok(RunOutcome {
            value: 3,
            instructions: 8
        })
    );
    let e = vm(7).run(&p, &mut []).unwrap_err();
    assert_eq!(
        e,
        ExecError::new(3, ExecErrorKind::BudgetExhausted { budget: 7 })
    );
    assert!(
        e.to_string().starts_with("instruction budget exhausted"),
        "{e}"
    );
    let e = vm(1000)
        .run(&program("mov %r0, 0\nja -1\nexit"), &mut [])
        .unwrap_err();
    assert_eq!(e.kind, ExecErrorKind::BudgetExhausted { budget: 1000 });
    assert_eq!(
        Vm::default()
            .run_counted(&p, &mut [])
            .map(|o| o.instructions),
        Ok(8)
    );
}

#[test]
fn out_of_bounds_accesses_are_typed_errors() {
    let mut mem = [0u8; 4];
    let addr = mem.as_ptr() as u64;
    let e = run_on("ldxw %r0, [%r1+1]\nexit", &mut mem).unwrap_err();
    assert_eq!(
        e,
        ExecError::new(
            0,
            ExecErrorKind::OutOfBounds {
                addr: addr + 1,
                size: 4,
                write: false
            }
        )
    );
    assert_eq!(
        e.to_string(),
        format!(
            "out of bounds read of 4 bytes at {:#x} at instruction 0",
            addr + 1
        )
    );
    let e = run_on("mov %r0, 0\nstb [%r1-1], 0\nexit", &mut mem).unwrap_err();
    assert!(
        e.to_string().starts_with("out of bounds write of 1 bytes"),
        "{e}"
    );
    // Past the top of the stack.
    assert!(run("ldxb %r0, [%r10]\nexit").is_err());
    // No memory: r1 = r2 = 0 and nothing to access.
    assert_eq!(run("mov %r0, %r1\nor %r0, %r2\nexit"), Ok(0));
    assert!(run("ldxb %r0, [%r1]\nexit").is_err());
}

#[test]
fn read_only_regions_refuse_writes() {
    let data = [1u8, 2, 3, 4];
    let mut memory = RegionTable::new();
    memory.add_readonly(RegionKind::ReadOnly, &data);
    let addr = data.as_ptr() as u64;
    let input = |memory| RunInput {
        memory,
        args: [addr, 0, 0, 0, 0],
        packet: None,
    };
    let vm = Vm::new(budgeted());
    let out = vm.run_with(&program("ldxh %r0, [%r1+2]\nexit"), input(memory));
    assert_eq!(out.map(|o| o.value), Ok(0x0403));
    let mut memory = RegionTable::new();
    memory.add_readonly(RegionKind::ReadOnly, &data);
    let e = vm
        .run_with(&program("mov %r0, 0\nstb [%r1], 0\nexit"), input(memory))
        .unwrap_err();
    assert_eq!(
        e,
        ExecError::new(1, ExecErrorKind::ReadOnlyWrite { addr, size: 1 })
    );
    assert!(
        e.to_string().starts_with("write to read-only memory"),
        "{e}"
    );
    let mut memory = RegionTable::new();
    memory.add_readonly(RegionKind::ReadOnly, &data);
    let e = vm.run_with(
        &program("mov %r0, 0\nmov %r2, 1\nlock add32 [%r1], %r2\nexit"),
        input(memory),
    );
    assert_eq!(
        e.unwrap_err().kind,
        ExecErrorKind::ReadOnlyWrite { addr, size: 4 }
    );
}

/// Runs `op` on a stack word holding `old` with `%r1 = operand` and `%r0 = r0`;
/// returns (r0, r1, the word) afterwards.
fn atomic(op: &str, old: u64, operand: u64, r0: u64) -> (u64, u64, u64) {
    let get = |slot: i16| {
        value(&format!(
            "lddw %r2, {old:#x}\nstxdw [%r10-8], %r2\nlddw %r1, {operand:#x}\n\
             lddw %r0, {r0:#x}\n{op} [%r10-8], %r1\nstxdw [%r10-16], %r0\n\
             stxdw [%r10-24], %r1\nldxdw %r0, [%r10{slot}]\nexit"
        ))
    };
    (get(-16), get(-24), get(-8))
}

#[test]
fn atomics_with_and_without_fetch() {
    const BIG: u64 = 0xffff_ffff_0000_0001;
    assert_eq!(atomic("lock add", 5, 3, 0), (0, 3, 8));
    assert_eq!(atomic("lock fetch add", 5, 3, 0), (0, 5, 8));
    assert_eq!(atomic("lock or", 0b1010, 0b0101, 0), (0, 0b0101, 0b1111));
    assert_eq!(
        atomic("lock fetch or", 0b1010, 0b0101, 0),
        (0, 0b1010, 0b1111)
    );
    assert_eq!(atomic("lock and", 0b1010, 0b0110, 0), (0, 0b0110, 0b0010));
    assert_eq!(
        atomic("lock fetch and", 0b1010, 0b0110, 0),
        (0, 0b1010, 0b0010)
    );
    assert_eq!(atomic("lock xor", 0b1010, 0b0110, 0), (0, 0b0110, 0b1100));
    assert_eq!(
        atomic("lock fetch xor", 0b1010, 0b0110, 0),
        (0, 0b1010, 0b1100)
    );
    assert_eq!(atomic("lock xchg", 5, 9, 0), (0, 5, 9));
    // CMPXCHG: r0 is compared and receives the old value either way.
    assert_eq!(atomic("lock cmpxchg", 5, 9, 5), (5, 9, 9));
    assert_eq!(atomic("lock cmpxchg", 5, 9, 6), (5, 9, 5));
    // 32-bit forms act on the low word and zero-extend what they fetch.
    assert_eq!(
        atomic("lock add32", BIG, 1, 0),
        (0, 1, 0xffff_ffff_0000_0002)
    );
    assert_eq!(
        atomic("lock fetch add32", BIG, BIG, 0),
        (0, 1, 0xffff_ffff_0000_0002)
    );
    assert_eq!(
        atomic("lock fetch or32", u64::MAX, 0, 0),
        (0, 0xffff_ffff, u64::MAX)
    );
    assert_eq!(
        atomic("lock fetch and32", u64::MAX, 0, 0),
        (0, 0xffff_ffff, 0xffff_ffff_0000_0000)
    );
    assert_eq!(atomic("lock fetch xor32", 3, 1, 0), (0, 3, 2));
    assert_eq!(
        atomic("lock xchg32", u64::MAX, 7, 0),
        (0, 0xffff_ffff, 0xffff_ffff_0000_0007)
    );
    assert_eq!(
        atomic("lock cmpxchg32", BIG, 9, 0x7_0000_0001),
        (1, 9, 0xffff_ffff_0000_0009)
    );
    assert_eq!(atomic("lock cmpxchg32", BIG, 9, 2), (1, 9, BIG));
}

#[test]
fn explicit_context_and_packet_regions() {
    let mut ctx = [0u8; 8];
    let mut pkt = [0xab, 0xcd];
    let ctx_addr = ctx.as_ptr() as u64;
    let mut memory = RegionTable::new();
    memory.add_writable(RegionKind::Input, &mut ctx);
    let packet = memory.add_writable(RegionKind::Packet, &mut pkt);
    let input = RunInput {
        memory,
        args: [ctx_addr, 3, 0, 0, 0],
        packet: Some(packet),
    };
    // Store r2 into the context, then load the packet's first half-word.
    let p = program("stxdw [%r1], %r2\nldabsh 0\nexit");
    let out = Vm::new(budgeted()).run_with(&p, input).unwrap();
    assert_eq!(
        out,
        RunOutcome {
            value: 0xabcd,
            instructions: 3
        }
    );
    assert_eq!(ctx, 3u64.to_le_bytes());
}
