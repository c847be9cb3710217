//! One contiguous range of guest-visible host memory.

use std::mem::offset_of;

/// What a region holds. Only informative for the interpreter (all regions are
/// checked alike); the verifier and tools use it to name memory.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum RegionKind {
    /// The input memory or context passed in r1.
    Input,
    /// Packet data (the source of legacy LD_ABS / LD_IND loads).
    Packet,
    /// The call stack: the live frames of the run (see [`Stack`](super::Stack)).
    Stack,
    /// Read-only data (e.g. `.rodata`).
    ReadOnly,
    /// The value of a map entry.
    MapValue,
}

/// Index of a region in its [`RegionTable`](super::RegionTable).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct RegionId(pub usize);

/// A region as stored in the table. The layout is fixed (`repr(C)`) so generated
/// code can check an access inline: it is allowed when
/// `addr - start < len && len - (addr - start) >= size` (unsigned, wrapping
/// subtraction) and, for writes, `writable != 0`. The byte offsets of the fields are
/// [`Region::START_OFFSET`], [`Region::LEN_OFFSET`] and [`Region::WRITABLE_OFFSET`];
/// the stride is `size_of::<Region>()`.
#[derive(Copy, Clone, Debug)]
#[repr(C)]
pub struct Region {
    start: *mut u8,
    len: u64,
    writable: bool,
    kind: RegionKind,
}

impl Region {
    /// Byte offset of the start address (a 64-bit host pointer).
    pub const START_OFFSET: usize = offset_of!(Region, start);
    /// Byte offset of the length (u64).
    pub const LEN_OFFSET: usize = offset_of!(Region, len);
    /// Byte offset of the writable flag (one byte, 0 or 1).
    pub const WRITABLE_OFFSET: usize = offset_of!(Region, writable);

    /// A region over `len` bytes at `start`. Only the table builds regions, from
    /// borrowed slices, which is what makes the raw accesses sound.
    pub(super) fn new(start: *mut u8, len: usize, writable: bool, kind: RegionKind) -> Region {
        Region {
            start,
            len: len as u64,
            writable,
            kind,
        }
    }

    /// The guest (= host) address of the first byte.
    #[inline]
    pub fn addr(&self) -> u64 {
        self.start as u64
    }

    /// The host pointer to the first byte (for the raw layer).
    #[inline]
    pub(super) fn ptr(&self) -> *mut u8 {
        self.start
    }

    /// Length in bytes.
    #[inline]
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the region has no bytes.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the program may write the region.
    #[inline]
    pub fn writable(&self) -> bool {
        self.writable
    }

    /// What the region holds.
    #[inline]
    pub fn kind(&self) -> RegionKind {
        self.kind
    }

    /// The offset of `[addr, addr + size)` inside the region, if it fits.
    #[inline(always)]
    pub fn offset_of(&self, addr: u64, size: u64) -> Option<u64> {
        let off = addr.wrapping_sub(self.addr());
        (off < self.len && self.len - off >= size).then_some(off)
    }
}
