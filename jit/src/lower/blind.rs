//! Constant blinding: immediates from untrusted programs never appear verbatim in the
//! generated code, so a program cannot plant chosen byte sequences (JIT spraying).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

/// A per-compilation stream of blinding keys (xorshift64*, seeded from the process's
/// random hasher state).
#[derive(Debug)]
pub struct Blinder {
    state: u64,
}

impl Blinder {
    /// A fresh stream with an unpredictable seed.
    pub fn new() -> Blinder {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(0x6a09_e667_f3bc_c908);
        Blinder::with_seed(h.finish())
    }

    /// A stream with a chosen seed (tests).
    pub fn with_seed(seed: u64) -> Blinder {
        Blinder { state: seed | 1 }
    }

    /// The next key.
    pub fn key(&mut self) -> i64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d) as i64
    }

    /// `value` split into `(value ^ key, key)` with a fresh key.
    pub fn split(&mut self, value: i64) -> (i64, i64) {
        let key = self.key();
        (value ^ key, key)
    }

    /// A sign-extended 32-bit `value` split with a sign-extended 32-bit key, so both
    /// halves still fit a 32-bit immediate.
    pub fn split32(&mut self, value: i32) -> (i64, i64) {
        let key = i64::from(self.key() as i32);
        (i64::from(value) ^ key, key)
    }
}

impl Default for Blinder {
    fn default() -> Self {
        Blinder::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_recombines() {
        let mut b = Blinder::with_seed(7);
        for v in [0i64, 1, -1, i64::MIN, 0x1234_5678] {
            let (m, k) = b.split(v);
            assert_eq!(m ^ k, v);
        }
    }

    #[test]
    fn split32_halves_fit_32_bits() {
        let mut b = Blinder::with_seed(9);
        for v in [0, 1, -1, i32::MIN, i32::MAX] {
            let (m, k) = b.split32(v);
            assert_eq!(m ^ k, i64::from(v));
            assert!(i32::try_from(m).is_ok() && i32::try_from(k).is_ok());
        }
    }

    #[test]
    fn keys_vary() {
        let mut b = Blinder::with_seed(7);
        assert_ne!(b.key(), b.key());
    }
}
