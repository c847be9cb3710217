//! The raw access layer: the only place that dereferences guest addresses.
//!
//! Every function here takes the [`Region`] the access is meant for, checks that the
//! whole access lies inside it (and that the region is writable for writes), and only
//! then touches memory. Soundness rests on one invariant, kept by
//! [`RegionTable`](super::RegionTable): a region describes a host slice that stays
//! borrowed (mutably, if the region is writable) for as long as the table that holds
//! the region is alive, and writable regions never overlap any other region.
//! Pointers are derived from the region's own pointer (`wrapping_add`), so they keep
//! the slice's provenance.

use super::region::Region;
use super::word::Word;
use crate::isa::AtomicOp;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// The host pointer for `[addr, addr + size)` if it lies inside `region`.
#[inline(always)]
fn locate(region: &Region, addr: u64, size: u64) -> Option<*mut u8> {
    let off = region.offset_of(addr, size)?;
    Some(region.ptr().wrapping_add(off as usize))
}

/// Reads a `T` at `addr` (any alignment) if it lies inside `region`.
#[inline(always)]
pub(super) fn read<T: Word>(region: &Region, addr: u64) -> Option<T> {
    let p = locate(region, addr, u64::from(T::SIZE.bytes()))?;
    // SAFETY: `locate` proved that the `size_of::<T>()` bytes at `p` lie inside the
    // region, which (module invariant) is a live host slice for the table's lifetime.
    // `read_unaligned` has no alignment requirement, and every bit pattern is a valid
    // integer.
    Some(unsafe { p.cast::<T>().read_unaligned() })
}

/// Writes `value` at `addr` (any alignment) if it lies inside `region` and the
/// region is writable.
#[inline(always)]
pub(super) fn write<T: Word>(region: &mut Region, addr: u64, value: T) -> Option<()> {
    if !region.writable() {
        return None;
    }
    let p = locate(region, addr, u64::from(T::SIZE.bytes()))?;
    // SAFETY: the bytes lie inside the region (checked by `locate`), the region is
    // writable, so (module invariant) it comes from a live mutable borrow that no other
    // region overlaps; `&mut Region` means no slice handed out by this layer is alive.
    unsafe { p.cast::<T>().write_unaligned(value) };
    Some(())
}

/// The bytes `[addr, addr + len)` if they lie inside `region`.
pub(super) fn slice(region: &Region, addr: u64, len: u64) -> Option<&[u8]> {
    let p = locate(region, addr, len)?;
    // SAFETY: the `len` bytes at `p` lie inside the region, a live host slice for the
    // table's lifetime, which the returned borrow of the region cannot outlive. Shared
    // borrows of the region exclude writes through this layer while the slice lives.
    Some(unsafe { std::slice::from_raw_parts(p, len as usize) })
}

/// The bytes `[addr, addr + len)` for writing, if they lie inside `region` and the
/// region is writable.
pub(super) fn slice_mut(region: &mut Region, addr: u64, len: u64) -> Option<&mut [u8]> {
    if !region.writable() {
        return None;
    }
    let p = locate(region, addr, len)?;
    // SAFETY: as for `slice`; in addition the region is writable, so it comes from a
    // mutable borrow no other region overlaps, and `&mut Region` makes this the only
    // slice handed out of it while it lives.
    Some(unsafe { std::slice::from_raw_parts_mut(p, len as usize) })
}

/// Performs atomic `op` on the `T` (`u32` or `u64`) at `addr` and returns the old
/// value, if the access lies inside the writable `region`. Aligned accesses use the
/// host's atomic instructions; a misaligned one (which the Linux verifier refuses)
/// is a plain read-modify-write, which is still exact because the run holds its
/// memory exclusively.
#[inline]
pub(super) fn atomic<T: AtomicWord>(
    region: &mut Region,
    addr: u64,
    op: AtomicOp,
    operand: T,
    expected: T,
) -> Option<T> {
    if !region.writable() {
        return None;
    }
    let p = locate(region, addr, u64::from(T::SIZE.bytes()))?;
    if (p as usize) & (T::ALIGN - 1) == 0 {
        // SAFETY: the bytes lie inside a writable region (a live, exclusive borrow for
        // the table's lifetime) and `p` is aligned for `T`; this layer only ever
        // accesses that memory through this thread, so no non-atomic access races.
        Some(unsafe { T::atomic_at(p, op, operand, expected) })
    } else {
        // SAFETY: the bytes lie inside a writable region (see `write`); unaligned
        // reads and writes of integers have no other requirement.
        let old = unsafe { p.cast::<T>().read_unaligned() };
        let new = super::atomic::apply(op, old.to_u64(), operand.to_u64(), expected.to_u64());
        // SAFETY: same bytes as the read above.
        unsafe { p.cast::<T>().write_unaligned(T::from_u64(new)) };
        Some(old)
    }
}

/// A [`Word`] with a host atomic type: `u32` and `u64`.
pub(super) trait AtomicWord: Word {
    /// Alignment the host atomic type needs.
    const ALIGN: usize;
    /// Applies `op` atomically at `p` and returns the old value.
    ///
    /// # Safety
    /// `p` must be aligned for `Self`, valid for reads and writes of `Self`, and not
    /// accessed non-atomically by anyone else during the call.
    unsafe fn atomic_at(p: *mut u8, op: AtomicOp, operand: Self, expected: Self) -> Self;
}

macro_rules! atomic_word {
    ($t:ty, $atomic:ty) => {
        impl AtomicWord for $t {
            const ALIGN: usize = std::mem::align_of::<$atomic>();
            #[inline]
            unsafe fn atomic_at(p: *mut u8, op: AtomicOp, operand: $t, expected: $t) -> $t {
                // SAFETY: the caller guarantees alignment, validity and the absence of
                // concurrent non-atomic access, which is what `from_ptr` requires.
                let a = unsafe { <$atomic>::from_ptr(p.cast::<$t>()) };
                let order = Ordering::SeqCst;
                match op {
                    AtomicOp::Add => a.fetch_add(operand, order),
                    AtomicOp::Or => a.fetch_or(operand, order),
                    AtomicOp::And => a.fetch_and(operand, order),
                    AtomicOp::Xor => a.fetch_xor(operand, order),
                    AtomicOp::Xchg => a.swap(operand, order),
                    AtomicOp::Cmpxchg => {
                        match a.compare_exchange(expected, operand, order, order) {
                            Ok(old) | Err(old) => old,
                        }
                    }
                }
            }
        }
    };
}

atomic_word!(u32, AtomicU32);
atomic_word!(u64, AtomicU64);

/// The bytes of a `u64` buffer (so the stack is 8-byte aligned, like the kernel's).
pub(super) fn words_as_bytes(words: &mut [u64]) -> &mut [u8] {
    let len = std::mem::size_of_val(words);
    // SAFETY: the pointer and length cover exactly the memory of `words`, which stays
    // mutably borrowed for the result's lifetime; u8 has no alignment requirement and
    // every byte of an integer is initialised.
    unsafe { std::slice::from_raw_parts_mut(words.as_mut_ptr().cast::<u8>(), len) }
}
