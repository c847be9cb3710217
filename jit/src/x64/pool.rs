//! Buffers a finished compilation leaves for the next one on the same thread.
//!
//! Fresh memory costs a page fault per 4 KiB on first touch, about as much as
//! emitting the code that fills it; the emitter's byte, label and jump buffers and
//! the out-of-line list are therefore kept (emptied, capacity intact) for the next
//! compilation. Buffers grown past [`KEEP_LIMIT`] are freed instead, so one huge
//! program does not pin its memory.

use super::emitter::Emitter;
use super::miss::{MissTemplate, WindowCheck};
use super::OutOfLine;
use std::cell::Cell;

/// Largest code capacity, in bytes, whose buffers are kept.
pub const KEEP_LIMIT: usize = 16 << 20;

/// The reusable buffers of one compilation.
pub struct Buffers {
    /// The emitter: code bytes, labels and jumps.
    pub ops: Emitter,
    /// Slow paths placed after the program body.
    pub out_of_line: Vec<OutOfLine>,
    /// The last window-miss template, for the frame size it was built for.
    pub miss: Option<(i32, MissTemplate)>,
    /// The inline window checks.
    pub checks: Vec<WindowCheck>,
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
                ops: Emitter::with_capacity(
                    insns.saturating_mul(48).saturating_add(4096),
                    insns.saturating_mul(2),
                    insns.saturating_mul(2),
                ),
                out_of_line: Vec::with_capacity(insns / 4),
                miss: None,
                checks: Vec::new(),
            }
        })
    }

    /// Returns emptied buffers for the next compilation on this thread.
    pub fn give_back(mut self) {
        if self.ops.capacity() > KEEP_LIMIT {
            return;
        }
        self.ops.clear();
        self.out_of_line.clear();
        SPARE.with(|s| s.set(Some(self)));
    }
}
