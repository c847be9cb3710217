//! Transfer functions of the arithmetic instructions over [`Scalar`]s.
//!
//! Each operation is computed once on a width-generic view (unsigned and signed
//! ranges plus a tnum of one width). A 64-bit operation also computes its low 32 bits
//! with the 32-bit view when the low half of the result depends only on the low halves
//! of the operands; a 32-bit operation zero-extends its result. [`Scalar::sync`] then
//! reconciles everything.

use crate::scalar::Scalar;
use crate::tnum::Tnum;
use ferrobpf_vm::isa::{AluOp, Width};

/// The operands of one width: ranges as 64-bit numbers (sign-extended for signed
/// 32-bit values) and the tnum of the low `bits` bits.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct View {
    bits: u32,
    t: Tnum,
    umin: u64,
    umax: u64,
    smin: i64,
    smax: i64,
}

impl View {
    fn of(s: &Scalar, w: Width) -> View {
        match w {
            Width::W64 => View {
                bits: 64,
                t: s.var_off,
                umin: s.umin,
                umax: s.umax,
                smin: s.smin,
                smax: s.smax,
            },
            Width::W32 => View {
                bits: 32,
                t: s.var_off.subreg(),
                umin: u64::from(s.u32_min),
                umax: u64::from(s.u32_max),
                smin: i64::from(s.s32_min),
                smax: i64::from(s.s32_max),
            },
        }
    }

    fn umask(bits: u32) -> u64 {
        if bits == 64 {
            u64::MAX
        } else {
            (1 << bits) - 1
        }
    }

    fn smin_of(bits: u32) -> i64 {
        if bits == 64 {
            i64::MIN
        } else {
            i64::from(i32::MIN)
        }
    }

    fn smax_of(bits: u32) -> i64 {
        if bits == 64 {
            i64::MAX
        } else {
            i64::from(i32::MAX)
        }
    }

    /// Everything of `bits` bits, with the given tnum.
    fn unknown(bits: u32, t: Tnum) -> View {
        View {
            bits,
            t,
            umin: 0,
            umax: Self::umask(bits),
            smin: Self::smin_of(bits),
            smax: Self::smax_of(bits),
        }
    }

    fn constant(&self) -> Option<u64> {
        self.t.is_const().then_some(self.t.value)
    }

    /// Sign-extends a `bits`-bit pattern.
    fn sext(bits: u32, v: u64) -> i64 {
        if bits == 64 {
            v as i64
        } else {
            v as u32 as i32 as i64
        }
    }

    /// Both operands' signs known non-negative.
    fn nonneg(&self) -> bool {
        self.smin >= 0
    }
}

/// The arc `[lo, lo + width]` modulo 2^bits as an unsigned interval, if it does not wrap.
fn uarc(bits: u32, lo: u128, width: u128) -> Option<(u64, u64)> {
    let m = u128::from(View::umask(bits));
    if width > m {
        return None;
    }
    let lo_w = lo & m;
    let hi_w = (lo + width) & m;
    (lo_w <= hi_w).then_some((lo_w as u64, hi_w as u64))
}

/// The arc `[lo, lo + width]` over signed `bits`-bit numbers, if it does not wrap.
fn sarc(bits: u32, lo: i128, width: u128) -> Option<(i64, i64)> {
    let m = u128::from(View::umask(bits));
    if width > m {
        return None;
    }
    let wrap = |v: i128| View::sext(bits, (v as u128 & m) as u64);
    let (a, b) = (wrap(lo), wrap(lo + width as i128));
    (a <= b).then_some((a, b))
}

fn add(a: View, b: View) -> View {
    let bits = a.bits;
    let mut r = View::unknown(bits, a.t.add(b.t).cast(bits / 8));
    let uw = u128::from(a.umax - a.umin) + u128::from(b.umax - b.umin);
    if let Some((lo, hi)) = uarc(bits, u128::from(a.umin) + u128::from(b.umin), uw) {
        (r.umin, r.umax) = (lo, hi);
    }
    let sw = (a.smax as i128 - a.smin as i128 + b.smax as i128 - b.smin as i128) as u128;
    if let Some((lo, hi)) = sarc(bits, a.smin as i128 + b.smin as i128, sw) {
        (r.smin, r.smax) = (lo, hi);
    }
    r
}

fn sub(a: View, b: View) -> View {
    let bits = a.bits;
    let mut r = View::unknown(bits, a.t.sub(b.t).cast(bits / 8));
    let uw = u128::from(a.umax - a.umin) + u128::from(b.umax - b.umin);
    let ulo = i128::from(a.umin) - i128::from(b.umax);
    if let Some((lo, hi)) = uarc(bits, (ulo as u128) & u128::from(u64::MAX), uw) {
        (r.umin, r.umax) = (lo, hi);
    }
    let sw = (a.smax as i128 - a.smin as i128 + b.smax as i128 - b.smin as i128) as u128;
    if let Some((lo, hi)) = sarc(bits, a.smin as i128 - b.smax as i128, sw) {
        (r.smin, r.smax) = (lo, hi);
    }
    r
}

fn mul(a: View, b: View) -> View {
    let bits = a.bits;
    let mut r = View::unknown(bits, a.t.mul(b.t).cast(bits / 8));
    let m = u128::from(View::umask(bits));
    let hi = u128::from(a.umax) * u128::from(b.umax);
    if hi <= m {
        r.umin = a.umin * b.umin;
        r.umax = hi as u64;
    }
    let products = [
        a.smin as i128 * b.smin as i128,
        a.smin as i128 * b.smax as i128,
        a.smax as i128 * b.smin as i128,
        a.smax as i128 * b.smax as i128,
    ];
    let (lo, hi) = (
        products.iter().copied().min().unwrap_or(0),
        products.iter().copied().max().unwrap_or(0),
    );
    if lo >= i128::from(View::smin_of(bits)) && hi <= i128::from(View::smax_of(bits)) {
        r.smin = lo as i64;
        r.smax = hi as i64;
    }
    r
}

fn bitwise(op: AluOp, a: View, b: View) -> View {
    let bits = a.bits;
    let t = match op {
        AluOp::And => a.t.and(b.t),
        AluOp::Or => a.t.or(b.t),
        _ => a.t.xor(b.t),
    };
    let mut r = View::unknown(bits, t);
    r.umin = t.umin();
    r.umax = t.umax();
    match op {
        AluOp::And => r.umax = r.umax.min(a.umax).min(b.umax),
        AluOp::Or => r.umin = r.umin.max(a.umin).max(b.umin),
        _ => {}
    }
    // Non-negative operands give a non-negative result whose signed and unsigned
    // ranges coincide; and-ing with a non-negative value is non-negative too.
    let nonneg = match op {
        AluOp::And => a.nonneg() || b.nonneg(),
        _ => a.nonneg() && b.nonneg(),
    };
    if nonneg && r.umax <= View::smax_of(bits) as u64 {
        r.smin = r.umin as i64;
        r.smax = r.umax as i64;
    }
    r
}

fn shift(op: AluOp, a: View, b: View) -> View {
    let bits = a.bits;
    let Some(k) = b.constant() else {
        return View::unknown(bits, Tnum::UNKNOWN.cast(bits / 8));
    };
    // RFC 9669: the shift amount is masked to the operand width.
    let k = (k & u64::from(bits - 1)) as u32;
    let m = View::umask(bits);
    match op {
        AluOp::Lsh => {
            let mut r = View::unknown(bits, a.t.lshift(k).cast(bits / 8));
            if k == 0 {
                return a;
            }
            if a.umax <= m >> k {
                r.umin = a.umin << k;
                r.umax = a.umax << k;
            }
            let (lo, hi) = (a.smin as i128 * (1i128 << k), a.smax as i128 * (1i128 << k));
            if lo >= i128::from(View::smin_of(bits)) && hi <= i128::from(View::smax_of(bits)) {
                r.smin = lo as i64;
                r.smax = hi as i64;
            }
            r
        }
        AluOp::Rsh => {
            if k == 0 {
                return a;
            }
            let mut r = View::unknown(bits, a.t.rshift(k));
            r.umin = a.umin >> k;
            r.umax = a.umax >> k;
            r.smin = r.umin as i64;
            r.smax = r.umax as i64;
            r
        }
        _ => {
            let mut r = View::unknown(bits, a.t.arshift(k, bits));
            r.smin = a.smin >> k;
            r.smax = a.smax >> k;
            r
        }
    }
}

fn udivmod(op: AluOp, a: View, b: View) -> View {
    let bits = a.bits;
    if let (Some(x), Some(y)) = (a.constant(), b.constant()) {
        let v = concrete(op, x, y, bits);
        return view_const(bits, v);
    }
    let mut r = View::unknown(bits, Tnum::UNKNOWN.cast(bits / 8));
    if op == AluOp::Div {
        if let Some(hi) = a.umax.checked_div(b.umin) {
            r.umin = a.umin / b.umax;
            r.umax = hi;
        } else {
            // Division by zero yields 0.
            r.umin = 0;
            r.umax = a.umax;
        }
    } else {
        r.umin = 0;
        r.umax = if b.umin > 0 {
            a.umax.min(b.umax - 1)
        } else {
            // Modulo by zero leaves the dividend.
            a.umax
        };
        if b.umin > 0 && a.umax < b.umin {
            // The dividend is already smaller than every divisor.
            return a;
        }
    }
    r.t = Tnum::range(r.umin, r.umax);
    r
}

fn sdivmod(op: AluOp, a: View, b: View) -> View {
    let bits = a.bits;
    if let (Some(x), Some(y)) = (a.constant(), b.constant()) {
        return view_const(bits, concrete(op, x, y, bits));
    }
    let mut r = View::unknown(bits, Tnum::UNKNOWN.cast(bits / 8));
    if op == AluOp::Smod {
        if let Some(y) = b.constant() {
            let y = View::sext(bits, y).unsigned_abs();
            if y != 0 {
                let lim = (y - 1).min(View::smax_of(bits) as u64) as i64;
                r.smin = if a.nonneg() {
                    0
                } else {
                    -lim.min(a.smin.saturating_neg())
                };
                r.smax = if a.smax < 0 { 0 } else { lim.min(a.smax) };
            } else {
                return a;
            }
        }
    }
    r
}

fn view_const(bits: u32, v: u64) -> View {
    let v = v & View::umask(bits);
    View {
        bits,
        t: Tnum::constant(v),
        umin: v,
        umax: v,
        smin: View::sext(bits, v),
        smax: View::sext(bits, v),
    }
}

/// The concrete result of `op` on `bits`-bit operands, as RFC 9669 defines it (the
/// result truncated to `bits`).
pub fn concrete(op: AluOp, x: u64, y: u64, bits: u32) -> u64 {
    let m = View::umask(bits);
    let (x, y) = (x & m, y & m);
    let (sx, sy) = (View::sext(bits, x), View::sext(bits, y));
    let sh = (y & u64::from(bits - 1)) as u32;
    let v = match op {
        AluOp::Add => x.wrapping_add(y),
        AluOp::Sub => x.wrapping_sub(y),
        AluOp::Mul => x.wrapping_mul(y),
        AluOp::Div => x.checked_div(y).unwrap_or(0),
        AluOp::Sdiv => {
            if sy == 0 {
                0
            } else if bits == 32 {
                (sx as i32).wrapping_div(sy as i32) as u32 as u64
            } else {
                sx.wrapping_div(sy) as u64
            }
        }
        AluOp::Mod => {
            if y == 0 {
                x
            } else {
                x % y
            }
        }
        AluOp::Smod => {
            if sy == 0 {
                x
            } else if bits == 32 {
                (sx as i32).wrapping_rem(sy as i32) as u32 as u64
            } else {
                sx.wrapping_rem(sy) as u64
            }
        }
        AluOp::Or => x | y,
        AluOp::And => x & y,
        AluOp::Xor => x ^ y,
        AluOp::Lsh => x << sh,
        AluOp::Rsh => x >> sh,
        AluOp::Arsh => {
            if bits == 32 {
                ((sx as i32) >> sh) as u32 as u64
            } else {
                (sx >> sh) as u64
            }
        }
        AluOp::Neg => x.wrapping_neg(),
        AluOp::Mov => y,
        AluOp::Movsx8 => y as u8 as i8 as i64 as u64,
        AluOp::Movsx16 => y as u16 as i16 as i64 as u64,
        AluOp::Movsx32 => y as u32 as i32 as i64 as u64,
    };
    v & m
}

/// One width's result, from the operation on that width's views.
fn compute(op: AluOp, a: View, b: View) -> View {
    let bits = a.bits;
    match op {
        AluOp::Add => add(a, b),
        AluOp::Sub => sub(a, b),
        AluOp::Neg => sub(view_const(bits, 0), a),
        AluOp::Mul => mul(a, b),
        AluOp::And | AluOp::Or | AluOp::Xor => bitwise(op, a, b),
        AluOp::Lsh | AluOp::Rsh | AluOp::Arsh => shift(op, a, b),
        AluOp::Div | AluOp::Mod => udivmod(op, a, b),
        AluOp::Sdiv | AluOp::Smod => sdivmod(op, a, b),
        AluOp::Mov => b,
        AluOp::Movsx8 | AluOp::Movsx16 | AluOp::Movsx32 => movsx(op, b),
    }
}

/// Sign extension of the low 8, 16 or 32 bits of `b` (then viewed at `b`'s width).
fn movsx(op: AluOp, b: View) -> View {
    let bits = b.bits;
    let from = match op {
        AluOp::Movsx8 => 8,
        AluOp::Movsx16 => 16,
        _ => 32,
    };
    if let Some(v) = b.constant() {
        return view_const(bits, concrete(op, 0, v, 64));
    }
    let half = 1i64 << (from - 1);
    let mut r = View::unknown(bits, Tnum::UNKNOWN.cast(bits / 8));
    // If the source is within the non-negative half of the narrow type it is kept.
    if b.umax < half as u64 {
        r.umin = b.umin;
        r.umax = b.umax;
        r.smin = b.umin as i64;
        r.smax = b.umax as i64;
        r.t = b.t;
    } else {
        r.smin = -half;
        r.smax = half - 1;
    }
    r
}

fn to_scalar64(v: View) -> Scalar {
    let mut s = Scalar::from_tnum(v.t);
    s.umin = s.umin.max(v.umin);
    s.umax = s.umax.min(v.umax);
    s.smin = s.smin.max(v.smin);
    s.smax = s.smax.min(v.smax);
    s
}

fn set32(s: &mut Scalar, v: View) {
    s.var_off = s.var_off.with_subreg(s.var_off.subreg().intersect(v.t));
    s.u32_min = s.u32_min.max(v.umin as u32);
    s.u32_max = s.u32_max.min(v.umax as u32);
    s.s32_min = s.s32_min.max(v.smin as i32);
    s.s32_max = s.s32_max.min(v.smax as i32);
}

/// Whether the low 32 bits of the 64-bit result are the 32-bit operation on the low
/// halves.
fn low_half_closed(op: AluOp) -> bool {
    matches!(
        op,
        AluOp::Add | AluOp::Sub | AluOp::Mul | AluOp::And | AluOp::Or | AluOp::Xor | AluOp::Neg
    )
}

/// `dst op src` on scalars at width `w` (`src` is ignored by `Neg`). 32-bit results are
/// zero-extended, as the ISA defines. For 32-bit `Movsx*` the sign extension stops at 32 bits.
pub fn alu(op: AluOp, w: Width, dst: &Scalar, src: &Scalar) -> Scalar {
    match w {
        Width::W32 => {
            let r = compute(op, View::of(dst, w), View::of(src, w));
            let mut s = to_scalar64(View {
                bits: 64,
                t: r.t.subreg(),
                umin: r.umin,
                umax: r.umax,
                smin: 0,
                smax: i64::MAX,
            });
            set32(&mut s, r);
            s.sync();
            s
        }
        Width::W64 => {
            let r = compute(op, View::of(dst, w), View::of(src, w));
            let mut s = to_scalar64(r);
            if low_half_closed(op) {
                let r32 = compute(op, View::of(dst, Width::W32), View::of(src, Width::W32));
                set32(&mut s, r32);
            }
            s.sync();
            s
        }
    }
}

/// Byte swap of the low `bits` bits (16, 32 or 64), as `bswap`, `be` on a
/// little-endian machine. Known bits move with their bytes.
pub fn bswap(s: &Scalar, bits: u32) -> Scalar {
    let t = s.var_off.cast(bits / 8);
    let swap = |v: u64| match bits {
        16 => u64::from((v as u16).swap_bytes()),
        32 => u64::from((v as u32).swap_bytes()),
        _ => v.swap_bytes(),
    };
    Scalar::from_tnum(Tnum::new(swap(t.value), swap(t.mask)))
}

/// Truncation to the low `bits` bits (16, 32 or 64), as `le` on a little-endian machine.
pub fn truncate(s: &Scalar, bits: u32) -> Scalar {
    if bits == 64 {
        return *s;
    }
    if bits == 32 {
        return s.zext32();
    }
    let mut r = Scalar::from_tnum(s.var_off.cast(bits / 8));
    if s.umax < 1 << bits {
        r = r.meet(&Scalar::urange(s.umin, s.umax));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::tests::member;
    use proptest::prelude::*;

    const OPS: [AluOp; 18] = [
        AluOp::Add,
        AluOp::Sub,
        AluOp::Mul,
        AluOp::Div,
        AluOp::Sdiv,
        AluOp::Or,
        AluOp::And,
        AluOp::Lsh,
        AluOp::Rsh,
        AluOp::Neg,
        AluOp::Mod,
        AluOp::Smod,
        AluOp::Xor,
        AluOp::Mov,
        AluOp::Movsx8,
        AluOp::Movsx16,
        AluOp::Movsx32,
        AluOp::Arsh,
    ];

    /// The ISA's concrete result including the 32-bit zero extension and the
    /// movsx conventions.
    fn reference(op: AluOp, w: Width, x: u64, y: u64) -> u64 {
        match w {
            Width::W64 => concrete(op, x, y, 64),
            Width::W32 => match op {
                AluOp::Movsx8 | AluOp::Movsx16 => concrete(op, 0, y, 64) as u32 as u64,
                _ => concrete(op, x, y, 32),
            },
        }
    }

    #[test]
    fn constants_fold() {
        let r = alu(
            AluOp::Add,
            Width::W64,
            &Scalar::constant(3),
            &Scalar::constant(4),
        );
        assert_eq!(r.as_const(), Some(7));
        let r = alu(
            AluOp::Sub,
            Width::W32,
            &Scalar::constant(0),
            &Scalar::constant(1),
        );
        assert_eq!(r.as_const(), Some(0xffff_ffff));
        let r = alu(
            AluOp::Div,
            Width::W64,
            &Scalar::constant(9),
            &Scalar::constant(0),
        );
        assert_eq!(r.as_const(), Some(0));
    }

    #[test]
    fn masks_bound_ranges() {
        let r = alu(
            AluOp::And,
            Width::W64,
            &Scalar::UNKNOWN,
            &Scalar::constant(0xff),
        );
        assert_eq!((r.umin, r.umax, r.smin, r.smax), (0, 255, 0, 255));
        let r = alu(
            AluOp::Rsh,
            Width::W64,
            &Scalar::UNKNOWN,
            &Scalar::constant(56),
        );
        assert_eq!(r.umax, 255);
        let r = alu(
            AluOp::Add,
            Width::W64,
            &Scalar::urange(1, 10),
            &Scalar::constant(u64::MAX),
        );
        assert_eq!((r.umin, r.umax), (0, 9));
    }

    #[test]
    fn swaps() {
        assert_eq!(
            bswap(&Scalar::constant(0x1234), 16).as_const(),
            Some(0x3412)
        );
        assert_eq!(
            truncate(&Scalar::constant(0x1_0000_1234), 16).as_const(),
            Some(0x1234)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]
        #[test]
        fn alu_is_sound((a, x) in member(), (b, y) in member(), opi in 0usize..18, wide in any::<bool>()) {
            let op = OPS[opi];
            let w = if wide { Width::W64 } else { Width::W32 };
            let r = alu(op, w, &a, &b);
            let want = reference(op, w, x, y);
            prop_assert!(r.contains(want), "{op:?} {w:?} {a:?} {b:?}: {x:#x},{y:#x} -> {want:#x} not in {r:?}");
        }

        #[test]
        fn alu_with_constant_source_is_sound((a, x) in member(), y in 0u64..70, opi in 0usize..18, wide in any::<bool>()) {
            let op = OPS[opi];
            let w = if wide { Width::W64 } else { Width::W32 };
            let r = alu(op, w, &a, &Scalar::constant(y));
            prop_assert!(r.contains(reference(op, w, x, y)));
        }

        #[test]
        fn end_is_sound((a, x) in member(), k in 0usize..3) {
            let bits = [16u32, 32, 64][k];
            let sw = match bits { 16 => u64::from((x as u16).swap_bytes()), 32 => u64::from((x as u32).swap_bytes()), _ => x.swap_bytes() };
            prop_assert!(bswap(&a, bits).contains(sw));
            let tr = if bits == 64 { x } else { x & ((1 << bits) - 1) };
            prop_assert!(truncate(&a, bits).contains(tr));
        }
    }
}
