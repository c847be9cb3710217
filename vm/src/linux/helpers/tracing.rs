//! Tracing helpers: perf counters, stacks, return overrides.

use super::common::{
    clear, err, map_arg, perf_index, write_bytes, BPF_F_INDEX_MASK, EFAULT, EINVAL, ENOENT,
};
use super::HelperEnv;
use crate::helpers::{HelperContext, HelperError};
use crate::linux::hooks::StackKind;
use crate::linux::run_state;
use crate::maps::perf::CounterValue;

/// `sizeof(struct bpf_perf_event_value)`.
const VALUE_SIZE: u64 = 24;

/// The counter at the index `flags` selects.
fn counter(
    env: &HelperEnv,
    handle: u64,
    flags: u64,
) -> Result<Result<CounterValue, u64>, HelperError> {
    let map = map_arg(env, handle, 1)?;
    if flags & !BPF_F_INDEX_MASK != 0 {
        return Ok(Err(crate::maps::neg_errno(EINVAL)));
    }
    let Some(perf) = map.perf_event_array() else {
        return Ok(Err(crate::maps::neg_errno(EINVAL)));
    };
    Ok(perf.read(perf_index(env, flags)).map_err(|e| e.to_return()))
}

/// `bpf_perf_event_read(map, flags)`: the counter's value, or `-errno`.
pub(super) fn perf_event_read(
    env: &HelperEnv,
    _: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    Ok(match counter(env, a[0], a[1])? {
        Ok(v) => v.counter,
        Err(e) => e,
    })
}

fn value_bytes(v: CounterValue) -> [u8; 24] {
    let mut b = [0u8; 24];
    b[..8].copy_from_slice(&v.counter.to_le_bytes());
    b[8..16].copy_from_slice(&v.enabled.to_le_bytes());
    b[16..].copy_from_slice(&v.running.to_le_bytes());
    b
}

/// `bpf_perf_event_read_value(map, flags, buf, size)`: fills
/// `struct bpf_perf_event_value`; the buffer is zeroed on error.
pub(super) fn perf_event_read_value(
    env: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let result = if a[3] == VALUE_SIZE {
        counter(env, a[0], a[1])?
    } else {
        Err(crate::maps::neg_errno(EINVAL))
    };
    match result {
        Ok(v) => {
            write_bytes(ctx, a[2], &value_bytes(v))?;
            Ok(0)
        }
        Err(e) => {
            clear(ctx, a[2], a[3])?;
            Ok(e)
        }
    }
}

/// `bpf_perf_prog_read_value(ctx, buf, size)`: the counter of the event that
/// triggered the run (given by the host with the run).
pub(super) fn perf_prog_read_value(
    _: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let value = run_state::with(|s| s.perf_value).flatten();
    match value {
        Some(v) if a[2] == VALUE_SIZE => {
            write_bytes(ctx, a[1], &value_bytes(v))?;
            Ok(0)
        }
        other => {
            clear(ctx, a[1], a[2])?;
            err(if other.is_none() { ENOENT } else { EINVAL })
        }
    }
}

/// `BPF_F_SKIP_FIELD_MASK`: frames to skip.
const SKIP_MASK: u64 = 0xff;
/// `BPF_F_USER_STACK`.
const USER_STACK: u64 = 1 << 8;
/// `BPF_F_FAST_STACK_CMP`.
const FAST_CMP: u64 = 1 << 9;
/// `BPF_F_REUSE_STACKID`.
const REUSE: u64 = 1 << 10;

/// `bpf_get_stackid(ctx, map, flags)`: stores the current stack (from the host's
/// stack hook) and returns its id; `-EFAULT` when there is no stack.
pub(super) fn get_stackid(
    env: &HelperEnv,
    _: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let map = map_arg(env, a[1], 2)?;
    let flags = a[2];
    if flags & !(SKIP_MASK | USER_STACK | FAST_CMP | REUSE) != 0 {
        return err(EINVAL);
    }
    let Some(store) = map.stack_trace() else {
        return err(EINVAL);
    };
    let kind = if flags & USER_STACK != 0 {
        StackKind::User
    } else {
        StackKind::Kernel
    };
    let stack = env.hooks.stack.as_ref().and_then(|walk| walk(kind));
    let Some(stack) = stack else {
        return err(EFAULT);
    };
    let skip = (flags & SKIP_MASK) as usize;
    let Some(frames) = stack.get(skip..).filter(|f| !f.is_empty()) else {
        return err(EFAULT);
    };
    Ok(match store.store(frames, flags) {
        Ok(id) => u64::from(id),
        Err(e) => e.to_return(),
    })
}

/// `bpf_override_return(regs, rc)`: records the return value the probed function
/// should have; the host reads it after the run.
pub(super) fn override_return(
    _: &HelperEnv,
    _: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    run_state::with(|s| s.override_return = Some(a[1]));
    Ok(0)
}
