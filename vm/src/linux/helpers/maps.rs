//! The map helpers: lookup, update, delete, push, pop, peek.

use super::common::{map_arg, read_bytes, status, write_bytes};
use super::HelperEnv;
use crate::helpers::{HelperContext, HelperError};
use crate::maps::Found;

/// `bpf_map_lookup_elem(map, key)`: the value's address, an inner map's handle, or
/// 0 (absent, or a map type programs cannot look up).
pub(super) fn lookup(
    env: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let map = map_arg(env, a[0], 1)?;
    let key = read_bytes(ctx, a[1], u64::from(map.spec().key_size))?;
    Ok(match map.lookup_for_program(&key, env.cpu()) {
        Ok(Some(Found::Value(addr))) => addr,
        Ok(Some(Found::Map(id))) => id.handle(),
        Ok(None) | Err(_) => 0,
    })
}

/// `bpf_map_update_elem(map, key, value, flags)`.
pub(super) fn update(
    env: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let map = map_arg(env, a[0], 1)?;
    let spec = map.spec();
    let key = read_bytes(ctx, a[1], u64::from(spec.key_size))?;
    let value = read_bytes(ctx, a[2], u64::from(spec.value_size))?;
    status(map.update_from_program(&key, &value, a[3], env.cpu()))
}

/// `bpf_map_delete_elem(map, key)`.
pub(super) fn delete(
    env: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let map = map_arg(env, a[0], 1)?;
    let key = read_bytes(ctx, a[1], u64::from(map.spec().key_size))?;
    status(map.delete_from_program(&key))
}

/// `bpf_map_push_elem(map, value, flags)`.
pub(super) fn push(
    env: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let map = map_arg(env, a[0], 1)?;
    let value = read_bytes(ctx, a[1], u64::from(map.spec().value_size))?;
    status(map.push(&value, a[2]))
}

/// `bpf_map_pop_elem(map, value)`: copies the next value out and removes it.
pub(super) fn pop(
    env: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let map = map_arg(env, a[0], 1)?;
    copy_out(ctx, a[1], map.pop())
}

/// `bpf_map_peek_elem(map, value)`: copies the next value out.
pub(super) fn peek(
    env: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let map = map_arg(env, a[0], 1)?;
    copy_out(ctx, a[1], map.peek())
}

fn copy_out(
    ctx: &mut HelperContext<'_, '_>,
    to: u64,
    value: Result<Vec<u8>, crate::maps::MapError>,
) -> Result<u64, HelperError> {
    match value {
        Ok(v) => {
            write_bytes(ctx, to, &v)?;
            Ok(0)
        }
        Err(e) => Ok(e.to_return()),
    }
}
