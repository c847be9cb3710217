//! Jumps and calls to labels, with their 32-bit displacements patched by the back end
//! itself ([`Emitter::rel32`](super::emitter::Emitter::rel32)): one compact record per
//! jump and one pass at the end. The encodings are the ones dynasm-rs emits for a
//! jump to a dynamic label, except that a backward jump whose target is within
//! reach of a rel8 takes the two-byte short form (loop back-edges).

use super::X64;
use dynasmrt::{DynamicLabel, DynasmApi};

/// Conditions of `jcc` (the low nibble of its `0f 8x` opcode).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Cc {
    /// Below (unsigned <), carry set.
    B = 0x2,
    /// Above or equal (unsigned >=).
    Ae = 0x3,
    /// Equal, zero.
    E = 0x4,
    /// Not equal, not zero.
    Ne = 0x5,
    /// Below or equal (unsigned <=).
    Be = 0x6,
    /// Above (unsigned >).
    A = 0x7,
    /// Less (signed <).
    L = 0xc,
    /// Greater or equal (signed >=).
    Ge = 0xd,
    /// Less or equal (signed <=).
    Le = 0xe,
    /// Greater (signed >).
    G = 0xf,
}

impl X64 {
    /// `jcc target`: rel8 backward when it reaches, else rel32.
    pub(super) fn jcc(&mut self, cc: Cc, target: DynamicLabel) {
        match self.ops.short_to(target) {
            Some(rel) => self.ops.append(&[0x70 | cc as u8, rel as u8]),
            None => {
                self.ops.append(&[0x0f, 0x80 | cc as u8]);
                self.ops.rel32(target);
            }
        }
    }

    /// `jmp target`: rel8 backward when it reaches, else rel32.
    pub(super) fn jmp(&mut self, target: DynamicLabel) {
        match self.ops.short_to(target) {
            Some(rel) => self.ops.append(&[0xeb, rel as u8]),
            None => {
                self.ops.push(0xe9);
                self.ops.rel32(target);
            }
        }
    }

    /// `call target` (rel32).
    pub(super) fn call(&mut self, target: DynamicLabel) {
        self.ops.push(0xe8);
        self.ops.rel32(target);
    }
}
