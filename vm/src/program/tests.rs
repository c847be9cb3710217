use super::*;
use crate::isa::Op;

fn i(op: Op, dst: u8, src: u8, off: i16, imm: i64) -> Insn {
    Insn::new(op, dst, src, off, imm)
}
fn exit() -> Insn {
    i(Op::Exit, 0, 0, 0, 0)
}
fn high() -> Insn {
    i(Op::LddwHigh, 0, 0, 0, 0)
}
fn load(insns: Vec<Insn>) -> Result<Program, LoadError> {
    Program::from_insns(insns)
}

#[test]
fn reading_uninitialised_r0_is_invalid() {
    // The upstream negative test `error.data`: `or %r0, %r10; exit`.
    let e = load(vec![i(Op::Or64Reg, 0, 10, 0, 0), exit()]).unwrap_err();
    assert_eq!(e, LoadError::UninitializedRegister { pc: 0, reg: 0 });
    assert!(e.to_string().contains("invalid"), "{e}");
}

#[test]
fn entry_has_r1_r2_r10() {
    let ok = vec![
        i(Op::Mov64Reg, 0, 1, 0, 0),
        i(Op::Add64Reg, 0, 2, 0, 0),
        i(Op::Add64Reg, 0, 10, 0, 0),
        exit(),
    ];
    load(ok).unwrap();
    let e = load(vec![i(Op::Mov64Reg, 0, 3, 0, 0), exit()]).unwrap_err();
    assert_eq!(e, LoadError::UninitializedRegister { pc: 0, reg: 3 });
    let e = load(vec![exit()]).unwrap_err();
    assert_eq!(e, LoadError::UninitializedRegister { pc: 0, reg: 0 });
}

#[test]
fn every_path_must_write() {
    // jeq r1, 0, +1; mov r0, 1; exit: the jump skips the write.
    let e = load(vec![
        i(Op::JeqImm, 1, 0, 1, 0),
        i(Op::Mov64Imm, 0, 0, 0, 1),
        exit(),
    ]);
    assert_eq!(
        e.unwrap_err(),
        LoadError::UninitializedRegister { pc: 2, reg: 0 }
    );
    // Written on both paths: fine, and a loop back edge does not lose it.
    load(vec![
        i(Op::Mov64Imm, 0, 0, 0, 0),
        i(Op::JeqImm, 1, 0, 1, 0),
        i(Op::Mov64Imm, 0, 0, 0, 1),
        i(Op::Add64Imm, 0, 0, 0, 1),
        i(Op::JltImm, 0, 0, -2, 10),
        exit(),
    ])
    .unwrap();
}

#[test]
fn atomics_and_stores_read_their_registers() {
    let e = load(vec![i(Op::AtomicCmpxchg64, 10, 1, -8, 0), exit()]).unwrap_err();
    assert_eq!(e, LoadError::UninitializedRegister { pc: 0, reg: 0 });
    let e = load(vec![
        i(Op::StxDw, 10, 4, -8, 0),
        i(Op::Mov64Imm, 0, 0, 0, 0),
        exit(),
    ]);
    assert_eq!(
        e.unwrap_err(),
        LoadError::UninitializedRegister { pc: 0, reg: 4 }
    );
    // A fetching atomic writes its src; cmpxchg writes r0.
    load(vec![
        i(Op::StDw, 10, 0, -8, 0),
        i(Op::Mov64Imm, 3, 0, 0, 1),
        i(Op::AtomicFetchAdd64, 10, 3, -8, 0),
        i(Op::Mov64Reg, 0, 3, 0, 0),
        exit(),
    ])
    .unwrap();
}

#[test]
fn callees_start_with_arguments_and_calls_write_r0() {
    let prog = vec![
        i(Op::CallLocal, 0, 0, 0, 1),
        exit(), // r0 from the call
        i(Op::Mov64Reg, 0, 5, 0, 0),
        i(Op::Add64Reg, 0, 1, 0, 0),
        exit(),
    ];
    let p = load(prog).unwrap();
    assert_eq!(p.functions().len(), 2);
    assert_eq!(
        p.functions()[1],
        Function {
            start: 2,
            end: 5,
            called: true,
            address_taken: false
        }
    );
    assert_eq!(p.function_containing(3).map(|f| f.start), Some(2));
    assert_eq!(p.function_containing(1).map(|f| f.start), Some(0));
    // The callee may not read r6 (not an argument).
    let e = load(vec![
        i(Op::CallLocal, 0, 0, 0, 1),
        exit(),
        i(Op::Mov64Reg, 0, 6, 0, 0),
        exit(),
    ]);
    assert_eq!(
        e.unwrap_err(),
        LoadError::UninitializedRegister { pc: 2, reg: 6 }
    );
    // A helper call writes r0 too.
    load(vec![i(Op::Call, 0, 0, 0, 1), exit()]).unwrap();
}

#[test]
fn control_stays_inside_functions() {
    // ja +2 from the entry into the callee at slot 3.
    let e = load(vec![
        i(Op::JeqImm, 1, 0, 2, 0),
        i(Op::CallLocal, 0, 0, 0, 1),
        exit(),
        i(Op::Mov64Imm, 0, 0, 0, 0),
        exit(),
    ]);
    assert_eq!(
        e.unwrap_err(),
        LoadError::JumpOutOfFunction {
            pc: 0,
            target: 3,
            function: 0
        }
    );
    // The entry's last instruction runs into the callee.
    let e = load(vec![
        i(Op::CallLocal, 0, 0, 0, 1),
        i(Op::Mov64Imm, 0, 0, 0, 0),
        i(Op::Mov64Imm, 0, 0, 0, 0),
        exit(),
    ]);
    assert_eq!(
        e.unwrap_err(),
        LoadError::FallsIntoNextFunction { pc: 1, next: 2 }
    );
}

#[test]
fn function_pointers_become_function_addresses() {
    let p = load(vec![
        i(Op::LddwFunc, 1, 0, 0, 3),
        high(),
        i(Op::Mov64Imm, 0, 0, 0, 0),
        exit(),
        i(Op::Mov64Imm, 0, 0, 0, 7),
        exit(),
    ])
    .unwrap();
    let addr = function_address(4);
    assert_eq!(p.insns()[0].imm as u64, addr);
    assert_eq!(
        p.pseudo_loads(),
        &[PseudoLoad {
            pc: 0,
            pseudo: Pseudo::Func,
            written: 3,
            value: addr
        }]
    );
    let f = p.function_at_address(addr).unwrap();
    assert_eq!((f.start, f.address_taken, f.called), (4, true, false));
    assert!(p.function_at_address(function_address(5)).is_none());
    assert!(p.function_at_address(4).is_none());
}

/// A map environment stand-in: map fd `n` resolves to `0x1000 + n`.
struct Maps;

impl PseudoResolver for Maps {
    fn resolve(&mut self, r: &PseudoRequest) -> Result<u64, ResolveError> {
        match r.pseudo {
            Pseudo::MapFd => Ok(0x1000 + r.imm as u64),
            _ => Err(ResolveError::Unsupported),
        }
    }
}

#[test]
fn map_sources_need_an_environment() {
    let prog = vec![
        i(Op::Mov64Imm, 0, 0, 0, 0),
        i(Op::LddwMapFd, 1, 0, 0, 5),
        high(),
        exit(),
    ];
    let e = load(prog.clone()).unwrap_err();
    assert_eq!(
        e,
        LoadError::UnresolvedPseudo {
            pc: 1,
            pseudo: Pseudo::MapFd,
            error: ResolveError::NoEnvironment
        }
    );
    assert!(
        e.to_string()
            .starts_with("instruction 1: cannot resolve lddw map_fd"),
        "{e}"
    );
    let p = Program::with_resolver(&encode_program(&prog), &mut Maps).unwrap();
    assert_eq!(p.insns()[1].imm, 0x1005);
    let bad = vec![
        i(Op::Mov64Imm, 0, 0, 0, 0),
        i(Op::LddwBtfId, 1, 0, 0, 5),
        high(),
        exit(),
    ];
    let e = Program::with_resolver(&encode_program(&bad), &mut Maps).unwrap_err();
    assert!(matches!(
        e,
        LoadError::UnresolvedPseudo {
            pc: 1,
            error: ResolveError::Unsupported,
            ..
        }
    ));
}

#[test]
fn decode_errors_pass_through() {
    assert!(matches!(
        Program::from_bytes(&[]),
        Err(LoadError::Decode(_))
    ));
    assert!(matches!(
        load(vec![i(Op::Mov64Imm, 0, 0, 0, 0)]),
        Err(LoadError::Decode(_))
    ));
}
