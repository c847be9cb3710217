//! The helpers behind the code the loader adds for `bpf_tail_call` and
//! `bpf_for_each_map_elem` ([`prepare`](mod@crate::linux::prepare)). Their ids lie in a
//! range Linux does not use; programs may not call them directly (loading refuses
//! it).

use super::common::{err, map_arg, write_bytes, EINVAL, ENOENT};
use super::protos::LinuxHelper;
use super::HelperEnv;
use crate::helpers::ArgKind::*;
use crate::helpers::{HelperContext, HelperError, ReturnKind};
use crate::linux::run_state;
use crate::maps::MapType;

/// First id of the internal range.
pub const FIRST_INTERNAL_ID: u32 = 0x7fff_ff00;
/// `(map, cursor *, key buffer, key buffer size)`: the value address of the
/// element at or after `*cursor` (its key copied to the buffer, the cursor
/// advanced), or 0 when there is none.
pub const FOR_EACH_NEXT: u32 = FIRST_INTERNAL_ID + 1;
/// `(ctx, program array, index)`: 0 when the tail call is scheduled, else
/// `-errno` (the program then goes on).
pub const TAIL_CALL: u32 = FIRST_INTERNAL_ID + 2;
/// The kernel's `MAX_TAIL_CALL_CNT`: at most this many tail calls per run.
pub const MAX_TAIL_CALLS: u32 = 33;

/// Whether `id` is in the internal range.
pub fn is_internal(id: u32) -> bool {
    id >= FIRST_INTERNAL_ID
}

/// The internal helpers.
pub const HELPERS: &[LinuxHelper] = &[
    LinuxHelper {
        id: FOR_EACH_NEXT,
        name: "ferrobpf_for_each_next",
        args: &[Map, Anything, WritableMem, ConstSize],
        ret: ReturnKind::Scalar,
        imp: for_each_next,
    },
    LinuxHelper {
        id: TAIL_CALL,
        name: "ferrobpf_tail_call",
        args: &[Context, Map, Anything],
        ret: ReturnKind::Scalar,
        imp: tail_call,
    },
];

/// The registry entry of a helper run by added code, reached only by a program
/// that was not prepared (e.g. through `callx`).
pub(super) fn not_prepared(
    _: &HelperEnv,
    _: &mut HelperContext<'_, '_>,
    _: [u64; 5],
) -> Result<u64, HelperError> {
    Err(HelperError::Failed(
        "this helper calls back into the program: load the program through \
         linux::prepare"
            .into(),
    ))
}

fn for_each_next(
    env: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let map = map_arg(env, a[0], 1)?;
    let cursor = ctx.read::<u64>(a[1])?;
    let Ok(cursor32) = u32::try_from(cursor) else {
        return Ok(0);
    };
    let element =
        map.element_from(cursor32, env.cpu())
            .map_err(|_| HelperError::InvalidArgument {
                index: 1,
                value: a[0],
            })?;
    let Some((next, key, value)) = element else {
        return Ok(0);
    };
    if key.len() as u64 > a[3] {
        return Err(HelperError::Failed(format!(
            "for_each_map_elem: {}-byte keys do not fit the callback's key buffer",
            key.len()
        )));
    }
    write_bytes(ctx, a[2], &key)?;
    ctx.write::<u64>(a[1], u64::from(next))?;
    Ok(value)
}

fn tail_call(
    env: &HelperEnv,
    _: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let map = map_arg(env, a[1], 2)?;
    if map.map_type() != MapType::ProgArray {
        return err(EINVAL);
    }
    let Ok(Some(program)) = map.id_at(&(a[2] as u32).to_le_bytes()) else {
        return err(ENOENT);
    };
    let scheduled = run_state::with(|s| {
        if s.tail_calls >= MAX_TAIL_CALLS {
            return false;
        }
        s.tail_calls += 1;
        s.tail_call = Some(program as u32);
        true
    });
    if scheduled == Some(true) {
        Ok(0)
    } else {
        err(ENOENT)
    }
}
