//! `struct xdp_md`: the UAPI fields, then the host's pointers.

use super::FieldRewrite;

/// Offset of `data`.
pub const DATA: u32 = 0;
/// Offset of `data_end`.
pub const DATA_END: u32 = 4;
/// Offset of `data_meta`.
pub const DATA_META: u32 = 8;
/// Offset of `ingress_ifindex`.
pub const INGRESS_IFINDEX: u32 = 12;
/// Offset of `rx_queue_index`.
pub const RX_QUEUE_INDEX: u32 = 16;
/// Offset of `egress_ifindex`.
pub const EGRESS_IFINDEX: u32 = 20;
/// `sizeof(struct xdp_md)`.
pub const UAPI_SIZE: usize = 24;
/// Offset of the 64-bit `data` pointer.
pub const DATA_PTR: u32 = 24;
/// Offset of the 64-bit `data_end` pointer.
pub const DATA_END_PTR: u32 = 32;
/// Offset of the 64-bit `data_meta` pointer.
pub const META_PTR: u32 = 40;
/// Size of the whole context.
pub const SIZE: usize = 48;

/// The pointer fields' rewrites.
pub const REWRITES: [FieldRewrite; 3] = FieldRewrite::pointers(
    [DATA, DATA_END, DATA_META],
    [DATA_PTR, DATA_END_PTR, META_PTR],
);

/// What the host says about where an XDP packet came from.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct XdpMeta {
    /// `ingress_ifindex`.
    pub ingress_ifindex: u32,
    /// `rx_queue_index`.
    pub rx_queue_index: u32,
}

/// The context bytes for a packet at `data..data_end` with metadata from `meta`.
pub(crate) fn context(m: &XdpMeta, meta: u64, data: u64, data_end: u64) -> [u8; SIZE] {
    let mut c = [0u8; SIZE];
    let mut put = |off: u32, bytes: &[u8]| {
        let o = off as usize;
        c[o..o + bytes.len()].copy_from_slice(bytes);
    };
    put(INGRESS_IFINDEX, &m.ingress_ifindex.to_le_bytes());
    put(RX_QUEUE_INDEX, &m.rx_queue_index.to_le_bytes());
    put(DATA_PTR, &data.to_le_bytes());
    put(DATA_END_PTR, &data_end.to_le_bytes());
    put(META_PTR, &meta.to_le_bytes());
    c
}
