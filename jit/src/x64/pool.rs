//! Buffers a finished compilation leaves for the next one on the same thread.
//!
//! Fresh memory costs a page fault per 4 KiB on first touch, about as much as
//! emitting the code that fills it; the assembler's byte, label and relocation
//! buffers, the staging copy of the code and the out-of-line list are therefore kept
//! (emptied, capacity intact) for the next compilation. Buffers grown past
//! [`KEEP_LIMIT`] are freed instead, so one huge program does not pin its memory.

use super::jumps::Jump;
use super::OutOfLine;
use dynasmrt::x64::X64Relocation;
use dynasmrt::VecAssembler;
use std::cell::Cell;

/// Largest code capacity, in bytes, whose buffers are kept.
pub const KEEP_LIMIT: usize = 16 << 20;

/// The reusable buffers of one compilation.
pub struct Buffers {
    /// The assembler: code bytes, labels and relocations (emptied by `drain`).
    pub ops: VecAssembler<X64Relocation>,
    /// Where the finished code is staged before it is mapped.
    pub code: Vec<u8>,
    /// Slow paths placed after the program body.
    pub out_of_line: Vec<OutOfLine>,
    /// Jumps whose displacements the back end patches.
    pub jumps: Vec<Jump>,
    /// Their resolved displacements.
    pub patches: Vec<(u32, i32)>,
}

thread_local! {
    static SPARE: Cell<Option<Buffers>> = const { Cell::new(None) };
}

impl Buffers {
    /// The thread's spare buffers, or new ones sized for about `insns` instructions.
    pub fn take(insns: usize) -> Buffers {
        SPARE.with(Cell::take).unwrap_or_else(|| {
            // Untouched capacity costs no page faults: be generous (the heaviest
            // instructions emit about 100 bytes, typical ones about 20).
            Buffers {
                ops: VecAssembler::new_with_capacity(
                    0,
                    insns.saturating_mul(48).saturating_add(4096),
                    0,
                    0,
                    insns.saturating_mul(2),
                    0,
                    insns.saturating_mul(3),
                ),
                code: Vec::new(),
                out_of_line: Vec::with_capacity(insns / 4),
                jumps: Vec::with_capacity(insns.saturating_mul(2)),
                patches: Vec::new(),
            }
        })
    }

    /// Returns emptied buffers for the next compilation on this thread.
    pub fn give_back(mut self) {
        if self.code.capacity() > KEEP_LIMIT {
            return;
        }
        self.code.clear();
        self.out_of_line.clear();
        self.jumps.clear();
        SPARE.with(|s| s.set(Some(self)));
    }
}
