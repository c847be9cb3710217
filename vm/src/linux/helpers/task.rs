//! The current task, kernel and user memory, cgroups: answered by the host's hooks.

use super::common::{
    clear, err, map_arg, read_bytes, write_bytes, E2BIG, EAGAIN, EFAULT, EINVAL, ENOENT, EPERM,
};
use super::HelperEnv;
use crate::helpers::{HelperContext, HelperError};
use crate::linux::hooks::{AddressSpace, CgroupSubject, Task};

fn task(env: &HelperEnv) -> Option<Task> {
    env.hooks.task.as_ref().and_then(|t| t())
}

/// `bpf_get_current_pid_tgid()`: `tgid << 32 | pid`, `-EINVAL` without a task.
pub(super) fn get_current_pid_tgid(
    env: &HelperEnv,
    _: &mut HelperContext<'_, '_>,
    _: [u64; 5],
) -> Result<u64, HelperError> {
    match task(env) {
        Some(t) => Ok(u64::from(t.tgid) << 32 | u64::from(t.pid)),
        None => err(EINVAL),
    }
}

/// `bpf_get_current_uid_gid()`: `gid << 32 | uid`, `-EINVAL` without a task.
pub(super) fn get_current_uid_gid(
    env: &HelperEnv,
    _: &mut HelperContext<'_, '_>,
    _: [u64; 5],
) -> Result<u64, HelperError> {
    match task(env) {
        Some(t) => Ok(u64::from(t.gid) << 32 | u64::from(t.uid)),
        None => err(EINVAL),
    }
}

/// `bpf_get_current_comm(buf, size)`: the NUL-terminated command name (truncated to
/// the buffer); the buffer is zeroed and `-EINVAL` returned without a task.
pub(super) fn get_current_comm(
    env: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let buf = ctx.bytes_mut(a[0], a[1])?;
    buf.fill(0);
    let Some(t) = task(env) else {
        return err(EINVAL);
    };
    // The kernel's comm is at most 15 characters plus the NUL.
    let name = t.comm.as_bytes();
    let n = name.len().min(15).min(buf.len().saturating_sub(1));
    buf[..n].copy_from_slice(&name[..n]);
    Ok(0)
}

/// Reads `len` bytes at `src`: from the run's own memory when it lies there, else
/// through the host's probe hook.
fn probe(
    env: &HelperEnv,
    ctx: &HelperContext<'_, '_>,
    space: AddressSpace,
    src: u64,
    len: u64,
) -> Option<Vec<u8>> {
    if let Ok(b) = read_bytes(ctx, src, len) {
        return Some(b);
    }
    let hook = env.hooks.probe_read.as_ref()?;
    let mut buf = vec![0; usize::try_from(len).ok()?];
    hook(space, src, &mut buf).then_some(buf)
}

fn probe_read(
    env: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
    space: AddressSpace,
) -> Result<u64, HelperError> {
    // The destination must be writable whatever happens.
    ctx.bytes_mut(a[0], a[1])?;
    match probe(env, ctx, space, a[2], a[1]) {
        Some(data) => {
            write_bytes(ctx, a[0], &data)?;
            Ok(0)
        }
        None => {
            clear(ctx, a[0], a[1])?;
            err(EFAULT)
        }
    }
}

fn probe_read_str(
    env: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
    space: AddressSpace,
) -> Result<u64, HelperError> {
    let (dst, size, src) = (a[0], a[1], a[2]);
    ctx.bytes_mut(dst, size)?;
    if size == 0 {
        return Ok(0);
    }
    let mut s = Vec::new();
    for i in 0..size - 1 {
        match probe(env, ctx, space, src.wrapping_add(i), 1).and_then(|b| b.first().copied()) {
            Some(0) => break,
            Some(b) => s.push(b),
            None if i == 0 => {
                clear(ctx, dst, size)?;
                return err(EFAULT);
            }
            None => break,
        }
    }
    s.push(0);
    write_bytes(ctx, dst, &s)?;
    Ok(s.len() as u64)
}

/// `bpf_probe_read_kernel(dst, size, src)` (and legacy `bpf_probe_read`).
pub(super) fn probe_read_kernel(
    env: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    probe_read(env, ctx, a, AddressSpace::Kernel)
}

/// `bpf_probe_read_user(dst, size, src)`.
pub(super) fn probe_read_user(
    env: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    probe_read(env, ctx, a, AddressSpace::User)
}

/// `bpf_probe_read_kernel_str(dst, size, src)` (and legacy `bpf_probe_read_str`):
/// the string's length with its NUL.
pub(super) fn probe_read_kernel_str(
    env: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    probe_read_str(env, ctx, a, AddressSpace::Kernel)
}

/// `bpf_probe_read_user_str(dst, size, src)`.
pub(super) fn probe_read_user_str(
    env: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    probe_read_str(env, ctx, a, AddressSpace::User)
}

/// `bpf_probe_write_user(dst, src, len)`: through the host's hook; `-EPERM`
/// without one (no user task), `-EFAULT` when the hook cannot write.
pub(super) fn probe_write_user(
    env: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let data = read_bytes(ctx, a[1], a[2])?;
    match &env.hooks.probe_write {
        None => err(EPERM),
        Some(w) if w(a[0], &data) => Ok(0),
        Some(_) => err(EFAULT),
    }
}

/// Whether `subject` is in the cgroup stored at `index` of a cgroup array.
fn under_cgroup(
    env: &HelperEnv,
    (handle, arg): (u64, u8),
    index: u64,
    subject: CgroupSubject,
) -> Result<u64, HelperError> {
    let map = map_arg(env, handle, arg)?;
    if index >= u64::from(map.spec().max_entries) {
        return err(E2BIG);
    }
    let key = (index as u32).to_le_bytes();
    let Ok(Some(cgroup)) = map.id_at(&key) else {
        return err(EAGAIN);
    };
    Ok(env
        .hooks
        .cgroup
        .as_ref()
        .is_some_and(|check| check(subject, cgroup))
        .into())
}

/// `bpf_current_task_under_cgroup(map, index)`: 1 or 0 (0 when the host has no
/// cgroup hook).
pub(super) fn current_task_under_cgroup(
    env: &HelperEnv,
    _: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    under_cgroup(env, (a[0], 1), a[1], CgroupSubject::Task)
}

/// `bpf_skb_under_cgroup(skb, map, index)`: 1 or 0; `-ENOENT` when the host has no
/// cgroup hook (the packet has no socket).
pub(super) fn skb_under_cgroup(
    env: &HelperEnv,
    _: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    if env.hooks.cgroup.is_none() {
        return err(ENOENT);
    }
    under_cgroup(env, (a[1], 2), a[2], CgroupSubject::Socket)
}
