//! Conditional jumps over scalars: what each side of the branch teaches about the
//! compared values. A side whose refinement is empty cannot be taken, which is how
//! known branch outcomes are detected.

use crate::scalar::Scalar;
use crate::tnum::Tnum;
use ferrobpf_vm::isa::{JmpCond, Width};

/// The condition that holds on the taken side (`taken`) or the fall-through side.
pub fn effective(cond: JmpCond, taken: bool) -> Cond {
    let c = match cond {
        JmpCond::Eq => Cond::Eq,
        JmpCond::Ne => Cond::Ne,
        JmpCond::Gt => Cond::Gt(false),
        JmpCond::Ge => Cond::Ge(false),
        JmpCond::Lt => Cond::Lt(false),
        JmpCond::Le => Cond::Le(false),
        JmpCond::Sgt => Cond::Gt(true),
        JmpCond::Sge => Cond::Ge(true),
        JmpCond::Slt => Cond::Lt(true),
        JmpCond::Sle => Cond::Le(true),
        JmpCond::Set => Cond::Set,
    };
    if taken {
        c
    } else {
        c.negate()
    }
}

/// A comparison, signed where the flag says so.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Cond {
    /// ==
    Eq,
    /// !=
    Ne,
    /// >
    Gt(bool),
    /// >=
    Ge(bool),
    /// <
    Lt(bool),
    /// <=
    Le(bool),
    /// a & b != 0
    Set,
    /// a & b == 0
    NotSet,
}

impl Cond {
    /// The condition that holds when this one does not.
    pub fn negate(self) -> Cond {
        match self {
            Cond::Eq => Cond::Ne,
            Cond::Ne => Cond::Eq,
            Cond::Gt(s) => Cond::Le(s),
            Cond::Ge(s) => Cond::Lt(s),
            Cond::Lt(s) => Cond::Ge(s),
            Cond::Le(s) => Cond::Gt(s),
            Cond::Set => Cond::NotSet,
            Cond::NotSet => Cond::Set,
        }
    }

    /// The same relation with the operands swapped.
    pub fn swap(self) -> Cond {
        match self {
            Cond::Gt(s) => Cond::Lt(s),
            Cond::Ge(s) => Cond::Le(s),
            Cond::Lt(s) => Cond::Gt(s),
            Cond::Le(s) => Cond::Ge(s),
            c => c,
        }
    }

    /// Whether it holds for concrete `a`, `b` of the given width.
    pub fn holds(self, a: u64, b: u64, w: Width) -> bool {
        let (a, b, sa, sb) = match w {
            Width::W64 => (a, b, a as i64, b as i64),
            Width::W32 => (
                u64::from(a as u32),
                u64::from(b as u32),
                i64::from(a as u32 as i32),
                i64::from(b as u32 as i32),
            ),
        };
        match self {
            Cond::Eq => a == b,
            Cond::Ne => a != b,
            Cond::Gt(s) => {
                if s {
                    sa > sb
                } else {
                    a > b
                }
            }
            Cond::Ge(s) => {
                if s {
                    sa >= sb
                } else {
                    a >= b
                }
            }
            Cond::Lt(s) => {
                if s {
                    sa < sb
                } else {
                    a < b
                }
            }
            Cond::Le(s) => {
                if s {
                    sa <= sb
                } else {
                    a <= b
                }
            }
            Cond::Set => a & b != 0,
            Cond::NotSet => a & b == 0,
        }
    }
}

/// Ranges of one width as (unsigned min, max, signed min, max, tnum of that width).
#[derive(Copy, Clone, Debug)]
struct R {
    umin: u64,
    umax: u64,
    smin: i64,
    smax: i64,
    t: Tnum,
}

fn view(s: &Scalar, w: Width) -> R {
    match w {
        Width::W64 => R {
            umin: s.umin,
            umax: s.umax,
            smin: s.smin,
            smax: s.smax,
            t: s.var_off,
        },
        Width::W32 => R {
            umin: u64::from(s.u32_min),
            umax: u64::from(s.u32_max),
            smin: i64::from(s.s32_min),
            smax: i64::from(s.s32_max),
            t: s.var_off.subreg(),
        },
    }
}

fn write_back(s: &Scalar, r: R, w: Width) -> Scalar {
    let mut out = *s;
    match w {
        Width::W64 => {
            out.umin = r.umin;
            out.umax = r.umax;
            out.smin = r.smin;
            out.smax = r.smax;
            out.var_off = r.t;
        }
        Width::W32 => {
            out.u32_min = r.umin as u32;
            out.u32_max = r.umax as u32;
            out.s32_min = r.smin as i32;
            out.s32_max = r.smax as i32;
            out.var_off = s.var_off.with_subreg(r.t);
            if r.umin > r.umax || r.smin > r.smax {
                out.u32_min = 1;
                out.u32_max = 0;
            }
        }
    }
    out.sync();
    out
}

/// Removes the constant `v` from `p` where it sits at a range's edge; false when `p`
/// is exactly `v`.
fn exclude(p: &mut R, v: u64, w: Width) -> bool {
    if p.t.is_const() && p.t.value == v {
        return false;
    }
    let sv = if w == Width::W32 {
        i64::from(v as u32 as i32)
    } else {
        v as i64
    };
    if p.umin == v {
        p.umin = p.umin.wrapping_add(1);
    }
    if p.umax == v {
        p.umax = p.umax.wrapping_sub(1);
    }
    if p.smin == sv {
        p.smin = p.smin.wrapping_add(1);
    }
    if p.smax == sv {
        p.smax = p.smax.wrapping_sub(1);
    }
    true
}

fn tnum_conflict(a: Tnum, b: Tnum) -> bool {
    (a.value ^ b.value) & !a.mask & !b.mask != 0
}

/// Refines `a` and `b` (compared at width `w`) assuming `c(a, b)` holds. `None` when it
/// cannot hold.
pub fn refine(c: Cond, w: Width, a: &Scalar, b: &Scalar) -> Option<(Scalar, Scalar)> {
    let (mut x, mut y) = (view(a, w), view(b, w));
    match c {
        Cond::Eq => {
            if tnum_conflict(x.t, y.t) {
                return None;
            }
            let m = R {
                umin: x.umin.max(y.umin),
                umax: x.umax.min(y.umax),
                smin: x.smin.max(y.smin),
                smax: x.smax.min(y.smax),
                t: x.t.intersect(y.t),
            };
            x = m;
            y = m;
        }
        Cond::Ne => {
            // Only a constant excludes a value, and only at a range's edge.
            let (x0, y0) = (x, y);
            if y0.t.is_const() && !exclude(&mut x, y0.t.value, w) {
                return None;
            }
            if x0.t.is_const() && !exclude(&mut y, x0.t.value, w) {
                return None;
            }
        }
        Cond::Gt(false) | Cond::Ge(false) => {
            let strict = u64::from(c == Cond::Gt(false));
            x.umin = x.umin.max(y.umin.saturating_add(strict));
            y.umax = y.umax.min(x.umax.saturating_sub(strict));
            if strict == 1 && (x.umax == 0 || y.umin == u64::MAX) {
                return None;
            }
        }
        Cond::Lt(false) | Cond::Le(false) => {
            let (b2, a2) = refine(c.swap(), w, b, a)?;
            return Some((a2, b2));
        }
        Cond::Gt(true) | Cond::Ge(true) => {
            let strict = i64::from(c == Cond::Gt(true));
            let (lo, hi) = if w == Width::W32 {
                (i64::from(i32::MIN), i64::from(i32::MAX))
            } else {
                (i64::MIN, i64::MAX)
            };
            if strict == 1 && (x.smax == lo || y.smin == hi) {
                return None;
            }
            x.smin = x.smin.max(y.smin.saturating_add(strict));
            y.smax = y.smax.min(x.smax.saturating_sub(strict));
        }
        Cond::Lt(true) | Cond::Le(true) => {
            let (b2, a2) = refine(c.swap(), w, b, a)?;
            return Some((a2, b2));
        }
        Cond::Set => {
            if x.t.umax() & y.t.umax() == 0 {
                return None;
            }
            // A single-bit mask makes that bit known one.
            if y.t.is_const() && y.t.value.is_power_of_two() {
                let bitv = y.t.value;
                x.t = x.t.intersect(Tnum::new(bitv, !bitv));
            }
        }
        Cond::NotSet => {
            if x.t.value & y.t.value != 0 {
                return None;
            }
            if y.t.is_const() {
                let m = y.t.value;
                x.t = Tnum::new(x.t.value & !m, x.t.mask & !m);
            }
            if x.t.is_const() {
                let m = x.t.value;
                y.t = Tnum::new(y.t.value & !m, y.t.mask & !m);
            }
        }
    }
    if x.umin > x.umax || x.smin > x.smax || y.umin > y.umax || y.smin > y.smax {
        return None;
    }
    let (a2, b2) = (write_back(a, x, w), write_back(b, y, w));
    if a2.is_empty() || b2.is_empty() {
        return None;
    }
    Some((a2, b2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::tests::member;
    use proptest::prelude::*;

    const CONDS: [Cond; 10] = [
        Cond::Eq,
        Cond::Ne,
        Cond::Gt(false),
        Cond::Ge(false),
        Cond::Lt(false),
        Cond::Le(false),
        Cond::Gt(true),
        Cond::Lt(true),
        Cond::Set,
        Cond::NotSet,
    ];

    #[test]
    fn known_outcomes_are_detected() {
        let a = Scalar::urange(0, 10);
        assert!(refine(Cond::Gt(false), Width::W64, &a, &Scalar::constant(10)).is_none());
        assert!(refine(Cond::Le(false), Width::W64, &a, &Scalar::constant(10)).is_some());
        let c = Scalar::constant(3);
        assert!(refine(Cond::Ne, Width::W64, &c, &c).is_none());
        assert!(refine(Cond::Eq, Width::W64, &c, &Scalar::constant(4)).is_none());
    }

    #[test]
    fn ranges_narrow() {
        let (a, _) = refine(
            Cond::Lt(false),
            Width::W64,
            &Scalar::UNKNOWN,
            &Scalar::constant(16),
        )
        .unwrap();
        assert_eq!((a.umin, a.umax), (0, 15));
        let (a, _) = refine(
            Cond::Gt(true),
            Width::W32,
            &Scalar::UNKNOWN,
            &Scalar::constant(0),
        )
        .unwrap();
        assert_eq!((a.s32_min, a.s32_max), (1, i32::MAX));
        let (a, _) = refine(
            Cond::NotSet,
            Width::W64,
            &Scalar::urange(0, 255),
            &Scalar::constant(0x80),
        )
        .unwrap();
        assert_eq!(a.umax, 127);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]
        #[test]
        fn refinement_is_sound((a, x) in member(), (b, y) in member(), ci in 0usize..10, wide in any::<bool>()) {
            let c = CONDS[ci];
            let w = if wide { Width::W64 } else { Width::W32 };
            if c.holds(x, y, w) {
                let r = refine(c, w, &a, &b);
                prop_assert!(r.is_some(), "{c:?} {w:?} dropped a feasible side");
                let (a2, b2) = r.unwrap();
                prop_assert!(a2.contains(x) && b2.contains(y), "{c:?} {w:?} {a2:?} {b2:?}");
            }
        }

        #[test]
        fn refinement_with_constants_is_sound((a, x) in member(), k in 0u64..300, ci in 0usize..10, wide in any::<bool>()) {
            let c = CONDS[ci];
            let w = if wide { Width::W64 } else { Width::W32 };
            let b = Scalar::constant(k);
            if c.holds(x, k, w) {
                let (a2, _) = refine(c, w, &a, &b).expect("feasible");
                prop_assert!(a2.contains(x));
            }
        }
    }
}
