//! Arithmetic, division and byte order. 32-bit operations use w registers, whose
//! writes clear the upper half as RFC 9669 requires.

use super::regs::{host, TMP, TMP2};
use super::A64;
use crate::lower::masm::{DivOp, Operand, Reg as BpfReg};
use dynasmrt::DynasmApi;
use ferrobpf_vm::isa::{AluOp, Width};

/// `dst = dst op src` in the three-register form, at either width.
macro_rules! rrr {
    ($self:ident, $mn:ident, $w64:expr, $d:expr, $s:expr) => {
        if $w64 {
            a64!($self.ops, $mn X($d), X($d), X($s))
        } else {
            a64!($self.ops, $mn W($d), W($d), W($s))
        }
    };
}

/// The 12-bit unsigned immediate of an add or sub of `i`, and whether it subtracts.
fn add_imm12(i: i32) -> Option<(u32, bool)> {
    match i {
        1..=4095 => Some((i as u32, false)),
        -4095..=-1 => Some((i.unsigned_abs(), true)),
        _ => None,
    }
}

impl A64 {
    pub(super) fn emit_alu(&mut self, op: AluOp, width: Width, dst: BpfReg, src: Operand) {
        let d = host(dst);
        let w64 = width == Width::W64;
        match op {
            AluOp::Mov => self.emit_mov(width, d, src),
            AluOp::Add | AluOp::Sub => self.emit_add_sub(op == AluOp::Sub, width, d, src),
            AluOp::Mul => {
                let s = self.operand_reg(src, width, TMP);
                rrr!(self, mul, w64, d, s);
            }
            AluOp::Or => {
                let s = self.operand_reg(src, width, TMP);
                rrr!(self, orr, w64, d, s);
            }
            AluOp::And => {
                let s = self.operand_reg(src, width, TMP);
                rrr!(self, and, w64, d, s);
            }
            AluOp::Xor => {
                let s = self.operand_reg(src, width, TMP);
                rrr!(self, eor, w64, d, s);
            }
            AluOp::Lsh | AluOp::Rsh | AluOp::Arsh => self.emit_shift(op, w64, d, src),
            AluOp::Neg if w64 => a64!(self.ops, neg X(d), X(d)),
            AluOp::Neg => a64!(self.ops, neg W(d), W(d)),
            AluOp::Movsx8 | AluOp::Movsx16 | AluOp::Movsx32 => {
                let s = self.operand_reg(src, width, TMP);
                match (op, w64) {
                    (AluOp::Movsx8, true) => a64!(self.ops, sxtb X(d), W(s)),
                    (AluOp::Movsx8, false) => a64!(self.ops, sxtb W(d), W(s)),
                    (AluOp::Movsx16, true) => a64!(self.ops, sxth X(d), W(s)),
                    (AluOp::Movsx16, false) => a64!(self.ops, sxth W(d), W(s)),
                    (_, true) => a64!(self.ops, sxtw X(d), W(s)),
                    (_, false) => a64!(self.ops, mov W(d), W(s)),
                }
            }
            AluOp::Div => self.emit_div_mod(DivOp::Div, width, dst, src),
            AluOp::Sdiv => self.emit_div_mod(DivOp::Sdiv, width, dst, src),
            AluOp::Mod => self.emit_div_mod(DivOp::Mod, width, dst, src),
            AluOp::Smod => self.emit_div_mod(DivOp::Smod, width, dst, src),
        }
    }

    fn emit_mov(&mut self, width: Width, d: u32, src: Operand) {
        match (width, src) {
            (Width::W64, Operand::Imm(i)) => self.mov_imm(d, i64::from(i) as u64),
            (Width::W32, Operand::Imm(i)) => self.mov_imm32(d, i as u32),
            (Width::W64, _) => {
                let s = self.operand_reg(src, width, TMP);
                if s != d {
                    a64!(self.ops, mov X(d), X(s));
                }
            }
            (Width::W32, _) => {
                let s = self.operand_reg(src, width, TMP);
                a64!(self.ops, mov W(d), W(s));
            }
        }
    }

    fn emit_add_sub(&mut self, sub: bool, width: Width, d: u32, src: Operand) {
        let w64 = width == Width::W64;
        if let Operand::Imm(i) = src {
            if let Some((imm, negative)) = add_imm12(i) {
                match (sub != negative, w64) {
                    (false, true) => a64!(self.ops, add XSP(d), XSP(d), imm),
                    (false, false) => a64!(self.ops, add WSP(d), WSP(d), imm),
                    (true, true) => a64!(self.ops, sub XSP(d), XSP(d), imm),
                    (true, false) => a64!(self.ops, sub WSP(d), WSP(d), imm),
                }
                return;
            }
        }
        let s = self.operand_reg(src, width, TMP);
        match (sub, w64) {
            (false, true) => a64!(self.ops, add X(d), X(d), X(s)),
            (false, false) => a64!(self.ops, add W(d), W(d), W(s)),
            (true, true) => a64!(self.ops, sub X(d), X(d), X(s)),
            (true, false) => a64!(self.ops, sub W(d), W(d), W(s)),
        }
    }

    /// Shifts: immediate counts are masked here, register counts by the hardware
    /// (lslv/lsrv/asrv take the count modulo the width).
    fn emit_shift(&mut self, op: AluOp, w64: bool, d: u32, src: Operand) {
        if let Operand::Imm(i) = src {
            let count = if w64 { i & 63 } else { i & 31 } as u32;
            match (op, w64) {
                (_, true) if count == 0 => {}
                (_, false) if count == 0 => a64!(self.ops, mov W(d), W(d)),
                (AluOp::Lsh, true) => a64!(self.ops, lsl X(d), X(d), count),
                (AluOp::Lsh, false) => a64!(self.ops, lsl W(d), W(d), count),
                (AluOp::Rsh, true) => a64!(self.ops, lsr X(d), X(d), count),
                (AluOp::Rsh, false) => a64!(self.ops, lsr W(d), W(d), count),
                (_, true) => a64!(self.ops, asr X(d), X(d), count),
                (_, false) => a64!(self.ops, asr W(d), W(d), count),
            }
            return;
        }
        let width = if w64 { Width::W64 } else { Width::W32 };
        let s = self.operand_reg(src, width, TMP);
        match op {
            AluOp::Lsh => rrr!(self, lslv, w64, d, s),
            AluOp::Rsh => rrr!(self, lsrv, w64, d, s),
            _ => rrr!(self, asrv, w64, d, s),
        }
    }

    /// Division needs no branch: udiv/sdiv give 0 for a zero divisor and `MIN` for
    /// `MIN / -1`, and the remainder `dst - q * src` is then `dst` and 0, which is
    /// what RFC 9669 asks for.
    pub(super) fn emit_div_mod(&mut self, op: DivOp, width: Width, dst: BpfReg, src: Operand) {
        let d = host(dst);
        let w64 = width == Width::W64;
        let s = self.operand_reg(src, width, TMP);
        match op {
            DivOp::Div => rrr!(self, udiv, w64, d, s),
            DivOp::Sdiv => rrr!(self, sdiv, w64, d, s),
            DivOp::Mod | DivOp::Smod => {
                let q = TMP2;
                match (op == DivOp::Smod, w64) {
                    (false, true) => a64!(self.ops, udiv X(q), X(d), X(s)),
                    (false, false) => a64!(self.ops, udiv W(q), W(d), W(s)),
                    (true, true) => a64!(self.ops, sdiv X(q), X(d), X(s)),
                    (true, false) => a64!(self.ops, sdiv W(q), W(d), W(s)),
                }
                if w64 {
                    a64!(self.ops, msub X(d), X(q), X(s), X(d));
                } else {
                    a64!(self.ops, msub W(d), W(q), W(s), W(d));
                }
            }
        }
    }

    pub(super) fn emit_zero_extend(&mut self, d: u32, bits: u8) {
        match bits {
            16 => a64!(self.ops, uxth W(d), W(d)),
            32 => a64!(self.ops, mov W(d), W(d)),
            _ => {}
        }
    }

    pub(super) fn emit_byte_swap(&mut self, d: u32, bits: u8) {
        match bits {
            16 => a64!(self.ops, rev16 W(d), W(d) ; uxth W(d), W(d)),
            32 => a64!(self.ops, rev W(d), W(d)),
            _ => a64!(self.ops, rev X(d), X(d)),
        }
    }
}
