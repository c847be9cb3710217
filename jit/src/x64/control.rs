//! Jumps, fused compare-and-branch, calls, exit and budget metering.

use super::encode::{Group1, CMP, TEST};
use super::jumps::Cc;
use super::regs::{host, ARGS, CTX, FRAME_SAVED, SCRATCH};
use super::{OutOfLine, X64};
use crate::context::offsets;
use crate::fault::{pack_packet, size_log2, FaultCode};
use crate::lower::masm::{HelperId, HostArg, Operand, PacketLoad, Reg as BpfReg};
use dynasmrt::{DynamicLabel, DynasmApi};
use ferrobpf_vm::isa::{JmpCond, Width};

impl X64 {
    pub(super) fn emit_jump(&mut self, target: DynamicLabel) {
        self.jmp(target);
    }

    pub(super) fn emit_branch(
        &mut self,
        cond: JmpCond,
        width: Width,
        dst: BpfReg,
        src: Operand,
        target: DynamicLabel,
    ) {
        let d = host(dst);
        let w64 = width == Width::W64;
        let test = cond == JmpCond::Set;
        match (test, w64, src) {
            (false, _, Operand::Imm(0)) => self.ops.rr(TEST, w64, d, d),
            (false, _, Operand::Imm(i)) => self.ops.ri(Group1::Cmp, w64, d, i),
            (false, _, Operand::Reg(s)) => self.ops.rr(CMP, w64, d, host(s)),
            (false, _, Operand::Scratch) => self.ops.rr(CMP, w64, d, SCRATCH),
            (true, true, Operand::Imm(i)) => x64!(self.ops, test Rq(d), DWORD i),
            (true, false, Operand::Imm(i)) => x64!(self.ops, test Rd(d), DWORD i),
            (true, _, Operand::Reg(s)) => self.ops.rr(TEST, w64, d, host(s)),
            (true, _, Operand::Scratch) => self.ops.rr(TEST, w64, d, SCRATCH),
        }
        let cc = match cond {
            JmpCond::Eq => Cc::E,
            JmpCond::Ne | JmpCond::Set => Cc::Ne,
            JmpCond::Gt => Cc::A,
            JmpCond::Ge => Cc::Ae,
            JmpCond::Lt => Cc::B,
            JmpCond::Le => Cc::Be,
            JmpCond::Sgt => Cc::G,
            JmpCond::Sge => Cc::Ge,
            JmpCond::Slt => Cc::L,
            JmpCond::Sle => Cc::Le,
        };
        self.jcc(cc, target);
    }

    /// Every frame, the entry one included, was entered by a native `call`, so exit is
    /// a plain return: to the caller's call site, or to the entry glue.
    pub(super) fn emit_exit(&mut self) {
        x64!(self.ops, ret);
    }

    /// A new frame: depth check, r6-r10 saved on the host stack (5 pushes plus the
    /// return address keep the stack 16-byte aligned), r10 moved down one frame.
    pub(super) fn emit_call_local(&mut self, target: DynamicLabel) {
        let too_deep = self.fault_label(FaultCode::CallDepth);
        let max = i32::try_from(self.runtime.max_depth).unwrap_or(i32::MAX);
        x64!(self.ops, cmp QWORD [Rq(CTX) + offsets::DEPTH], DWORD max);
        self.jcc(Cc::Ae, too_deep);
        x64!(self.ops, add QWORD [Rq(CTX) + offsets::DEPTH], BYTE 1);
        for r in FRAME_SAVED {
            x64!(self.ops, push Rq(r));
        }
        let frame = self.runtime.frame_size;
        x64!(self.ops, sub rbp, DWORD frame);
        self.call(target);
        for r in FRAME_SAVED.iter().rev() {
            x64!(self.ops, pop Rq(*r));
        }
        x64!(self.ops, sub QWORD [Rq(CTX) + offsets::DEPTH], BYTE 1);
    }

    pub(super) fn emit_call_helper(&mut self, id: HelperId) {
        let pc = u64::from(self.pc);
        self.emit_host_call(self.runtime.helper, id.host_arg(), pc);
    }

    pub(super) fn emit_packet_load(&mut self, load: PacketLoad) {
        let (arg, imm) = load.host_arg();
        let packed = pack_packet(self.pc, size_log2(load.size), imm);
        self.emit_host_call(self.runtime.packet, arg, packed);
    }

    /// Calls `addr(ctx, arg, extra)`; r1-r5 survive (saved in the context block),
    /// the result lands in r0, a fault leaves through the fault exit.
    fn emit_host_call(&mut self, addr: u64, arg: HostArg, extra: u64) {
        for (i, r) in ARGS.iter().enumerate() {
            x64!(self.ops, mov QWORD [Rq(CTX) + offsets::arg(i)], Rq(*r));
        }
        match arg {
            HostArg::Reg(r) => x64!(self.ops, mov rsi, Rq(host(r))),
            HostArg::Imm(v) => x64!(self.ops, mov rsi, QWORD v as i64),
            HostArg::Scratch32 => x64!(self.ops, mov esi, Rd(SCRATCH)),
            HostArg::ScratchPlus(None) => x64!(self.ops, mov rsi, Rq(SCRATCH)),
            HostArg::ScratchPlus(Some(r)) => x64!(self.ops, lea rsi, [Rq(SCRATCH) + Rq(host(r))]),
        }
        let fault_exit = self.fault_exit;
        x64!(self.ops,
            mov rdx, QWORD extra as i64
            ; mov rdi, Rq(CTX)
            ; sub rsp, BYTE 8
            ; mov rax, QWORD addr as i64
            ; call rax
            ; add rsp, BYTE 8
        );
        for (i, r) in ARGS.iter().enumerate() {
            x64!(self.ops, mov Rq(*r), QWORD [Rq(CTX) + offsets::arg(i)]);
        }
        x64!(self.ops, cmp QWORD [Rq(CTX) + offsets::FAULT], BYTE 0);
        self.jcc(Cc::Ne, fault_exit);
    }

    pub(super) fn emit_meter(&mut self, count: u32) {
        let exhausted = self.ops.new_dynamic_label();
        self.out_of_line.push(OutOfLine::Budget {
            entry: exhausted,
            end: self.pc.saturating_add(count),
        });
        x64!(self.ops, sub QWORD [Rq(CTX) + offsets::BUDGET], DWORD count as i32);
        self.jcc(Cc::B, exhausted);
    }
}
