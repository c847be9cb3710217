//! Executable memory holding one compiled program.
//!
//! The code is assembled into an ordinary buffer and copied into a mapping that is
//! writable while being filled, then read+execute, never both (W^X).
//!
//! Mappings are recycled: a dropped program's mapping is made writable again (no
//! longer executable) and goes back to a small process-wide pool (its old code
//! overwritten with `int3` when reused), so compiling again costs one `mprotect`
//! call instead of `mmap`, `mprotect`, `munmap` and a page fault per 4 KiB of fresh
//! memory; the flip back to writable is paid when the program is dropped, off the
//! compile path. Fresh mappings are populated in one call (`MADV_POPULATE_WRITE`)
//! rather than faulted in page by page.
//!
//! On AArch64 the instruction cache is not coherent with stores: the bytes are
//! cleaned to the point of unification and the instruction cache invalidated for
//! them before the pages become executable. dynasmrt does this in its `Assembler`
//! commit path, but not in `MutableBuffer::make_exec` (a bare `mprotect`), which is
//! the path used here. The `isb` each executing thread needs is issued before every
//! run (`crate::call::enter`). On x86-64 both steps are no-ops.

use crate::context::JitContext;
use dynasmrt::mmap::MutableBuffer;
use dynasmrt::{AssemblyOffset, ExecutableBuffer};
use std::sync::Mutex;

/// The entry glue's signature: takes the context block, returns r0 (System V).
#[cfg(target_arch = "x86_64")]
pub(crate) type EntryFn = unsafe extern "sysv64" fn(*mut JitContext) -> u64;
/// The entry glue's signature: takes the context block, returns r0 (the host's C
/// convention, AAPCS64 on AArch64).
#[cfg(not(target_arch = "x86_64"))]
pub(crate) type EntryFn = unsafe extern "C" fn(*mut JitContext) -> u64;

/// Mapping granularity (the smallest page size of every supported host).
const PAGE: usize = 4096;
/// Most mappings kept for reuse.
const POOL_SLOTS: usize = 8;
/// Largest mapping, in bytes, kept for reuse.
const POOL_MAX_SIZE: usize = 16 << 20;
/// Byte written over stale code in a reused mapping (`int3` on x86-64).
const FILL: u8 = 0xcc;

/// Mappings of dropped programs, read+write (never executable while pooled),
/// waiting for reuse.
static POOL: Mutex<Vec<MutableBuffer>> = Mutex::new(Vec::new());

/// A compiled program's code.
pub struct CodeBuffer {
    buf: ExecutableBuffer,
    entry: AssemblyOffset,
}

impl CodeBuffer {
    /// Copies finished, position-independent code whose entry glue starts at `entry`
    /// into a mapping, then makes it read+execute.
    #[cfg(any(target_arch = "aarch64", test))]
    pub(crate) fn new(code: &[u8], entry: AssemblyOffset) -> std::io::Result<CodeBuffer> {
        CodeBuffer::build(code.len(), entry, |dst| {
            dst.copy_from_slice(code);
            Ok::<(), std::io::Error>(())
        })
    }

    /// A mapping of `len` bytes that `fill` writes while it is only writable; then it
    /// becomes read+execute, with the entry glue at `entry`.
    pub(crate) fn build<E: From<std::io::Error>>(
        len: usize,
        entry: AssemblyOffset,
        fill: impl FnOnce(&mut [u8]) -> Result<(), E>,
    ) -> Result<CodeBuffer, E> {
        let mut buf = writable(len)?;
        fill(&mut buf)?;
        // Data cache clean and instruction cache invalidation by address, while the
        // pages are still only writable (see the module docs).
        dynasmrt::cache_control::synchronize_icache(&buf);
        Ok(CodeBuffer {
            buf: buf.make_exec()?,
            entry,
        })
    }

    /// The entry glue as a callable function. Calling it is sound only while `self`
    /// lives and with a context block laid out as [`JitContext`].
    pub(crate) fn entry(&self) -> EntryFn {
        let ptr = self.buf.ptr(self.entry);
        // SAFETY: `ptr` points into this buffer's mapped, executable pages, at the
        // entry glue the back end emitted with exactly the `EntryFn` ABI (the host's
        // C convention, one pointer argument, u64 result). A function pointer and a data pointer
        // have the same size on every host with a back end.
        unsafe { std::mem::transmute::<*const u8, EntryFn>(ptr) }
    }

    /// The machine code (readable for disassembly; the mapping is never writable).
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Size of the code in bytes.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether the buffer holds no code.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Host address range of the code (for tests that inspect the mapping).
    pub fn address_range(&self) -> std::ops::Range<usize> {
        let start = self.buf.ptr(AssemblyOffset(0)) as usize;
        start..start + self.buf.len()
    }
}

impl Drop for CodeBuffer {
    fn drop(&mut self) {
        let buf = std::mem::take(&mut self.buf);
        let size = buf.size();
        if size == 0 || size > POOL_MAX_SIZE {
            return;
        }
        // A mapping that cannot be made writable again is unmapped instead.
        let Ok(buf) = buf.make_mut() else {
            return;
        };
        if let Ok(mut pool) = POOL.lock() {
            if pool.len() < POOL_SLOTS {
                pool.push(buf);
            } else if let Some(smallest) = pool.iter_mut().min_by_key(|b| b.size()) {
                // Keep the larger mappings: they serve more programs.
                if smallest.size() < size {
                    *smallest = buf;
                }
            }
        }
    }
}

impl std::fmt::Debug for CodeBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeBuffer")
            .field("len", &self.buf.len())
            .field("entry", &self.entry.0)
            .finish()
    }
}

/// A writable (never executable) buffer of exactly `len` bytes: a pooled mapping
/// that fits (its stale code overwritten), else a fresh populated one.
fn writable(len: usize) -> std::io::Result<MutableBuffer> {
    let size = len.div_ceil(PAGE).max(1).saturating_mul(PAGE);
    if let Some(mut buf) = take_spare(size) {
        let stale = buf.len();
        if stale > len {
            if let Some(tail) = buf.get_mut(len..) {
                tail.fill(FILL);
            }
        }
        buf.set_len(len);
        return Ok(buf);
    }
    let mut buf = MutableBuffer::new(size)?;
    buf.set_len(size);
    populate(&mut buf);
    buf.set_len(len);
    Ok(buf)
}

/// The smallest pooled mapping of at least `size` bytes, unless all that fit are
/// far larger (a small program must not pin a big mapping).
fn take_spare(size: usize) -> Option<MutableBuffer> {
    let mut pool = POOL.lock().ok()?;
    let limit = size.saturating_mul(4).saturating_add(64 << 10);
    let best = pool
        .iter()
        .enumerate()
        .filter(|(_, b)| (size..=limit).contains(&b.size()))
        .min_by_key(|(_, b)| b.size())
        .map(|(i, _)| i)?;
    Some(pool.swap_remove(best))
}

/// Faults every page of a fresh mapping in with one call; on kernels without
/// `MADV_POPULATE_WRITE` (before 5.14) the pages fault in on first write instead.
#[cfg(target_os = "linux")]
fn populate(buf: &mut MutableBuffer) {
    let range: &mut [u8] = buf;
    // SAFETY: `range` is the whole of a private anonymous mapping this function
    // borrows mutably; MADV_POPULATE_WRITE only makes its pages present (zeroed, as
    // they read already), changing neither contents nor protection. A failure
    // leaves the mapping as it was.
    unsafe {
        libc::madvise(
            range.as_mut_ptr().cast::<libc::c_void>(),
            range.len(),
            libc::MADV_POPULATE_WRITE,
        );
    }
}

/// Pages fault in on first write on hosts without `MADV_POPULATE_WRITE`.
#[cfg(not(target_os = "linux"))]
fn populate(_: &mut MutableBuffer) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reused_mapping_holds_only_the_new_code() {
        let big = vec![0x90u8; 3 * PAGE];
        let first = CodeBuffer::new(&big, AssemblyOffset(0)).unwrap();
        let range = first.address_range();
        drop(first);
        // Another test may take the spare first; whichever mapping comes back, the
        // bytes past the new code must not be the old code.
        let second = CodeBuffer::new(&[0xc3; 10], AssemblyOffset(0)).unwrap();
        assert_eq!(second.bytes(), &[0xc3; 10]);
        if second.address_range().start == range.start {
            let mapped = second.address_range().start as *const u8;
            // SAFETY: the mapping is at least 3 pages, all readable (read+execute).
            let tail = unsafe { std::slice::from_raw_parts(mapped.add(10), 3 * PAGE - 10) };
            assert!(tail.iter().all(|&b| b == FILL));
        }
    }
}
