//! Output to the host: perf event arrays and ring buffers.

use super::common::{err, map_arg, perf_index, read_bytes, EAGAIN, EFAULT, EINVAL};
use super::HelperEnv;
use crate::helpers::{HelperContext, HelperError};
use crate::linux::run_state;
use crate::maps::{MapError, MapId};

/// `BPF_F_CTXLEN_MASK`: how many packet bytes to append (socket-buffer and XDP
/// programs).
const BPF_F_CTXLEN_MASK: u64 = 0xf_ffff << 32;
/// `BPF_F_INDEX_MASK`.
const BPF_F_INDEX_MASK: u64 = 0xffff_ffff;

/// `bpf_perf_event_output(ctx, map, flags, data, size)`: hands `data` (followed, for
/// packet programs, by the first `flags >> 32` bytes of the packet) to the host's
/// sink at the selected index.
pub(super) fn perf_event_output(
    env: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let map = map_arg(env, a[1], 2)?;
    let flags = a[2];
    let packet = run_state::with(|s| s.packet).flatten();
    let allowed = if packet.is_some() {
        BPF_F_INDEX_MASK | BPF_F_CTXLEN_MASK
    } else {
        BPF_F_INDEX_MASK
    };
    if flags & !allowed != 0 {
        return err(EINVAL);
    }
    let Some(perf) = map.perf_event_array() else {
        return err(EINVAL);
    };
    let mut record = read_bytes(ctx, a[3], a[4])?;
    let ctx_len = (flags & BPF_F_CTXLEN_MASK) >> 32;
    if let (Some(p), true) = (packet, ctx_len > 0) {
        if ctx_len > p.data_end.saturating_sub(p.data) {
            return err(EFAULT);
        }
        record.extend_from_slice(ctx.bytes(p.data, ctx_len)?);
    }
    Ok(match perf.output(perf_index(env, flags), &record) {
        Ok(()) => 0,
        Err(e) => e.to_return(),
    })
}

/// `bpf_ringbuf_output(ringbuf, data, size, flags)`.
pub(super) fn ringbuf_output(
    env: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let map = map_arg(env, a[0], 1)?;
    let Some(rb) = map.ring_buf() else {
        return err(EINVAL);
    };
    if a[3] & !3 != 0 {
        return err(EINVAL);
    }
    let data = read_bytes(ctx, a[1], a[2])?;
    match rb.output(&data, a[3]) {
        Ok(()) => Ok(0),
        Err(MapError::NoSpace) => err(EAGAIN),
        Err(e) => Ok(e.to_return()),
    }
}

/// `bpf_ringbuf_reserve(ringbuf, size, flags)`: the record's address, or 0.
pub(super) fn ringbuf_reserve(
    env: &HelperEnv,
    _: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let map = map_arg(env, a[0], 1)?;
    let (Some(rb), 0) = (map.ring_buf(), a[2]) else {
        return Ok(0);
    };
    let Ok(addr) = rb.reserve(a[1]) else {
        return Ok(0);
    };
    if let Some(id) = MapId::from_handle(a[0]) {
        run_state::with(|s| s.reservations.push((id, addr)));
    }
    Ok(addr)
}

/// `bpf_ringbuf_submit(data, flags)`.
pub(super) fn ringbuf_submit(
    env: &HelperEnv,
    _: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    release(env, a[0], false, a[1])
}

/// `bpf_ringbuf_discard(data, flags)`.
pub(super) fn ringbuf_discard(
    env: &HelperEnv,
    _: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    release(env, a[0], true, a[1])
}

/// Submits or discards the record at `addr`, reserved by this run.
fn release(env: &HelperEnv, addr: u64, discard: bool, flags: u64) -> Result<u64, HelperError> {
    let bad = HelperError::InvalidArgument {
        index: 1,
        value: addr,
    };
    let map = run_state::with(|s| {
        let i = s.reservations.iter().position(|&(_, a)| a == addr)?;
        Some(s.reservations.swap_remove(i).0)
    })
    .flatten()
    .ok_or_else(|| bad.clone())?;
    let rb = env
        .maps
        .get(map)
        .and_then(|m| m.ring_buf())
        .ok_or_else(|| bad.clone())?;
    rb.submit(addr, discard, flags).map_err(|_| bad)?;
    Ok(0)
}

/// `bpf_ringbuf_query(ringbuf, flags)`.
pub(super) fn ringbuf_query(
    env: &HelperEnv,
    _: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let map = map_arg(env, a[0], 1)?;
    Ok(map.ring_buf().map_or(0, |rb| rb.query(a[1])))
}
