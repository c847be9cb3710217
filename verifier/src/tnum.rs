//! Tristate numbers: a 64-bit value where each bit is known 0, known 1 or unknown.
//!
//! A [`Tnum`] `(value, mask)` stands for every `x` with `x & !mask == value`: bits set in
//! `mask` are unknown, the others equal `value`'s. `value & mask` is always 0. The
//! operations over-approximate: every concrete result of the operation on members of the
//! operands is a member of the result.

use std::fmt;

/// A set of 64-bit values described bit by bit.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Tnum {
    /// Known bits (those not in `mask`).
    pub value: u64,
    /// Unknown bits.
    pub mask: u64,
}

impl Tnum {
    /// Every 64-bit value.
    pub const UNKNOWN: Tnum = Tnum {
        value: 0,
        mask: u64::MAX,
    };

    /// The single value `v`.
    pub const fn constant(v: u64) -> Tnum {
        Tnum { value: v, mask: 0 }
    }

    /// Builds a tnum, clearing value bits that are also in `mask`.
    pub const fn new(value: u64, mask: u64) -> Tnum {
        Tnum {
            value: value & !mask,
            mask,
        }
    }

    /// The smallest tnum holding every value in `min..=max` (unsigned).
    pub fn range(min: u64, max: u64) -> Tnum {
        let chi = min ^ max;
        let bits = 64 - chi.leading_zeros();
        if bits > 63 {
            return Tnum::UNKNOWN;
        }
        let delta = (1u64 << bits) - 1;
        Tnum::new(min & !delta, delta)
    }

    /// Whether exactly one value is described.
    pub const fn is_const(self) -> bool {
        self.mask == 0
    }

    /// Whether `x` is a member.
    pub const fn contains(self, x: u64) -> bool {
        x & !self.mask == self.value
    }

    /// Whether every member of `other` is a member of `self`.
    pub const fn includes(self, other: Tnum) -> bool {
        if other.mask & !self.mask != 0 {
            return false;
        }
        other.value & !self.mask == self.value
    }

    /// Smallest member as unsigned.
    pub const fn umin(self) -> u64 {
        self.value
    }

    /// Largest member as unsigned.
    pub const fn umax(self) -> u64 {
        self.value | self.mask
    }

    /// Smallest member as signed: the sign bit set if possible, other unknown bits clear.
    pub const fn smin(self) -> i64 {
        (self.value | (self.mask & (1 << 63))) as i64
    }

    /// Largest member as signed: the sign bit clear if possible, other unknown bits set.
    pub const fn smax(self) -> i64 {
        (self.value | (self.mask & !(1 << 63))) as i64
    }

    /// Shift left by `s` (0..64).
    pub const fn lshift(self, s: u32) -> Tnum {
        Tnum::new(self.value << s, self.mask << s)
    }

    /// Logical shift right by `s` (0..64).
    pub const fn rshift(self, s: u32) -> Tnum {
        Tnum::new(self.value >> s, self.mask >> s)
    }

    /// Arithmetic shift right by `s` of the low `bits` (32 or 64) bits, sign-extending
    /// from bit `bits - 1`; for 32 bits the result is zero-extended to 64.
    pub const fn arshift(self, s: u32, bits: u32) -> Tnum {
        if bits == 32 {
            Tnum::new(
                ((self.value as u32 as i32) >> s) as u32 as u64,
                ((self.mask as u32 as i32) >> s) as u32 as u64,
            )
        } else {
            Tnum::new(
                ((self.value as i64) >> s) as u64,
                ((self.mask as i64) >> s) as u64,
            )
        }
    }

    /// Sum (wrapping).
    pub const fn add(self, b: Tnum) -> Tnum {
        let sm = self.mask.wrapping_add(b.mask);
        let sv = self.value.wrapping_add(b.value);
        let sigma = sm.wrapping_add(sv);
        let chi = sigma ^ sv;
        let mu = chi | self.mask | b.mask;
        Tnum::new(sv & !mu, mu)
    }

    /// Difference (wrapping).
    pub const fn sub(self, b: Tnum) -> Tnum {
        let dv = self.value.wrapping_sub(b.value);
        let alpha = dv.wrapping_add(self.mask);
        let beta = dv.wrapping_sub(b.mask);
        let chi = alpha ^ beta;
        let mu = chi | self.mask | b.mask;
        Tnum::new(dv & !mu, mu)
    }

    /// Bitwise and.
    pub const fn and(self, b: Tnum) -> Tnum {
        let alpha = self.value | self.mask;
        let beta = b.value | b.mask;
        let v = self.value & b.value;
        Tnum::new(v, alpha & beta & !v)
    }

    /// Bitwise or.
    pub const fn or(self, b: Tnum) -> Tnum {
        let v = self.value | b.value;
        let mu = self.mask | b.mask;
        Tnum::new(v, mu & !v)
    }

    /// Bitwise exclusive or.
    pub const fn xor(self, b: Tnum) -> Tnum {
        let v = self.value ^ b.value;
        let mu = self.mask | b.mask;
        Tnum::new(v & !mu, mu)
    }

    /// Product (wrapping), by long multiplication over the bits of `self`.
    pub const fn mul(self, b: Tnum) -> Tnum {
        let acc_v = self.value.wrapping_mul(b.value);
        let mut acc_m = Tnum::constant(0);
        let mut a = self;
        let mut b = b;
        while a.value != 0 || a.mask != 0 {
            if a.value & 1 != 0 {
                acc_m = acc_m.add(Tnum::new(0, b.mask));
            } else if a.mask & 1 != 0 {
                acc_m = acc_m.add(Tnum::new(0, b.value | b.mask));
            }
            a = a.rshift(1);
            b = b.lshift(1);
        }
        Tnum::constant(acc_v).add(acc_m)
    }

    /// Values in both (the caller knows they share a member).
    pub const fn intersect(self, b: Tnum) -> Tnum {
        let v = self.value | b.value;
        let mu = self.mask & b.mask;
        Tnum::new(v & !mu, mu)
    }

    /// Smallest tnum holding the members of both.
    pub const fn union(self, b: Tnum) -> Tnum {
        let mu = self.mask | b.mask | (self.value ^ b.value);
        Tnum::new(self.value & !mu, mu)
    }

    /// Keeps the low `bytes` bytes (1, 2, 4 or 8), zero-extending.
    pub const fn cast(self, bytes: u32) -> Tnum {
        if bytes >= 8 {
            return self;
        }
        let keep = (1u64 << (bytes * 8)) - 1;
        Tnum::new(self.value & keep, self.mask & keep)
    }

    /// The low 32 bits, zero-extended.
    pub const fn subreg(self) -> Tnum {
        self.cast(4)
    }

    /// The high 32 bits kept, the low 32 bits known zero.
    pub const fn clear_subreg(self) -> Tnum {
        Tnum::new(self.value >> 32 << 32, self.mask >> 32 << 32)
    }

    /// The high 32 bits of `self` with the low 32 bits of `low`.
    pub const fn with_subreg(self, low: Tnum) -> Tnum {
        self.clear_subreg().or(low.subreg())
    }

    /// Whether the low 32 bits are known.
    pub const fn subreg_is_const(self) -> bool {
        self.mask as u32 == 0
    }

    /// The smallest member not below `x`, if any.
    pub fn least_at_least(self, x: u64) -> Option<u64> {
        self.nearest(x, true)
    }

    /// The greatest member not above `x`, if any.
    pub fn greatest_at_most(self, x: u64) -> Option<u64> {
        self.nearest(x, false)
    }

    /// The member nearest `x` from above (`up`) or below. A member other than `x`
    /// agrees with `x` above some bit that it sets and `x` clears (from above; the
    /// reverse from below), and is least (greatest) below it: the answer is the
    /// nearest of these candidates.
    fn nearest(self, x: u64, up: bool) -> Option<u64> {
        if self.contains(x) {
            return Some(x);
        }
        let candidates = (0..64).filter_map(|i| {
            let above = u64::MAX.checked_shl(i + 1).unwrap_or(0);
            let bit = 1u64 << i;
            let agrees = (x ^ self.value) & !self.mask & above == 0;
            let (flips, at, below) = if up {
                let settable = (self.value | self.mask) & bit != 0;
                (x & bit == 0 && settable, bit, self.value)
            } else {
                let clearable = self.value & bit == 0;
                (x & bit != 0 && clearable, 0, self.value | self.mask)
            };
            (agrees && flips).then_some((x & above) | at | (below & (bit - 1)))
        });
        if up {
            candidates.min()
        } else {
            candidates.max()
        }
    }
}

impl fmt::Display for Tnum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({:#x}; {:#x})", self.value, self.mask)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A tnum and one of its members.
    fn member() -> impl Strategy<Value = (Tnum, u64)> {
        (any::<u64>(), any::<u64>(), any::<u64>(), 0u32..4).prop_map(|(v, m, pick, sparsity)| {
            // Vary how many bits are unknown so small and large masks both appear.
            let m = match sparsity {
                0 => 0,
                1 => m & 0xff,
                2 => m & m.rotate_left(17) & m.rotate_left(31),
                _ => m,
            };
            let t = Tnum::new(v, m);
            (t, t.value | (pick & t.mask))
        })
    }

    #[test]
    fn nearest_members() {
        let fours = Tnum::new(0, 0x3c);
        assert_eq!(fours.least_at_least(41), Some(44));
        assert_eq!(fours.greatest_at_most(41), Some(40));
        assert_eq!(fours.least_at_least(61), None);
        assert_eq!(fours.greatest_at_most(60), Some(60));
        assert_eq!(Tnum::new(8, 0).greatest_at_most(7), None);
        assert_eq!(Tnum::UNKNOWN.least_at_least(u64::MAX), Some(u64::MAX));
    }

    #[test]
    fn range_examples() {
        assert_eq!(Tnum::range(0, 255), Tnum::new(0, 0xff));
        assert_eq!(Tnum::range(4, 4), Tnum::constant(4));
        assert_eq!(Tnum::range(0, u64::MAX), Tnum::UNKNOWN);
        assert_eq!(Tnum::range(16, 31), Tnum::new(16, 15));
    }

    #[test]
    fn signed_extremes() {
        assert_eq!(Tnum::UNKNOWN.smin(), i64::MIN);
        assert_eq!(Tnum::UNKNOWN.smax(), i64::MAX);
        assert_eq!(Tnum::new(0, 0xff).smax(), 255);
    }

    proptest! {
        #[test]
        fn nearest_members_are_exact(v in 0u64..512, m in 0u64..512, x in 0u64..600) {
            let t = Tnum::new(v, m);
            let members: Vec<u64> = (0..1024).filter(|&y| t.contains(y)).collect();
            let least = members.iter().copied().find(|&y| y >= x);
            let greatest = members.iter().copied().rev().find(|&y| y <= x);
            prop_assert_eq!(t.least_at_least(x), least);
            prop_assert_eq!(t.greatest_at_most(x), greatest);
        }

        #[test]
        fn binary_ops_contain_concrete_results(
            (a, x) in member(), (b, y) in member(), s in 0u32..64
        ) {
            prop_assert!(a.add(b).contains(x.wrapping_add(y)));
            prop_assert!(a.sub(b).contains(x.wrapping_sub(y)));
            prop_assert!(a.mul(b).contains(x.wrapping_mul(y)));
            prop_assert!(a.and(b).contains(x & y));
            prop_assert!(a.or(b).contains(x | y));
            prop_assert!(a.xor(b).contains(x ^ y));
            prop_assert!(a.union(b).contains(x) && a.union(b).contains(y));
            prop_assert!(a.lshift(s).contains(x << s));
            prop_assert!(a.rshift(s).contains(x >> s));
            prop_assert!(a.arshift(s, 64).contains(((x as i64) >> s) as u64));
            prop_assert!(a.arshift(s % 32, 32).contains(((x as u32 as i32) >> (s % 32)) as u32 as u64));
            prop_assert!(a.cast(2).contains(x & 0xffff));
            prop_assert!(a.subreg().contains(x as u32 as u64));
            prop_assert!(a.clear_subreg().contains(x >> 32 << 32));
            prop_assert!(a.with_subreg(b).contains((x >> 32 << 32) | (y as u32 as u64)));
            prop_assert!(a.umin() <= x && x <= a.umax());
            prop_assert!(a.smin() <= x as i64 && x as i64 <= a.smax());
        }

        #[test]
        fn range_contains_its_bounds(lo in any::<u64>(), hi in any::<u64>(), p in any::<u64>()) {
            let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
            let t = Tnum::range(lo, hi);
            let x = lo + p % (hi - lo).saturating_add(1).max(1);
            prop_assert!(t.contains(lo) && t.contains(hi) && t.contains(x.min(hi)));
        }

        #[test]
        fn intersect_and_includes((a, x) in member(), m in any::<u64>()) {
            // Any tnum holding x, intersected with a, still holds x.
            let b = Tnum::new(x, m);
            prop_assert!(a.intersect(b).contains(x));
            prop_assert!(a.union(b).includes(a));
            prop_assert!(Tnum::UNKNOWN.includes(a));
            prop_assert!(a.includes(Tnum::constant(x)));
        }
    }
}
