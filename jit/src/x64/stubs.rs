//! What follows the program body: the shared lookup stub, out-of-line slow paths,
//! and the entry glue with the fault exit ([`Glue`]).

use super::glue::Glue;
use super::miss::MissTemplate;
use super::regs::{ADDR, CTX, SCRATCH, TMP};
use super::{pool, OutOfLine, X64};
use crate::code::CodeBuffer;
use crate::context::offsets;
use crate::error::JitError;
use crate::fault::FaultCode;
use dynasmrt::{DynamicLabel, DynasmApi, DynasmLabelApi};

/// Registers the lookup stub saves around the call into Rust: every caller-saved
/// register holding eBPF state or a live temporary (8 pushes keep the alignment).
const LOOKUP_SAVED: [u8; 8] = [0, 1, 2, 6, 7, 8, SCRATCH, ADDR];

impl X64 {
    pub(super) fn emit_finish(mut self, entry: DynamicLabel) -> Result<CodeBuffer, JitError> {
        let fault_exit = self.fault_exit;
        // The lookup stub first: the miss paths after it call back to a known
        // position, patched at once.
        let stub_at = self.lookup_stub.map(|stub| {
            let at = self.ops.len();
            self.emit_lookup_stub(stub);
            at
        });
        let items = std::mem::take(&mut self.out_of_line);
        for item in &items {
            match *item {
                OutOfLine::Miss {
                    fields,
                    resume,
                    packed,
                    size,
                } => {
                    let Some(stub) = stub_at else {
                        return Err(JitError::Emit(
                            "a checked access without the lookup stub".into(),
                        ));
                    };
                    let frame = self.runtime.frame_size;
                    if self.miss.as_ref().is_none_or(|(f, _)| *f != frame) {
                        self.miss = Some((frame, MissTemplate::new(frame)?));
                    }
                    if let Some((_, t)) = &self.miss {
                        let entry = self.ops.len();
                        for field in fields {
                            self.ops.rel32_to(field as usize, entry);
                        }
                        t.emit(&mut self.ops, size, packed, resume as usize, stub);
                    }
                }
                OutOfLine::PlainAtomic {
                    entry,
                    resume,
                    op,
                    fetch,
                    w64,
                    src,
                } => {
                    x64!(self.ops, =>entry);
                    self.emit_plain_atomic(op, fetch, w64, src);
                    self.jmp(resume);
                }
                OutOfLine::Budget { entry, end } => {
                    // The budget went below zero by the part of the segment it could
                    // not cover: the run stops that many slots before the end.
                    x64!(self.ops,
                        =>entry
                        ; mov Rq(TMP), QWORD [Rq(CTX) + offsets::BUDGET]
                        ; add Rq(TMP), DWORD end as i32
                        ; mov QWORD [Rq(CTX) + offsets::FAULT_PC], Rq(TMP)
                        ; mov QWORD [Rq(CTX) + offsets::FAULT], DWORD FaultCode::Budget as i32
                    );
                    self.jmp(fault_exit);
                }
                OutOfLine::Fault { entry, pc, code } => {
                    x64!(self.ops,
                        =>entry
                        ; mov QWORD [Rq(CTX) + offsets::FAULT_PC], DWORD pc as i32
                        ; mov QWORD [Rq(CTX) + offsets::FAULT], DWORD code as i32
                    );
                    self.jmp(fault_exit);
                }
            }
        }
        self.out_of_line = items;
        let start = Glue::emit(&mut self.ops, entry, fault_exit)?;
        let ops = &self.ops;
        let buffer = CodeBuffer::build(ops.len(), start, |dst| ops.write_to(dst))?;
        pool::Buffers {
            ops: self.ops,
            out_of_line: self.out_of_line,
            miss: self.miss,
            checks: self.checks,
        }
        .give_back();
        Ok(buffer)
    }

    /// Called with the address in ADDR and the packed miss in TMP; saves the live
    /// caller-saved registers and asks the host for the region.
    fn emit_lookup_stub(&mut self, stub: DynamicLabel) {
        let fault_exit = self.fault_exit;
        let lookup = self.runtime.lookup;
        x64!(self.ops, =>stub);
        for r in LOOKUP_SAVED {
            x64!(self.ops, push Rq(r));
        }
        x64!(self.ops,
            mov rdi, Rq(CTX)
            ; mov rsi, Rq(ADDR)
            ; mov rdx, Rq(TMP)
            ; mov rax, QWORD lookup as i64
            ; call rax
        );
        for r in LOOKUP_SAVED.iter().rev() {
            x64!(self.ops, pop Rq(*r));
        }
        x64!(self.ops,
            cmp QWORD [Rq(CTX) + offsets::FAULT], BYTE 0
            ; jne =>fault_exit
            ; ret
        );
    }
}
