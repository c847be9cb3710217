//! Abstract scalars: a [`Tnum`] plus signed and unsigned bounds at 64 and 32 bits,
//! kept mutually consistent by [`Scalar::sync`].

use crate::tnum::Tnum;
use std::fmt;

/// The set of 64-bit values a scalar register may hold. Every concrete value must lie
/// in all nine components at once; [`Scalar::sync`] tightens each from the others.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scalar {
    /// Known bits.
    pub var_off: Tnum,
    /// Signed 64-bit minimum.
    pub smin: i64,
    /// Signed 64-bit maximum.
    pub smax: i64,
    /// Unsigned 64-bit minimum.
    pub umin: u64,
    /// Unsigned 64-bit maximum.
    pub umax: u64,
    /// Signed minimum of the low 32 bits.
    pub s32_min: i32,
    /// Signed maximum of the low 32 bits.
    pub s32_max: i32,
    /// Unsigned minimum of the low 32 bits.
    pub u32_min: u32,
    /// Unsigned maximum of the low 32 bits.
    pub u32_max: u32,
}

impl Scalar {
    /// Any value.
    pub const UNKNOWN: Scalar = Scalar {
        var_off: Tnum::UNKNOWN,
        smin: i64::MIN,
        smax: i64::MAX,
        umin: 0,
        umax: u64::MAX,
        s32_min: i32::MIN,
        s32_max: i32::MAX,
        u32_min: 0,
        u32_max: u32::MAX,
    };

    /// Exactly `v`.
    pub const fn constant(v: u64) -> Scalar {
        Scalar {
            var_off: Tnum::constant(v),
            smin: v as i64,
            smax: v as i64,
            umin: v,
            umax: v,
            s32_min: v as u32 as i32,
            s32_max: v as u32 as i32,
            u32_min: v as u32,
            u32_max: v as u32,
        }
    }

    /// The unsigned range `lo..=hi`.
    pub fn urange(lo: u64, hi: u64) -> Scalar {
        let mut s = Scalar::UNKNOWN;
        s.umin = lo;
        s.umax = hi;
        s.sync();
        s
    }

    /// The signed range `lo..=hi`.
    pub fn srange(lo: i64, hi: i64) -> Scalar {
        let mut s = Scalar::UNKNOWN;
        s.smin = lo;
        s.smax = hi;
        s.sync();
        s
    }

    /// Any value of the tnum.
    pub fn from_tnum(t: Tnum) -> Scalar {
        let mut s = Scalar::UNKNOWN;
        s.var_off = t;
        s.sync();
        s
    }

    /// The value if only one is possible.
    pub fn as_const(&self) -> Option<u64> {
        self.var_off.is_const().then_some(self.var_off.value)
    }

    /// The low 32 bits if only one is possible.
    pub fn as_const32(&self) -> Option<u32> {
        self.var_off
            .subreg_is_const()
            .then_some(self.var_off.value as u32)
    }

    /// Whether nothing is known.
    pub fn is_unknown(&self) -> bool {
        *self == Scalar::UNKNOWN
    }

    /// Whether no value satisfies every component (an impossible path).
    pub fn is_empty(&self) -> bool {
        self.smin > self.smax
            || self.umin > self.umax
            || self.s32_min > self.s32_max
            || self.u32_min > self.u32_max
            || self.umin > self.var_off.umax()
            || self.umax < self.var_off.umin()
    }

    /// Whether `x` lies in every component.
    pub fn contains(&self, x: u64) -> bool {
        let (lo, slo) = (x as u32, x as u32 as i32);
        self.var_off.contains(x)
            && (self.smin..=self.smax).contains(&(x as i64))
            && (self.umin..=self.umax).contains(&x)
            && (self.s32_min..=self.s32_max).contains(&slo)
            && (self.u32_min..=self.u32_max).contains(&lo)
    }

    /// Whether every value of `other` is a value of `self` (component-wise).
    pub fn includes(&self, other: &Scalar) -> bool {
        self.smin <= other.smin
            && other.smax <= self.smax
            && self.umin <= other.umin
            && other.umax <= self.umax
            && self.s32_min <= other.s32_min
            && other.s32_max <= self.s32_max
            && self.u32_min <= other.u32_min
            && other.u32_max <= self.u32_max
            && self.var_off.includes(other.var_off)
    }

    /// The smallest scalar holding both.
    pub fn join(&self, o: &Scalar) -> Scalar {
        let mut s = Scalar {
            var_off: self.var_off.union(o.var_off),
            smin: self.smin.min(o.smin),
            smax: self.smax.max(o.smax),
            umin: self.umin.min(o.umin),
            umax: self.umax.max(o.umax),
            s32_min: self.s32_min.min(o.s32_min),
            s32_max: self.s32_max.max(o.s32_max),
            u32_min: self.u32_min.min(o.u32_min),
            u32_max: self.u32_max.max(o.u32_max),
        };
        s.sync();
        s
    }

    /// Values of both (may be empty; check [`Scalar::is_empty`]).
    pub fn meet(&self, o: &Scalar) -> Scalar {
        let mut s = Scalar {
            var_off: self.var_off.intersect(o.var_off),
            smin: self.smin.max(o.smin),
            smax: self.smax.min(o.smax),
            umin: self.umin.max(o.umin),
            umax: self.umax.min(o.umax),
            s32_min: self.s32_min.max(o.s32_min),
            s32_max: self.s32_max.min(o.s32_max),
            u32_min: self.u32_min.max(o.u32_min),
            u32_max: self.u32_max.min(o.u32_max),
        };
        // Conflicting known bits mean no common value.
        let conflict =
            (self.var_off.value ^ o.var_off.value) & !self.var_off.mask & !o.var_off.mask;
        if conflict != 0 {
            s.umin = 1;
            s.umax = 0;
            return s;
        }
        s.sync();
        s
    }

    /// The low 32 bits zero-extended: 32-bit bounds become the 64-bit ones.
    pub fn zext32(&self) -> Scalar {
        let mut s = Scalar::UNKNOWN;
        s.var_off = self.var_off.subreg();
        s.u32_min = self.u32_min;
        s.u32_max = self.u32_max;
        s.s32_min = self.s32_min;
        s.s32_max = self.s32_max;
        s.umin = u64::from(self.u32_min);
        s.umax = u64::from(self.u32_max);
        s.sync();
        s
    }

    /// Tightens every component from the others. Afterwards an empty scalar stays
    /// detectable through [`Scalar::is_empty`].
    pub fn sync(&mut self) {
        self.bounds_from_tnum();
        for _ in 0..3 {
            self.deduce32();
            self.deduce64();
            self.deduce_mixed();
        }
        self.tnum_from_bounds();
        self.bounds_from_tnum();
        self.deduce32();
        self.deduce64();
    }

    fn bounds_from_tnum(&mut self) {
        let t = self.var_off;
        self.umin = self.umin.max(t.umin());
        self.umax = self.umax.min(t.umax());
        self.smin = self.smin.max(t.smin());
        self.smax = self.smax.min(t.smax());
        let t32 = t.subreg();
        self.u32_min = self.u32_min.max(t32.value as u32);
        self.u32_max = self.u32_max.min((t32.value | t32.mask) as u32);
        let sign = 1u64 << 31;
        self.s32_min = self
            .s32_min
            .max((t32.value | (t32.mask & sign)) as u32 as i32);
        self.s32_max = self
            .s32_max
            .min((t32.value | (t32.mask & !sign)) as u32 as i32);
        // Bounds that are not members move to the nearest members (none: empty).
        if self.umin <= self.umax {
            match (t.least_at_least(self.umin), t.greatest_at_most(self.umax)) {
                (Some(lo), Some(hi)) if lo <= hi => (self.umin, self.umax) = (lo, hi),
                _ => (self.umin, self.umax) = (1, 0),
            }
        }
        if self.u32_min <= self.u32_max {
            let lo = t32.least_at_least(u64::from(self.u32_min));
            let hi = t32.greatest_at_most(u64::from(self.u32_max));
            match (lo, hi) {
                (Some(lo), Some(hi)) if lo <= hi => {
                    (self.u32_min, self.u32_max) = (lo as u32, hi as u32);
                }
                _ => (self.u32_min, self.u32_max) = (1, 0),
            }
        }
    }

    /// Signed and unsigned 32-bit bounds agree where the range does not cross a sign.
    fn deduce32(&mut self) {
        if (self.s32_min as u32) <= (self.s32_max as u32) {
            self.u32_min = self.u32_min.max(self.s32_min as u32);
            self.u32_max = self.u32_max.min(self.s32_max as u32);
        }
        if (self.u32_min as i32) <= (self.u32_max as i32) {
            self.s32_min = self.s32_min.max(self.u32_min as i32);
            self.s32_max = self.s32_max.min(self.u32_max as i32);
        }
    }

    /// Same as [`Self::deduce32`] for 64 bits.
    fn deduce64(&mut self) {
        if (self.smin as u64) <= (self.smax as u64) {
            self.umin = self.umin.max(self.smin as u64);
            self.umax = self.umax.min(self.smax as u64);
        }
        if (self.umin as i64) <= (self.umax as i64) {
            self.smin = self.smin.max(self.umin as i64);
            self.smax = self.smax.min(self.umax as i64);
        }
    }

    /// Between the 64-bit range and the 32-bit subregister.
    fn deduce_mixed(&mut self) {
        // A 64-bit range within one 2^32 block bounds the low half directly.
        if self.umin >> 32 == self.umax >> 32 {
            let (lo, hi) = (self.umin as u32, self.umax as u32);
            self.u32_min = self.u32_min.max(lo);
            self.u32_max = self.u32_max.min(hi);
            if (lo as i32) <= (hi as i32) {
                self.s32_min = self.s32_min.max(lo as i32);
                self.s32_max = self.s32_max.min(hi as i32);
            }
            // ... and the low half bounds the 64-bit range.
            let high = self.umin >> 32 << 32;
            self.umin = self.umin.max(high | u64::from(self.u32_min));
            self.umax = self.umax.min(high | u64::from(self.u32_max));
        }
        if self.smin >> 32 == self.smax >> 32 {
            let (lo, hi) = (self.smin as u32, self.smax as u32);
            if lo <= hi {
                self.u32_min = self.u32_min.max(lo);
                self.u32_max = self.u32_max.min(hi);
            }
            if (lo as i32) <= (hi as i32) {
                self.s32_min = self.s32_min.max(lo as i32);
                self.s32_max = self.s32_max.min(hi as i32);
            }
            let high = self.smin >> 32 << 32;
            if self.u32_min <= self.u32_max {
                self.smin = self.smin.max(high | i64::from(self.u32_min));
                self.smax = self.smax.min(high | i64::from(self.u32_max));
            }
        }
        // A sign-extended 32-bit value: the 64-bit range is [-2^31, 2^31) and the
        // 32-bit signed bounds carry over.
        if self.smin >= i64::from(i32::MIN) && self.smax <= i64::from(i32::MAX) {
            self.smin = self.smin.max(i64::from(self.s32_min));
            self.smax = self.smax.min(i64::from(self.s32_max));
        }
    }

    fn tnum_from_bounds(&mut self) {
        if self.umin > self.umax || self.u32_min > self.u32_max {
            return;
        }
        let t64 = self.var_off.intersect(Tnum::range(self.umin, self.umax));
        let t32 = t64.subreg().intersect(Tnum::range(
            u64::from(self.u32_min),
            u64::from(self.u32_max),
        ));
        self.var_off = t64.clear_subreg().or(t32);
    }
}

impl fmt::Display for Scalar {
    /// Kernel-style: a constant prints as its value, otherwise the non-trivial bounds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(v) = self.as_const() {
            return write!(f, "{}", v as i64);
        }
        let mut parts = Vec::new();
        if self.smin != i64::MIN {
            parts.push(format!("smin={}", self.smin));
        }
        if self.smax != i64::MAX {
            parts.push(format!("smax={}", self.smax));
        }
        if self.umin != 0 {
            parts.push(format!("umin={}", self.umin));
        }
        if self.umax != u64::MAX {
            parts.push(format!("umax={}", self.umax));
        }
        if self.s32_min != i32::MIN {
            parts.push(format!("smin32={}", self.s32_min));
        }
        if self.s32_max != i32::MAX {
            parts.push(format!("smax32={}", self.s32_max));
        }
        if self.u32_min != 0 {
            parts.push(format!("umin32={}", self.u32_min));
        }
        if self.u32_max != u32::MAX {
            parts.push(format!("umax32={}", self.u32_max));
        }
        if !self.var_off.is_const() && self.var_off != Tnum::UNKNOWN {
            parts.push(format!("var_off={}", self.var_off));
        }
        write!(f, "{}", parts.join(","))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A scalar built from random constraints on a member, and the member.
    pub(crate) fn member() -> impl Strategy<Value = (Scalar, u64)> {
        (any::<u64>(), any::<[u64; 6]>(), 0u32..64).prop_map(|(x, r, sel)| {
            let mut s = Scalar::UNKNOWN;
            let span = |r: u64| {
                if sel & 1 == 0 {
                    r & 0xffff
                } else {
                    r >> (sel % 64)
                }
            };
            if sel & 2 != 0 {
                s.umin = x.saturating_sub(span(r[0]));
                s.umax = x.saturating_add(span(r[1]));
            }
            if sel & 4 != 0 {
                s.smin = (x as i64).saturating_sub(span(r[2]) as i64 & i64::MAX);
                s.smax = (x as i64).saturating_add(span(r[3]) as i64 & i64::MAX);
            }
            if sel & 8 != 0 {
                let m = r[4] & r[5].rotate_left(7);
                s.var_off = Tnum::new(x, m);
            }
            if sel & 16 != 0 {
                s.u32_min = (x as u32).saturating_sub(r[4] as u32 & 0xfff);
                s.u32_max = (x as u32).saturating_add(r[5] as u32 & 0xfff);
            }
            if sel & 32 != 0 {
                s.s32_min = (x as i32).saturating_sub(r[0] as i32 & 0xfff);
                s.s32_max = (x as i32).saturating_add(r[1] as i32 & 0xfff);
            }
            s.sync();
            (s, x)
        })
    }

    #[test]
    fn constants() {
        let c = Scalar::constant(u64::MAX);
        assert_eq!(c.smin, -1);
        assert_eq!(c.as_const32(), Some(u32::MAX));
        assert!(!c.is_empty());
        assert_eq!(c.to_string(), "-1");
    }

    #[test]
    fn sync_links_signed_and_unsigned() {
        let s = Scalar::urange(0, 100);
        assert_eq!((s.smin, s.smax), (0, 100));
        assert_eq!((s.u32_min, s.u32_max), (0, 100));
        assert_eq!(s.var_off, Tnum::new(0, 127));
        let s = Scalar::srange(-4, -1);
        assert_eq!((s.umin, s.umax), (u64::MAX - 3, u64::MAX));
        assert_eq!((s.s32_min, s.s32_max), (-4, -1));
    }

    #[test]
    fn sync_from_32_bit_bounds() {
        let mut s = Scalar::from_tnum(Tnum::new(0, 0xffff_ffff));
        s.u32_max = 10;
        s.sync();
        assert_eq!(s.umax, 10);
    }

    #[test]
    fn empty_detection() {
        let a = Scalar::urange(0, 5);
        let b = Scalar::urange(6, 9);
        assert!(a.meet(&b).is_empty());
        assert!(!a.meet(&Scalar::urange(5, 9)).is_empty());
    }

    proptest! {
        #[test]
        fn sync_is_sound((s, x) in member()) {
            prop_assert!(s.contains(x), "{s:?} lost {x:#x}");
            prop_assert!(!s.is_empty());
        }

        #[test]
        fn join_and_meet_are_sound((a, x) in member(), (b, y) in member()) {
            let j = a.join(&b);
            prop_assert!(j.contains(x) && j.contains(y));
            prop_assert!(j.includes(&a) && j.includes(&b));
            let m = a.meet(&Scalar::constant(x));
            prop_assert!(m.contains(x) && !m.is_empty());
            prop_assert!(a.zext32().contains(x as u32 as u64));
        }
    }
}
