//! Code appended to a program for the helpers that call back into it.
//!
//! Each call of `bpf_loop` (181), `bpf_for_each_map_elem` (164) or `bpf_tail_call`
//! (12) becomes a local call of a function added at the end of the program, with
//! the helper's arguments in r1-r5 as before:
//!
//! - the loop and for-each functions iterate in eBPF, calling the callback
//!   with a local call: the callback is found by comparing r2 with the address of
//!   every function whose address the program takes (`lddw func`), so no
//!   run-time code pointer is needed. For-each asks the internal helper
//!   [`crate::linux::helpers::internal::FOR_EACH_NEXT`] for each
//!   element (its key is copied into the added function's frame);
//! - the tail-call function asks the internal helper
//!   [`crate::linux::helpers::internal::TAIL_CALL`] to schedule the
//!   target and, when it did, ends the run at once with an out-of-range legacy
//!   packet load (which ends a run with r0 = 0 in every engine, as in the kernel);
//!   the host then runs the target with the same context (see
//!   [`run`](crate::linux::run)). Only the entry function may tail-call.
//!
//! Callbacks therefore run in the program's frames (one more frame for the added
//! function), under its instruction budget, in the interpreter and the JITs alike.

use super::{callbacks, function_of, PrepareError};
use crate::insn::Insn;
use crate::isa::Op;
use crate::linux::helpers::internal::{FOR_EACH_NEXT, TAIL_CALL};

/// `BPF_FUNC_tail_call`.
const TAIL_CALL_ID: i64 = 12;
/// `BPF_FUNC_for_each_map_elem`.
const FOR_EACH_ID: i64 = 164;
/// `BPF_FUNC_loop`.
const LOOP_ID: i64 = 181;
/// The kernel's `BPF_MAX_LOOPS`.
const MAX_LOOPS: i64 = 1 << 23;
/// `-EINVAL`.
const EINVAL: i64 = -22;
/// `-E2BIG`.
const E2BIG: i64 = -7;
/// Where the for-each function keeps the element's key: `r10 - KEY_AREA`, up to
/// the cursor at `r10 - 8`.
const KEY_AREA: i64 = 512;

/// Code being assembled at absolute slot `base`, with labels.
struct Code {
    base: usize,
    insns: Vec<Insn>,
    labels: Vec<Option<usize>>,
    fixups: Vec<(usize, usize)>,
}

impl Code {
    fn new(base: usize) -> Code {
        Code {
            base,
            insns: Vec::new(),
            labels: Vec::new(),
            fixups: Vec::new(),
        }
    }

    fn op(&mut self, op: Op, dst: u8, src: u8, imm: i64) {
        self.insns.push(Insn::new(op, dst, src, 0, imm));
    }

    fn label(&mut self) -> usize {
        self.labels.push(None);
        self.labels.len() - 1
    }

    fn bind(&mut self, label: usize) {
        self.labels[label] = Some(self.insns.len());
    }

    /// A jump (offset form) to `label`.
    fn jump(&mut self, op: Op, dst: u8, src: u8, imm: i64, label: usize) {
        self.fixups.push((self.insns.len(), label));
        self.op(op, dst, src, imm);
    }

    /// `dst = address of the function at absolute slot `target``.
    fn func_addr(&mut self, dst: u8, target: usize) {
        let here = self.base + self.insns.len();
        let rel = target as i64 - (here as i64 + 1);
        self.op(Op::LddwFunc, dst, 0, rel);
        self.op(Op::LddwHigh, 0, 0, 0);
    }

    fn call_local(&mut self, target: usize) {
        let here = self.base + self.insns.len();
        self.op(Op::CallLocal, 0, 0, target as i64 - (here as i64 + 1));
    }

    /// Calls the callback whose address is in `reg` (one of `callbacks`), then
    /// jumps to `done`; an address that is none of them returns `-EINVAL`.
    fn dispatch(&mut self, reg: u8, callbacks: &[usize], done: usize) {
        let entries: Vec<usize> = callbacks.iter().map(|_| self.label()).collect();
        for (&f, &entry) in callbacks.iter().zip(&entries) {
            self.func_addr(0, f);
            self.jump(Op::JeqReg, reg, 0, 0, entry);
        }
        self.op(Op::Mov64Imm, 0, 0, EINVAL);
        self.op(Op::Exit, 0, 0, 0);
        for (&f, &entry) in callbacks.iter().zip(&entries) {
            self.bind(entry);
            self.call_local(f);
            self.jump(Op::Ja, 0, 0, 0, done);
        }
    }

    /// Resolves the labels.
    fn finish(mut self) -> Vec<Insn> {
        for (at, label) in std::mem::take(&mut self.fixups) {
            let target = self.labels[label].unwrap_or(at);
            self.insns[at].off = (target as i64 - (at as i64 + 1)) as i16;
        }
        self.insns
    }
}

/// `bpf_loop(nr_loops, callback, ctx, flags)`.
fn loop_stub(base: usize, callbacks: &[usize]) -> Vec<Insn> {
    let mut c = Code::new(base);
    let (next, check, out) = (c.label(), c.label(), c.label());
    c.op(Op::Mov64Imm, 0, 0, EINVAL);
    c.jump(Op::JneImm, 4, 0, 0, out);
    c.op(Op::Mov32Reg, 1, 1, 0);
    c.op(Op::Mov64Imm, 0, 0, E2BIG);
    c.jump(Op::JgtImm, 1, 0, MAX_LOOPS, out);
    c.op(Op::Mov64Reg, 6, 1, 0);
    c.op(Op::Mov64Reg, 7, 2, 0);
    c.op(Op::Mov64Reg, 8, 3, 0);
    c.op(Op::Mov64Imm, 9, 0, 0);
    c.bind(next);
    c.op(Op::Mov64Reg, 0, 9, 0);
    c.jump(Op::JgeReg, 9, 6, 0, out);
    c.op(Op::Mov64Reg, 1, 9, 0);
    c.op(Op::Mov64Reg, 2, 8, 0);
    c.op(Op::Add64Imm, 9, 0, 1);
    c.dispatch(7, callbacks, check);
    c.bind(check);
    c.jump(Op::JeqImm, 0, 0, 0, next);
    c.op(Op::Mov64Reg, 0, 9, 0);
    c.bind(out);
    c.op(Op::Exit, 0, 0, 0);
    c.finish()
}

/// `bpf_for_each_map_elem(map, callback, ctx, flags)`.
fn for_each_stub(base: usize, callbacks: &[usize]) -> Vec<Insn> {
    let mut c = Code::new(base);
    let (next, check, done, out) = (c.label(), c.label(), c.label(), c.label());
    c.op(Op::Mov64Imm, 0, 0, EINVAL);
    c.jump(Op::JneImm, 4, 0, 0, out);
    c.op(Op::Mov64Reg, 6, 1, 0);
    c.op(Op::Mov64Reg, 7, 2, 0);
    c.op(Op::Mov64Reg, 8, 3, 0);
    c.op(Op::Mov64Imm, 9, 0, 0);
    c.insns.push(Insn::new(Op::StDw, 10, 0, -8, 0));
    c.bind(next);
    c.op(Op::Mov64Reg, 1, 6, 0);
    c.op(Op::Mov64Reg, 2, 10, 0);
    c.op(Op::Add64Imm, 2, 0, -8);
    c.op(Op::Mov64Reg, 3, 10, 0);
    c.op(Op::Add64Imm, 3, 0, -KEY_AREA);
    c.op(Op::Mov64Imm, 4, 0, KEY_AREA - 8);
    c.op(Op::Call, 0, 0, i64::from(FOR_EACH_NEXT));
    c.jump(Op::JeqImm, 0, 0, 0, done);
    c.op(Op::Add64Imm, 9, 0, 1);
    c.op(Op::Mov64Reg, 3, 0, 0);
    c.op(Op::Mov64Reg, 1, 6, 0);
    c.op(Op::Mov64Reg, 2, 10, 0);
    c.op(Op::Add64Imm, 2, 0, -KEY_AREA);
    c.op(Op::Mov64Reg, 4, 8, 0);
    c.dispatch(7, callbacks, check);
    c.bind(check);
    c.jump(Op::JeqImm, 0, 0, 0, next);
    c.bind(done);
    c.op(Op::Mov64Reg, 0, 9, 0);
    c.bind(out);
    c.op(Op::Exit, 0, 0, 0);
    c.finish()
}

/// `bpf_tail_call(ctx, prog_array, index)`.
fn tail_call_stub(base: usize) -> Vec<Insn> {
    let mut c = Code::new(base);
    let out = c.label();
    c.op(Op::Call, 0, 0, i64::from(TAIL_CALL));
    c.jump(Op::JneImm, 0, 0, 0, out);
    c.op(Op::LdAbsB, 0, 0, -1);
    c.bind(out);
    c.op(Op::Exit, 0, 0, 0);
    c.finish()
}

/// Replaces the calls of the three helpers with local calls of added functions.
pub fn attach(insns: &mut Vec<Insn>, starts: &[usize]) -> Result<(), PrepareError> {
    let calls = |id: i64| -> Vec<usize> {
        insns
            .iter()
            .enumerate()
            .filter(|(_, i)| i.op == Op::Call && i.imm == id)
            .map(|(pc, _)| pc)
            .collect()
    };
    let (loops, for_each, tail) = (calls(LOOP_ID), calls(FOR_EACH_ID), calls(TAIL_CALL_ID));
    if let Some(&pc) = tail.iter().find(|&&pc| function_of(starts, pc) != 0) {
        return Err(PrepareError::TailCallInSubprogram { pc });
    }
    let targets = callbacks(insns);
    for (sites, build) in [
        (
            loops,
            &(|base| loop_stub(base, &targets)) as &dyn Fn(usize) -> Vec<Insn>,
        ),
        (for_each, &|base| for_each_stub(base, &targets)),
        (tail, &tail_call_stub),
    ] {
        if sites.is_empty() {
            continue;
        }
        let base = insns.len();
        for pc in sites {
            insns[pc] = Insn::new(Op::CallLocal, 0, 0, 0, base as i64 - (pc as i64 + 1));
        }
        insns.extend(build(base));
    }
    Ok(())
}
