//! Whatever the program and memory, a run ends with a value or a typed error: never
//! a panic, never an access outside the given memory.

use super::{Config, Vm};
use crate::helpers::{Helper, HelperRegistry, HelperSignature};
use crate::insn::Insn;
use crate::isa::{Op, TABLE};
use crate::program::Program;
use proptest::prelude::*;

fn vm() -> Vm {
    let mut helpers = HelperRegistry::new();
    let sig = HelperSignature::anything(2).unwrap();
    helpers.register(1, Helper::new("identity", sig.clone(), |_, a| Ok(a[0])));
    helpers.register(
        2,
        Helper::new("sum_bytes", sig, |ctx, a| {
            Ok(ctx.bytes(a[0], a[1])?.iter().map(|&b| u64::from(b)).sum())
        }),
    );
    let config = Config {
        instruction_budget: Some(5_000),
        max_call_depth: 4,
        ..Config::default()
    };
    Vm::with_helpers(config, helpers)
}

/// An instruction of any form with fields biased towards valid, nearby values.
fn insn() -> impl Strategy<Value = Insn> {
    let imm = prop_oneof![
        6 => -8i64..8,
        2 => any::<i32>().prop_map(i64::from),
        1 => any::<i64>(),
    ];
    let off = prop_oneof![9 => -4i16..4, 1 => any::<i16>()];
    (0..TABLE.len(), 0u8..11, 0u8..11, off, imm)
        .prop_map(|(row, dst, src, off, imm)| Insn::new(TABLE[row].op, dst, src, off, imm))
}

/// A program that initialises every register (so the load checks pass often) and
/// ends in `exit`, with random instructions between; LDDWs get their second slot.
fn program() -> impl Strategy<Value = Vec<Insn>> {
    proptest::collection::vec(insn(), 1..24).prop_map(|body| {
        let mut insns: Vec<Insn> = [0u8, 3, 4, 5, 6, 7, 8, 9]
            .iter()
            .map(|&r| Insn::new(Op::Mov64Imm, r, 0, 0, i64::from(r)))
            .collect();
        for i in body {
            let slots = i.slots();
            insns.push(i);
            if slots == 2 {
                insns.push(Insn::new(Op::LddwHigh, 0, 0, 0, i.imm >> 32));
            }
        }
        insns.push(Insn::new(Op::Exit, 0, 0, 0, 0));
        insns
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn random_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..160),
        mut mem in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        if let Ok(p) = Program::from_bytes(&bytes) {
            let _ = vm().run(&p, &mut mem);
        }
    }

    #[test]
    fn random_programs_never_panic(
        insns in program(),
        mut mem in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let before = mem.len();
        if let Ok(p) = Program::from_insns(insns) {
            let _ = vm().run_counted(&p, &mut mem);
        }
        prop_assert_eq!(mem.len(), before);
    }
}
