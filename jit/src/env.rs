//! The Rust side of a run: what the trampolines in [`crate::call`] do once they have
//! turned the raw context pointer back into references.

use crate::context::{JitContext, RegionWindow};
use crate::fault::{unpack_miss, unpack_packet, FaultCode};
use crate::trap::{Trap, TrapKind};
use ferrobpf_vm::helpers::{HelperContext, HelperRegistry};
use ferrobpf_vm::memory::{MemoryError, RegionKind, RegionTable};

/// Memory and helpers of one run, plus the trap a trampoline raised.
pub(crate) struct Env<'m, 'a> {
    /// The run's regions (the same table the interpreter checks against).
    pub memory: &'m mut RegionTable<'a>,
    /// The host's helpers.
    pub helpers: &'m HelperRegistry,
    /// Set when a trampoline faults; generated code then leaves through the fault exit.
    pub trap: Option<Trap>,
}

impl Env<'_, '_> {
    /// After a window miss: finds the region of the access and refreshes the window,
    /// or records the fault the interpreter would report.
    pub fn lookup(&mut self, ctx: &mut JitContext, addr: u64, packed: u64) {
        let (pc, store, log2) = unpack_miss(packed);
        let size = 1u64 << log2;
        let found = find_region(self.memory, addr, size, store);
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
            Err(e) => self.fault(ctx, pc, TrapKind::Memory(e)),
        }
    }

    /// Calls helper `id` with r1-r5 from the context block; returns r0.
    pub fn call_helper(&mut self, ctx: &mut JitContext, id: u64, pc: u64) -> u64 {
        let pc = pc as u32;
        let Some(helper) = u32::try_from(id).ok().and_then(|i| self.helpers.get(i)) else {
            self.fault(ctx, pc, TrapKind::UnknownHelper(id));
            return 0;
        };
        let mut hctx = HelperContext::new(self.memory);
        match helper.call(&mut hctx, ctx.args) {
            Ok(r0) => r0,
            Err(error) => {
                self.fault(
                    ctx,
                    pc,
                    TrapKind::Helper {
                        id: id as u32,
                        error,
                    },
                );
                0
            }
        }
    }

    /// Legacy packet load: big-endian `size` bytes at `index + imm` into the packet.
    pub fn packet_load(&mut self, ctx: &mut JitContext, index: u64, packed: u64) -> u64 {
        let (pc, log2, imm) = unpack_packet(packed);
        let size = 1u64 << log2;
        let offset = index.wrapping_add(imm as i64 as u64);
        let packet = self
            .memory
            .regions()
            .iter()
            .find(|r| r.kind() == RegionKind::Packet)
            .or_else(|| {
                self.memory
                    .regions()
                    .iter()
                    .find(|r| r.kind() == RegionKind::Input)
            })
            .map(|r| r.addr());
        let addr = packet.unwrap_or(0).wrapping_add(offset);
        match self.memory.bytes(addr, size) {
            Ok(bytes) => bytes.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b)),
            Err(e) => {
                self.fault(ctx, pc, TrapKind::Memory(e));
                0
            }
        }
    }

    fn fault(&mut self, ctx: &mut JitContext, pc: u32, kind: TrapKind) {
        self.trap = Some(Trap {
            pc: pc as usize,
            kind,
        });
        ctx.outcome.fault = FaultCode::Host as u64;
        ctx.outcome.pc = u64::from(pc);
    }
}

/// The region `[addr, addr + size)` lies in, as the interpreter's table would find it:
/// any region for a read, a writable one for a write.
fn find_region(
    memory: &RegionTable<'_>,
    addr: u64,
    size: u64,
    store: bool,
) -> Result<(u64, u64), MemoryError> {
    let regions = memory.regions();
    let fits = |r: &&ferrobpf_vm::memory::Region| r.offset_of(addr, size).is_some();
    if let Some(r) = regions.iter().filter(fits).find(|r| !store || r.writable()) {
        return Ok((r.addr(), r.len()));
    }
    Err(if store && regions.iter().any(|r| fits(&r)) {
        MemoryError::ReadOnly { addr, size }
    } else {
        MemoryError::OutOfBounds {
            addr,
            size,
            write: store,
        }
    })
}
