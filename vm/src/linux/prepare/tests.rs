use super::*;
use crate::asm::assemble;
use crate::isa::Op;
use crate::linux::context::{xdp, ContextKind};

fn rewritten(text: &str) -> Vec<Insn> {
    ctx_access::rewrite(&assemble(text).unwrap(), ContextKind::Xdp.rewrites()).unwrap()
}

#[test]
fn pointer_field_loads_become_shadow_loads() {
    let out = rewritten(
        "
        ldxw %r2, [%r1+0]
        ldxw %r3, [%r1+4]
        ldxw %r4, [%r1+12]
        mov %r5, %r1
        ldxw %r6, [%r5+8]
        exit
    ",
    );
    assert_eq!(out[0], Insn::new(Op::LdxDw, 2, 1, xdp::DATA_PTR as i16, 0));
    assert_eq!(
        out[1],
        Insn::new(Op::LdxDw, 3, 1, xdp::DATA_END_PTR as i16, 0)
    );
    assert_eq!(out[2].op, Op::LdxW);
    assert_eq!(out[4], Insn::new(Op::LdxDw, 6, 5, xdp::META_PTR as i16, 0));
}

#[test]
fn only_the_context_is_rewritten() {
    let out = rewritten(
        "
        stxdw [%r10-8], %r1
        stw [%r10-8], 0
        ldxdw %r2, [%r10-8]
        ldxw %r3, [%r2+0]
        add %r1, 0
        ldxw %r4, [%r1+0]
        ldxw %r5, [%r10-16]
        exit
    ",
    );
    assert_eq!(out[3].op, Op::LdxW, "overwritten spill slot");
    assert_eq!(out[5].op, Op::LdxW, "modified context pointer");
    let blob = ctx_access::rewrite(&assemble("ldxw %r0, [%r1+0]\nexit").unwrap(), &[]).unwrap();
    assert_eq!(blob[0].op, Op::LdxW);
}

#[test]
fn helpers_that_call_back_become_local_calls() {
    let insns = assemble(
        "
        lddw %r2, func(cb)
        call 181
        exit
    cb:
        mov %r0, 1
        exit
    ",
    )
    .unwrap();
    let starts = function_starts(&insns).unwrap();
    assert_eq!(starts, [0, 4]);
    assert_eq!(callbacks(&insns), [4]);
    let mut out = insns.clone();
    stubs::attach(&mut out, &starts).unwrap();
    assert_eq!(out[2].op, Op::CallLocal);
    assert_eq!(out[2].target(2), Some(6));
    assert!(out.len() > insns.len());
    // The added code loads: control stays in its functions, registers are set.
    crate::program::Program::from_insns(out).unwrap();
}
