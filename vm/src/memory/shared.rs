//! Memory shared between runs and threads: the storage of maps.
//!
//! A map's values live in one [`SharedMemory`] allocation that every run of every
//! program using the map adds as a region ([`RegionTable::add_shared`]), while host
//! threads read and write it through the map's API. The allocation never moves or
//! shrinks while it exists, so the address a map lookup returns stays valid for as
//! long as the map lives (as with the kernel's preallocated maps).
//!
//! Concurrency follows the Linux kernel: a program's loads and stores of map values
//! are not synchronised with other runs or with the host (programs that need it use
//! atomic instructions, which are real host atomics on aligned words). Host copies
//! in and out ([`SharedMemory::read`], [`SharedMemory::write`]) are plain byte
//! copies, so a value updated while it is read may be seen half old, half new,
//! exactly as `bpf_map_lookup_elem` from user space may see it. No Rust reference to
//! the bytes is ever handed out: all access goes through raw pointers derived from
//! the allocation (interior mutability via `UnsafeCell`).
//!
//! [`RegionTable::add_shared`]: super::RegionTable::add_shared

use super::error::MemoryError;
use std::cell::UnsafeCell;
use std::fmt;

/// A zeroed, 8-byte aligned allocation that programs and host threads share.
pub struct SharedMemory {
    words: Box<[UnsafeCell<u64>]>,
    len: usize,
}

// SAFETY: the bytes are only accessed through raw pointers (never through Rust
// references that could be invalidated), from any thread; unsynchronised concurrent
// access is the documented semantics of map memory (see the module docs), and the
// allocation itself is owned and freed by the `SharedMemory`.
unsafe impl Sync for SharedMemory {}

/// Why shared memory could not be allocated.
#[derive(Copy, Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot allocate {len} bytes of shared memory")]
pub struct AllocError {
    /// Bytes requested.
    pub len: usize,
}

impl SharedMemory {
    /// `len` zeroed bytes (rounded up to whole 8-byte words internally; only `len`
    /// bytes are accessible). Fails instead of aborting when the host cannot
    /// allocate that much.
    pub fn new(len: usize) -> Result<SharedMemory, AllocError> {
        let words = len.div_ceil(8);
        let mut v: Vec<UnsafeCell<u64>> = Vec::new();
        v.try_reserve_exact(words).map_err(|_| AllocError { len })?;
        v.resize_with(words, || UnsafeCell::new(0));
        Ok(SharedMemory {
            words: v.into_boxed_slice(),
            len,
        })
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The host (= guest) address of the first byte.
    pub fn addr(&self) -> u64 {
        self.base() as u64
    }

    /// The base pointer, with the provenance of the whole allocation.
    pub(super) fn base(&self) -> *mut u8 {
        UnsafeCell::raw_get(self.words.as_ptr()).cast::<u8>()
    }

    /// The offset of `[offset, offset + len)` if it lies inside.
    fn check(&self, offset: usize, len: usize, write: bool) -> Result<(), MemoryError> {
        match offset.checked_add(len) {
            Some(end) if end <= self.len => Ok(()),
            _ => Err(MemoryError::OutOfBounds {
                addr: self.addr().wrapping_add(offset as u64),
                size: len as u64,
                write,
            }),
        }
    }

    /// Copies `out.len()` bytes starting at `offset` into `out`.
    pub fn read(&self, offset: usize, out: &mut [u8]) -> Result<(), MemoryError> {
        self.check(offset, out.len(), false)?;
        // SAFETY: `[offset, offset + out.len())` lies inside the allocation (checked);
        // the source is only reached through raw pointers and `out` is a distinct Rust
        // buffer, so the ranges do not overlap. Concurrent writers may make the copy
        // torn, never invalid (every byte pattern is a valid `u8`).
        unsafe {
            std::ptr::copy_nonoverlapping(
                self.base().wrapping_add(offset),
                out.as_mut_ptr(),
                out.len(),
            );
        }
        Ok(())
    }

    /// Copies `data` to the bytes starting at `offset`.
    pub fn write(&self, offset: usize, data: &[u8]) -> Result<(), MemoryError> {
        self.check(offset, data.len(), true)?;
        // SAFETY: the destination lies inside the allocation (checked), which is
        // interior-mutable (`UnsafeCell`) and never referenced by Rust references;
        // `data` is a distinct buffer, so the ranges do not overlap.
        unsafe {
            std::ptr::copy_nonoverlapping(
                data.as_ptr(),
                self.base().wrapping_add(offset),
                data.len(),
            );
        }
        Ok(())
    }

    /// Sets `len` bytes starting at `offset` to `byte`.
    pub fn fill(&self, offset: usize, len: usize, byte: u8) -> Result<(), MemoryError> {
        self.check(offset, len, true)?;
        // SAFETY: as for `write`: the bytes lie inside the interior-mutable allocation.
        unsafe { std::ptr::write_bytes(self.base().wrapping_add(offset), byte, len) };
        Ok(())
    }

    /// Copies `len` bytes from `src` to `dst` inside the allocation (the ranges may
    /// overlap).
    pub fn copy_within(&self, src: usize, dst: usize, len: usize) -> Result<(), MemoryError> {
        self.check(src, len, false)?;
        self.check(dst, len, true)?;
        // SAFETY: both ranges lie inside the allocation (checked); `copy` allows
        // overlap.
        unsafe {
            std::ptr::copy(
                self.base().wrapping_add(src),
                self.base().wrapping_add(dst),
                len,
            );
        }
        Ok(())
    }
}

impl fmt::Debug for SharedMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedMemory")
            .field("addr", &format_args!("{:#x}", self.addr()))
            .field("len", &self.len)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::{RegionKind, RegionTable};

    #[test]
    fn copies_in_and_out_inside_bounds_only() {
        let m = SharedMemory::new(13).unwrap();
        assert_eq!(m.len(), 13);
        assert_eq!(m.addr() % 8, 0);
        m.write(3, &[1, 2, 3]).unwrap();
        let mut out = [9u8; 5];
        m.read(2, &mut out).unwrap();
        assert_eq!(out, [0, 1, 2, 3, 0]);
        assert!(m.write(11, &[0; 3]).is_err());
        assert!(m.read(usize::MAX, &mut [0; 2]).is_err());
        m.fill(0, 13, 7).unwrap();
        m.copy_within(0, 1, 3).unwrap();
        let mut all = [0u8; 13];
        m.read(0, &mut all).unwrap();
        assert_eq!(all, [7; 13]);
        assert!(m.fill(12, 2, 0).is_err());
    }

    #[test]
    fn shared_regions_are_seen_by_runs_and_host() {
        let m = SharedMemory::new(16).unwrap();
        let mut t = RegionTable::new();
        t.add_shared(RegionKind::MapValue, &m, true);
        t.write::<u64>(m.addr() + 8, 0x0102).unwrap();
        let mut out = [0u8; 2];
        m.read(8, &mut out).unwrap();
        assert_eq!(out, [2, 1]);
        m.write(0, &[5]).unwrap();
        assert_eq!(t.read::<u8>(m.addr()), Ok(5));
        let mut ro = RegionTable::new();
        ro.add_shared(RegionKind::ReadOnly, &m, false);
        assert!(ro.write::<u8>(m.addr(), 1).is_err());
    }

    #[test]
    fn huge_allocations_fail_cleanly() {
        assert!(SharedMemory::new(usize::MAX / 2).is_err());
    }

    #[test]
    fn shared_between_threads() {
        let m = std::sync::Arc::new(SharedMemory::new(64).unwrap());
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let m = m.clone();
                std::thread::spawn(move || m.write(i * 16, &[i as u8; 16]).unwrap())
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let mut out = [0u8; 64];
        m.read(0, &mut out).unwrap();
        assert_eq!(out[16], 1);
        assert_eq!(out[63], 3);
    }
}
