//! The exact meaning of arithmetic, byte-order and comparison operations
//! (RFC 9669 sections 4.1-4.3), as pure functions.
//!
//! The interpreter calls these with constant operations, so they fold into each
//! dispatch arm; other components (a verifier's constant folding, JIT tests) can use
//! them as the reference semantics.

use crate::isa::{AluOp, EndOp, JmpCond};

/// A 64-bit ALU operation. For immediate forms `src` is the immediate sign-extended
/// to 64 bits (also for the unsigned DIV and MOD). Division by zero gives 0; modulo
/// by zero leaves `dst`; `INT_MIN / -1` is `INT_MIN` and `INT_MIN % -1` is 0. Shift
/// amounts are masked to 6 bits. `Neg` ignores `src`.
#[inline(always)]
pub fn alu64(op: AluOp, dst: u64, src: u64) -> u64 {
    match op {
        AluOp::Add => dst.wrapping_add(src),
        AluOp::Sub => dst.wrapping_sub(src),
        AluOp::Mul => dst.wrapping_mul(src),
        AluOp::Div => dst.checked_div(src).unwrap_or(0),
        AluOp::Sdiv => (dst as i64).checked_div(src as i64).map_or_else(
            || if src == 0 { 0 } else { dst }, // only INT_MIN / -1 overflows: INT_MIN
            |q| q as u64,
        ),
        AluOp::Or => dst | src,
        AluOp::And => dst & src,
        AluOp::Lsh => dst << (src & 63),
        AluOp::Rsh => dst >> (src & 63),
        AluOp::Neg => dst.wrapping_neg(),
        AluOp::Mod => dst.checked_rem(src).unwrap_or(dst),
        AluOp::Smod => {
            if src == 0 {
                dst
            } else {
                (dst as i64).wrapping_rem(src as i64) as u64
            }
        }
        AluOp::Xor => dst ^ src,
        AluOp::Mov => src,
        AluOp::Movsx8 => src as i8 as i64 as u64,
        AluOp::Movsx16 => src as i16 as i64 as u64,
        AluOp::Movsx32 => src as i32 as i64 as u64,
        AluOp::Arsh => ((dst as i64) >> (src & 63)) as u64,
    }
}

/// A 32-bit ALU operation on the low halves (immediates taken as their 32 bits);
/// the caller zero-extends the result into the register. Same rules as [`alu64`]
/// with 32-bit limits and shift amounts masked to 5 bits; MOVSX sign-extends to 32
/// bits.
#[inline(always)]
pub fn alu32(op: AluOp, dst: u32, src: u32) -> u32 {
    match op {
        AluOp::Add => dst.wrapping_add(src),
        AluOp::Sub => dst.wrapping_sub(src),
        AluOp::Mul => dst.wrapping_mul(src),
        AluOp::Div => dst.checked_div(src).unwrap_or(0),
        AluOp::Sdiv => (dst as i32)
            .checked_div(src as i32)
            .map_or_else(|| if src == 0 { 0 } else { dst }, |q| q as u32),
        AluOp::Or => dst | src,
        AluOp::And => dst & src,
        AluOp::Lsh => dst << (src & 31),
        AluOp::Rsh => dst >> (src & 31),
        AluOp::Neg => dst.wrapping_neg(),
        AluOp::Mod => dst.checked_rem(src).unwrap_or(dst),
        AluOp::Smod => {
            if src == 0 {
                dst
            } else {
                (dst as i32).wrapping_rem(src as i32) as u32
            }
        }
        AluOp::Xor => dst ^ src,
        AluOp::Mov | AluOp::Movsx32 => src,
        AluOp::Movsx8 => src as i8 as i32 as u32,
        AluOp::Movsx16 => src as i16 as i32 as u32,
        AluOp::Arsh => ((dst as i32) >> (src & 31)) as u32,
    }
}

/// Byte-order conversion of the low `bits` (16, 32 or 64) of `v`, zero-extended:
/// `Le` converts host to little endian, `Be` host to big endian, `Swap` always swaps.
#[inline(always)]
pub fn end(op: EndOp, bits: u8, v: u64) -> u64 {
    let swap = match op {
        EndOp::Le => cfg!(target_endian = "big"),
        EndOp::Be => cfg!(target_endian = "little"),
        EndOp::Swap => true,
    };
    match (bits, swap) {
        (16, false) => u64::from(v as u16),
        (16, true) => u64::from((v as u16).swap_bytes()),
        (32, false) => u64::from(v as u32),
        (32, true) => u64::from((v as u32).swap_bytes()),
        (_, false) => v,
        (_, true) => v.swap_bytes(),
    }
}

/// A 64-bit jump condition (`b` is the immediate sign-extended, or `src`).
#[inline(always)]
pub fn cond64(c: JmpCond, a: u64, b: u64) -> bool {
    let (sa, sb) = (a as i64, b as i64);
    match c {
        JmpCond::Eq => a == b,
        JmpCond::Gt => a > b,
        JmpCond::Ge => a >= b,
        JmpCond::Set => a & b != 0,
        JmpCond::Ne => a != b,
        JmpCond::Sgt => sa > sb,
        JmpCond::Sge => sa >= sb,
        JmpCond::Lt => a < b,
        JmpCond::Le => a <= b,
        JmpCond::Slt => sa < sb,
        JmpCond::Sle => sa <= sb,
    }
}

/// A 32-bit jump condition on the low halves: the 64-bit condition on the halves
/// sign-extended (signed conditions) or zero-extended (all others).
#[inline(always)]
pub fn cond32(c: JmpCond, a: u32, b: u32) -> bool {
    let signed = matches!(c, JmpCond::Sgt | JmpCond::Sge | JmpCond::Slt | JmpCond::Sle);
    let widen = |v: u32| {
        if signed {
            v as i32 as i64 as u64
        } else {
            u64::from(v)
        }
    };
    cond64(c, widen(a), widen(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use AluOp::*;

    const MIN64: u64 = i64::MIN as u64;
    const MIN32: u32 = i32::MIN as u32;

    #[test]
    fn division_and_modulo_edges() {
        assert_eq!(alu64(Div, 10, 0), 0);
        assert_eq!(alu64(Mod, 10, 0), 10);
        assert_eq!(alu64(Sdiv, 10, 0), 0);
        assert_eq!(alu64(Smod, (-7i64) as u64, 0), (-7i64) as u64);
        assert_eq!(alu64(Sdiv, MIN64, u64::MAX), MIN64);
        assert_eq!(alu64(Smod, MIN64, u64::MAX), 0);
        // Unsigned division by a sign-extended immediate: `div %r0, -10`.
        assert_eq!(alu64(Div, u64::MAX, (-10i64) as u64), 1);
        assert_eq!(alu64(Sdiv, (-7i64) as u64, 2), (-3i64) as u64);
        assert_eq!(alu64(Smod, (-7i64) as u64, 2), (-1i64) as u64);
        assert_eq!(alu64(Smod, 7, (-2i64) as u64), 1);
        assert_eq!(alu32(Div, 10, 0), 0);
        assert_eq!(alu32(Mod, 10, 0), 10);
        assert_eq!(alu32(Sdiv, MIN32, u32::MAX), MIN32);
        assert_eq!(alu32(Smod, MIN32, u32::MAX), 0);
        assert_eq!(alu32(Sdiv, 7, 0), 0);
        assert_eq!(alu32(Smod, (-7i32) as u32, 0), (-7i32) as u32);
        assert_eq!(alu32(Div, u32::MAX, (-10i32) as u32), 1);
    }

    #[test]
    fn shifts_are_masked() {
        assert_eq!(alu64(Lsh, 1, 65), 2);
        assert_eq!(alu64(Rsh, 4, 66), 1);
        assert_eq!(alu64(Arsh, MIN64, 127), u64::MAX);
        assert_eq!(alu32(Lsh, 1, 33), 2);
        assert_eq!(alu32(Arsh, MIN32, 31 + 32), u32::MAX);
        assert_eq!(alu32(Rsh, MIN32, 63), 1);
    }

    #[test]
    fn moves_and_negation() {
        assert_eq!(alu64(Movsx8, 0x80, 0x80), 0xffff_ffff_ffff_ff80);
        assert_eq!(alu64(Movsx16, 0, 0x1_8000), 0xffff_ffff_ffff_8000);
        assert_eq!(alu64(Movsx32, 0, 0x8000_0000), 0xffff_ffff_8000_0000);
        assert_eq!(alu32(Movsx8, 0, 0x80), 0xffff_ff80);
        assert_eq!(alu32(Movsx16, 0, 0x7fff), 0x7fff);
        assert_eq!(alu64(Neg, MIN64, 0), MIN64);
        assert_eq!(alu32(Neg, 1, 0), u32::MAX);
    }

    #[test]
    fn byte_order() {
        let v = 0x0102_0304_0506_0708;
        assert_eq!(end(EndOp::Le, 16, v), 0x0708);
        assert_eq!(end(EndOp::Le, 32, v), 0x0506_0708);
        assert_eq!(end(EndOp::Le, 64, v), v);
        assert_eq!(end(EndOp::Be, 16, v), 0x0807);
        assert_eq!(end(EndOp::Be, 32, v), 0x0807_0605);
        assert_eq!(end(EndOp::Be, 64, v), 0x0807_0605_0403_0201);
        assert_eq!(end(EndOp::Swap, 16, v), 0x0807);
        assert_eq!(end(EndOp::Swap, 64, v), 0x0807_0605_0403_0201);
    }

    #[test]
    fn conditions() {
        assert!(cond64(JmpCond::Sgt, 1, u64::MAX));
        assert!(!cond64(JmpCond::Gt, 1, u64::MAX));
        assert!(cond64(JmpCond::Set, 6, 2));
        assert!(cond32(JmpCond::Eq, 5, 5));
        assert!(cond32(JmpCond::Slt, u32::MAX, 0));
        assert!(cond32(JmpCond::Sle, 0, 0));
        assert!(!cond32(JmpCond::Set, 0x8000_0000, 0x4000_0000));
        assert!(cond32(JmpCond::Gt, 0x8000_0000, 1));
        assert!(!cond32(JmpCond::Sgt, 0x8000_0000, 1));
    }
}
