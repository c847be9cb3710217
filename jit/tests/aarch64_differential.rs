//! Differential test of the AArch64 back end, its code executed natively on an
//! AArch64 host and under emulation elsewhere:
//! random valid programs drawn from the ISA table must give the interpreter's r0,
//! final memory and error (kind and instruction index).
//!
//! `alu_and_jumps` draws only arithmetic, byte order, LDDW and jumps;
//! `everything` adds loads, stores, atomics, helpers, CALLX, packet loads and local
//! calls. Loops are bounded by the instruction budget.
//! `FERROBPF_LONG=1 cargo test -p ferrobpf-jit --release --test aarch64_differential`
//! runs 100,000 cases per property instead of the default (`FERROBPF_LONG=N`, N > 1:
//! N cases). On x86-64 the code runs under Unicorn; natively under qemu-aarch64 with
//! `scripts/aarch64-native.sh --release --test aarch64_differential`.

use ferrobpf_jit::aarch64::exec::{A64Program, ExecFailure};
use ferrobpf_jit::JitConfig;
use ferrobpf_vm::disasm::{disassemble, Syntax};
use ferrobpf_vm::helpers::{Helper, HelperRegistry, HelperSignature};
use ferrobpf_vm::insn::Insn;
use ferrobpf_vm::interp::{Config, ExecError, ExecErrorKind, Vm};
use ferrobpf_vm::isa::{Op, Operands, Pseudo, Semantics, Size, TABLE};
use ferrobpf_vm::program::Program;
use proptest::prelude::*;

/// Input memory size.
const MEM: usize = 48;
/// Instruction budget of every run.
const BUDGET: u64 = 2000;

/// Raw random choices for one instruction.
type Raw = (u16, u8, u8, i16, i32, u8);

/// Whether the `alu_and_jumps` property draws `sem`.
fn pure(sem: Semantics) -> bool {
    matches!(
        sem,
        Semantics::Alu(..)
            | Semantics::End(..)
            | Semantics::Ja
            | Semantics::Gotol
            | Semantics::Jcond(..)
            | Semantics::Lddw(Pseudo::Imm64)
    )
}

/// The forms drawn: all but the LDDW second slot, map pseudo LDDWs and local calls
/// (placed separately); only pure ones when `all` is false.
fn forms(all: bool) -> Vec<Op> {
    TABLE
        .iter()
        .filter(|s| match s.semantics {
            Semantics::LddwHigh | Semantics::CallLocal => false,
            Semantics::Lddw(p) => p == Pseudo::Imm64,
            sem => all || pure(sem),
        })
        .map(|s| s.op)
        .collect()
}

/// One instruction before layout; `target` is an item index for jumps and calls.
#[derive(Clone, Debug)]
struct Item {
    insn: Insn,
    target: Option<usize>,
}

impl Item {
    fn plain(op: Op, dst: u8, imm: i64) -> Item {
        Item {
            insn: Insn::new(op, dst, 0, 0, imm),
            target: None,
        }
    }
}

/// A base register and offset around the input (r1) or the stack (r10), or anywhere.
fn memory_operand(x: u8, off: i16, size: Size) -> (u8, i16) {
    let size = size.bytes() as i16;
    match x % 5 {
        0..=2 => (1, off.rem_euclid(MEM as i16 + 16) - 8),
        3 => (10, -(off.rem_euclid(528)) + 8 - size),
        _ => (x % 10, off % 32),
    }
}

/// The item for `raw` in the function spanning items `[start, end)`.
fn item(forms: &[Op], raw: Raw, start: usize, end: usize, callee: Option<usize>) -> Item {
    let (sel, a, b, off, imm, extra) = raw;
    if let (Some(f), 0) = (callee, extra % 12) {
        return Item {
            insn: Insn::new(Op::CallLocal, 0, 1, 0, 0),
            target: Some(f),
        };
    }
    let op = forms[usize::from(sel) % forms.len()];
    // r1 keeps the input pointer most of the time; r10 is never written.
    let dst = [0, 2, 3, 4, 5, 6, 7, 8, 9, 0, 3, 1][usize::from(a) % 12];
    let src = b % 10;
    let mut insn = Insn::new(op, dst, src, off, i64::from(imm));
    let mut target = None;
    match op.spec().semantics {
        Semantics::Ja | Semantics::Gotol => {
            target = Some(start + usize::from(off as u16) % (end - start));
        }
        Semantics::Jcond(..) => {
            target = Some(start + usize::from(off as u16) % (end - start));
            if extra % 2 == 0 {
                // Small constants make both outcomes likely.
                insn.imm = i64::from(imm % 9);
            }
        }
        Semantics::Alu(..) if extra % 3 == 0 => insn.imm = i64::from(imm % 70),
        Semantics::Lddw(_) => insn.imm = (i64::from(imm) << 32) ^ i64::from(off) << (extra % 40),
        Semantics::CallHelper => insn.imm = i64::from(extra % 4),
        Semantics::Load(size, _) => (insn.src, insn.off) = memory_operand(extra, off, size),
        Semantics::StoreImm(size) | Semantics::StoreReg(size) | Semantics::Atomic(_, size, _) => {
            (insn.dst, insn.off) = memory_operand(extra, off, size)
        }
        Semantics::LdAbs(_) | Semantics::LdInd(_) => insn.imm = i64::from(imm % 64),
        _ => {}
    }
    Item { insn, target }
}

/// Lays items out in slots (an LDDW takes two) and resolves targets.
fn layout(items: &[Item]) -> Vec<Insn> {
    let wide = |it: &Item| it.insn.op.spec().operands == Operands::Wide;
    let mut slots = Vec::with_capacity(items.len());
    let mut next = 0i64;
    for it in items {
        slots.push(next);
        next += if wide(it) { 2 } else { 1 };
    }
    let mut insns = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let mut insn = it.insn;
        if let Some(t) = it.target {
            let rel = slots[t] - slots[i] - 1;
            match insn.op.spec().semantics {
                Semantics::Gotol | Semantics::CallLocal => insn.imm = rel,
                _ => insn.off = rel as i16,
            }
        }
        insns.push(insn);
        if wide(it) {
            insns.push(Insn::new(Op::LddwHigh, 0, 0, 0, insn.imm >> 32));
        }
    }
    insns
}

/// Main (registers seeded, then `main`, exit), then optionally a callee.
fn build(all: bool, main: &[Raw], callee: &[Raw], seed: i32) -> Vec<Insn> {
    let forms = forms(all);
    let seeded = |regs: &[u8], seed: i32| -> Vec<Item> {
        regs.iter()
            .map(|&r| {
                Item::plain(
                    Op::Mov64Imm,
                    r,
                    i64::from(seed.rotate_left(u32::from(r) * 7)),
                )
            })
            .collect()
    };
    let mut items = seeded(&[0, 2, 3, 4, 5, 6, 7, 8, 9], seed);
    let end = items.len() + main.len() + 1;
    let callee_start = (all && !callee.is_empty()).then_some(end);
    for raw in main {
        items.push(item(&forms, *raw, 0, end, callee_start));
    }
    items.push(Item::plain(Op::Exit, 0, 0));
    if let Some(start) = callee_start {
        items.extend(seeded(&[0, 6, 7, 8, 9], seed ^ 0x55));
        let end = start + 5 + callee.len() + 1;
        for raw in callee {
            items.push(item(&forms, *raw, start, end, Some(start)));
        }
        items.push(Item::plain(Op::Exit, 0, 0));
    }
    layout(&items)
}

fn helpers() -> HelperRegistry {
    let mut reg = HelperRegistry::new();
    let sig = HelperSignature::anything(2).expect("valid signature");
    reg.register(
        1,
        Helper::new("mix", sig.clone(), |_, a| {
            Ok(a[0].wrapping_mul(31) ^ a[1].rotate_left(7) ^ a[4])
        }),
    );
    reg.register(
        2,
        Helper::new("peek", sig, |ctx, a| Ok(u64::from(ctx.read::<u8>(a[0])?))),
    );
    reg
}

/// Faulting addresses outside the input (each engine has its own stack) compare as 0.
fn normalize(result: Result<u64, ExecError>, buf: u64) -> Result<u64, ExecError> {
    let near = |addr: u64| addr.wrapping_sub(buf).wrapping_add(4096) < 2 * 4096 + MEM as u64;
    result.map_err(|mut e| {
        match &mut e.kind {
            ExecErrorKind::OutOfBounds { addr, .. } | ExecErrorKind::ReadOnlyWrite { addr, .. }
                if !near(*addr) =>
            {
                *addr = 0
            }
            _ => {}
        }
        e
    })
}

/// The outcome of a run that executed: r0 or the program's fault; the code not
/// running at all fails the case.
fn ran(result: Result<u64, ExecFailure>) -> Result<Result<u64, ExecError>, TestCaseError> {
    match result {
        Ok(r0) => Ok(Ok(r0)),
        Err(ExecFailure::Run(e)) => Ok(Err(e)),
        Err(other) => Err(TestCaseError::fail(format!(
            "the code did not run: {other}"
        ))),
    }
}

fn check(insns: Vec<Insn>, mem: &[u8; MEM]) -> Result<(), TestCaseError> {
    let text = disassemble(&insns, Syntax::Conformance);
    let Ok(program) = Program::from_insns(insns) else {
        return Ok(());
    };
    let helpers = helpers();
    let limits = Config {
        instruction_budget: Some(BUDGET),
        ..Config::default()
    };
    let mut buf = *mem;
    let addr = buf.as_ptr() as u64;
    let vm = Vm::with_helpers(limits, helpers.clone());
    let want = normalize(vm.run(&program, &mut buf), addr);
    let want = (want, buf);
    for config in [JitConfig::checked(), JitConfig::verified()] {
        let config = JitConfig { limits, ..config };
        let jit = A64Program::compile(&program, &config)
            .map_err(|e| TestCaseError::fail(format!("compile: {e}")))?;
        buf = *mem;
        let got = (normalize(ran(jit.run(&helpers, &mut buf))?, addr), buf);
        prop_assert_eq!(&got, &want, "{:?}\n{}", config.mode, text);
    }
    Ok(())
}

/// `default`, or with `FERROBPF_LONG` set the number it holds when above 1, else
/// 100,000.
fn cases(default: u32) -> u32 {
    match std::env::var("FERROBPF_LONG").map(|v| v.parse::<u32>()) {
        Ok(Ok(n)) if n > 1 => n,
        Ok(_) => 100_000,
        Err(std::env::VarError::NotUnicode(_)) => 100_000,
        Err(std::env::VarError::NotPresent) => default,
    }
}

fn raws(max: usize) -> impl Strategy<Value = Vec<Raw>> {
    prop::collection::vec(any::<Raw>(), 0..max)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(2000),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn alu_and_jumps(main in raws(40), seed in any::<i32>(), mem in any::<[u8; MEM]>()) {
        check(build(false, &main, &[], seed), &mem)?;
    }

    #[test]
    fn everything(
        main in raws(40),
        callee in prop_oneof![Just(Vec::new()), raws(12)],
        seed in any::<i32>(),
        mem in any::<[u8; MEM]>(),
    ) {
        check(build(true, &main, &callee, seed), &mem)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(128),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// movz/movn/movk materialisation of any 64-bit and 32-bit value.
    #[test]
    fn immediates_materialise(value in any::<u64>(), half in any::<i32>(), blinded in any::<bool>()) {
        let insns = vec![
            Insn::new(Op::Lddw, 0, 0, 0, value as i64),
            Insn::new(Op::LddwHigh, 0, 0, 0, (value as i64) >> 32),
            Insn::new(Op::Mov32Imm, 2, 0, 0, i64::from(half)),
            Insn::new(Op::Xor64Reg, 0, 2, 0, 0),
            Insn::new(Op::Exit, 0, 0, 0, 0),
        ];
        let program = Program::from_insns(insns).expect("loads");
        let config = if blinded { JitConfig::checked() } else { JitConfig::verified() };
        let jit = A64Program::compile(&program, &config).expect("compiles");
        prop_assert_eq!(
            ran(jit.run(&HelperRegistry::new(), &mut []))?,
            Ok(value ^ u64::from(half as u32))
        );
    }
}
