//! Loads, stores and atomics, with the inline bounds check of checked mode.
//!
//! A checked access compares its address with the window of the region the last
//! miss of the same kind and size found (kept in the context block): an address
//! computation and two fused compare-and-branches against L1-resident bounds. A miss
//! jumps out of line, where the live stack is checked inline (its bottom moves with
//! the call depth: one frame below r10, so windows never cache it), and then to the
//! lookup stub, which asks the host to find the region (refreshing the window) or to
//! fault.

use super::jumps::Cc;
use super::miss::WindowCheck;
use super::regs::host::RAX;
use super::regs::{host, ADDR, SCRATCH, TMP};
use super::{OutOfLine, X64};
use crate::fault::{pack_miss, size_log2};
use crate::lower::masm::{Access, Check, Operand, Reg as BpfReg};
use dynasmrt::{DynasmApi, DynasmLabelApi};
use ferrobpf_vm::isa::{AtomicOp, Size};

impl X64 {
    /// The base register and displacement addressing `access`, after its check.
    fn address(&mut self, access: Access, store: bool) -> (u8, i32) {
        let base = host(access.base);
        let off = i32::from(access.off);
        if access.check == Check::None {
            return (base, off);
        }
        let log2 = size_log2(access.size);
        self.ops.lea(ADDR, base, off);
        if self.checks.is_empty() {
            self.checks = WindowCheck::all();
        }
        // One template per kind and size: `log2` is at most 3.
        if let Some(check) = self.checks.get(usize::from(store) * 4 + usize::from(log2)) {
            let fields = check.emit(&mut self.ops);
            let resume = position(self.ops.len());
            self.out_of_line.push(OutOfLine::Miss {
                fields: fields.map(position),
                resume,
                packed: pack_miss(self.pc, store, log2),
                size: access.size.bytes() as i32,
            });
        }
        if self.lookup_stub.is_none() {
            self.lookup_stub = Some(self.ops.new_dynamic_label());
        }
        (ADDR, 0)
    }

    pub(super) fn emit_load(&mut self, access: Access, dst: BpfReg, signed: bool) {
        let (b, o) = self.address(access, false);
        self.ops.load(access.size, signed, host(dst), b, o);
    }

    pub(super) fn emit_store(&mut self, access: Access, src: Operand) {
        let (b, o) = self.address(access, true);
        match src {
            Operand::Reg(r) => self.ops.store(access.size, host(r), b, o),
            Operand::Scratch => self.ops.store(access.size, SCRATCH, b, o),
            Operand::Imm(i) => self.ops.store_imm(access.size, i, b, o),
        }
    }

    /// Atomics address through ADDR always (the base may be r0, which the cmpxchg
    /// loops use). 32-bit results are zero-extended like every 32-bit register write.
    pub(super) fn emit_atomic(&mut self, op: AtomicOp, fetch: bool, access: Access, src: BpfReg) {
        let (b, o) = self.address(access, true);
        if b != ADDR {
            x64!(self.ops, lea r11, [Rq(b) + o]);
        }
        let s = host(src);
        let w64 = access.size == Size::DW;
        let misaligned = self.ops.new_dynamic_label();
        let done = self.ops.new_dynamic_label();
        let mask = if w64 { 7 } else { 3 };
        x64!(self.ops, test r11b, BYTE mask);
        self.jcc(Cc::Ne, misaligned);
        self.out_of_line.push(OutOfLine::PlainAtomic {
            entry: misaligned,
            resume: done,
            op,
            fetch,
            w64,
            src: s,
        });
        match (op, fetch, w64) {
            (AtomicOp::Add, false, true) => x64!(self.ops, lock add QWORD [r11], Rq(s)),
            (AtomicOp::Add, false, false) => x64!(self.ops, lock add DWORD [r11], Rd(s)),
            (AtomicOp::Or, false, true) => x64!(self.ops, lock or QWORD [r11], Rq(s)),
            (AtomicOp::Or, false, false) => x64!(self.ops, lock or DWORD [r11], Rd(s)),
            (AtomicOp::And, false, true) => x64!(self.ops, lock and QWORD [r11], Rq(s)),
            (AtomicOp::And, false, false) => x64!(self.ops, lock and DWORD [r11], Rd(s)),
            (AtomicOp::Xor, false, true) => x64!(self.ops, lock xor QWORD [r11], Rq(s)),
            (AtomicOp::Xor, false, false) => x64!(self.ops, lock xor DWORD [r11], Rd(s)),
            (AtomicOp::Add, true, true) => x64!(self.ops, lock xadd QWORD [r11], Rq(s)),
            (AtomicOp::Add, true, false) => x64!(self.ops, lock xadd DWORD [r11], Rd(s)),
            (AtomicOp::Xchg, _, true) => x64!(self.ops, xchg QWORD [r11], Rq(s)),
            (AtomicOp::Xchg, _, false) => x64!(self.ops, xchg DWORD [r11], Rd(s)),
            (AtomicOp::Cmpxchg, _, true) => x64!(self.ops, lock cmpxchg QWORD [r11], Rq(s)),
            (AtomicOp::Cmpxchg, _, false) => {
                x64!(self.ops, lock cmpxchg DWORD [r11], Rd(s) ; mov eax, eax)
            }
            (AtomicOp::Or | AtomicOp::And | AtomicOp::Xor, true, _) => {
                self.emit_fetch_loop(op, w64, s)
            }
        }
        x64!(self.ops, =>done);
    }

    /// The misaligned form of an atomic (out of line): old value in SCRATCH, new
    /// value computed in TMP and stored, then the fetched value written back.
    pub(super) fn emit_plain_atomic(&mut self, op: AtomicOp, fetch: bool, w64: bool, s: u8) {
        if w64 {
            x64!(self.ops, mov Rq(SCRATCH), QWORD [r11] ; mov Rq(TMP), Rq(SCRATCH));
            match op {
                AtomicOp::Add => x64!(self.ops, add Rq(TMP), Rq(s)),
                AtomicOp::Or => x64!(self.ops, or Rq(TMP), Rq(s)),
                AtomicOp::And => x64!(self.ops, and Rq(TMP), Rq(s)),
                AtomicOp::Xor => x64!(self.ops, xor Rq(TMP), Rq(s)),
                AtomicOp::Xchg => x64!(self.ops, mov Rq(TMP), Rq(s)),
                AtomicOp::Cmpxchg => x64!(self.ops, cmp Rq(SCRATCH), rax ; cmove Rq(TMP), Rq(s)),
            }
            x64!(self.ops, mov QWORD [r11], Rq(TMP));
        } else {
            x64!(self.ops, mov Rd(SCRATCH), DWORD [r11] ; mov Rd(TMP), Rd(SCRATCH));
            match op {
                AtomicOp::Add => x64!(self.ops, add Rd(TMP), Rd(s)),
                AtomicOp::Or => x64!(self.ops, or Rd(TMP), Rd(s)),
                AtomicOp::And => x64!(self.ops, and Rd(TMP), Rd(s)),
                AtomicOp::Xor => x64!(self.ops, xor Rd(TMP), Rd(s)),
                AtomicOp::Xchg => x64!(self.ops, mov Rd(TMP), Rd(s)),
                AtomicOp::Cmpxchg => x64!(self.ops, cmp Rd(SCRATCH), eax ; cmove Rd(TMP), Rd(s)),
            }
            x64!(self.ops, mov DWORD [r11], Rd(TMP));
        }
        let dst = match op {
            AtomicOp::Cmpxchg => Some(RAX),
            AtomicOp::Xchg => Some(s),
            _ => fetch.then_some(s),
        };
        if let Some(d) = dst {
            // SCRATCH holds the zero-extended old value in both widths.
            x64!(self.ops, mov Rq(d), Rq(SCRATCH));
        }
    }

    /// Fetching or/and/xor: a cmpxchg loop. r0 (rax) is parked in TMP; when the
    /// operand is r0 itself its value is read from there.
    fn emit_fetch_loop(&mut self, op: AtomicOp, w64: bool, s: u8) {
        let val = if s == RAX { TMP } else { s };
        let again = self.ops.new_dynamic_label();
        x64!(self.ops, mov Rq(TMP), rax);
        if w64 {
            x64!(self.ops, mov rax, QWORD [r11] ; =>again ; mov Rq(SCRATCH), rax);
            match op {
                AtomicOp::Or => x64!(self.ops, or Rq(SCRATCH), Rq(val)),
                AtomicOp::And => x64!(self.ops, and Rq(SCRATCH), Rq(val)),
                _ => x64!(self.ops, xor Rq(SCRATCH), Rq(val)),
            }
            x64!(self.ops,
                lock cmpxchg QWORD [r11], Rq(SCRATCH)
                ; jne =>again
                ; mov Rq(s), rax
            );
        } else {
            x64!(self.ops, mov eax, DWORD [r11] ; =>again ; mov Rd(SCRATCH), eax);
            match op {
                AtomicOp::Or => x64!(self.ops, or Rd(SCRATCH), Rd(val)),
                AtomicOp::And => x64!(self.ops, and Rd(SCRATCH), Rd(val)),
                _ => x64!(self.ops, xor Rd(SCRATCH), Rd(val)),
            }
            x64!(self.ops,
                lock cmpxchg DWORD [r11], Rd(SCRATCH)
                ; jne =>again
                ; mov Rd(s), eax
            );
        }
        if s != RAX {
            x64!(self.ops, mov rax, Rq(TMP));
        }
    }
}

/// A code position as the out-of-line records keep it (code is capped far below 4 GiB;
/// a larger one saturates, and the patch then fails as out of range).
fn position(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}
