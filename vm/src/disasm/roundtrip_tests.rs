//! Bytes -> conformance text -> bytes is the identity for valid programs built
//! from random rows of the table with random valid field values.

use super::{disassemble, disassemble_insn, Syntax};
use crate::asm::assemble;
use crate::decode::decode_program;
use crate::insn::{encode_program, Insn, FRAME_POINTER, NUM_REGS};
use crate::isa::{Op, Operands, Pseudo, Semantics, TABLE};
use proptest::prelude::*;

/// Random choices for one instruction; [`build`] turns them into a valid one.
#[derive(Clone, Debug)]
struct Pick {
    row: usize,
    dst: u8,
    src: u8,
    off: i16,
    imm: i64,
    target: usize,
}

/// Rows that can be written on their own (not the second lddw slot).
fn rows() -> Vec<Op> {
    TABLE
        .iter()
        .map(|s| s.op)
        .filter(|&op| op != Op::LddwHigh)
        .collect()
}

/// A register for a field the instruction may (`writes`) or may not write.
fn register(raw: u8, writes: bool) -> u8 {
    let count = if writes {
        FRAME_POINTER
    } else {
        NUM_REGS as u8
    };
    raw % count
}

/// A valid program: the picked instructions, then `exit`; every jump, local
/// call and function pointer lands on an instruction's first slot.
fn build(picks: &[Pick]) -> Vec<Insn> {
    let rows = rows();
    let mut insns: Vec<Insn> = picks
        .iter()
        .map(|p| {
            let op = rows[p.row % rows.len()];
            let sem = op.spec().semantics;
            let dst = register(p.dst, sem.writes_dst());
            let src = register(p.src, sem.writes_src());
            Insn::new(op, dst, src, p.off, p.imm)
        })
        .collect();
    insns.push(Insn::new(Op::Exit, 0, 0, 0, 0));
    let mut starts = Vec::new();
    let mut slot = 0;
    for insn in &insns {
        starts.push(slot);
        slot += insn.slots();
    }
    for (i, pick) in picks.iter().enumerate() {
        let distance = starts[pick.target % starts.len()] as i64 - (starts[i] as i64 + 1);
        let insn = &mut insns[i];
        match insn.spec().semantics {
            Semantics::Ja | Semantics::Jcond(..) => insn.off = distance as i16,
            Semantics::Gotol | Semantics::CallLocal => insn.imm = distance,
            Semantics::Lddw(Pseudo::Func) => {
                insn.imm = (insn.imm & !0xffff_ffff) | (distance & 0xffff_ffff)
            }
            _ => {}
        }
    }
    insns
        .into_iter()
        .flat_map(|insn| {
            let high = (insn.slots() == 2)
                .then(|| Insn::new(Op::LddwHigh, 0, 0, 0, i64::from((insn.imm >> 32) as i32)));
            std::iter::once(insn).chain(high)
        })
        .collect()
}

fn pick() -> impl Strategy<Value = Pick> {
    (
        any::<usize>(),
        0u8..16,
        0u8..16,
        any::<i16>(),
        any::<i64>(),
        any::<usize>(),
    )
        .prop_map(|(row, dst, src, off, imm, target)| Pick {
            row,
            dst,
            src,
            off,
            imm,
            target,
        })
}

/// Asserts that `insns` (a valid program) survives bytes -> text -> bytes.
fn round_trip(insns: &[Insn]) -> Result<(), TestCaseError> {
    let bytes = encode_program(insns);
    let decoded = decode_program(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&decoded, &insns.to_vec());
    let text = disassemble(&decoded, Syntax::Conformance);
    let again = assemble(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
    prop_assert_eq!(encode_program(&again), bytes, "{}", text);
    for insn in &decoded {
        let llvm = disassemble_insn(insn, Syntax::Llvm);
        prop_assert_eq!(llvm.is_none(), insn.op == Op::LddwHigh);
    }
    Ok(())
}

/// Every row, with fields at their extremes, alone before an exit.
#[test]
fn every_row_round_trips() {
    for (row, _) in rows().iter().enumerate() {
        for (dst, src, off, imm) in [
            (0, 0, 0, 0),
            (15, 15, i16::MIN, i64::MIN),
            (9, 10, i16::MAX, -1),
        ] {
            let picks = [Pick {
                row,
                dst,
                src,
                off,
                imm,
                target: 1,
            }];
            round_trip(&build(&picks)).unwrap();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]
    #[test]
    fn bytes_text_bytes_is_the_identity(picks in proptest::collection::vec(pick(), 0..12)) {
        let insns = build(&picks);
        prop_assert!(insns.iter().all(|i| i.spec().operands != Operands::WideHigh || i.op == Op::LddwHigh));
        round_trip(&insns)?;
    }
}
