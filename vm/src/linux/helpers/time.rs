//! Clocks, random numbers and the CPU number.

use super::HelperEnv;
use crate::helpers::{HelperContext, HelperError};
use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

/// `bpf_ktime_get_ns()`: monotonic nanoseconds.
pub(super) fn ktime_get_ns(
    env: &HelperEnv,
    _: &mut HelperContext<'_, '_>,
    _: [u64; 5],
) -> Result<u64, HelperError> {
    Ok(monotonic(env))
}

/// `bpf_ktime_get_boot_ns()`: nanoseconds since boot (the monotonic clock unless
/// the host says otherwise).
pub(super) fn ktime_get_boot_ns(
    env: &HelperEnv,
    _: &mut HelperContext<'_, '_>,
    _: [u64; 5],
) -> Result<u64, HelperError> {
    Ok(match &env.hooks.boot_ns {
        Some(clock) => clock(),
        None => monotonic(env),
    })
}

fn monotonic(env: &HelperEnv) -> u64 {
    match &env.hooks.monotonic_ns {
        Some(clock) => clock(),
        None => u64::try_from(env.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX),
    }
}

thread_local! {
    static XORSHIFT: Cell<u64> = Cell::new(RandomState::new().hash_one(0u8) | 1);
}

/// `bpf_get_prandom_u32()`.
pub(super) fn get_prandom_u32(
    env: &HelperEnv,
    _: &mut HelperContext<'_, '_>,
    _: [u64; 5],
) -> Result<u64, HelperError> {
    if let Some(random) = &env.hooks.random {
        return Ok(u64::from(random()));
    }
    Ok(XORSHIFT.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        u64::from((x >> 32) as u32)
    }))
}

/// `bpf_get_smp_processor_id()`: the CPU the run is on.
pub(super) fn get_smp_processor_id(
    env: &HelperEnv,
    _: &mut HelperContext<'_, '_>,
    _: [u64; 5],
) -> Result<u64, HelperError> {
    Ok(u64::from(env.cpu()))
}
