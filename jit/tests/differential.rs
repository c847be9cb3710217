//! Differential test: random valid programs, generated from the ISA table, run in the
//! interpreter and in the JIT (checked mode with blinding, and verified mode) must give
//! the same r0, the same final memory and the same error (kind and instruction).
//!
//! Loops are bounded by the instruction budget; memory accesses go through r1 (the
//! input), r10 (the stack) or any register, with offsets in and out of bounds.
//! `FERROBPF_LONG=1 cargo test -p ferrobpf-jit --release --test differential` runs
//! 1,000,000 cases instead of the default few thousand.

use ferrobpf_jit::{JitConfig, JitProgram};
use ferrobpf_vm::disasm::{disassemble, Syntax};
use ferrobpf_vm::helpers::{Helper, HelperRegistry, HelperSignature};
use ferrobpf_vm::insn::Insn;
use ferrobpf_vm::interp::{Config, ExecError, ExecErrorKind, Vm};
use ferrobpf_vm::isa::{Op, Operands, Pseudo, Semantics, Size, TABLE};
use ferrobpf_vm::program::Program;
use proptest::prelude::*;

/// Input memory size.
const MEM: usize = 64;
/// Instruction budget of every run.
const BUDGET: u64 = 3000;

/// One generated instruction before layout: its form, raw choices, and (for jumps and
/// local calls) the index of the item it targets.
#[derive(Clone, Debug)]
struct Item {
    op: Op,
    dst: u8,
    src: u8,
    off: i16,
    imm: i64,
    target: Option<usize>,
}

/// Raw random choices for one instruction.
type Raw = (u16, u8, u8, i16, i32, u8);

/// Forms the generator draws from: everything the table has except the LDDW second
/// slot, pseudo LDDWs needing a map environment, and local calls (placed separately).
fn forms() -> Vec<Op> {
    TABLE
        .iter()
        .filter(|s| match s.semantics {
            Semantics::LddwHigh | Semantics::CallLocal => false,
            Semantics::Lddw(p) => p == Pseudo::Imm64,
            _ => true,
        })
        .map(|s| s.op)
        .collect()
}

/// A destination register: never r10, r1 (the input pointer) only rarely.
fn dst_reg(x: u8) -> u8 {
    [0, 3, 4, 5, 6, 7, 8, 9, 0, 2, 6, 1][usize::from(x) % 12]
}

/// A base register and offset for a memory access of `size` bytes.
fn memory_operand(x: u8, off: i16, size: Size) -> (u8, i16) {
    let size = size.bytes() as i16;
    match x % 4 {
        0 | 1 => (1, off.rem_euclid(MEM as i16 + 16) - 8),
        2 => (10, -(off.rem_euclid(530)) + 8 - size),
        _ => (x % 11, off % 64),
    }
}

/// Turns raw choices into an item of function `[start, end)` (item indices).
fn item(forms: &[Op], raw: Raw, start: usize, end: usize, callee: Option<usize>) -> Item {
    let (sel, a, b, off, imm, extra) = raw;
    if let (Some(f), 0) = (callee, extra % 16) {
        return Item {
            op: Op::CallLocal,
            dst: 0,
            src: 0,
            off: 0,
            imm: 0,
            target: Some(f),
        };
    }
    let op = forms[usize::from(sel) % forms.len()];
    let spec = op.spec();
    let span = end - start;
    let jump_target = Some(start + usize::from(off as u16) % span);
    let mut it = Item {
        op,
        dst: dst_reg(a),
        // r10 only as a memory base: the stack's address differs between runs.
        src: b % 10,
        off,
        imm: i64::from(imm),
        target: None,
    };
    match spec.semantics {
        Semantics::Ja | Semantics::Gotol | Semantics::Jcond(..) => it.target = jump_target,
        Semantics::Alu(..) if extra % 3 == 0 => it.imm = i64::from(imm % 70),
        Semantics::Lddw(_) => it.imm = (i64::from(imm) << 32) ^ i64::from(off),
        Semantics::CallHelper => it.imm = i64::from(extra % 4),
        Semantics::Load(size, _) => (it.src, it.off) = memory_operand(extra, off, size),
        Semantics::StoreImm(size) | Semantics::StoreReg(size) | Semantics::Atomic(_, size, _) => {
            (it.dst, it.off) = memory_operand(extra, off, size)
        }
        Semantics::LdAbs(_) | Semantics::LdInd(_) => it.imm = i64::from(imm % 80),
        _ => {}
    }
    it
}

/// Lays items out in slots (an LDDW takes two) and resolves targets to offsets.
fn layout(items: &[Item]) -> Vec<Insn> {
    let mut slot = Vec::with_capacity(items.len() + 1);
    let mut next = 0usize;
    for it in items {
        slot.push(next);
        next += if it.op.spec().operands == Operands::Wide {
            2
        } else {
            1
        };
    }
    let mut insns = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let (mut off, mut imm) = (it.off, it.imm);
        if let Some(t) = it.target {
            let rel = slot[t] as i64 - slot[i] as i64 - 1;
            match it.op.spec().semantics {
                Semantics::Gotol | Semantics::CallLocal => imm = rel,
                _ => off = rel as i16,
            }
        }
        let insn = Insn::new(it.op, it.dst, it.src, off, imm);
        insns.push(insn);
        if it.op.spec().operands == Operands::Wide {
            insns.push(Insn {
                op: Op::LddwHigh,
                dst: 0,
                src: 0,
                off: 0,
                imm: insn.imm >> 32,
            });
        }
    }
    insns
}

/// Registers initialised at the top of a function (so definite assignment holds).
fn prologue(regs: &[u8], seed: i32) -> Vec<Item> {
    regs.iter()
        .map(|&r| Item {
            op: Op::Mov64Imm,
            dst: r,
            src: 0,
            off: 0,
            imm: i64::from(seed.rotate_left(u32::from(r) * 5) % 1000),
            target: None,
        })
        .collect()
}

/// The whole program: main, then optionally one callee.
fn build(main: &[Raw], callee: &[Raw], seed: i32) -> Vec<Insn> {
    let forms = forms();
    let exit = Item {
        op: Op::Exit,
        dst: 0,
        src: 0,
        off: 0,
        imm: 0,
        target: None,
    };
    let mut items = prologue(&[0, 3, 4, 5, 6, 7, 8, 9], seed);
    let main_start = 0;
    let main_end = items.len() + main.len() + 1;
    let callee_start = (!callee.is_empty()).then_some(main_end);
    for raw in main {
        items.push(item(&forms, *raw, main_start, main_end, callee_start));
    }
    items.push(exit.clone());
    if let Some(start) = callee_start {
        items.extend(prologue(&[0, 6, 7, 8, 9], seed ^ 0x55));
        let end = start + 5 + callee.len() + 1;
        for raw in callee {
            items.push(item(&forms, *raw, start, end, Some(start)));
        }
        items.push(exit);
    }
    layout(&items)
}

fn helpers() -> HelperRegistry {
    let mut reg = HelperRegistry::new();
    let sig = HelperSignature::anything(2).expect("valid signature");
    reg.register(
        1,
        Helper::new("mix", sig.clone(), |_, a| {
            Ok(a[0].wrapping_mul(31) ^ a[1] ^ a[4])
        }),
    );
    reg.register(
        2,
        Helper::new("peek", sig, |ctx, a| Ok(u64::from(ctx.read::<u8>(a[0])?))),
    );
    reg
}

/// Result of one run: r0 or error, and the input memory afterwards.
type Observed = (Result<u64, ExecError>, Vec<u8>);

/// Each engine allocates its own stack, so faulting addresses outside the input
/// buffer (near it: within a page) are compared as "elsewhere" (0).
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
    // One buffer for every engine, so pointers the program computes are the same.
    let mut buf = *mem;
    let vm = Vm::with_helpers(limits, helpers.clone());
    let addr = buf.as_ptr() as u64;
    let want: Observed = (normalize(vm.run(&program, &mut buf), addr), buf.to_vec());
    for config in [JitConfig::checked(), JitConfig::verified()] {
        let config = JitConfig { limits, ..config };
        let jit = JitProgram::compile(&program, &config)
            .map_err(|e| TestCaseError::fail(format!("compile: {e}")))?;
        buf = *mem;
        let got: Observed = (normalize(jit.run(&helpers, &mut buf), addr), buf.to_vec());
        prop_assert_eq!(&got, &want, "{:?}\n{}", config.mode, text);
    }
    Ok(())
}

fn cases() -> u32 {
    if std::env::var_os("FERROBPF_LONG").is_some() {
        1_000_000
    } else {
        3000
    }
}

fn raws(max: usize) -> impl Strategy<Value = Vec<Raw>> {
    prop::collection::vec(any::<Raw>(), 0..max)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn jit_matches_interpreter(
        main in raws(40),
        callee in prop_oneof![Just(Vec::new()), raws(12)],
        seed in any::<i32>(),
        mem in any::<[u8; MEM]>(),
    ) {
        check(build(&main, &callee, seed), &mem)?;
    }
}
