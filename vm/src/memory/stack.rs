//! The call stack: one zeroed, 8-byte aligned allocation holding every frame.

use super::region::RegionKind;
use super::table::RegionTable;

/// Backing memory for the stack frames of one run. Frame 0 (the entry function) is
/// at the top; frame `d` (the `d`-th nested local call) lies below it. The whole
/// allocation is a single writable [`RegionKind::Stack`] region, so a frame may pass
/// pointers to its stack to the functions it calls.
#[derive(Debug)]
pub struct Stack {
    words: Vec<u64>,
    frame_size: u64,
    frames: usize,
}

/// Where the frames of a [`Stack`] live once it is in a region table.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct StackLayout {
    top: u64,
    frame_size: u64,
    frames: usize,
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

    /// Adds the stack to `table` as one writable region and returns where its frames are.
    pub fn attach<'a>(&'a mut self, table: &mut RegionTable<'a>) -> StackLayout {
        let (frame_size, frames) = (self.frame_size, self.frames);
        let bytes = super::raw::words_as_bytes(&mut self.words);
        let top = (bytes.as_ptr() as u64).wrapping_add(bytes.len() as u64);
        table.add_writable(RegionKind::Stack, bytes);
        StackLayout {
            top,
            frame_size,
            frames,
        }
    }
}

impl StackLayout {
    /// The frame pointer (r10) of frame `depth` (0 = the entry function): one past
    /// the frame's highest byte.
    #[inline]
    pub fn frame_pointer(&self, depth: usize) -> u64 {
        self.top
            .wrapping_sub((depth as u64).wrapping_mul(self.frame_size))
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
        assert_eq!(table.regions()[0].len(), 3 * 512);
        assert_eq!(layout.frame_pointer(0), base + 3 * 512);
        assert_eq!(layout.frame_pointer(2), base + 512);
        assert_eq!(layout.frame_pointer(0) % 8, 0);
        table.write::<u64>(layout.frame_pointer(1) - 8, 42).unwrap();
        assert_eq!(table.read::<u64>(base + 2 * 512 - 8), Ok(42));
        assert!(table.read::<u8>(layout.frame_pointer(0)).is_err());
    }
}
