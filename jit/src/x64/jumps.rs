//! Jumps and calls to labels, with their 32-bit displacements patched by the back end
//! itself: one compact record per jump and one pass at the end, instead of the
//! assembler's general relocation machinery (the bulk of the compile time it took).
//! The encodings are the ones dynasm-rs emits for a jump to a dynamic label.

use super::X64;
use crate::error::JitError;
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

/// A displacement to patch: where its four bytes start, and the label it reaches.
#[derive(Copy, Clone, Debug)]
pub struct Jump {
    at: u32,
    to: DynamicLabel,
}

impl X64 {
    /// `jcc target` (rel32).
    pub(super) fn jcc(&mut self, cc: Cc, target: DynamicLabel) {
        self.ops.extend([0x0f, 0x80 | cc as u8]);
        self.rel32(target);
    }

    /// `jmp target` (rel32).
    pub(super) fn jmp(&mut self, target: DynamicLabel) {
        self.ops.push(0xe9);
        self.rel32(target);
    }

    /// `call target` (rel32).
    pub(super) fn call(&mut self, target: DynamicLabel) {
        self.ops.push(0xe8);
        self.rel32(target);
    }

    fn rel32(&mut self, target: DynamicLabel) {
        let at = u32::try_from(self.ops.offset().0).unwrap_or(u32::MAX);
        self.jumps.push(Jump { at, to: target });
        self.ops.extend([0; 4]);
    }

    /// Resolves every recorded jump against the bound labels, into `patches` as
    /// (offset, displacement). Must run before the assembler forgets its labels.
    pub(super) fn resolve_jumps(&self, patches: &mut Vec<(u32, i32)>) -> Result<(), JitError> {
        patches.clear();
        let labels = self.ops.labels();
        for j in &self.jumps {
            let target = labels
                .resolve_dynamic(j.to)
                .map_err(|e| JitError::Emit(e.to_string()))?;
            let rel = i64::try_from(target.0).unwrap_or(i64::MAX) - (i64::from(j.at) + 4);
            let rel = i32::try_from(rel).map_err(|_| JitError::Emit("jump out of range".into()))?;
            patches.push((j.at, rel));
        }
        Ok(())
    }
}

/// Writes resolved displacements into the finished `code`.
pub fn apply(code: &mut [u8], patches: &[(u32, i32)]) -> Result<(), JitError> {
    for &(at, rel) in patches {
        let at = at as usize;
        code.get_mut(at..at + 4)
            .ok_or_else(|| JitError::Emit("jump outside the code".into()))?
            .copy_from_slice(&rel.to_le_bytes());
    }
    Ok(())
}
