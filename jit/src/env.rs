//! The Rust side of a run: what the trampolines in [`crate::call`] do once they have
//! turned the raw context pointer back into references.

use crate::context::{JitContext, RegionWindow};
use crate::fault::{unpack_miss, unpack_packet, FaultCode};
use ferrobpf_vm::helpers::{HelperContext, HelperRegistry};
use ferrobpf_vm::interp::{ExecError, ExecErrorKind};
use ferrobpf_vm::memory::{RegionId, RegionTable};

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
    /// After a window miss: finds the region of the access as the interpreter's table
    /// does (its stack region set to the live frames) and refreshes the window, or
    /// records the fault the interpreter would report. The live stack is never
    /// cached (its bottom moves with the call depth): generated code checks it
    /// before calling here.
    pub fn lookup(&mut self, ctx: &mut JitContext, addr: u64, packed: u64) {
        let (pc, store, log2) = unpack_miss(packed);
        let size = 1u64 << log2;
        self.memory.set_stack_depth(ctx.depth as usize);
        let stack = self.memory.stack().map(|s| s.region());
        let id = match self.memory.locate(addr, size, store) {
            Ok(id) if Some(id) != stack => id,
            Ok(_) => return,
            Err(e) => return self.fault(ctx, pc, e.into()),
        };
        let window = self
            .memory
            .region(id)
            .and_then(|r| RegionWindow::new(r.addr(), r.len(), size));
        let windows = if store {
            &mut ctx.store_window
        } else {
            &mut ctx.load_window
        };
        if let Some((w, window)) = windows.get_mut(usize::from(log2)).zip(window) {
            *w = window;
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
        let offset = i64::from(index.wrapping_add(imm as i64 as u64) as i32);
        let m = &*self.memory;
        let value = match log2 {
            0 => m.packet_load::<u8>(self.packet, offset),
            1 => m.packet_load::<u16>(self.packet, offset),
            2 => m.packet_load::<u32>(self.packet, offset),
            _ => m.packet_load::<u64>(self.packet, offset),
        };
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
