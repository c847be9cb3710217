//! The Rust side of a run: what the trampolines in [`crate::call`] do once they have
//! turned the raw context pointer back into references.

use crate::context::{JitContext, RegionWindow};
use crate::fault::{unpack_miss, unpack_packet, FaultCode};
use ferrobpf_vm::helpers::{HelperContext, HelperRegistry};
use ferrobpf_vm::interp::{ExecError, ExecErrorKind};
use ferrobpf_vm::memory::{MemoryError, Region, RegionId, RegionTable};

/// Memory and helpers of one run, plus the trap a trampoline raised.
pub(crate) struct Env<'m, 'a> {
    /// The run's regions (the same table the interpreter checks against).
    pub memory: &'m mut RegionTable<'a>,
    /// The host's helpers.
    pub helpers: &'m HelperRegistry,
    /// The region legacy packet loads read.
    pub packet: Option<RegionId>,
    /// Set when a trampoline faults; generated code then leaves through the fault exit.
    pub trap: Option<ExecError>,
}

impl Env<'_, '_> {
    /// After a window miss: finds the region of the access and refreshes the window,
    /// or records the fault the interpreter would report.
    pub fn lookup(&mut self, ctx: &mut JitContext, addr: u64, packed: u64) {
        let (pc, store, log2) = unpack_miss(packed);
        let size = 1u64 << log2;
        let found = find_region(self.memory, addr, size, store);
        let found = found.and_then(|r| match r {
            // The generated code checks the live stack itself, before calling here.
            Some(r) => Ok(r),
            None => Err(MemoryError::OutOfBounds {
                addr,
                size,
                write: store,
            }),
        });
        match found.and_then(|(start, len)| {
            RegionWindow::new(start, len, size).ok_or(MemoryError::OutOfBounds {
                addr,
                size,
                write: store,
            })
        }) {
            Ok(window) => {
                let windows = if store {
                    &mut ctx.store_window
                } else {
                    &mut ctx.load_window
                };
                if let Some(w) = windows.get_mut(usize::from(log2)) {
                    *w = window;
                }
            }
            Err(e) => self.fault(ctx, pc, e.into()),
        }
    }

    /// Calls helper `id` with r1-r5 from the context block; returns r0.
    pub fn call_helper(&mut self, ctx: &mut JitContext, id: u64, pc: u64) -> u64 {
        let pc = pc as u32;
        let Some(helper) = u32::try_from(id).ok().and_then(|i| self.helpers.get(i)) else {
            self.fault(ctx, pc, ExecErrorKind::UnknownHelper { id });
            return 0;
        };
        // Helpers see the live stack of the calling frame, as in the interpreter.
        self.memory.set_stack_depth(ctx.depth as usize);
        let mut hctx = HelperContext::new(self.memory);
        match helper.call(&mut hctx, ctx.args) {
            Ok(r0) => r0,
            Err(error) => {
                self.fault(
                    ctx,
                    pc,
                    ExecErrorKind::HelperFailed {
                        id: id as u32,
                        error,
                    },
                );
                0
            }
        }
    }

    /// Legacy packet load: the big-endian value of `1 << log2` bytes at offset
    /// `(index + imm) as i32` into the packet region. Outside it (negative offsets
    /// included) the run ends with r0 = 0, as in the interpreter and the kernel.
    pub fn packet_load(&mut self, ctx: &mut JitContext, index: u64, packed: u64) -> u64 {
        let (pc, log2, imm) = unpack_packet(packed);
        let offset = index.wrapping_add(imm as i64 as u64) as i32;
        let value = u64::try_from(offset)
            .ok()
            .zip(self.packet)
            .and_then(|(off, id)| {
                let m = &*self.memory;
                match log2 {
                    0 => m.read_in::<u8>(id, off).map(u64::from),
                    1 => m.read_in::<u16>(id, off).map(|v| u64::from(v.swap_bytes())),
                    2 => m.read_in::<u32>(id, off).map(|v| u64::from(v.swap_bytes())),
                    _ => m.read_in::<u64>(id, off).map(u64::swap_bytes),
                }
            });
        value.unwrap_or_else(|| {
            ctx.outcome.fault = FaultCode::Ended as u64;
            ctx.outcome.pc = u64::from(pc);
            0
        })
    }

    fn fault(&mut self, ctx: &mut JitContext, pc: u32, kind: ExecErrorKind) {
        self.trap = Some(ExecError::new(pc as usize, kind));
        ctx.outcome.fault = FaultCode::Host as u64;
        ctx.outcome.pc = u64::from(pc);
    }
}

/// The region `[addr, addr + size)` lies in, as the interpreter's table would find it:
/// any region for a read, a writable one for a write; `None` for the stack, which
/// windows may not cache.
fn find_region(
    memory: &RegionTable<'_>,
    addr: u64,
    size: u64,
    store: bool,
) -> Result<Option<(u64, u64)>, MemoryError> {
    let stack = memory.stack().map(|s| s.region().0);
    let regions = memory.regions();
    let fits = |r: &&Region| r.offset_of(addr, size).is_some();
    let mut candidates = regions
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != stack);
    if let Some((_, r)) = candidates.find(|(_, r)| fits(r) && (!store || r.writable())) {
        return Ok(Some((r.addr(), r.len())));
    }
    let elsewhere = regions
        .iter()
        .enumerate()
        .any(|(i, r)| Some(i) != stack && fits(&r));
    Err(if store && elsewhere {
        MemoryError::ReadOnly { addr, size }
    } else {
        MemoryError::OutOfBounds {
            addr,
            size,
            write: store,
        }
    })
}
