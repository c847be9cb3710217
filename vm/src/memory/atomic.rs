//! The meaning of the atomic operations (RFC 9669 section 5.3), as a pure function.

use crate::isa::AtomicOp;

/// The value memory holds after `op` when it held `old`. `operand` is the `src`
/// register; `expected` is r0 (only CMPXCHG reads it). For 32-bit atomics pass the
/// low halves and truncate the result.
#[inline]
pub fn apply(op: AtomicOp, old: u64, operand: u64, expected: u64) -> u64 {
    match op {
        AtomicOp::Add => old.wrapping_add(operand),
        AtomicOp::Or => old | operand,
        AtomicOp::And => old & operand,
        AtomicOp::Xor => old ^ operand,
        AtomicOp::Xchg => operand,
        AtomicOp::Cmpxchg => {
            if old == expected {
                operand
            } else {
                old
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations() {
        assert_eq!(apply(AtomicOp::Add, u64::MAX, 2, 0), 1);
        assert_eq!(apply(AtomicOp::Or, 0b1010, 0b0101, 0), 0b1111);
        assert_eq!(apply(AtomicOp::And, 0b1010, 0b0110, 0), 0b0010);
        assert_eq!(apply(AtomicOp::Xor, 0b1010, 0b0110, 0), 0b1100);
        assert_eq!(apply(AtomicOp::Xchg, 7, 9, 0), 9);
        assert_eq!(apply(AtomicOp::Cmpxchg, 7, 9, 7), 9);
        assert_eq!(apply(AtomicOp::Cmpxchg, 7, 9, 8), 7);
    }
}
