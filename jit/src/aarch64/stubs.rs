//! What follows the program body: out-of-line slow paths, the shared lookup stub, the
//! entry glue and the fault exit.

use super::regs::{host, ADDR, BUDGET, CALL, CTX, LR, RESUME, SCRATCH, STUB_TMP, TMP};
use super::{A64Code, OutOfLine, A64};
use crate::context::offsets;
use crate::error::JitError;
use crate::fault::FaultCode;
use dynasmrt::{DynamicLabel, DynasmApi, DynasmLabelApi};

/// Registers the lookup stub saves around the call into the host: every
/// caller-saved register holding eBPF state or a live temporary, and the link
/// register, in pairs (16 bytes each keep the stack aligned).
const LOOKUP_SAVED: [(u32, u32); 5] = [(0, 1), (2, 3), (4, 7), (SCRATCH, ADDR), (LR, RESUME)];

impl A64 {
    pub(super) fn emit_finish(mut self, entry: DynamicLabel) -> Result<A64Code, JitError> {
        let fault_exit = self.fault_exit;
        for item in std::mem::take(&mut self.out_of_line) {
            match item {
                OutOfLine::Miss {
                    entry,
                    resume,
                    packed,
                } => {
                    let stub = self.miss_stub.unwrap_or(fault_exit);
                    a64!(self.ops, =>entry);
                    self.mov_imm(TMP, packed);
                    if self.far {
                        let back = self.ops.new_dynamic_label();
                        a64!(self.ops, adr X(RESUME), =>back ; b =>stub ; =>back ; b =>resume);
                    } else {
                        a64!(self.ops, adr X(RESUME), =>resume ; b =>stub);
                    }
                }
                OutOfLine::Budget { entry, end } => {
                    // The budget went below zero by the part of the segment it could
                    // not cover: the run stops that many slots before the end.
                    a64!(self.ops, =>entry);
                    self.mov_imm(TMP, u64::from(end));
                    a64!(self.ops,
                        add X(TMP), X(TMP), X(BUDGET)
                        ; str X(TMP), [X(CTX), offsets::FAULT_PC as u32]
                    );
                    self.emit_fault_code(FaultCode::Budget);
                }
                OutOfLine::Fault { entry, pc, code } => {
                    a64!(self.ops, =>entry);
                    self.mov_imm(TMP, u64::from(pc));
                    a64!(self.ops, str X(TMP), [X(CTX), offsets::FAULT_PC as u32]);
                    self.emit_fault_code(code);
                }
            }
        }
        if let Some(stub) = self.miss_stub {
            self.emit_miss_stub(stub);
        }
        let start = self.ops.offset();
        a64!(self.ops,
            stp x29, x30, [sp, -96]!
            ; stp x19, x20, [sp, 16]
            ; stp x21, x22, [sp, 32]
            ; stp x23, x24, [sp, 48]
            ; stp x25, x26, [sp, 64]
            ; stp x27, x28, [sp, 80]
            ; mov X(CTX), x0
            ; mov XSP(TMP), sp
            ; str X(TMP), [X(CTX), offsets::SAVED_SP as u32]
            ; ldr X(BUDGET), [X(CTX), offsets::BUDGET as u32]
        );
        for r in 0..11u8 {
            a64!(self.ops, ldr X(host(r)), [X(CTX), offsets::reg(usize::from(r)) as u32]);
        }
        let epilogue = self.ops.new_dynamic_label();
        a64!(self.ops,
            bl =>entry
            ; =>epilogue
            ; mov x0, X(host(0))
            ; ldp x19, x20, [sp, 16]
            ; ldp x21, x22, [sp, 32]
            ; ldp x23, x24, [sp, 48]
            ; ldp x25, x26, [sp, 64]
            ; ldp x27, x28, [sp, 80]
            ; ldp x29, x30, [sp], 96
            ; ret
            ; =>fault_exit
            ; ldr X(TMP), [X(CTX), offsets::SAVED_SP as u32]
            ; mov sp, XSP(TMP)
            ; mov X(host(0)), xzr
            ; b =>epilogue
        );
        let bytes = self
            .ops
            .finalize()
            .map_err(|e| JitError::Emit(e.to_string()))?;
        Ok(A64Code {
            bytes,
            entry: start.0,
        })
    }

    /// Stores `code` as the outcome and leaves through the fault exit.
    fn emit_fault_code(&mut self, code: FaultCode) {
        let fault_exit = self.fault_exit;
        self.mov_imm(TMP, code as u64);
        a64!(self.ops,
            str X(TMP), [X(CTX), offsets::FAULT as u32]
            ; b =>fault_exit
        );
    }

    /// Entered by a branch with the address in ADDR, the packed miss in TMP and the
    /// address to resume at in RESUME. Accepts the live stack (from one frame below
    /// r10 to the entry frame's top), else saves the live caller-saved registers
    /// and asks the host for the region.
    fn emit_miss_stub(&mut self, stub: DynamicLabel) {
        let [a, b, one] = STUB_TMP;
        let slow = self.ops.new_dynamic_label();
        a64!(self.ops, =>stub);
        self.sub_frame(a, host(10), a);
        a64!(self.ops,
            cmp X(ADDR), X(a)
            ; b.lo =>slow
            ; ldr X(a), [X(CTX), offsets::STACK_TOP as u32]
            ; ubfx X(b), X(TMP), 33, 2
            ; movz X(one), 1
            ; lsl X(b), X(one), X(b)
            ; sub X(a), X(a), X(b)
            ; cmp X(ADDR), X(a)
            ; b.hi =>slow
            ; br X(RESUME)
            ; =>slow
        );
        for (a, b) in LOOKUP_SAVED {
            a64!(self.ops, stp X(a), X(b), [sp, -16]!);
        }
        a64!(self.ops,
            mov x0, X(CTX)
            ; mov x1, X(ADDR)
            ; mov x2, X(TMP)
        );
        self.mov_imm(CALL, self.runtime.lookup);
        a64!(self.ops, blr X(CALL));
        for (a, b) in LOOKUP_SAVED.into_iter().rev() {
            a64!(self.ops, ldp X(a), X(b), [sp], 16);
        }
        self.check_fault();
        a64!(self.ops, br X(RESUME));
    }
}
