//! The byte buffer the x86-64 back end assembles into: dynasm-rs writes through
//! [`DynasmApi`] and [`DynasmLabelApi`], the back end adds its own rel32 jumps
//! ([`Emitter::rel32`]) and whole instructions ([`Emitter::put16`]), and the
//! finished code is written straight into its executable mapping with every
//! displacement resolved ([`Emitter::write_to`]), no staging copy and no per-byte
//! iteration.
//!
//! An instruction of the direct encodings is written in place into 16 bytes of
//! room ([`Emitter::room16`]) and the code then cut to its length.

use crate::error::JitError;
use dynasmrt::components::LabelRegistry;
use dynasmrt::relocations::Relocation;
use dynasmrt::x64::X64Relocation;
use dynasmrt::{AssemblyOffset, DynamicLabel, DynasmApi, DynasmLabelApi};

/// A rel32 displacement the back end emitted: where its four bytes start, and the
/// label it reaches (relative to the end of the field).
#[derive(Copy, Clone, Debug)]
struct Jump {
    at: u32,
    to: DynamicLabel,
}

/// A reference to a label that dynasm-rs emitted (`jne =>label` in `x64!`).
#[derive(Clone, Debug)]
struct Reloc {
    /// Offset just past the instruction that holds the field.
    location: usize,
    to: DynamicLabel,
    target_offset: isize,
    field_offset: u8,
    ref_offset: u8,
    kind: X64Relocation,
}

/// Position of a label not bound yet.
const UNBOUND: u32 = u32::MAX;

/// Code bytes, labels and the references to patch.
#[derive(Debug, Default)]
pub struct Emitter {
    bytes: Vec<u8>,
    /// Label ids (dynasm-rs's type); the positions are in `bound`.
    labels: LabelRegistry,
    /// Where each label is bound, [`UNBOUND`] until it is.
    bound: Vec<u32>,
    jumps: Vec<Jump>,
    relocs: Vec<Reloc>,
    error: Option<String>,
}

impl Emitter {
    /// An empty emitter with room for about `bytes` of code and `jumps` jumps.
    pub fn with_capacity(bytes: usize, labels: usize, jumps: usize) -> Emitter {
        Emitter {
            bytes: Vec::with_capacity(bytes),
            labels: LabelRegistry::with_capacity(0, 0, labels),
            bound: Vec::with_capacity(labels),
            jumps: Vec::with_capacity(jumps),
            relocs: Vec::new(),
            error: None,
        }
    }

    /// Forgets the code, labels and references, keeping the capacity.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.labels.clear();
        self.bound.clear();
        self.jumps.clear();
        self.relocs.clear();
        self.error = None;
    }

    /// Bytes of capacity held (for the pool's size limit).
    pub fn capacity(&self) -> usize {
        self.bytes.capacity()
    }

    /// Size of the code so far.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Sixteen zero bytes appended as room for one instruction to be written into
    /// in place (no staging copy, no read back of bytes just stored); returns the
    /// code and where the room starts. [`Emitter::commit`] then keeps the bytes the
    /// instruction used.
    #[inline(always)]
    pub fn room16(&mut self) -> (&mut Vec<u8>, usize) {
        let at = self.bytes.len();
        self.bytes.extend_from_slice(&[0; 16]);
        (&mut self.bytes, at)
    }

    /// Appends encoded bytes.
    #[inline]
    pub fn append(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    /// A new, unbound label.
    pub fn new_dynamic_label(&mut self) -> DynamicLabel {
        self.bound.push(UNBOUND);
        self.labels.new_dynamic_label()
    }

    /// Where `label` is bound, if it is.
    pub fn bound(&self, label: DynamicLabel) -> Option<usize> {
        self.position(label)
    }

    /// Binds `label` at the code position `at` (inside code already emitted).
    pub fn bind_at(&mut self, label: DynamicLabel, at: usize) {
        let at = u32::try_from(at).unwrap_or(UNBOUND);
        match self.bound.get_mut(label.get_id()) {
            Some(slot) if *slot == UNBOUND => *slot = at,
            Some(_) => self.fail("label bound twice"),
            None => self.fail("unknown label"),
        }
    }

    /// Where `label` is bound, if it is.
    #[inline]
    fn position(&self, label: DynamicLabel) -> Option<usize> {
        match self.bound.get(label.get_id()) {
            Some(&at) if at != UNBOUND => Some(at as usize),
            _ => None,
        }
    }

    /// Displacement of a two-byte short jump (opcode, rel8) emitted here to `target`,
    /// if the label is already bound (a backward jump) and near enough.
    #[inline]
    pub fn short_to(&self, target: DynamicLabel) -> Option<i8> {
        let to = self.position(target)?;
        let rel = isize::try_from(to).ok()? - isize::try_from(self.bytes.len() + 2).ok()?;
        i8::try_from(rel).ok()
    }

    /// The code so far, its jumps and label references not yet resolved.
    pub fn unresolved(&self) -> &[u8] {
        &self.bytes
    }

    /// Overwrites already emitted bytes at `at` (a template's variable field).
    #[inline]
    pub fn patch(&mut self, at: usize, bytes: &[u8]) {
        if let Some(dst) = self.bytes.get_mut(at..at + bytes.len()) {
            dst.copy_from_slice(bytes);
        }
    }

    /// The already emitted four bytes at `at` become the displacement from their end
    /// to the code position `target` (known now: no record, no pass at the end).
    #[inline]
    pub fn rel32_to(&mut self, at: usize, target: usize) {
        let rel = i64::try_from(target).unwrap_or(i64::MAX) - i64::try_from(at + 4).unwrap_or(0);
        match i32::try_from(rel) {
            Ok(rel) => self.patch(at, &rel.to_le_bytes()),
            Err(_) => self.fail("jump out of range"),
        }
    }

    /// Four bytes to become the displacement from their end to `target`.
    #[inline]
    pub fn rel32(&mut self, target: DynamicLabel) {
        let at = u32::try_from(self.bytes.len()).unwrap_or(u32::MAX);
        self.jumps.push(Jump { at, to: target });
        self.append(&[0; 4]);
    }

    /// Copies the code into `dst` (exactly [`len`](Self::len) bytes) and writes every
    /// displacement there.
    pub fn write_to(&self, dst: &mut [u8]) -> Result<(), JitError> {
        if let Some(e) = &self.error {
            return Err(JitError::Emit(e.clone()));
        }
        dst.copy_from_slice(&self.bytes);
        for j in &self.jumps {
            let at = j.at as usize;
            let rel = self.target(j.to)? - (at as isize + 4);
            let rel = i32::try_from(rel).map_err(|_| emit_error("jump out of range"))?;
            dst.get_mut(at..at + 4)
                .ok_or_else(|| emit_error("jump outside the code"))?
                .copy_from_slice(&rel.to_le_bytes());
        }
        for r in &self.relocs {
            let value = self.target(r.to)? - (r.location as isize - isize::from(r.ref_offset))
                + r.target_offset;
            let start = r.location.wrapping_sub(usize::from(r.field_offset));
            let field = dst
                .get_mut(start..start.saturating_add(r.kind.size()))
                .ok_or_else(|| emit_error("label reference outside the code"))?;
            r.kind
                .write_value(field, value)
                .map_err(|_| emit_error("label out of range"))?;
        }
        Ok(())
    }

    fn target(&self, label: DynamicLabel) -> Result<isize, JitError> {
        let offset = self
            .position(label)
            .ok_or_else(|| emit_error("jump to a label never bound"))?;
        isize::try_from(offset).map_err(|_| emit_error("code too large"))
    }

    fn fail(&mut self, what: &str) {
        if self.error.is_none() {
            self.error = Some(what.to_string());
        }
    }
}

fn emit_error(what: &str) -> JitError {
    JitError::Emit(what.to_string())
}

impl Extend<u8> for Emitter {
    fn extend<T: IntoIterator<Item = u8>>(&mut self, iter: T) {
        self.bytes.extend(iter);
    }
}

impl<'a> Extend<&'a u8> for Emitter {
    fn extend<T: IntoIterator<Item = &'a u8>>(&mut self, iter: T) {
        self.bytes.extend(iter);
    }
}

impl DynasmApi for Emitter {
    #[inline]
    fn offset(&self) -> AssemblyOffset {
        AssemblyOffset(self.bytes.len())
    }

    #[inline]
    fn push(&mut self, byte: u8) {
        self.bytes.push(byte);
    }

    fn align(&mut self, alignment: usize, with: u8) {
        while !self.bytes.len().is_multiple_of(alignment.max(1)) {
            self.bytes.push(with);
        }
    }
}

impl DynasmLabelApi for Emitter {
    type Relocation = X64Relocation;

    fn local_label(&mut self, _: &'static str) {
        self.fail("local labels are not supported");
    }

    fn global_label(&mut self, _: &'static str) {
        self.fail("global labels are not supported");
    }

    fn dynamic_label(&mut self, id: DynamicLabel) {
        self.bind_at(id, self.bytes.len());
    }

    fn forward_relocation(&mut self, _: &'static str, _: isize, _: u8, _: u8, _: X64Relocation) {
        self.fail("local labels are not supported");
    }

    fn backward_relocation(&mut self, _: &'static str, _: isize, _: u8, _: u8, _: X64Relocation) {
        self.fail("local labels are not supported");
    }

    fn global_relocation(&mut self, _: &'static str, _: isize, _: u8, _: u8, _: X64Relocation) {
        self.fail("global labels are not supported");
    }

    fn dynamic_relocation(
        &mut self,
        id: DynamicLabel,
        target_offset: isize,
        field_offset: u8,
        ref_offset: u8,
        kind: X64Relocation,
    ) {
        self.relocs.push(Reloc {
            location: self.bytes.len(),
            to: id,
            target_offset,
            field_offset,
            ref_offset,
            kind,
        });
    }

    fn bare_relocation(&mut self, _: usize, _: u8, _: u8, _: X64Relocation) {
        self.fail("absolute targets are not supported");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jumps_and_dynasm_references_resolve_like_dynasm() {
        let mut ours = Emitter::default();
        let mut theirs = dynasmrt::VecAssembler::<X64Relocation>::new(0);
        let (a, b) = (ours.new_dynamic_label(), ours.new_dynamic_label());
        let (c, d) = (theirs.new_dynamic_label(), theirs.new_dynamic_label());
        dynasmrt::dynasm!(ours ; .arch x64 ; =>a ; nop ; jne =>b ; call =>a ; =>b ; ret);
        dynasmrt::dynasm!(theirs ; .arch x64 ; =>c ; nop ; jne =>d ; call =>c ; =>d ; ret);
        ours.push(0xe9);
        ours.rel32(a);
        dynasmrt::dynasm!(theirs ; .arch x64 ; jmp =>c);
        let mut code = vec![0; ours.len()];
        ours.write_to(&mut code).unwrap();
        assert_eq!(code, theirs.finalize().unwrap());
    }

    #[test]
    fn short_form_only_backward_and_in_reach() {
        let mut e = Emitter::default();
        let back = e.new_dynamic_label();
        let ahead = e.new_dynamic_label();
        e.dynamic_label(back);
        e.append(&[0x90; 10]);
        assert_eq!(e.short_to(back), Some(-12));
        assert_eq!(e.short_to(ahead), None);
        e.append(&[0x90; 200]);
        assert_eq!(e.short_to(back), None);
    }

    #[test]
    fn unbound_label_is_an_error() {
        let mut e = Emitter::default();
        let l = e.new_dynamic_label();
        e.push(0xe9);
        e.rel32(l);
        let mut code = vec![0; e.len()];
        assert!(matches!(e.write_to(&mut code), Err(JitError::Emit(_))));
    }
}
