//! Executable memory holding one compiled program.
//!
//! The code is assembled into an ordinary buffer and mapped with dynasmrt's
//! `ExecutableBuffer` only once complete: the pages are writable while being filled,
//! then read+execute, never both (W^X).
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

/// The entry glue's signature: takes the context block, returns r0 (System V).
#[cfg(target_arch = "x86_64")]
pub(crate) type EntryFn = unsafe extern "sysv64" fn(*mut JitContext) -> u64;
/// The entry glue's signature: takes the context block, returns r0 (the host's C
/// convention, AAPCS64 on AArch64).
#[cfg(not(target_arch = "x86_64"))]
pub(crate) type EntryFn = unsafe extern "C" fn(*mut JitContext) -> u64;

/// A compiled program's code.
pub struct CodeBuffer {
    buf: ExecutableBuffer,
    entry: AssemblyOffset,
}

impl CodeBuffer {
    /// Copies finished, position-independent code whose entry glue starts at `entry`
    /// into fresh pages, then makes them read+execute.
    pub(crate) fn new(code: &[u8], entry: AssemblyOffset) -> std::io::Result<CodeBuffer> {
        let mut buf = MutableBuffer::new(code.len())?;
        buf.set_len(code.len());
        buf.copy_from_slice(code);
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

impl std::fmt::Debug for CodeBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeBuffer")
            .field("len", &self.buf.len())
            .field("entry", &self.entry.0)
            .finish()
    }
}
