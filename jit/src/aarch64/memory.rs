//! Loads, stores and atomics, with the inline bounds check of checked mode (the
//! same windows in the context block as the x86-64 back end, see `crate::x64`).

use super::regs::{host, ADDR, CTX, SCRATCH, STATUS, TMP, TMP2, ZR};
use super::{Cond, OutOfLine, A64};
use crate::context::offsets;
use crate::fault::{pack_miss, size_log2};
use crate::lower::masm::{Access, Check, Operand, Reg as BpfReg};
use dynasmrt::{DynamicLabel, DynasmApi, DynasmLabelApi};
use ferrobpf_vm::isa::{AtomicOp, Size};

impl A64 {
    /// The base register and unscaled displacement (-256..=255) addressing
    /// `access`, after its check.
    fn address(&mut self, access: Access, store: bool) -> (u32, i32) {
        let base = host(access.base);
        let off = i32::from(access.off);
        if access.check == Check::None {
            if (-256..256).contains(&off) {
                return (base, off);
            }
            self.add_offset(ADDR, base, off);
            return (ADDR, 0);
        }
        self.add_offset(ADDR, base, off);
        let log2 = size_log2(access.size);
        let (start, _) = offsets::window(store, usize::from(log2));
        let miss = self.ops.new_dynamic_label();
        let resume = self.ops.new_dynamic_label();
        a64!(self.ops,
            ldp X(TMP), X(TMP2), [X(CTX), start]
            ; cmp X(ADDR), X(TMP)
        );
        self.branch_if(Cond::Lo, miss);
        a64!(self.ops, cmp X(ADDR), X(TMP2));
        self.branch_if(Cond::Hi, miss);
        a64!(self.ops, =>resume);
        self.out_of_line.push(OutOfLine::Miss {
            entry: miss,
            resume,
            packed: pack_miss(self.pc, store, log2),
        });
        if self.miss_stub.is_none() {
            self.miss_stub = Some(self.ops.new_dynamic_label());
        }
        (ADDR, 0)
    }

    /// `dst = base + off`.
    fn add_offset(&mut self, dst: u32, base: u32, off: i32) {
        match off {
            0 => a64!(self.ops, mov X(dst), X(base)),
            1..=4095 => a64!(self.ops, add XSP(dst), XSP(base), off as u32),
            -4095..=-1 => a64!(self.ops, sub XSP(dst), XSP(base), off.unsigned_abs()),
            _ => {
                self.mov_imm(TMP, i64::from(off) as u64);
                a64!(self.ops, add X(dst), X(base), X(TMP));
            }
        }
    }

    pub(super) fn emit_load(&mut self, access: Access, dst: BpfReg, signed: bool) {
        let d = host(dst);
        let (b, o) = self.address(access, false);
        match (access.size, signed) {
            (Size::B, false) => a64!(self.ops, ldurb W(d), [X(b), o]),
            (Size::B, true) => a64!(self.ops, ldursb X(d), [X(b), o]),
            (Size::H, false) => a64!(self.ops, ldurh W(d), [X(b), o]),
            (Size::H, true) => a64!(self.ops, ldursh X(d), [X(b), o]),
            (Size::W, false) => a64!(self.ops, ldur W(d), [X(b), o]),
            (Size::W, true) => a64!(self.ops, ldursw X(d), [X(b), o]),
            (Size::DW, _) => a64!(self.ops, ldur X(d), [X(b), o]),
        }
    }

    pub(super) fn emit_store(&mut self, access: Access, src: Operand) {
        let (b, o) = self.address(access, true);
        let s = match src {
            Operand::Reg(r) => host(r),
            Operand::Scratch => SCRATCH,
            Operand::Imm(0) => ZR,
            Operand::Imm(i) => {
                self.mov_imm(TMP, i64::from(i) as u64);
                TMP
            }
        };
        match access.size {
            Size::B => a64!(self.ops, sturb W(s), [X(b), o]),
            Size::H => a64!(self.ops, sturh W(s), [X(b), o]),
            Size::W => a64!(self.ops, stur W(s), [X(b), o]),
            Size::DW => a64!(self.ops, stur X(s), [X(b), o]),
        }
    }

    /// Atomics as load-acquire-exclusive / store-release-exclusive loops (no LSE
    /// needed); the fetching forms end with a full barrier, as the kernel's JIT does.
    /// Exclusive accesses must be naturally aligned, so a misaligned address (which
    /// the interpreter accepts) takes a plain load-modify-store instead: the same
    /// result for the running program, without atomicity against other threads.
    /// 32-bit results are zero-extended like every 32-bit register write.
    pub(super) fn emit_atomic(&mut self, op: AtomicOp, fetch: bool, access: Access, src: BpfReg) {
        let (b, o) = self.address(access, true);
        if b != ADDR || o != 0 {
            self.add_offset(ADDR, b, o);
        }
        let s = host(src);
        let w64 = access.size == Size::DW;
        let again = self.ops.new_dynamic_label();
        let failed = self.ops.new_dynamic_label();
        let misaligned = self.ops.new_dynamic_label();
        let end = self.ops.new_dynamic_label();
        if w64 {
            a64!(self.ops, tst X(ADDR), 7);
        } else {
            a64!(self.ops, tst X(ADDR), 3);
        }
        a64!(self.ops, b.ne =>misaligned ; =>again);
        if w64 {
            a64!(self.ops, ldaxr X(TMP2), [X(ADDR)]);
        } else {
            a64!(self.ops, ldaxr W(TMP2), [X(ADDR)]);
        }
        let stored = self.atomic_value(op, w64, s, failed);
        if w64 {
            a64!(self.ops, stlxr W(STATUS), X(stored), [X(ADDR)]);
        } else {
            a64!(self.ops, stlxr W(STATUS), W(stored), [X(ADDR)]);
        }
        a64!(self.ops, cbnz W(STATUS), =>again ; =>failed);
        let result = match op {
            AtomicOp::Cmpxchg => Some(host(0)),
            _ if fetch => Some(s),
            _ => None,
        };
        if result.is_some() {
            a64!(self.ops, clrex ; dmb ish);
        }
        self.atomic_result(result, w64);
        a64!(self.ops, b =>end ; =>misaligned);
        let skip = self.ops.new_dynamic_label();
        if w64 {
            a64!(self.ops, ldr X(TMP2), [X(ADDR)]);
        } else {
            a64!(self.ops, ldr W(TMP2), [X(ADDR)]);
        }
        let stored = self.atomic_value(op, w64, s, skip);
        if w64 {
            a64!(self.ops, str X(stored), [X(ADDR)]);
        } else {
            a64!(self.ops, str W(stored), [X(ADDR)]);
        }
        a64!(self.ops, =>skip);
        self.atomic_result(result, w64);
        a64!(self.ops, =>end);
    }

    /// With the old value in TMP2: the register to store (for a compare-and-exchange,
    /// after branching to `failed` when the old value differs from r0).
    fn atomic_value(&mut self, op: AtomicOp, w64: bool, s: u32, failed: DynamicLabel) -> u32 {
        let (old, new) = (TMP2, TMP);
        match op {
            AtomicOp::Cmpxchg => {
                let r0 = host(0);
                if w64 {
                    a64!(self.ops, cmp X(old), X(r0));
                } else {
                    a64!(self.ops, cmp W(old), W(r0));
                }
                a64!(self.ops, b.ne =>failed);
                s
            }
            AtomicOp::Xchg => s,
            AtomicOp::Add => {
                a64!(self.ops, add X(new), X(old), X(s));
                new
            }
            AtomicOp::Or => {
                a64!(self.ops, orr X(new), X(old), X(s));
                new
            }
            AtomicOp::And => {
                a64!(self.ops, and X(new), X(old), X(s));
                new
            }
            AtomicOp::Xor => {
                a64!(self.ops, eor X(new), X(old), X(s));
                new
            }
        }
    }

    /// The old value (in TMP2) into `result`, if the form returns it.
    fn atomic_result(&mut self, result: Option<u32>, w64: bool) {
        match (result, w64) {
            (Some(r), true) => a64!(self.ops, mov X(r), X(TMP2)),
            (Some(r), false) => a64!(self.ops, mov W(r), W(TMP2)),
            (None, _) => {}
        }
    }
}
