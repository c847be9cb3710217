//! The region table: the set of memory a run may touch, and checked access to it.

use super::error::MemoryError;
use super::raw::{self, AtomicWord};
use super::region::{Region, RegionId, RegionKind};
use super::shared::SharedMemory;
use super::stack::StackLayout;
use super::word::Word;
use crate::isa::AtomicOp;
use std::cell::Cell;
use std::marker::PhantomData;

/// The regions a run may access, each a host slice borrowed for `'a`.
///
/// Every guest access is checked against the table: it must lie entirely inside one
/// region, and writes need a writable region. Lookups try the region that matched
/// last first, then scan the (few) regions in order. Regions come only from borrowed
/// slices, so a writable region never overlaps another one.
///
/// Generated code reads [`regions`](RegionTable::regions) directly (see [`Region`]
/// for the layout). The table cannot grow once a run has started: a run takes it by
/// value and only hands out access methods, so the array stays where it is.
///
/// A table may hold one call stack ([`Stack::attach`](super::Stack::attach)), whose
/// region shrinks and grows in place with the call depth
/// ([`set_stack_depth`](RegionTable::set_stack_depth)).
#[derive(Debug, Default)]
pub struct RegionTable<'a> {
    regions: Vec<Region>,
    last: Cell<usize>,
    stack: Option<StackSlot>,
    borrows: PhantomData<&'a mut [u8]>,
}

/// The table's call stack: its whole allocation (every window lies inside it) and
/// where its frames are.
#[derive(Copy, Clone, Debug)]
struct StackSlot {
    whole: Region,
    layout: StackLayout,
}

impl<'a> RegionTable<'a> {
    /// An empty table.
    pub fn new() -> RegionTable<'a> {
        RegionTable::default()
    }

    /// Adds memory the program may read and write.
    pub fn add_writable(&mut self, kind: RegionKind, mem: &'a mut [u8]) -> RegionId {
        self.push(Region::new(mem.as_mut_ptr(), mem.len(), true, kind))
    }

    /// Adds memory the program may only read.
    pub fn add_readonly(&mut self, kind: RegionKind, mem: &'a [u8]) -> RegionId {
        // The pointer is never written through: the region is not writable.
        self.push(Region::new(mem.as_ptr().cast_mut(), mem.len(), false, kind))
    }

    /// Adds memory shared with other runs and host threads (map storage), which the
    /// program may write if `writable`. See [`SharedMemory`] for its concurrency.
    pub fn add_shared(
        &mut self,
        kind: RegionKind,
        mem: &'a SharedMemory,
        writable: bool,
    ) -> RegionId {
        self.push(Region::new(mem.base(), mem.len(), writable, kind))
    }

    fn push(&mut self, region: Region) -> RegionId {
        self.regions.push(region);
        RegionId(self.regions.len() - 1)
    }

    /// Records that region `layout.region()` (just added, spanning the whole
    /// allocation) is the call stack.
    pub(super) fn mark_stack(&mut self, layout: StackLayout) {
        if let Some(&whole) = self.regions.get(layout.region().0) {
            self.stack = Some(StackSlot { whole, layout });
        }
    }

    /// Where the table's call stack is, if it has one.
    pub fn stack(&self) -> Option<&StackLayout> {
        self.stack.as_ref().map(|s| &s.layout)
    }

    /// Makes the stack region the live window at call depth `depth`
    /// ([`StackLayout::live_window`]): frames 0 to `depth`. Deeper frames become
    /// inaccessible, to the program and its helpers alike, until a call makes them
    /// live again. Only the region's start and length change, in place. Returns frame
    /// `depth`'s frame pointer (r10); `None`, with the table unchanged, when the table
    /// has no stack or `depth` is not below its number of frames.
    #[inline]
    pub fn set_stack_depth(&mut self, depth: usize) -> Option<u64> {
        let StackSlot { whole, layout } = self.stack.as_ref()?;
        let window = layout.live_window(depth)?;
        // The window lies inside the whole allocation (checked, not assumed), so the
        // region still describes part of the slice the table borrows.
        let off = window.start.wrapping_sub(whole.addr());
        if off > whole.len() || whole.len() - off < window.len {
            return None;
        }
        let region = self.regions.get_mut(layout.region().0)?;
        *region = Region::new(
            whole.ptr().wrapping_add(off as usize),
            window.len as usize,
            whole.writable(),
            whole.kind(),
        );
        Some(layout.frame_pointer(depth))
    }

    /// The regions, in the order they were added (a [`RegionId`] indexes this).
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// One region.
    pub fn region(&self, id: RegionId) -> Option<&Region> {
        self.regions.get(id.0)
    }

    /// Reads a `T` (any alignment) at guest address `addr`.
    #[inline(always)]
    pub fn read<T: Word>(&self, addr: u64) -> Result<T, MemoryError> {
        if let Some(v) = self
            .regions
            .get(self.last.get())
            .and_then(|r| raw::read(r, addr))
        {
            return Ok(v);
        }
        self.read_slow(addr)
    }

    #[inline(never)]
    fn read_slow<T: Word>(&self, addr: u64) -> Result<T, MemoryError> {
        for (i, r) in self.regions.iter().enumerate() {
            if let Some(v) = raw::read(r, addr) {
                self.last.set(i);
                return Ok(v);
            }
        }
        Err(MemoryError::OutOfBounds {
            addr,
            size: u64::from(T::SIZE.bytes()),
            write: false,
        })
    }

    /// Reads a `T` at `offset` bytes into region `id` only; `None` if it does not fit.
    pub fn read_in<T: Word>(&self, id: RegionId, offset: u64) -> Option<T> {
        let r = self.regions.get(id.0)?;
        raw::read(r, r.addr().wrapping_add(offset))
    }

    /// Writes a `T` (any alignment) at guest address `addr`.
    #[inline(always)]
    pub fn write<T: Word>(&mut self, addr: u64, value: T) -> Result<(), MemoryError> {
        let last = self.last.get();
        if let Some(r) = self.regions.get_mut(last) {
            if raw::write(r, addr, value).is_some() {
                return Ok(());
            }
        }
        self.write_slow(addr, value)
    }

    #[inline(never)]
    fn write_slow<T: Word>(&mut self, addr: u64, value: T) -> Result<(), MemoryError> {
        for (i, r) in self.regions.iter_mut().enumerate() {
            if raw::write(r, addr, value).is_some() {
                self.last.set(i);
                return Ok(());
            }
        }
        Err(self.write_error(addr, u64::from(T::SIZE.bytes())))
    }

    /// Why a write of `size` bytes at `addr` was refused.
    fn write_error(&self, addr: u64, size: u64) -> MemoryError {
        if self
            .regions
            .iter()
            .any(|r| r.offset_of(addr, size).is_some())
        {
            MemoryError::ReadOnly { addr, size }
        } else {
            MemoryError::OutOfBounds {
                addr,
                size,
                write: true,
            }
        }
    }

    /// Atomic `op` on the 32-bit word at `addr`; returns the old value. `expected` is
    /// only read by [`AtomicOp::Cmpxchg`].
    pub fn atomic32(
        &mut self,
        addr: u64,
        op: AtomicOp,
        operand: u32,
        expected: u32,
    ) -> Result<u32, MemoryError> {
        self.atomic(addr, op, operand, expected)
    }

    /// Atomic `op` on the 64-bit word at `addr`; returns the old value. `expected` is
    /// only read by [`AtomicOp::Cmpxchg`].
    pub fn atomic64(
        &mut self,
        addr: u64,
        op: AtomicOp,
        operand: u64,
        expected: u64,
    ) -> Result<u64, MemoryError> {
        self.atomic(addr, op, operand, expected)
    }

    fn atomic<T: AtomicWord>(
        &mut self,
        addr: u64,
        op: AtomicOp,
        operand: T,
        expected: T,
    ) -> Result<T, MemoryError> {
        for (i, r) in self.regions.iter_mut().enumerate() {
            if let Some(old) = raw::atomic(r, addr, op, operand, expected) {
                self.last.set(i);
                return Ok(old);
            }
        }
        Err(self.write_error(addr, u64::from(T::SIZE.bytes())))
    }

    /// The `len` bytes at `addr`, for reading. A zero-length request succeeds at any
    /// address (as the kernel allows a null pointer with a zero size).
    pub fn bytes(&self, addr: u64, len: u64) -> Result<&[u8], MemoryError> {
        if len == 0 {
            return Ok(&[]);
        }
        self.regions
            .iter()
            .find_map(|r| raw::slice(r, addr, len))
            .ok_or(MemoryError::OutOfBounds {
                addr,
                size: len,
                write: false,
            })
    }

    /// The `len` bytes at `addr`, for writing. A zero-length request succeeds at any
    /// address.
    pub fn bytes_mut(&mut self, addr: u64, len: u64) -> Result<&mut [u8], MemoryError> {
        if len == 0 {
            return Ok(&mut []);
        }
        let Some(i) = self
            .regions
            .iter()
            .position(|r| r.writable() && r.offset_of(addr, len).is_some())
        else {
            return Err(self.write_error(addr, len));
        };
        let r = &mut self.regions[i];
        raw::slice_mut(r, addr, len).ok_or(MemoryError::OutOfBounds {
            addr,
            size: len,
            write: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_inside_regions_only() {
        let mut a = [1u8, 2, 3, 4, 5, 6, 7, 8, 9];
        let ro = [0xaau8; 4];
        let (pa, pr) = (a.as_ptr() as u64, ro.as_ptr() as u64);
        let mut t = RegionTable::new();
        t.add_writable(RegionKind::Input, &mut a);
        t.add_readonly(RegionKind::ReadOnly, &ro);
        // Unaligned, little-endian.
        assert_eq!(t.read::<u32>(pa + 1), Ok(0x0504_0302));
        assert_eq!(t.read::<u64>(pa + 1), Ok(0x0908_0706_0504_0302));
        assert_eq!(
            t.read::<u64>(pa + 2),
            Err(MemoryError::OutOfBounds {
                addr: pa + 2,
                size: 8,
                write: false
            })
        );
        assert_eq!(t.read::<u8>(pr + 3), Ok(0xaa));
        t.write::<u16>(pa + 7, 0xbeef).unwrap();
        assert_eq!(t.read::<u8>(pa + 8), Ok(0xbe));
        assert_eq!(
            t.write::<u8>(pr, 1),
            Err(MemoryError::ReadOnly { addr: pr, size: 1 })
        );
        assert_eq!(
            t.write::<u8>(pa.wrapping_sub(1), 1),
            Err(MemoryError::OutOfBounds {
                addr: pa.wrapping_sub(1),
                size: 1,
                write: true
            })
        );
        // Addresses near the top of the address space do not wrap into a region.
        assert!(t.read::<u64>(u64::MAX - 3).is_err());
        assert_eq!(a[7..], [0xef, 0xbe]);
    }

    #[test]
    fn byte_slices() {
        let mut a = [0u8; 8];
        let ro = [7u8; 2];
        let (pa, pr) = (a.as_ptr() as u64, ro.as_ptr() as u64);
        let mut t = RegionTable::new();
        t.add_writable(RegionKind::Stack, &mut a);
        t.add_readonly(RegionKind::ReadOnly, &ro);
        t.bytes_mut(pa + 2, 3).unwrap().copy_from_slice(&[1, 2, 3]);
        assert_eq!(t.bytes(pa + 1, 5).unwrap(), &[0, 1, 2, 3, 0]);
        assert_eq!(t.bytes(pr, 2).unwrap(), &[7, 7]);
        assert_eq!(t.bytes(0, 0).unwrap(), &[] as &[u8]);
        assert!(t.bytes(pa, 9).is_err());
        assert_eq!(
            t.bytes_mut(pr, 1),
            Err(MemoryError::ReadOnly { addr: pr, size: 1 })
        );
    }

    /// A byte buffer aligned for u64 atomics.
    #[repr(align(8))]
    struct Aligned([u8; 24]);

    #[test]
    fn atomics_aligned_and_not() {
        let mut a = Aligned([0; 24]);
        let pa = a.0.as_ptr() as u64;
        let mut t = RegionTable::new();
        t.add_writable(RegionKind::Stack, &mut a.0);
        assert_eq!(t.atomic64(pa, AtomicOp::Add, 5, 0), Ok(0));
        assert_eq!(t.atomic64(pa, AtomicOp::Cmpxchg, 9, 5), Ok(5));
        assert_eq!(t.read::<u64>(pa), Ok(9));
        assert_eq!(t.atomic64(pa, AtomicOp::Cmpxchg, 1, 5), Ok(9));
        assert_eq!(t.read::<u64>(pa), Ok(9));
        // Misaligned: plain read-modify-write, same result.
        assert_eq!(t.atomic32(pa + 9, AtomicOp::Or, 0xf0, 0), Ok(0));
        assert_eq!(t.atomic32(pa + 9, AtomicOp::Xchg, 3, 0), Ok(0xf0));
        assert_eq!(t.read::<u32>(pa + 9), Ok(3));
        assert!(t.atomic64(pa + 20, AtomicOp::Add, 1, 0).is_err());
    }
}
