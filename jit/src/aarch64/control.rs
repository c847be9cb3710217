//! Compare-and-branch, calls (local and into the host) and budget metering.

use super::regs::{host, ARGS, BUDGET, CALL, CTX, LR, SCRATCH, TMP, TMP2};
use super::{Cond, OutOfLine, A64};
use crate::context::offsets;
use crate::fault::{pack_packet, size_log2, FaultCode};
use crate::lower::masm::{HelperId, HostArg, Operand, PacketLoad, Reg as BpfReg};
use dynasmrt::{DynamicLabel, DynasmApi, DynasmLabelApi};
use ferrobpf_vm::isa::{JmpCond, Width};

/// The condition flags after `cmp dst, src` (or `tst` for Set) that take the branch.
fn condition(cond: JmpCond) -> Cond {
    match cond {
        JmpCond::Eq => Cond::Eq,
        JmpCond::Ne | JmpCond::Set => Cond::Ne,
        JmpCond::Gt => Cond::Hi,
        JmpCond::Ge => Cond::Hs,
        JmpCond::Lt => Cond::Lo,
        JmpCond::Le => Cond::Ls,
        JmpCond::Sgt => Cond::Gt,
        JmpCond::Sge => Cond::Ge,
        JmpCond::Slt => Cond::Lt,
        JmpCond::Sle => Cond::Le,
    }
}

impl A64 {
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
        match (cond == JmpCond::Set, src) {
            (false, Operand::Imm(i)) if (0..4096).contains(&i) => match w64 {
                true => a64!(self.ops, cmp XSP(d), i as u32),
                false => a64!(self.ops, cmp WSP(d), i as u32),
            },
            (false, Operand::Imm(i)) if (-4095..0).contains(&i) => match w64 {
                true => a64!(self.ops, cmn XSP(d), i.unsigned_abs()),
                false => a64!(self.ops, cmn WSP(d), i.unsigned_abs()),
            },
            (false, _) => {
                let s = self.operand_reg(src, width, TMP);
                match w64 {
                    true => a64!(self.ops, cmp X(d), X(s)),
                    false => a64!(self.ops, cmp W(d), W(s)),
                }
            }
            (true, _) => {
                let s = self.operand_reg(src, width, TMP);
                match w64 {
                    true => a64!(self.ops, tst X(d), X(s)),
                    false => a64!(self.ops, tst W(d), W(s)),
                }
            }
        }
        self.branch_if(condition(cond), target);
    }

    /// A new frame: depth check, r6-r10 and the link register saved on the host
    /// stack (48 bytes keep it 16-byte aligned), r10 moved down one frame.
    pub(super) fn emit_call_local(&mut self, target: DynamicLabel) {
        let too_deep = self.fault_label(FaultCode::CallDepth);
        a64!(self.ops, ldr X(TMP), [X(CTX), offsets::DEPTH as u32]);
        self.mov_imm(TMP2, self.runtime.max_depth);
        a64!(self.ops, cmp X(TMP), X(TMP2));
        self.branch_if(Cond::Hs, too_deep);
        a64!(self.ops,
            add XSP(TMP), XSP(TMP), 1
            ; str X(TMP), [X(CTX), offsets::DEPTH as u32]
            ; stp x19, x20, [sp, -48]!
            ; stp x21, x22, [sp, 16]
            ; stp x23, x30, [sp, 32]
        );
        self.sub_frame(host(10), host(10), TMP2);
        a64!(self.ops,
            bl =>target
            ; ldp x21, x22, [sp, 16]
            ; ldp x23, x30, [sp, 32]
            ; ldp x19, x20, [sp], 48
            ; ldr X(TMP), [X(CTX), offsets::DEPTH as u32]
            ; sub XSP(TMP), XSP(TMP), 1
            ; str X(TMP), [X(CTX), offsets::DEPTH as u32]
        );
    }

    /// `dst = src - frame_size`, through `tmp` (not `src`) for large frames.
    pub(super) fn sub_frame(&mut self, dst: u32, src: u32, tmp: u32) {
        let frame = self.runtime.frame_size;
        if frame < 4096 {
            a64!(self.ops, sub XSP(dst), XSP(src), frame);
        } else {
            self.mov_imm(tmp, u64::from(frame));
            a64!(self.ops, sub X(dst), X(src), X(tmp));
        }
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

    /// Calls `addr(ctx, arg, extra)` by AAPCS64; r1-r5 survive (saved in the context
    /// block), the result lands in r0, a fault leaves through the fault exit.
    fn emit_host_call(&mut self, addr: u64, arg: HostArg, extra: u64) {
        self.save_args();
        match arg {
            HostArg::Reg(r) => a64!(self.ops, mov x1, X(host(r))),
            HostArg::Imm(v) => self.mov_imm(1, v),
            HostArg::Scratch32 => a64!(self.ops, mov w1, W(SCRATCH)),
            HostArg::ScratchPlus(None) => a64!(self.ops, mov x1, X(SCRATCH)),
            HostArg::ScratchPlus(Some(r)) => a64!(self.ops, add x1, X(SCRATCH), X(host(r))),
        }
        self.mov_imm(2, extra);
        a64!(self.ops, mov x0, X(CTX));
        self.mov_imm(CALL, addr);
        a64!(self.ops,
            str X(LR), [sp, -16]!
            ; blr X(CALL)
            ; ldr X(LR), [sp], 16
            ; mov X(host(0)), x0
        );
        self.load_args();
        self.check_fault();
    }

    /// r1-r5 into `ctx.args`.
    fn save_args(&mut self) {
        let [a0, a1, a2, a3, a4] = ARGS;
        a64!(self.ops,
            stp X(a0), X(a1), [X(CTX), offsets::arg(0)]
            ; stp X(a2), X(a3), [X(CTX), offsets::arg(2)]
            ; str X(a4), [X(CTX), offsets::arg(4) as u32]
        );
    }

    /// r1-r5 back from `ctx.args`.
    fn load_args(&mut self) {
        let [a0, a1, a2, a3, a4] = ARGS;
        a64!(self.ops,
            ldp X(a0), X(a1), [X(CTX), offsets::arg(0)]
            ; ldp X(a2), X(a3), [X(CTX), offsets::arg(2)]
            ; ldr X(a4), [X(CTX), offsets::arg(4) as u32]
        );
    }

    /// Leaves through the fault exit when the host recorded a fault.
    pub(super) fn check_fault(&mut self) {
        let fault_exit = self.fault_exit;
        a64!(self.ops, ldr X(TMP), [X(CTX), offsets::FAULT as u32]);
        if self.far {
            let ok = self.ops.new_dynamic_label();
            a64!(self.ops, cbz X(TMP), =>ok ; b =>fault_exit ; =>ok);
        } else {
            a64!(self.ops, cbnz X(TMP), =>fault_exit);
        }
    }

    /// The budget lives in its own register: one subtraction and a branch.
    pub(super) fn emit_meter(&mut self, count: u32) {
        let exhausted = self.ops.new_dynamic_label();
        self.out_of_line.push(OutOfLine::Budget {
            entry: exhausted,
            end: self.pc.saturating_add(count),
        });
        if count < 4096 {
            a64!(self.ops, subs X(BUDGET), XSP(BUDGET), count);
        } else {
            self.mov_imm(TMP2, u64::from(count));
            a64!(self.ops, subs X(BUDGET), X(BUDGET), X(TMP2));
        }
        self.branch_if(Cond::Lo, exhausted);
    }
}
