//! Networking helpers: redirects, clones, tunnel metadata, routing and socket
//! options (the last two answered by the host's hooks).

use super::common::{clear, err, map_arg, read_bytes, write_bytes, EINVAL, ENODEV, ENOENT, ENOMEM};
use super::packet::read_frame;
use super::HelperEnv;
use crate::helpers::{HelperContext, HelperError};
use crate::linux::hooks::SockOptValue;
use crate::linux::run_state::{self, ClonedPacket, PacketKind, Redirect, TunnelInfo};
use crate::maps::{MapId, MapType};

/// `BPF_F_INGRESS`.
const BPF_F_INGRESS: u64 = 1;
/// `XDP_ABORTED`.
const XDP_ABORTED: u64 = 0;
/// `XDP_REDIRECT`.
const XDP_REDIRECT: u64 = 4;
/// `TC_ACT_SHOT`.
const TC_ACT_SHOT: u64 = 2;
/// `TC_ACT_REDIRECT`.
const TC_ACT_REDIRECT: u64 = 7;
/// `BPF_F_ACTION_MASK`: the XDP action a failed map redirect returns.
const ACTION_MASK: u64 = 3;
/// `BPF_F_BROADCAST`.
const BROADCAST: u64 = 1 << 3;
/// `BPF_F_EXCLUDE_INGRESS`.
const EXCLUDE_INGRESS: u64 = 1 << 4;

fn is_xdp() -> bool {
    run_state::with(|s| s.packet.map(|p| p.kind))
        .flatten()
        .is_some_and(|k| k == PacketKind::Xdp)
}

/// `bpf_redirect(ifindex, flags)`: records the target; `XDP_REDIRECT` for XDP
/// programs, `TC_ACT_REDIRECT` otherwise.
pub(super) fn redirect(
    _: &HelperEnv,
    _: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let (ifindex, flags) = (a[0] as u32, a[1]);
    let xdp = is_xdp();
    if xdp && flags != 0 {
        return Ok(XDP_ABORTED);
    }
    if !xdp && flags & !BPF_F_INGRESS != 0 {
        return Ok(TC_ACT_SHOT);
    }
    run_state::with(|s| s.redirect = Some(Redirect::Interface { ifindex, flags }));
    Ok(if xdp { XDP_REDIRECT } else { TC_ACT_REDIRECT })
}

/// `bpf_redirect_map(map, key, flags)`: `XDP_REDIRECT` when the entry exists,
/// else the action in the flags' low bits.
pub(super) fn redirect_map(
    env: &HelperEnv,
    _: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let map = map_arg(env, a[0], 1)?;
    let (key, flags) = (a[1] as u32, a[2]);
    let extra = if map.map_type() == MapType::DevMap {
        BROADCAST | EXCLUDE_INGRESS
    } else {
        0
    };
    if flags & !(ACTION_MASK | extra) != 0 {
        return Ok(XDP_ABORTED);
    }
    let present = matches!(map.id_at(&key.to_le_bytes()), Ok(Some(_)));
    if !present && flags & BROADCAST == 0 {
        return Ok(flags & ACTION_MASK);
    }
    if let Some(id) = MapId::from_handle(a[0]) {
        run_state::with(|s| {
            s.redirect = Some(Redirect::Map {
                map: id,
                key,
                flags,
            })
        });
    }
    Ok(XDP_REDIRECT)
}

/// `bpf_clone_redirect(skb, ifindex, flags)`: records a copy of the packet for
/// the host to send.
pub(super) fn clone_redirect(
    _: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let (ifindex, flags) = (a[1] as u32, a[2]);
    if flags & !BPF_F_INGRESS != 0 {
        return err(EINVAL);
    }
    let Some(p) = run_state::with(|s| s.packet).flatten() else {
        return err(EINVAL);
    };
    let data = read_frame(ctx, &p, p.data, p.data_end - p.data)?;
    run_state::with(|s| {
        s.clones.push(ClonedPacket {
            ifindex,
            flags,
            data,
        })
    });
    Ok(0)
}

/// `sizeof(struct bpf_tunnel_key)`.
const TUNNEL_KEY_SIZE: u64 = 44;
/// The shorter layouts older programs pass (`offsetof` of later fields).
const TUNNEL_KEY_COMPAT: [u64; 4] = [8, 22, 24, 32];
/// `BPF_F_TUNINFO_IPV6`.
const TUNINFO_IPV6: u64 = 1;
/// `BPF_F_TUNINFO_FLAGS`.
const TUNINFO_FLAGS: u64 = 1 << 4;
/// Flags `bpf_skb_set_tunnel_key` accepts.
const SET_KEY_FLAGS: u64 = 1 | 2 | 4 | 8 | 16;
/// `IP_TUNNEL_OPTS_MAX`.
const OPTS_MAX: u64 = 255;

/// `bpf_skb_get_tunnel_key(skb, key, size, flags)`: the packet's tunnel metadata
/// (given by the host with the run, or set earlier by the program); `-ENOENT`
/// and a zeroed buffer when there is none.
pub(super) fn skb_get_tunnel_key(
    _: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let (to, size, flags) = (a[1], a[2], a[3]);
    ctx.bytes_mut(to, size)?;
    let info = run_state::with(|s| s.tunnel.clone()).flatten();
    let valid = flags & !(TUNINFO_IPV6 | TUNINFO_FLAGS) == 0
        && (size == TUNNEL_KEY_SIZE || TUNNEL_KEY_COMPAT.contains(&size));
    let result = match info {
        _ if !valid => Err(EINVAL),
        None => Err(ENOENT),
        Some(i) if i.ipv6 != (flags & TUNINFO_IPV6 != 0) => Err(EINVAL),
        Some(i) => Ok(i.key),
    };
    match result {
        Ok(key) => {
            let n = (size as usize).min(key.len());
            write_bytes(ctx, to, &key[..n])?;
            Ok(0)
        }
        Err(e) => {
            clear(ctx, to, size)?;
            err(e)
        }
    }
}

/// `bpf_skb_set_tunnel_key(skb, key, size, flags)`: sets the tunnel metadata the
/// packet leaves with.
pub(super) fn skb_set_tunnel_key(
    _: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let (size, flags) = (a[2], a[3]);
    if flags & !SET_KEY_FLAGS != 0
        || !(size == TUNNEL_KEY_SIZE || TUNNEL_KEY_COMPAT.contains(&size))
    {
        return err(EINVAL);
    }
    let mut key = read_bytes(ctx, a[1], size)?;
    key.resize(TUNNEL_KEY_SIZE as usize, 0);
    run_state::with(|s| {
        s.tunnel = Some(TunnelInfo {
            key,
            ipv6: flags & TUNINFO_IPV6 != 0,
            options: None,
        })
    });
    Ok(0)
}

/// `bpf_skb_get_tunnel_opt(skb, opt, size)`: the options' length.
pub(super) fn skb_get_tunnel_opt(
    _: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let (to, size) = (a[1], a[2]);
    ctx.bytes_mut(to, size)?;
    let opts = run_state::with(|s| s.tunnel.as_ref().and_then(|t| t.options.clone())).flatten();
    match opts {
        Some(o) if o.len() as u64 <= size => {
            clear(ctx, to, size)?;
            write_bytes(ctx, to, &o)?;
            Ok(o.len() as u64)
        }
        other => {
            clear(ctx, to, size)?;
            err(if other.is_none() { ENOENT } else { ENOMEM })
        }
    }
}

/// `bpf_skb_set_tunnel_opt(skb, opt, size)`: needs tunnel metadata set first.
pub(super) fn skb_set_tunnel_opt(
    _: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let size = a[2];
    if size > OPTS_MAX {
        return err(ENOMEM);
    }
    let opts = read_bytes(ctx, a[1], size)?;
    let set = run_state::with(|s| match s.tunnel.as_mut() {
        Some(t) => {
            t.options = Some(opts);
            true
        }
        None => false,
    });
    if set == Some(true) {
        Ok(0)
    } else {
        err(EINVAL)
    }
}

/// `sizeof(struct bpf_fib_lookup)`.
const FIB_LOOKUP_SIZE: u64 = 64;
/// Flags `bpf_fib_lookup` accepts.
const FIB_FLAGS: u64 = 0x3f;
/// `AF_INET`.
const AF_INET: u8 = 2;
/// `AF_INET6`.
const AF_INET6: u8 = 10;
/// `EAFNOSUPPORT`.
const EAFNOSUPPORT: i32 = 97;

/// `bpf_fib_lookup(ctx, params, plen, flags)`: through the host's routing hook;
/// `-ENODEV` without one (no device matches the parameters' interface).
pub(super) fn fib_lookup(
    env: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let (params, plen, flags) = (a[1], a[2], a[3]);
    if plen < FIB_LOOKUP_SIZE || flags & !FIB_FLAGS != 0 {
        return err(EINVAL);
    }
    let mut buf = read_bytes(ctx, params, plen)?;
    if buf[0] != AF_INET && buf[0] != AF_INET6 {
        return err(EAFNOSUPPORT);
    }
    let Some(hook) = &env.hooks.fib_lookup else {
        return err(ENODEV);
    };
    let r = hook(&mut buf, flags);
    write_bytes(ctx, params, &buf)?;
    Ok(r as u64)
}

/// `bpf_setsockopt(ctx, level, optname, optval, optlen)`.
pub(super) fn setsockopt(
    env: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let value = read_bytes(ctx, a[3], a[4])?;
    match &env.hooks.sockopt {
        Some(hook) => Ok(hook(a[1] as i32, a[2] as i32, SockOptValue::Set(&value)) as u64),
        None => err(EINVAL),
    }
}

/// `bpf_getsockopt(ctx, level, optname, optval, optlen)`: the buffer is zeroed
/// when the option cannot be read.
pub(super) fn getsockopt(
    env: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    // The destination is checked first: its length comes from the program, and
    // the hook writes straight into guest memory, never into a buffer of that size.
    let buf = ctx.bytes_mut(a[3], a[4])?;
    let r = match &env.hooks.sockopt {
        Some(hook) => hook(a[1] as i32, a[2] as i32, SockOptValue::Get(buf)),
        None => -i64::from(EINVAL),
    };
    if r < 0 {
        buf.fill(0);
    }
    Ok(r as u64)
}
