//! Packet helpers of XDP and socket-buffer programs: moving the packet's head,
//! tail and metadata, reading and writing its bytes, checksums, VLAN tags.
//!
//! The packet's geometry is the run's [`PacketState`]; every change is written
//! back to it and to the context's pointer fields, so the program sees it on its
//! next load of `ctx->data` / `ctx->data_end`. Bytes are reached through the run's
//! regions like any guest memory; accesses are split where the run's packet
//! regions meet (see [`PacketState::bounds`]).

use super::common::{err, read_bytes, EACCES, EFAULT, EINVAL, ENOMEM, ENOTSUPP};
use super::HelperEnv;
use crate::helpers::{HelperContext, HelperError};
use crate::linux::run_state::{self, PacketKind, PacketState, VlanTag};

/// `ETH_HLEN`.
const ETH_HLEN: u64 = 14;
/// Largest socket-buffer length (`__bpf_skb_max_len` on the loopback device the
/// kernel's test runs use: MTU 65536 plus the 14-byte header).
const SKB_MAX_LEN: u64 = 65536 + ETH_HLEN;
/// Largest XDP metadata.
const META_MAX: u64 = 32;
/// `htons(ETH_P_8021Q)` as a little-endian number.
const VLAN_8021Q: u16 = 0x8100u16.to_be();
/// `htons(ETH_P_8021AD)`.
const VLAN_8021AD: u16 = 0x88a8u16.to_be();

/// The current run's packet, if it has one of `kind`.
fn packet(kind: PacketKind) -> Option<PacketState> {
    run_state::with(|s| s.packet)
        .flatten()
        .filter(|p| p.kind == kind)
}

/// The pieces of `[addr, addr + len)` between the packet regions' boundaries.
fn pieces(p: &PacketState, addr: u64, len: u64) -> Vec<(u64, u64)> {
    let end = addr.saturating_add(len);
    let mut cuts: Vec<u64> = p
        .bounds
        .iter()
        .copied()
        .filter(|&b| b > addr && b < end)
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::new();
    let mut start = addr;
    for c in cuts.into_iter().chain(std::iter::once(end)) {
        if c > start {
            out.push((start, c - start));
        }
        start = c;
    }
    out
}

/// Copies `len` packet-frame bytes at `addr`.
pub(super) fn read_frame(
    ctx: &HelperContext<'_, '_>,
    p: &PacketState,
    addr: u64,
    len: u64,
) -> Result<Vec<u8>, HelperError> {
    let mut out = Vec::new();
    for (a, l) in pieces(p, addr, len) {
        out.extend_from_slice(ctx.bytes(a, l)?);
    }
    Ok(out)
}

/// Writes packet-frame bytes at `addr`.
fn write_frame(
    ctx: &mut HelperContext<'_, '_>,
    p: &PacketState,
    addr: u64,
    data: &[u8],
) -> Result<(), HelperError> {
    let mut done = 0usize;
    for (a, l) in pieces(p, addr, data.len() as u64) {
        let l = l as usize;
        ctx.bytes_mut(a, l as u64)?
            .copy_from_slice(&data[done..done + l]);
        done += l;
    }
    Ok(())
}

/// Records the new geometry and updates the context's pointer and length fields.
fn set_geometry(ctx: &mut HelperContext<'_, '_>, p: PacketState) -> Result<(), HelperError> {
    let Some((base, f)) = run_state::with(|s| {
        s.packet = Some(p);
        (s.ctx, s.fields)
    }) else {
        return Ok(());
    };
    let at = |off: u32| base.wrapping_add(u64::from(off));
    if let Some(o) = f.data {
        ctx.write::<u64>(at(o), p.data)?;
    }
    if let Some(o) = f.data_end {
        ctx.write::<u64>(at(o), p.data_end)?;
    }
    if let Some(o) = f.meta {
        ctx.write::<u64>(at(o), p.meta)?;
    }
    if let Some(o) = f.len {
        ctx.write::<u32>(at(o), (p.data_end - p.data) as u32)?;
    }
    Ok(())
}

/// Writes a 32-bit context field named in the run's [`ContextFields`].
///
/// [`ContextFields`]: crate::linux::run_state::ContextFields
fn set_field(
    ctx: &mut HelperContext<'_, '_>,
    pick: impl FnOnce(&run_state::ContextFields) -> Option<u32>,
    values: &[u32],
) -> Result<(), HelperError> {
    let Some((base, Some(off))) = run_state::with(|s| (s.ctx, pick(&s.fields))) else {
        return Ok(());
    };
    for (i, v) in values.iter().enumerate() {
        ctx.write::<u32>(base.wrapping_add(u64::from(off) + 4 * i as u64), *v)?;
    }
    Ok(())
}

/// `bpf_xdp_adjust_head(ctx, delta)`: moves the packet's start (and its
/// metadata with it).
pub(super) fn xdp_adjust_head(
    _: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let Some(mut p) = packet(PacketKind::Xdp) else {
        return err(EINVAL);
    };
    let delta = i64::from(a[1] as i32);
    let metalen = p.data - p.meta;
    let data = p.data.wrapping_add_signed(delta);
    if data < p.floor + metalen || data.saturating_add(ETH_HLEN) > p.data_end {
        return err(EINVAL);
    }
    if metalen > 0 {
        let meta = read_frame(ctx, &p, p.meta, metalen)?;
        write_frame(ctx, &p, p.meta.wrapping_add_signed(delta), &meta)?;
    }
    p.meta = p.meta.wrapping_add_signed(delta);
    p.data = data;
    set_geometry(ctx, p)?;
    Ok(0)
}

/// `bpf_xdp_adjust_tail(ctx, delta)`: moves the packet's end (new bytes zeroed).
pub(super) fn xdp_adjust_tail(
    _: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let Some(mut p) = packet(PacketKind::Xdp) else {
        return err(EINVAL);
    };
    let delta = i64::from(a[1] as i32);
    let end = p.data_end.wrapping_add_signed(delta);
    if end > p.limit || end < p.data + ETH_HLEN {
        return err(EINVAL);
    }
    if delta > 0 {
        write_frame(ctx, &p, p.data_end, &vec![0; delta as usize])?;
    }
    p.data_end = end;
    set_geometry(ctx, p)?;
    Ok(0)
}

/// `bpf_xdp_adjust_meta(ctx, delta)`: moves the metadata's start.
pub(super) fn xdp_adjust_meta(
    _: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let Some(mut p) = packet(PacketKind::Xdp) else {
        return err(ENOTSUPP);
    };
    let meta = p.meta.wrapping_add_signed(i64::from(a[1] as i32));
    if meta < p.floor || meta > p.data {
        return err(EINVAL);
    }
    let metalen = p.data - meta;
    if metalen % 4 != 0 || metalen > META_MAX {
        return err(EACCES);
    }
    p.meta = meta;
    set_geometry(ctx, p)?;
    Ok(0)
}

/// `bpf_skb_load_bytes(skb, offset, to, len)`: `-EFAULT` (and `to` zeroed) when the
/// bytes are not all in the packet.
pub(super) fn skb_load_bytes(
    _: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let (offset, to, len) = (a[1] as u32, a[2], a[3] as u32);
    // The destination must be writable whatever happens.
    ctx.bytes_mut(to, u64::from(len))?;
    let bytes = packet(PacketKind::Skb).and_then(|p| {
        let (offset, len) = (u64::from(offset), u64::from(len));
        (offset <= i32::MAX as u64 && offset + len <= p.data_end - p.data)
            .then(|| read_frame(ctx, &p, p.data + offset, len).ok())
            .flatten()
    });
    match bytes {
        Some(b) => {
            ctx.bytes_mut(to, u64::from(len))?.copy_from_slice(&b);
            Ok(0)
        }
        None => {
            ctx.bytes_mut(to, u64::from(len))?.fill(0);
            err(EFAULT)
        }
    }
}

/// `BPF_F_RECOMPUTE_CSUM`.
const RECOMPUTE_CSUM: u64 = 1;
/// `BPF_F_INVALIDATE_HASH`.
const INVALIDATE_HASH: u64 = 2;

/// `bpf_skb_store_bytes(skb, offset, from, len, flags)`.
pub(super) fn skb_store_bytes(
    _: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let data = read_bytes(ctx, a[2], u64::from(a[3] as u32))?;
    let flags = a[4];
    if flags & !(RECOMPUTE_CSUM | INVALIDATE_HASH) != 0 {
        return err(EINVAL);
    }
    let Some(p) = packet(PacketKind::Skb) else {
        return err(EFAULT);
    };
    let offset = u64::from(a[1] as u32);
    if offset > i32::MAX as u64 || offset + data.len() as u64 > p.data_end - p.data {
        return err(EFAULT);
    }
    write_frame(ctx, &p, p.data + offset, &data)?;
    if flags & INVALIDATE_HASH != 0 {
        set_field(ctx, |f| f.hash, &[0])?;
    }
    Ok(0)
}

/// One's complement 32-bit addition (the kernel's `csum_add`).
fn csum_add(a: u32, b: u32) -> u32 {
    let (s, carry) = a.overflowing_add(b);
    s.wrapping_add(u32::from(carry))
}

/// Folds a 32-bit sum to the 16-bit checksum field value (`csum_fold`).
fn csum_fold(sum: u32) -> u16 {
    let s = (sum & 0xffff) + (sum >> 16);
    let s = (s & 0xffff) + (s >> 16);
    !(s as u16)
}

/// The checksum field with `from` replaced by `to` (`csum_replace4`; 16-bit
/// values zero-extended), as stored in memory.
fn replace(sum: u16, from: u32, to: u32) -> u16 {
    csum_fold(csum_add(csum_add(!u32::from(sum), !from), to))
}

/// The checksum field with a precomputed difference added
/// (`csum_replace_by_diff`).
fn replace_by_diff(sum: u16, diff: u32) -> u16 {
    csum_fold(csum_add(diff, !u32::from(sum)))
}

/// `BPF_F_HDR_FIELD_MASK`.
const HDR_FIELD_MASK: u64 = 0xf;
/// `BPF_F_PSEUDO_HDR`.
const PSEUDO_HDR: u64 = 1 << 4;
/// `BPF_F_MARK_MANGLED_0`.
const MARK_MANGLED_0: u64 = 1 << 5;
/// `BPF_F_MARK_ENFORCE`.
const MARK_ENFORCE: u64 = 1 << 6;
/// `CSUM_MANGLED_0`.
const CSUM_MANGLED_0: u16 = 0xffff;

/// Replaces a checksum field at `offset` of the packet; `extra` flags are those
/// allowed besides the size.
fn csum_replace(
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
    extra: u64,
) -> Result<u64, HelperError> {
    let (offset, from, to, flags) = (a[1] as u32, a[2], a[3], a[4]);
    if flags & !(HDR_FIELD_MASK | extra) != 0 {
        return err(EINVAL);
    }
    let Some(p) = packet(PacketKind::Skb) else {
        return err(EFAULT);
    };
    let offset = u64::from(offset);
    if offset > 0xffff || offset & 1 != 0 || offset + 2 > p.data_end - p.data {
        return err(EFAULT);
    }
    let at = p.data + offset;
    let bytes = read_frame(ctx, &p, at, 2)?;
    let sum = u16::from_le_bytes([bytes[0], bytes[1]]);
    let mangled = flags & MARK_MANGLED_0 != 0;
    if mangled && flags & MARK_ENFORCE == 0 && sum == 0 {
        return Ok(0);
    }
    let mut new = match flags & HDR_FIELD_MASK {
        0 if from != 0 => return err(EINVAL),
        0 => replace_by_diff(sum, to as u32),
        2 => replace(sum, u32::from(from as u16), u32::from(to as u16)),
        4 => replace(sum, from as u32, to as u32),
        _ => return err(EINVAL),
    };
    if mangled && new == 0 {
        new = CSUM_MANGLED_0;
    }
    write_frame(ctx, &p, at, &new.to_le_bytes())?;
    Ok(0)
}

/// `bpf_l3_csum_replace(skb, offset, from, to, flags)`.
pub(super) fn l3_csum_replace(
    _: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    csum_replace(ctx, a, 0)
}

/// `bpf_l4_csum_replace(skb, offset, from, to, flags)` (packets carry no
/// partial checksum here, so the pseudo-header flag changes nothing).
pub(super) fn l4_csum_replace(
    _: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    csum_replace(ctx, a, PSEUDO_HDR | MARK_MANGLED_0 | MARK_ENFORCE)
}

/// The one's complement sum of the little-endian words, seeded, folded to 32
/// bits (the kernel's `csum_partial`).
fn csum_partial(words: &[u32], seed: u32) -> u32 {
    let sum: u64 = words.iter().map(|&w| u64::from(w)).sum::<u64>() + u64::from(seed);
    let s = (sum & 0xffff_ffff) + (sum >> 32);
    let s = (s & 0xffff_ffff) + (s >> 32);
    s as u32
}

/// Folds a 32-bit sum to 16 bits without complementing (`csum_from32to16`).
fn from32to16(sum: u32) -> u32 {
    let s = (sum & 0xffff) + (sum >> 16);
    (s & 0xffff) + (s >> 16)
}

/// `bpf_csum_diff(from, from_size, to, to_size, seed)`: the sum of `~from` and
/// `to`, seeded, folded to 16 bits as Linux 6.x returns it on every
/// architecture.
pub(super) fn csum_diff(
    _: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let (from_size, to_size) = (a[1] as u32, a[3] as u32);
    if (from_size | to_size) & 3 != 0 || u64::from(from_size) + u64::from(to_size) > 512 {
        return err(EINVAL);
    }
    let words = |addr: u64, size: u32| -> Result<Vec<u32>, HelperError> {
        let b = read_bytes(ctx, addr, u64::from(size))?;
        Ok(b.chunks(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    };
    let mut diff: Vec<u32> = words(a[0], from_size)?.into_iter().map(|w| !w).collect();
    diff.extend(words(a[2], to_size)?);
    Ok(u64::from(from32to16(csum_partial(&diff, a[4] as u32))))
}

/// `bpf_get_hash_recalc(skb)`: a hash of the packet's flow (addresses, protocol,
/// ports), stored in the context's `hash` field. The kernel keys its flow hash
/// with a per-boot secret, so no value is promised beyond being stable per flow.
pub(super) fn get_hash_recalc(
    _: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    _: [u64; 5],
) -> Result<u64, HelperError> {
    let Some(p) = packet(PacketKind::Skb) else {
        return Ok(0);
    };
    let len = (p.data_end - p.data).min(ETH_HLEN + 40);
    let head = read_frame(ctx, &p, p.data, len)?;
    let flow = flow_bytes(&head);
    let mut h: u32 = 0x811c_9dc5;
    for b in flow {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    set_field(ctx, |f| f.hash, &[h])?;
    Ok(u64::from(h))
}

/// The flow-identifying bytes of an Ethernet frame: for IPv4 the protocol,
/// addresses and (TCP/UDP) ports; else the whole header.
fn flow_bytes(frame: &[u8]) -> Vec<u8> {
    let ipv4 = frame.get(12..14) == Some(&[0x08, 0x00]);
    match (ipv4, frame.get(14)) {
        (true, Some(vihl)) => {
            let ihl = usize::from(vihl & 0xf) * 4;
            let mut f = Vec::new();
            f.extend(frame.get(23..24).unwrap_or_default());
            f.extend(frame.get(26..34).unwrap_or_default());
            if matches!(frame.get(23), Some(6 | 17)) {
                f.extend(frame.get(14 + ihl..18 + ihl).unwrap_or_default());
            }
            f
        }
        _ => frame.to_vec(),
    }
}

/// `bpf_skb_change_tail(skb, len, flags)`: grows (zero-filled) or trims the packet.
pub(super) fn skb_change_tail(
    _: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let (new_len, flags) = (u64::from(a[1] as u32), a[2]);
    let Some(mut p) = packet(PacketKind::Skb) else {
        return err(EINVAL);
    };
    if flags != 0 || !(ETH_HLEN..=SKB_MAX_LEN).contains(&new_len) {
        return err(EINVAL);
    }
    let end = p.data + new_len;
    if end > p.limit {
        return err(ENOMEM);
    }
    if end > p.data_end {
        write_frame(ctx, &p, p.data_end, &vec![0; (end - p.data_end) as usize])?;
    }
    p.data_end = end;
    set_geometry(ctx, p)?;
    Ok(0)
}

/// Writes the VLAN fields and the protocol of the context.
fn sync_vlan(ctx: &mut HelperContext<'_, '_>, tag: Option<VlanTag>) -> Result<(), HelperError> {
    run_state::with(|s| s.vlan = tag);
    let (present, tci, proto) = match tag {
        Some(t) => (1, u32::from(t.tci), u32::from(t.proto)),
        None => (0, 0, 0),
    };
    set_field(ctx, |f| f.vlan, &[present, tci, proto])
}

/// `bpf_skb_vlan_push(skb, proto, tci)`: sets the accelerated tag; a tag already
/// there moves into the packet first.
pub(super) fn skb_vlan_push(
    _: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let Some(mut p) = packet(PacketKind::Skb) else {
        return err(EINVAL);
    };
    let mut proto = a[1] as u16;
    if proto != VLAN_8021Q && proto != VLAN_8021AD {
        proto = VLAN_8021Q;
    }
    let old = run_state::with(|s| s.vlan).flatten();
    if let Some(old) = old {
        if p.data < p.frame + 4 || p.data_end - p.data < 12 {
            return err(ENOMEM);
        }
        let macs = read_frame(ctx, &p, p.data, 12)?;
        let mut head = macs;
        head.extend_from_slice(&old.proto.to_le_bytes());
        head.extend_from_slice(&old.tci.to_be_bytes());
        write_frame(ctx, &p, p.data - 4, &head)?;
        p.data -= 4;
        set_geometry(ctx, p)?;
        set_field(ctx, |f| f.protocol, &[u32::from(old.proto)])?;
    }
    sync_vlan(
        ctx,
        Some(VlanTag {
            proto,
            tci: a[2] as u16,
        }),
    )?;
    Ok(0)
}

/// Removes the VLAN header in the packet, if it has one: returns its tag.
fn pop_inline_tag(
    ctx: &mut HelperContext<'_, '_>,
    p: &mut PacketState,
) -> Result<Option<VlanTag>, HelperError> {
    if p.data_end - p.data < ETH_HLEN + 4 {
        return Ok(None);
    }
    let head = read_frame(ctx, p, p.data, 18)?;
    let proto = u16::from_le_bytes([head[12], head[13]]);
    if proto != VLAN_8021Q && proto != VLAN_8021AD {
        return Ok(None);
    }
    let tci = u16::from_be_bytes([head[14], head[15]]);
    write_frame(ctx, p, p.data + 4, &head[..12])?;
    p.data += 4;
    set_geometry(ctx, *p)?;
    set_field(
        ctx,
        |f| f.protocol,
        &[u32::from(u16::from_le_bytes([head[16], head[17]]))],
    )?;
    Ok(Some(VlanTag { proto, tci }))
}

/// `bpf_skb_vlan_pop(skb)`: removes the accelerated tag (or the packet's outer
/// one); a next tag in the packet becomes the accelerated tag.
pub(super) fn skb_vlan_pop(
    _: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    _: [u64; 5],
) -> Result<u64, HelperError> {
    let Some(mut p) = packet(PacketKind::Skb) else {
        return err(EINVAL);
    };
    let had_tag = run_state::with(|s| s.vlan).flatten().is_some();
    if !had_tag && pop_inline_tag(ctx, &mut p)?.is_none() {
        return Ok(0);
    }
    let next = pop_inline_tag(ctx, &mut p)?;
    sync_vlan(ctx, next)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_follow_rfc1624() {
        // IPv4 header checksum, then TTL 64 -> 63 (16-bit word 0x4011 -> 0x3f11).
        let sum = 0xb861u16.to_be();
        let new = replace(
            sum,
            u32::from(0x4011u16.to_be()),
            u32::from(0x3f11u16.to_be()),
        );
        assert_eq!(u16::from_be(new), 0xb961);
        let diff = csum_partial(&[!0x4011u32.to_be(), 0x3f11u32.to_be()], 0);
        let by_diff = replace_by_diff(sum, diff);
        assert_eq!(u16::from_be(by_diff), 0xb961);
        assert_eq!(csum_fold(0xffff_0001), !0x0001);
        assert_eq!(csum_add(0xffff_ffff, 2), 2);
    }

    #[test]
    fn pieces_split_at_region_bounds() {
        let p = PacketState {
            kind: PacketKind::Skb,
            frame: 0,
            limit: 100,
            meta: 10,
            data: 10,
            data_end: 20,
            floor: 0,
            bounds: [0, 10, 20, 100],
        };
        assert_eq!(pieces(&p, 5, 20), [(5, 5), (10, 10), (20, 5)]);
        assert_eq!(pieces(&p, 12, 3), [(12, 3)]);
        assert_eq!(pieces(&p, 12, 0), []);
    }

    #[test]
    fn flows() {
        let mut f = vec![0u8; 14 + 20 + 4];
        f[12] = 8;
        f[14] = 0x45;
        f[23] = 17;
        f[26..34].copy_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
        f[34..38].copy_from_slice(&[0, 53, 0, 99]);
        assert_eq!(flow_bytes(&f), [17, 1, 2, 3, 4, 5, 6, 7, 8, 0, 53, 0, 99]);
    }
}
