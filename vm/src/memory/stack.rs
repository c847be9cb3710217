//! The call stack: one zeroed, 8-byte aligned allocation holding every frame, of
//! which only the live frames are accessible.
//!
//! Frame 0 (the entry function) is at the top of the allocation; frame `d` (the
//! `d`-th nested local call) lies right below frame `d - 1`. At call depth `d` the
//! stack region is the *live window*: frames 0 to `d`, from the bottom of frame `d`
//! to the top of frame 0. A caller may hand a callee pointers into its own frame (the
//! window covers it), but nothing below the current frame is accessible. A local
//! call grows the window down by one frame, a return shrinks it back; this only
//! rewrites the stack region's start and length in the region table
//! ([`RegionTable::set_stack_depth`]).
//!
//! Frames are not cleared on entry: the allocation is zeroed once per run, and a
//! frame holds whatever the last function at the same depth left in it. That is
//! deterministic (it depends only on the program and its input) and costs nothing
//! per call; the Linux kernel promises no particular stack contents either.

use super::region::{RegionId, RegionKind};
use super::table::RegionTable;

/// Backing memory for the stack frames of one run (see the module docs for the
/// layout).
#[derive(Debug)]
pub struct Stack {
    words: Vec<u64>,
    frame_size: u64,
    frames: usize,
}

/// Where the frames of a [`Stack`] live once it is in a region table, and which
/// region of that table is the stack.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct StackLayout {
    top: u64,
    frame_size: u64,
    frames: usize,
    region: RegionId,
}

/// The accessible part of the stack at one call depth: the bytes
/// `[start, start + len)`, as stored in the stack's [`Region`](super::Region).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct StackWindow {
    /// Guest address of the lowest live byte (the bottom of the current frame).
    pub start: u64,
    /// Bytes from `start` to the top of the entry frame.
    pub len: u64,
}

impl Stack {
    /// A zeroed stack of `frames` frames of `frame_size` bytes each (rounded up to
    /// a multiple of 8 so every frame pointer stays aligned).
    pub fn new(frames: usize, frame_size: usize) -> Stack {
        let frame_words = frame_size.div_ceil(8);
        Stack {
            words: vec![0; frame_words.saturating_mul(frames)],
            frame_size: (frame_words * 8) as u64,
            frames,
        }
    }

    /// Adds the stack to `table` as one writable [`RegionKind::Stack`] region and
    /// returns where its frames are. The region spans every frame until an engine
    /// sets a call depth with [`RegionTable::set_stack_depth`]; engines call
    /// `set_stack_depth(0)` before the first instruction.
    pub fn attach<'a>(&'a mut self, table: &mut RegionTable<'a>) -> StackLayout {
        let (frame_size, frames) = (self.frame_size, self.frames);
        let bytes = super::raw::words_as_bytes(&mut self.words);
        let top = (bytes.as_ptr() as u64).wrapping_add(bytes.len() as u64);
        let region = table.add_writable(RegionKind::Stack, bytes);
        let layout = StackLayout {
            top,
            frame_size,
            frames,
            region,
        };
        table.mark_stack(layout);
        layout
    }
}

impl StackLayout {
    /// The frame pointer (r10) of frame `depth` (0 = the entry function): one past
    /// the frame's highest byte, `frame_pointer(0) - depth * frame_size()`.
    #[inline]
    pub fn frame_pointer(&self, depth: usize) -> u64 {
        self.top
            .wrapping_sub((depth as u64).wrapping_mul(self.frame_size))
    }

    /// The live stack at call depth `depth` (0 = the entry function): frames 0 to
    /// `depth`, that is `start = frame_pointer(depth) - frame_size()` and
    /// `len = (depth + 1) * frame_size()`, so `start + len = frame_pointer(0)`.
    /// `None` when `depth >= frames()`. Every engine gives a program at call depth
    /// `depth` exactly this stack memory (and nothing below it).
    #[inline]
    pub fn live_window(&self, depth: usize) -> Option<StackWindow> {
        if depth >= self.frames {
            return None;
        }
        let len = (depth as u64 + 1).wrapping_mul(self.frame_size);
        Some(StackWindow {
            start: self.top.wrapping_sub(len),
            len,
        })
    }

    /// The stack's region in its table.
    pub fn region(&self) -> RegionId {
        self.region
    }

    /// Bytes per frame.
    pub fn frame_size(&self) -> u64 {
        self.frame_size
    }

    /// Number of frames.
    pub fn frames(&self) -> usize {
        self.frames
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_stacked_downwards() {
        let mut stack = Stack::new(3, 512);
        let mut table = RegionTable::new();
        let layout = stack.attach(&mut table);
        let base = table.regions()[0].addr();
        assert_eq!(layout.region(), RegionId(0));
        assert_eq!(table.regions()[0].len(), 3 * 512);
        assert_eq!(layout.frame_pointer(0), base + 3 * 512);
        assert_eq!(layout.frame_pointer(2), base + 512);
        assert_eq!(layout.frame_pointer(0) % 8, 0);
        table.write::<u64>(layout.frame_pointer(1) - 8, 42).unwrap();
        assert_eq!(table.read::<u64>(base + 2 * 512 - 8), Ok(42));
        assert!(table.read::<u8>(layout.frame_pointer(0)).is_err());
    }

    #[test]
    fn live_windows_span_the_current_frame_and_its_callers() {
        let mut stack = Stack::new(3, 500);
        let mut table = RegionTable::new();
        let layout = stack.attach(&mut table);
        let top = layout.frame_pointer(0);
        assert_eq!(layout.frame_size(), 504);
        for depth in 0..3 {
            let w = layout.live_window(depth).unwrap();
            assert_eq!(w.start, layout.frame_pointer(depth) - 504);
            assert_eq!(w.start + w.len, top);
        }
        assert_eq!(layout.live_window(3), None);
    }

    #[test]
    fn the_stack_region_follows_the_call_depth_in_place() {
        let mut input = [0u8; 4];
        let mut stack = Stack::new(3, 512);
        let mut table = RegionTable::new();
        table.add_writable(RegionKind::Input, &mut input);
        let layout = stack.attach(&mut table);
        assert_eq!(table.stack(), Some(&layout));
        let array = table.regions().as_ptr();
        let fp = |d| layout.frame_pointer(d);
        // Attached: every frame, until a depth is set.
        assert!(table.read::<u8>(fp(2) - 512).is_ok());
        for depth in [0, 2, 1, 0] {
            assert_eq!(table.set_stack_depth(depth), Some(fp(depth)));
            let w = layout.live_window(depth).unwrap();
            let r = table.regions()[layout.region().0];
            assert_eq!((r.addr(), r.len()), (w.start, w.len));
            assert!(r.writable());
            assert_eq!(r.kind(), RegionKind::Stack);
            assert_eq!(table.regions().as_ptr(), array);
            assert!(table.write::<u64>(fp(depth) - 512, 1).is_ok());
            assert!(table.write::<u64>(fp(0) - 8, 1).is_ok());
            assert!(table.read::<u8>(fp(depth) - 513).is_err());
            assert!(table.bytes(fp(depth) - 513, 2).is_err());
            assert!(table.read::<u8>(fp(0)).is_err());
        }
        // Past the last frame: refused, table unchanged.
        assert_eq!(table.set_stack_depth(3), None);
        assert_eq!(table.regions()[1].len(), 512);
        // The other regions never move.
        assert_eq!(table.regions()[0].len(), 4);
    }

    #[test]
    fn tables_without_a_stack_or_with_empty_frames() {
        assert_eq!(RegionTable::new().set_stack_depth(0), None);
        let mut stack = Stack::new(2, 0);
        let mut table = RegionTable::new();
        let layout = stack.attach(&mut table);
        assert_eq!(table.set_stack_depth(1), Some(layout.frame_pointer(0)));
        assert!(table.read::<u8>(layout.frame_pointer(0)).is_err());
    }
}
