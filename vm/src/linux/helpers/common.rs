//! Argument decoding shared by the helpers.

use super::HelperEnv;
use crate::helpers::{HelperContext, HelperError};
use crate::maps::{neg_errno, Map, MapError};
use std::sync::Arc;

/// `EFAULT`.
pub(crate) const EFAULT: i32 = 14;
/// `EINVAL`.
pub(crate) const EINVAL: i32 = 22;
/// `ENOENT`.
pub(crate) const ENOENT: i32 = 2;
/// `EPERM`.
pub(crate) const EPERM: i32 = 1;
/// `E2BIG`.
pub(crate) const E2BIG: i32 = 7;
/// `EAGAIN`.
pub(crate) const EAGAIN: i32 = 11;
/// `ENOMEM`.
pub(crate) const ENOMEM: i32 = 12;
/// `EACCES`.
pub(crate) const EACCES: i32 = 13;
/// `ENODEV`.
pub(crate) const ENODEV: i32 = 19;
/// `ENOTSUPP` (the kernel-internal 524).
pub(crate) const ENOTSUPP: i32 = 524;

/// `BPF_F_INDEX_MASK`: the index part of perf-event flags.
pub(crate) const BPF_F_INDEX_MASK: u64 = 0xffff_ffff;
/// `BPF_F_CURRENT_CPU`: "the running CPU" as a perf-event index.
pub(crate) const BPF_F_CURRENT_CPU: u64 = BPF_F_INDEX_MASK;

/// `-errno` as a helper result.
pub(crate) fn err(errno: i32) -> Result<u64, HelperError> {
    Ok(neg_errno(errno))
}

/// A map operation's result as the program sees it: 0 or `-errno`.
pub(crate) fn status(r: Result<(), MapError>) -> Result<u64, HelperError> {
    Ok(match r {
        Ok(()) => 0,
        Err(e) => e.to_return(),
    })
}

/// The map a handle argument (`r{index}`) names.
pub(crate) fn map_arg(env: &HelperEnv, handle: u64, index: u8) -> Result<&Arc<Map>, HelperError> {
    env.maps
        .by_handle(handle)
        .ok_or(HelperError::InvalidArgument {
            index,
            value: handle,
        })
}

/// A copy of `len` guest bytes at `addr`.
pub(crate) fn read_bytes(
    ctx: &HelperContext<'_, '_>,
    addr: u64,
    len: u64,
) -> Result<Vec<u8>, HelperError> {
    Ok(ctx.bytes(addr, len)?.to_vec())
}

/// Copies `data` to guest memory at `addr`.
pub(crate) fn write_bytes(
    ctx: &mut HelperContext<'_, '_>,
    addr: u64,
    data: &[u8],
) -> Result<(), HelperError> {
    ctx.bytes_mut(addr, data.len() as u64)?
        .copy_from_slice(data);
    Ok(())
}

/// Zeroes `len` guest bytes at `addr` (the kernel clears output buffers on error).
pub(crate) fn clear(
    ctx: &mut HelperContext<'_, '_>,
    addr: u64,
    len: u64,
) -> Result<(), HelperError> {
    ctx.bytes_mut(addr, len)?.fill(0);
    Ok(())
}

/// The index a perf-event `flags` argument selects (the running CPU for
/// `BPF_F_CURRENT_CPU`).
pub(crate) fn perf_index(env: &HelperEnv, flags: u64) -> u32 {
    match flags & BPF_F_INDEX_MASK {
        BPF_F_CURRENT_CPU => env.cpu(),
        i => i as u32,
    }
}
