//! A frame's stack as the verifier sees it: per byte, whether it holds nothing
//! readable, some data, a known zero, or part of a spilled register.

use crate::reg::RegState;
use crate::scalar::Scalar;

/// Bytes in a frame's stack (the kernel's `MAX_BPF_STACK`).
pub const STACK_SIZE: usize = 512;
/// Bytes in one slot.
pub const SLOT: usize = 8;
/// Slots in a frame.
pub const SLOTS: usize = STACK_SIZE / SLOT;

/// What one stack byte holds.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ByteState {
    /// Never written: reading is an error (`STACK_INVALID`).
    Invalid,
    /// Some data, value unknown (`STACK_MISC`).
    Misc,
    /// A known zero (`STACK_ZERO`).
    Zero,
    /// Part of the register spilled into this slot (`STACK_SPILL`).
    Spill,
}

/// One 8-byte slot: its bytes and, when spilled, the register saved there.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Slot {
    /// State of each byte, lowest address first.
    pub bytes: [ByteState; SLOT],
    /// The register state saved by a full 8-byte spill (all bytes `Spill`).
    pub spilled: RegState,
}

impl Slot {
    /// A slot never written.
    pub const INVALID: Slot = Slot {
        bytes: [ByteState::Invalid; SLOT],
        spilled: RegState::NotInit,
    };

    /// Whether the slot holds a whole spilled register.
    pub fn is_spill(&self) -> bool {
        self.bytes.iter().all(|b| *b == ByteState::Spill)
    }

    /// Kernel-style one-character-per-byte picture (`m`, `0`, `r`, `?`), highest byte first.
    pub fn picture(&self) -> String {
        self.bytes
            .iter()
            .rev()
            .map(|b| match b {
                ByteState::Invalid => '?',
                ByteState::Misc => 'm',
                ByteState::Zero => '0',
                ByteState::Spill => 'r',
            })
            .collect()
    }
}

/// A frame's stack: `SLOTS` slots, slot `i` covering `fp-8*(i+1) .. fp-8*i`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Stack {
    slots: Vec<Slot>,
}

impl Default for Stack {
    fn default() -> Self {
        Stack::new()
    }
}

/// Slot index and byte within it for frame offset `off` (-512..0).
fn locate(off: i32) -> Option<(usize, usize)> {
    if !(-(STACK_SIZE as i32)..0).contains(&off) {
        return None;
    }
    let pos = (off + STACK_SIZE as i32) as usize; // 0..512 from the bottom
    let slot = SLOTS - 1 - pos / SLOT;
    Some((slot, pos % SLOT))
}

impl Stack {
    /// An empty stack (only grown slots are stored).
    pub fn new() -> Stack {
        Stack { slots: Vec::new() }
    }

    /// The slot at index `i` (0 = just below the frame pointer).
    pub fn slot(&self, i: usize) -> Slot {
        self.slots.get(i).copied().unwrap_or(Slot::INVALID)
    }

    /// Number of slots ever written (the stack depth in slots).
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether nothing was ever written.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Bytes of heap memory the stored slots take.
    pub fn heap_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot>()
    }

    fn slot_mut(&mut self, i: usize) -> &mut Slot {
        if self.slots.len() <= i {
            self.slots.resize(i + 1, Slot::INVALID);
        }
        &mut self.slots[i]
    }

    /// The byte at frame offset `off`.
    pub fn byte(&self, off: i32) -> ByteState {
        match locate(off) {
            Some((s, b)) => self.slot(s).bytes[b],
            None => ByteState::Invalid,
        }
    }

    /// Stores `size` bytes of unknown data at `off` (already bounds-checked), breaking any
    /// spill it overlaps. With `zero`, the bytes are known zero.
    pub fn write_data(&mut self, off: i32, size: usize, zero: bool) {
        for k in 0..size as i32 {
            if let Some((s, b)) = locate(off + k) {
                let slot = self.slot_mut(s);
                if slot.is_spill() {
                    // A partial overwrite leaves the rest of the spill as plain data.
                    let keep = if let RegState::Scalar(v) = slot.spilled {
                        if v.as_const() == Some(0) {
                            ByteState::Zero
                        } else {
                            ByteState::Misc
                        }
                    } else {
                        ByteState::Misc
                    };
                    slot.bytes = [keep; SLOT];
                    slot.spilled = RegState::NotInit;
                }
                slot.bytes[b] = if zero {
                    ByteState::Zero
                } else {
                    ByteState::Misc
                };
            }
        }
    }

    /// Replaces slot `i` (0 = just below the frame pointer).
    pub fn set_slot(&mut self, i: usize, slot: Slot) {
        if i < SLOTS {
            *self.slot_mut(i) = slot;
        }
    }

    /// Whether any byte of `off .. off+size` belongs to a spilled pointer.
    pub fn overlaps_pointer_spill(&self, off: i32, size: usize) -> bool {
        (0..size as i32).any(|k| {
            locate(off + k).is_some_and(|(s, _)| {
                let slot = self.slot(s);
                slot.is_spill() && matches!(slot.spilled, RegState::Ptr(_))
            })
        })
    }

    /// Spills a whole register into the aligned slot at `off`.
    pub fn spill(&mut self, off: i32, reg: RegState) {
        if let Some((s, _)) = locate(off) {
            let slot = self.slot_mut(s);
            slot.bytes = [ByteState::Spill; SLOT];
            slot.spilled = reg;
        }
    }

    /// Whether every byte of `off .. off+size` may be read.
    pub fn is_readable(&self, off: i32, size: usize) -> bool {
        (0..size as i32).all(|k| self.byte(off + k) != ByteState::Invalid)
    }

    /// Whether every byte of `off .. off+size` is a known zero.
    pub fn is_zero(&self, off: i32, size: usize) -> bool {
        (0..size as i32).all(|k| self.byte(off + k) == ByteState::Zero)
    }

    /// The register spilled in the aligned slot at `off`, if it is a full spill.
    pub fn spilled_at(&self, off: i32) -> Option<RegState> {
        let (s, b) = locate(off)?;
        let slot = self.slot(s);
        (b == 0 && slot.is_spill()).then_some(slot.spilled)
    }

    /// Mutable access to the spilled register at slot index `i`, for refinements.
    pub fn spilled_mut(&mut self, i: usize) -> Option<&mut RegState> {
        let slot = self.slots.get_mut(i)?;
        slot.is_spill().then_some(&mut slot.spilled)
    }

    /// Every slot, index 0 first.
    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    /// What a load of `size` bytes at `off` yields when it is not a full fill:
    /// a known zero, or an unknown number of that size.
    pub fn read_data(&self, off: i32, size: usize) -> Scalar {
        if self.is_zero(off, size) {
            return Scalar::constant(0);
        }
        if size >= 8 {
            Scalar::UNKNOWN
        } else {
            Scalar::urange(0, (1u64 << (size * 8)) - 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reg::PtrKind;

    #[test]
    fn locate_maps_offsets_to_slots() {
        assert_eq!(locate(-1), Some((0, 7)));
        assert_eq!(locate(-8), Some((0, 0)));
        assert_eq!(locate(-512), Some((63, 0)));
        assert_eq!(locate(0), None);
        assert_eq!(locate(-513), None);
    }

    #[test]
    fn spill_fill_and_partial_overwrite() {
        let mut st = Stack::new();
        assert!(!st.is_readable(-8, 8));
        st.spill(-8, RegState::ptr(PtrKind::Ctx));
        assert_eq!(st.spilled_at(-8), Some(RegState::ptr(PtrKind::Ctx)));
        assert_eq!(st.slot(0).picture(), "rrrrrrrr");
        st.write_data(-4, 4, false);
        assert_eq!(st.spilled_at(-8), None);
        assert_eq!(st.slot(0).picture(), "mmmmmmmm");
        assert!(st.is_readable(-8, 8));
    }

    #[test]
    fn zeros_read_back_as_zero() {
        let mut st = Stack::new();
        st.write_data(-16, 8, true);
        assert_eq!(st.read_data(-16, 4).as_const(), Some(0));
        st.write_data(-16, 1, false);
        assert_eq!(st.read_data(-16, 2).umax, 0xffff);
        assert!(!st.is_readable(-17, 2));
        assert_eq!(st.len(), 2);
    }
}
