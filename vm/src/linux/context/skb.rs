//! `struct __sk_buff`: the UAPI fields, then the host's pointers.

use super::FieldRewrite;
use crate::linux::run_state::{TunnelInfo, VlanTag};

/// Offset of `len`.
pub const LEN: u32 = 0;
/// Offset of `pkt_type`.
pub const PKT_TYPE: u32 = 4;
/// Offset of `mark`.
pub const MARK: u32 = 8;
/// Offset of `queue_mapping`.
pub const QUEUE_MAPPING: u32 = 12;
/// Offset of `protocol`.
pub const PROTOCOL: u32 = 16;
/// Offset of `vlan_present` (then `vlan_tci`, `vlan_proto`).
pub const VLAN_PRESENT: u32 = 20;
/// Offset of `priority`.
pub const PRIORITY: u32 = 32;
/// Offset of `ingress_ifindex`.
pub const INGRESS_IFINDEX: u32 = 36;
/// Offset of `ifindex`.
pub const IFINDEX: u32 = 40;
/// Offset of `tc_index`.
pub const TC_INDEX: u32 = 44;
/// Offset of `cb[0]`.
pub const CB: u32 = 48;
/// Offset of `hash`.
pub const HASH: u32 = 68;
/// Offset of `tc_classid`.
pub const TC_CLASSID: u32 = 72;
/// Offset of `data`.
pub const DATA: u32 = 76;
/// Offset of `data_end`.
pub const DATA_END: u32 = 80;
/// Offset of `data_meta`.
pub const DATA_META: u32 = 140;
/// Offset of `tstamp`.
pub const TSTAMP: u32 = 152;
/// Offset of `wire_len`.
pub const WIRE_LEN: u32 = 160;
/// `sizeof(struct __sk_buff)`.
pub const UAPI_SIZE: usize = 192;
/// Offset of the 64-bit `data` pointer.
pub const DATA_PTR: u32 = 192;
/// Offset of the 64-bit `data_end` pointer.
pub const DATA_END_PTR: u32 = 200;
/// Offset of the 64-bit `data_meta` pointer.
pub const META_PTR: u32 = 208;
/// Size of the whole context.
pub const SIZE: usize = 216;

/// The pointer fields' rewrites.
pub const REWRITES: [FieldRewrite; 3] = FieldRewrite::pointers(
    [DATA, DATA_END, DATA_META],
    [DATA_PTR, DATA_END_PTR, META_PTR],
);

/// `PACKET_HOST`.
const PACKET_HOST: u32 = 0;
/// `PACKET_BROADCAST`.
const PACKET_BROADCAST: u32 = 1;
/// `PACKET_MULTICAST`.
const PACKET_MULTICAST: u32 = 2;
/// `PACKET_OTHERHOST`.
const PACKET_OTHERHOST: u32 = 3;

/// The socket buffer's fields besides its bytes, in and out of a run (the fields
/// programs may write, the VLAN tag and the tunnel metadata are updated; reusing
/// one value for several packets carries them over). Defaults
/// follow the kernel's test runs: received on the loopback device (ifindex 1,
/// all-zero MAC address), everything else zero; `protocol` and `pkt_type` come
/// from the Ethernet header unless given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkbMeta {
    /// `mark` (programs may change it).
    pub mark: u32,
    /// `priority` (programs may change it).
    pub priority: u32,
    /// `ifindex`.
    pub ifindex: u32,
    /// `ingress_ifindex`.
    pub ingress_ifindex: u32,
    /// `queue_mapping` (programs may change it).
    pub queue_mapping: u32,
    /// `tc_index` (programs may change it).
    pub tc_index: u32,
    /// `tc_classid` (programs may change it).
    pub tc_classid: u32,
    /// `cb[5]` (programs may change it).
    pub cb: [u32; 5],
    /// `hash`.
    pub hash: u32,
    /// `tstamp` (programs may change it).
    pub tstamp: u64,
    /// `protocol` in network byte order; `None`: the frame's EtherType.
    pub protocol: Option<u16>,
    /// `pkt_type`; `None`: from the destination MAC address.
    pub pkt_type: Option<u32>,
    /// The accelerated VLAN tag.
    pub vlan: Option<VlanTag>,
    /// Tunnel metadata (as a tunnel device would attach on receive).
    pub tunnel: Option<TunnelInfo>,
}

impl Default for SkbMeta {
    fn default() -> SkbMeta {
        SkbMeta {
            mark: 0,
            priority: 0,
            ifindex: 1,
            ingress_ifindex: 0,
            queue_mapping: 0,
            tc_index: 0,
            tc_classid: 0,
            cb: [0; 5],
            hash: 0,
            tstamp: 0,
            protocol: None,
            pkt_type: None,
            vlan: None,
            tunnel: None,
        }
    }
}

/// The EtherType of a frame as `skb->protocol` holds it (0 without one).
fn protocol(frame: &[u8]) -> u32 {
    frame
        .get(12..14)
        .map_or(0, |p| u32::from(u16::from_le_bytes([p[0], p[1]])))
}

/// `pkt_type` as `eth_type_trans` sets it on the loopback device.
fn pkt_type(frame: &[u8]) -> u32 {
    match frame.get(..6) {
        Some([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]) => PACKET_BROADCAST,
        Some(d) if d[0] & 1 != 0 => PACKET_MULTICAST,
        Some([0, 0, 0, 0, 0, 0]) => PACKET_HOST,
        _ => PACKET_OTHERHOST,
    }
}

fn put(c: &mut [u8], off: u32, bytes: &[u8]) {
    let o = off as usize;
    c[o..o + bytes.len()].copy_from_slice(bytes);
}

fn get32(c: &[u8], off: u32) -> u32 {
    let o = off as usize;
    u32::from_le_bytes([c[o], c[o + 1], c[o + 2], c[o + 3]])
}

/// The context bytes for `frame` (the packet's bytes) at `data..data_end`.
pub(crate) fn context(m: &SkbMeta, frame: &[u8], data: u64, data_end: u64) -> [u8; SIZE] {
    let mut c = [0u8; SIZE];
    put(&mut c, LEN, &(frame.len() as u32).to_le_bytes());
    put(
        &mut c,
        PKT_TYPE,
        &m.pkt_type.unwrap_or_else(|| pkt_type(frame)).to_le_bytes(),
    );
    put(&mut c, MARK, &m.mark.to_le_bytes());
    put(&mut c, QUEUE_MAPPING, &m.queue_mapping.to_le_bytes());
    let proto = m.protocol.map_or_else(|| protocol(frame), u32::from);
    put(&mut c, PROTOCOL, &proto.to_le_bytes());
    if let Some(v) = m.vlan {
        put(&mut c, VLAN_PRESENT, &1u32.to_le_bytes());
        put(&mut c, VLAN_PRESENT + 4, &u32::from(v.tci).to_le_bytes());
        put(&mut c, VLAN_PRESENT + 8, &u32::from(v.proto).to_le_bytes());
    }
    put(&mut c, PRIORITY, &m.priority.to_le_bytes());
    put(&mut c, INGRESS_IFINDEX, &m.ingress_ifindex.to_le_bytes());
    put(&mut c, IFINDEX, &m.ifindex.to_le_bytes());
    put(&mut c, TC_INDEX, &m.tc_index.to_le_bytes());
    for (i, v) in m.cb.iter().enumerate() {
        put(&mut c, CB + 4 * i as u32, &v.to_le_bytes());
    }
    put(&mut c, HASH, &m.hash.to_le_bytes());
    put(&mut c, TC_CLASSID, &m.tc_classid.to_le_bytes());
    put(&mut c, TSTAMP, &m.tstamp.to_le_bytes());
    put(&mut c, WIRE_LEN, &(frame.len() as u32).to_le_bytes());
    put(&mut c, DATA_PTR, &data.to_le_bytes());
    put(&mut c, DATA_END_PTR, &data_end.to_le_bytes());
    put(&mut c, META_PTR, &data.to_le_bytes());
    c
}

/// Reads back the fields programs may change (`protocol` stays as given: it is
/// derived from each packet unless set).
pub(crate) fn read_back(m: &mut SkbMeta, c: &[u8; SIZE]) {
    m.mark = get32(c, MARK);
    m.priority = get32(c, PRIORITY);
    m.queue_mapping = get32(c, QUEUE_MAPPING);
    m.tc_index = get32(c, TC_INDEX);
    m.tc_classid = get32(c, TC_CLASSID);
    m.hash = get32(c, HASH);
    for (i, v) in m.cb.iter_mut().enumerate() {
        *v = get32(c, CB + 4 * i as u32);
    }
    let t = TSTAMP as usize;
    let mut ts = [0u8; 8];
    ts.copy_from_slice(&c[t..t + 8]);
    m.tstamp = u64::from_le_bytes(ts);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_from_the_frame() {
        let mut frame = vec![0u8; 14];
        frame[12] = 0x08;
        let c = context(&SkbMeta::default(), &frame, 0x1000, 0x100e);
        assert_eq!(get32(&c, LEN), 14);
        assert_eq!(get32(&c, PROTOCOL), 0x0008);
        assert_eq!(get32(&c, PKT_TYPE), PACKET_HOST);
        assert_eq!(get32(&c, IFINDEX), 1);
        frame[0] = 0xff;
        assert_eq!(pkt_type(&frame), PACKET_MULTICAST);
        frame[..6].fill(0xff);
        assert_eq!(pkt_type(&frame), PACKET_BROADCAST);
        frame[0] = 2;
        assert_eq!(pkt_type(&frame), PACKET_OTHERHOST);
        let mut m = SkbMeta::default();
        let mut c = c;
        put(&mut c, MARK, &7u32.to_le_bytes());
        read_back(&mut m, &c);
        assert_eq!(m.mark, 7);
    }
}
