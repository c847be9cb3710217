//! Running a Linux program over its context: building the run's regions (the
//! context, the packet, every map's values), keeping the per-run state, and
//! following tail calls.
//!
//! The engine that executes instructions (interpreter or JIT) is the caller's
//! [`Engine`]; a scheduled tail call ends the current program (see
//! [`prepare::stubs`](super::prepare::stubs)) and the run functions then ask the engine
//! for the target, with the same context and packet, until a program returns
//! without one.

use super::context::{skb, xdp, Packet, SkbMeta, XdpMeta};
use super::run_state::{self, ContextFields, PacketKind, PacketState, RunState};
use crate::interp::{ExecError, RunInput};
use crate::maps::perf::CounterValue;
use crate::maps::MapTable;
use crate::memory::{RegionId, RegionKind, RegionTable};

/// Why a run failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// The program faulted.
    #[error(transparent)]
    Exec(#[from] ExecError),
    /// A tail call named a program the host does not have.
    #[error("tail call to program {0}, which does not exist")]
    NoProgram(u32),
    /// The packet's positions after the run are inconsistent.
    #[error("the packet's positions are out of the buffer after the run")]
    PacketState,
}

/// Executes programs: the one the run started with (`None`) or a tail call's
/// target (its id in the program array). Returns r0.
pub trait Engine {
    /// Runs `program` over `input`.
    fn run(&mut self, program: Option<u32>, input: RunInput<'_>) -> Result<u64, RunError>;
}

/// The result of a run.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// r0 of the last program that ran.
    pub value: u64,
    /// The run's final state: redirect, clones, tail calls taken, ...
    pub state: RunState,
}

/// Adds every map's value memory as a region.
fn add_maps<'a>(table: &mut RegionTable<'a>, maps: &'a MapTable) {
    for (_, map) in maps.iter() {
        if let Some(s) = map.storage() {
            table.add_shared(RegionKind::MapValue, s.memory, s.writable);
        }
    }
}

/// The input of a run over `memory` and every map, with r1 = `ctx`.
fn input<'a>(
    mut memory: RegionTable<'a>,
    maps: &'a MapTable,
    ctx: u64,
    packet: Option<RegionId>,
) -> RunInput<'a> {
    add_maps(&mut memory, maps);
    RunInput {
        memory,
        args: [ctx, 0, 0, 0, 0],
        packet,
    }
}

/// Runs `each(program)` with the state current, following tail calls.
fn drive(
    maps: &MapTable,
    mut state: RunState,
    mut each: impl FnMut(Option<u32>) -> Result<u64, RunError>,
) -> Result<Outcome, RunError> {
    let mut program = None;
    loop {
        let guard = run_state::enter(state);
        let result = each(program);
        state = guard.finish();
        let value = match result {
            Ok(v) => v,
            Err(e) => {
                release(maps, &mut state);
                return Err(e);
            }
        };
        match state.tail_call.take() {
            Some(next) => program = Some(next),
            None => {
                release(maps, &mut state);
                return Ok(Outcome { value, state });
            }
        }
    }
}

/// Discards ring buffer records the run reserved and never submitted.
fn release(maps: &MapTable, state: &mut RunState) {
    for (id, addr) in state.reservations.drain(..) {
        if let Some(rb) = maps.get(id).and_then(|m| m.ring_buf()) {
            rb.discard_all(&[addr]);
        }
    }
}

/// Runs an XDP program over `packet`; r0 is the XDP action. The packet's
/// positions follow `bpf_xdp_adjust_head/tail/meta`.
pub fn run_xdp(
    maps: &MapTable,
    engine: &mut dyn Engine,
    packet: &mut Packet,
    meta: &XdpMeta,
) -> Result<Outcome, RunError> {
    let (buf, positions, end, reserve, floor) = packet.parts();
    let frame = buf.as_ptr() as u64;
    let p = PacketState {
        kind: PacketKind::Xdp,
        frame,
        limit: frame + (buf.len() - reserve) as u64,
        meta: frame + positions.start as u64,
        data: frame + positions.end as u64,
        data_end: frame + end as u64,
        floor: frame + floor as u64,
        bounds: [frame; 4],
    };
    let mut ctx = xdp::context(meta, p.meta, p.data, p.data_end);
    let ctx_addr = ctx.as_ptr() as u64;
    let state = RunState {
        ctx: ctx_addr,
        packet: Some(p),
        fields: ContextFields {
            data: Some(xdp::DATA_PTR),
            data_end: Some(xdp::DATA_END_PTR),
            meta: Some(xdp::META_PTR),
            ..ContextFields::default()
        },
        ..RunState::default()
    };
    let outcome = drive(maps, state, |program| {
        let mut memory = RegionTable::new();
        memory.add_writable(RegionKind::Input, &mut ctx);
        memory.add_writable(RegionKind::Packet, &mut *buf);
        engine.run(program, input(memory, maps, ctx_addr, None))
    })?;
    let p = outcome.state.packet.ok_or(RunError::PacketState)?;
    let off = |a: u64| a.checked_sub(frame).and_then(|o| usize::try_from(o).ok());
    match (off(p.meta), off(p.data), off(p.data_end)) {
        (Some(m), Some(d), Some(e)) if packet.set_positions(m, d, e) => Ok(outcome),
        _ => Err(RunError::PacketState),
    }
}

/// Runs a socket-buffer program (socket filter, tc, cgroup skb) over `packet`;
/// `meta` gives the other fields and receives those the program changed. Legacy
/// packet loads (`LD_ABS`/`LD_IND`) read the packet as it was when each program
/// (of a tail-call chain) started.
pub fn run_skb(
    maps: &MapTable,
    engine: &mut dyn Engine,
    packet: &mut Packet,
    meta: &mut SkbMeta,
) -> Result<Outcome, RunError> {
    let (buf, positions, end, _, _) = packet.parts();
    let frame = buf.as_ptr() as u64;
    let (data, frame_len) = (positions.end, buf.len());
    let p = PacketState {
        kind: PacketKind::Skb,
        frame,
        limit: frame + frame_len as u64,
        meta: frame + data as u64,
        data: frame + data as u64,
        data_end: frame + end as u64,
        floor: frame,
        bounds: [frame; 4],
    };
    let mut ctx = skb::context(meta, &buf[data..end], p.data, p.data_end);
    let ctx_addr = ctx.as_ptr() as u64;
    let state = RunState {
        ctx: ctx_addr,
        packet: Some(p),
        fields: ContextFields {
            data: Some(skb::DATA_PTR),
            data_end: Some(skb::DATA_END_PTR),
            meta: Some(skb::META_PTR),
            len: Some(skb::LEN),
            protocol: Some(skb::PROTOCOL),
            vlan: Some(skb::VLAN_PRESENT),
            hash: Some(skb::HASH),
        },
        vlan: meta.vlan,
        tunnel: meta.tunnel.clone(),
        ..RunState::default()
    };
    let outcome = drive(maps, state, |program| {
        // Three regions, split where the packet is now: headroom, packet (what
        // legacy loads read), tailroom.
        let now = run_state::with(|s| s.packet).flatten().unwrap_or(p);
        let at = |a: u64| (a.saturating_sub(frame) as usize).min(frame_len);
        let (d, e) = (at(now.data), at(now.data_end).max(at(now.data)));
        run_state::with(|s| {
            if let Some(q) = s.packet.as_mut() {
                q.bounds = [
                    frame,
                    frame + d as u64,
                    frame + e as u64,
                    frame + frame_len as u64,
                ];
            }
        });
        let (head, rest) = buf.split_at_mut(d);
        let (pkt, tail) = rest.split_at_mut(e - d);
        let mut memory = RegionTable::new();
        memory.add_writable(RegionKind::Input, &mut ctx);
        let packet_region = memory.add_writable(RegionKind::Packet, pkt);
        for part in [head, tail] {
            if !part.is_empty() {
                memory.add_writable(RegionKind::Packet, part);
            }
        }
        engine.run(program, input(memory, maps, ctx_addr, Some(packet_region)))
    })?;
    skb::read_back(meta, &ctx);
    meta.vlan = outcome.state.vlan;
    meta.tunnel.clone_from(&outcome.state.tunnel);
    let p = outcome.state.packet.ok_or(RunError::PacketState)?;
    let off = |a: u64| a.checked_sub(frame).and_then(|o| usize::try_from(o).ok());
    match (off(p.data), off(p.data_end)) {
        (Some(d), Some(e)) if packet.set_positions(d, d, e) => Ok(outcome),
        _ => Err(RunError::PacketState),
    }
}

/// Runs a program whose context is a host blob (kprobe `pt_regs`, tracepoint
/// record, perf event data, host-defined types); `writable`: whether the program
/// may write it. `perf_value` is the triggering event's counter, for
/// `bpf_perf_prog_read_value`. An empty blob gives r1 = 0.
pub fn run_blob(
    maps: &MapTable,
    engine: &mut dyn Engine,
    ctx: &mut [u8],
    writable: bool,
    perf_value: Option<CounterValue>,
) -> Result<Outcome, RunError> {
    let ctx_addr = if ctx.is_empty() {
        0
    } else {
        ctx.as_ptr() as u64
    };
    let state = RunState {
        ctx: ctx_addr,
        perf_value,
        ..RunState::default()
    };
    drive(maps, state, |program| {
        let mut memory = RegionTable::new();
        if !ctx.is_empty() {
            if writable {
                memory.add_writable(RegionKind::Input, &mut *ctx);
            } else {
                memory.add_readonly(RegionKind::Input, &*ctx);
            }
        }
        engine.run(program, input(memory, maps, ctx_addr, None))
    })
}

/// Runs a program with the plain-memory ABI (r1 = the memory's address, r2 = its
/// length; the memory is also what legacy packet loads read), with the maps.
pub fn run_memory(
    maps: &MapTable,
    engine: &mut dyn Engine,
    mem: &mut [u8],
) -> Result<Outcome, RunError> {
    drive(maps, RunState::default(), |program| {
        let mut input = RunInput::for_memory(&mut *mem);
        add_maps(&mut input.memory, maps);
        engine.run(program, input)
    })
}
