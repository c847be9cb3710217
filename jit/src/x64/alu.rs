//! Arithmetic, byte order and immediates.

use super::encode::{Group1, IMUL, MOV};
use super::jumps::Cc;
use super::regs::host::{RAX, RCX, RDX};
use super::regs::{host, ADDR, SCRATCH, TMP};
use super::X64;
use crate::lower::masm::{DivOp, Operand, Reg as BpfReg};
use dynasmrt::{DynasmApi, DynasmLabelApi};
use ferrobpf_vm::isa::{AluOp, Width};

/// Shift of `$d` by a masked immediate, or by a register through BMI2 or rcx.
macro_rules! shift {
    ($self:ident, $mn:ident, $mnx:ident, $digit:expr, $w64:expr, $d:expr, $src:expr) => {
        match $src {
            Operand::Imm(i) => {
                let count = if $w64 { i & 63 } else { i & 31 } as i8;
                match ($w64, count) {
                    (true, 0) => {}
                    (false, 0) => $self.ops.rr(MOV, false, $d, $d),
                    (w64, c) => $self.ops.shift_imm($digit, w64, $d, c as u8),
                }
            }
            Operand::Reg(_) | Operand::Scratch => {
                let s = match $src {
                    Operand::Reg(r) => host(r),
                    _ => SCRATCH,
                };
                if $self.features.bmi2 {
                    if $w64 {
                        x64!($self.ops, $mnx Rq($d), Rq($d), Rq(s));
                    } else {
                        x64!($self.ops, $mnx Rd($d), Rd($d), Rd(s));
                    }
                } else {
                    // Count in cl; rcx (r4) is parked in ADDR meanwhile.
                    let target = if $d == RCX { ADDR } else { $d };
                    x64!($self.ops, mov Rq(ADDR), rcx ; mov rcx, Rq(s));
                    if $w64 {
                        x64!($self.ops, $mn Rq(target), cl);
                    } else {
                        x64!($self.ops, $mn Rd(target), cl ; mov Rd(target), Rd(target));
                    }
                    x64!($self.ops, mov rcx, Rq(ADDR));
                }
            }
        }
    };
}

impl X64 {
    pub(super) fn emit_load_blinded(&mut self, masked: i64, key: i64) {
        match (i32::try_from(masked), i32::try_from(key)) {
            (Ok(m), Ok(k)) => {
                self.ops.mov_sx_imm32(SCRATCH, m);
                self.ops.ri(Group1::Xor, true, SCRATCH, k);
            }
            _ => x64!(self.ops,
                mov Rq(SCRATCH), QWORD masked
                ; mov Rq(TMP), QWORD key
                ; xor Rq(SCRATCH), Rq(TMP)
            ),
        }
    }

    pub(super) fn emit_load_imm64(&mut self, d: u8, value: i64) {
        if value == 0 {
            self.ops.rr(Group1::Xor as u8 * 8 + 1, false, d, d);
        } else if let Ok(v) = u32::try_from(value) {
            self.ops.mov_imm32(d, v);
        } else if let Ok(v) = i32::try_from(value) {
            self.ops.mov_sx_imm32(d, v);
        } else {
            x64!(self.ops, mov Rq(d), QWORD value);
        }
    }

    pub(super) fn emit_alu(&mut self, op: AluOp, width: Width, dst: BpfReg, src: Operand) {
        let d = host(dst);
        let w64 = width == Width::W64;
        match op {
            AluOp::Mov => self.emit_mov(w64, d, src),
            AluOp::Add => self.binop(Group1::Add, w64, d, src),
            AluOp::Sub => self.binop(Group1::Sub, w64, d, src),
            AluOp::Or => self.binop(Group1::Or, w64, d, src),
            AluOp::And => self.binop(Group1::And, w64, d, src),
            AluOp::Xor => self.binop(Group1::Xor, w64, d, src),
            AluOp::Mul => self.emit_mul(w64, d, src),
            AluOp::Lsh => shift!(self, shl, shlx, 4, w64, d, src),
            AluOp::Rsh => shift!(self, shr, shrx, 5, w64, d, src),
            AluOp::Arsh => shift!(self, sar, sarx, 7, w64, d, src),
            AluOp::Neg if w64 => x64!(self.ops, neg Rq(d)),
            AluOp::Neg => x64!(self.ops, neg Rd(d)),
            AluOp::Movsx8 | AluOp::Movsx16 | AluOp::Movsx32 => self.emit_movsx(op, w64, d, src),
            AluOp::Div => self.emit_div_mod(DivOp::Div, width, dst, src),
            AluOp::Sdiv => self.emit_div_mod(DivOp::Sdiv, width, dst, src),
            AluOp::Mod => self.emit_div_mod(DivOp::Mod, width, dst, src),
            AluOp::Smod => self.emit_div_mod(DivOp::Smod, width, dst, src),
        }
    }

    /// `d op= src` for the two-operand group-1 forms (add, sub, or, and, xor).
    fn binop(&mut self, op: Group1, w64: bool, d: u8, src: Operand) {
        match src {
            Operand::Reg(s) => self.ops.rr(op as u8 * 8 + 1, w64, d, host(s)),
            Operand::Scratch => self.ops.rr(op as u8 * 8 + 1, w64, d, SCRATCH),
            Operand::Imm(i) => self.ops.ri(op, w64, d, i),
        }
    }

    fn emit_mov(&mut self, w64: bool, d: u8, src: Operand) {
        match (w64, src) {
            (true, Operand::Reg(s)) if host(s) == d => {}
            (_, Operand::Reg(s)) => self.ops.rr(MOV, w64, d, host(s)),
            (true, Operand::Imm(i)) => self.emit_load_imm64(d, i64::from(i)),
            (false, Operand::Imm(i)) => self.emit_load_imm64(d, i64::from(i as u32)),
            (_, Operand::Scratch) => self.ops.rr(MOV, w64, d, SCRATCH),
        }
    }

    fn emit_mul(&mut self, w64: bool, d: u8, src: Operand) {
        match (w64, src) {
            (_, Operand::Reg(s)) => self.ops.rr_reg_dst(&IMUL, w64, d, host(s)),
            (_, Operand::Imm(i)) => self.ops.imul_imm(w64, d, d, i),
            (_, Operand::Scratch) => self.ops.rr_reg_dst(&IMUL, w64, d, SCRATCH),
        }
    }

    fn emit_movsx(&mut self, op: AluOp, w64: bool, d: u8, src: Operand) {
        let s = match src {
            Operand::Reg(r) => host(r),
            Operand::Scratch | Operand::Imm(_) => SCRATCH,
        };
        match (op, w64) {
            (AluOp::Movsx8, true) => x64!(self.ops, movsx Rq(d), Rb(s)),
            (AluOp::Movsx8, false) => x64!(self.ops, movsx Rd(d), Rb(s)),
            (AluOp::Movsx16, true) => x64!(self.ops, movsx Rq(d), Rw(s)),
            (AluOp::Movsx16, false) => x64!(self.ops, movsx Rd(d), Rw(s)),
            (_, true) => x64!(self.ops, movsxd Rq(d), Rd(s)),
            (_, false) => x64!(self.ops, mov Rd(d), Rd(s)),
        }
    }

    /// Division through rdx:rax. The divisor goes to SCRATCH first, r0 and r3 (rax,
    /// rdx) are parked in ADDR and TMP, and a register divisor of 0 (or -1 for the
    /// signed forms) takes the RFC's path instead of faulting.
    pub(super) fn emit_div_mod(&mut self, op: DivOp, width: Width, dst: BpfReg, src: Operand) {
        let d = host(dst);
        let w64 = width == Width::W64;
        let signed = matches!(op, DivOp::Sdiv | DivOp::Smod);
        let quotient = matches!(op, DivOp::Div | DivOp::Sdiv);
        match src {
            Operand::Reg(s) => x64!(self.ops, mov Rq(SCRATCH), Rq(host(s))),
            Operand::Imm(i) => x64!(self.ops, mov Rq(SCRATCH), DWORD i),
            Operand::Scratch => {}
        }
        // A divisor known at compile time is never 0 or -1 (the walk folds those).
        let special = matches!(src, Operand::Reg(_))
            .then(|| (self.ops.new_dynamic_label(), self.ops.new_dynamic_label()));
        if let Some((zero, minus_one)) = special {
            if w64 {
                x64!(self.ops, test Rq(SCRATCH), Rq(SCRATCH));
            } else {
                x64!(self.ops, test Rd(SCRATCH), Rd(SCRATCH));
            }
            self.jcc(Cc::E, zero);
            if signed {
                if w64 {
                    x64!(self.ops, cmp Rq(SCRATCH), -1);
                } else {
                    x64!(self.ops, cmp Rd(SCRATCH), -1);
                }
                self.jcc(Cc::E, minus_one);
            }
        }
        x64!(self.ops, mov Rq(TMP), Rq(RDX) ; mov Rq(ADDR), Rq(RAX));
        if w64 {
            x64!(self.ops, mov rax, Rq(d));
        } else {
            x64!(self.ops, mov eax, Rd(d));
        }
        match (signed, w64) {
            (false, true) => x64!(self.ops, xor edx, edx ; div Rq(SCRATCH)),
            (false, false) => x64!(self.ops, xor edx, edx ; div Rd(SCRATCH)),
            (true, true) => x64!(self.ops, cqo ; idiv Rq(SCRATCH)),
            (true, false) => x64!(self.ops, cdq ; idiv Rd(SCRATCH)),
        }
        match (quotient, w64) {
            (true, true) => x64!(self.ops, mov Rq(SCRATCH), rax),
            (true, false) => x64!(self.ops, mov Rd(SCRATCH), eax),
            (false, true) => x64!(self.ops, mov Rq(SCRATCH), rdx),
            (false, false) => x64!(self.ops, mov Rd(SCRATCH), edx),
        }
        x64!(self.ops, mov rdx, Rq(TMP) ; mov rax, Rq(ADDR) ; mov Rq(d), Rq(SCRATCH));
        let Some((zero, minus_one)) = special else {
            return;
        };
        let done = self.ops.new_dynamic_label();
        self.jmp(done);
        x64!(self.ops, =>zero);
        match (quotient, w64) {
            (true, _) => x64!(self.ops, xor Rd(d), Rd(d)),
            (false, false) => x64!(self.ops, mov Rd(d), Rd(d)),
            (false, true) => {}
        }
        if signed {
            self.jmp(done);
            x64!(self.ops, =>minus_one);
            match (quotient, w64) {
                (true, true) => x64!(self.ops, neg Rq(d)),
                (true, false) => x64!(self.ops, neg Rd(d)),
                (false, _) => x64!(self.ops, xor Rd(d), Rd(d)),
            }
        }
        x64!(self.ops, =>done);
    }

    pub(super) fn emit_zero_extend(&mut self, d: u8, bits: u8) {
        match bits {
            16 => x64!(self.ops, movzx Rd(d), Rw(d)),
            32 => self.ops.rr(MOV, false, d, d),
            _ => {}
        }
    }

    pub(super) fn emit_byte_swap(&mut self, d: u8, bits: u8) {
        match bits {
            16 => x64!(self.ops, ror Rw(d), BYTE 8 ; movzx Rd(d), Rw(d)),
            32 => x64!(self.ops, bswap Rd(d)),
            _ => x64!(self.ops, bswap Rq(d)),
        }
    }
}
