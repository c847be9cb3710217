//! A packet in a host buffer, with room before and after it to grow, as the
//! kernel lays out XDP frames and socket buffers.

use std::ops::Range;

/// `XDP_PACKET_HEADROOM`.
pub const XDP_HEADROOM: usize = 256;
/// Bytes the kernel reserves at the end of an XDP frame
/// (`SKB_DATA_ALIGN(sizeof(struct skb_shared_info))` on x86-64).
pub const XDP_TAIL_RESERVE: usize = 320;
/// The kernel's XDP test frame size (a page).
pub const XDP_FRAME: usize = 4096;
/// Room the kernel keeps in front of XDP data for its frame header
/// (`sizeof(struct xdp_frame)`); metadata and moved heads may not enter it.
pub const XDP_FRAME_HEADER: usize = 40;
/// Headroom of socket buffers (`NET_SKB_PAD`).
pub const SKB_HEADROOM: usize = 64;
/// Default room after a socket buffer's data for `bpf_skb_change_tail` to grow
/// into.
pub const SKB_TAILROOM: usize = 1024;

/// A packet: its bytes in a buffer with headroom and tailroom, plus XDP metadata
/// in front of the data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    buf: Vec<u8>,
    meta: usize,
    data: usize,
    end: usize,
    reserve: usize,
    floor: usize,
}

impl Packet {
    /// `bytes` in an XDP frame as the kernel's test runs build it: 256 bytes of
    /// headroom, a 4096-byte frame (larger when the packet needs it) whose last
    /// 320 bytes stay reserved.
    pub fn xdp(bytes: &[u8]) -> Packet {
        let len = (XDP_HEADROOM + bytes.len() + XDP_TAIL_RESERVE).max(XDP_FRAME);
        Packet::build(bytes, XDP_HEADROOM, len, XDP_TAIL_RESERVE, XDP_FRAME_HEADER)
    }

    /// `bytes` as a socket buffer: 64 bytes of headroom, 1024 of tailroom.
    pub fn skb(bytes: &[u8]) -> Packet {
        Packet::with_room(bytes, SKB_HEADROOM, SKB_TAILROOM)
    }

    /// `bytes` with `headroom` bytes before and `tailroom` after.
    pub fn with_room(bytes: &[u8], headroom: usize, tailroom: usize) -> Packet {
        let len = headroom + bytes.len() + tailroom;
        Packet::build(bytes, headroom, len, 0, 0)
    }

    fn build(bytes: &[u8], headroom: usize, len: usize, reserve: usize, floor: usize) -> Packet {
        let mut buf = vec![0; len];
        buf[headroom..headroom + bytes.len()].copy_from_slice(bytes);
        Packet {
            buf,
            meta: headroom,
            data: headroom,
            end: headroom + bytes.len(),
            reserve,
            floor,
        }
    }

    /// The packet's bytes.
    pub fn data(&self) -> &[u8] {
        &self.buf[self.data..self.end]
    }

    /// The packet's bytes, for writing.
    pub fn data_mut(&mut self) -> &mut [u8] {
        &mut self.buf[self.data..self.end]
    }

    /// The metadata in front of the data (XDP `data_meta`).
    pub fn metadata(&self) -> &[u8] {
        &self.buf[self.meta..self.data]
    }

    /// Length of the packet.
    pub fn len(&self) -> usize {
        self.end - self.data
    }

    /// Whether the packet has no bytes.
    pub fn is_empty(&self) -> bool {
        self.end == self.data
    }

    /// Bytes free in front of the metadata.
    pub fn headroom(&self) -> usize {
        self.meta
    }

    /// Bytes the packet may still grow by at its end.
    pub fn tailroom(&self) -> usize {
        self.buf.len() - self.reserve - self.end
    }

    /// The whole buffer and the positions in it: (buffer, meta..data..end range,
    /// bytes reserved at the end, lowest position metadata may take).
    pub(crate) fn parts(&mut self) -> (&mut [u8], Range<usize>, usize, usize, usize) {
        (
            &mut self.buf,
            self.meta..self.data,
            self.end,
            self.reserve,
            self.floor,
        )
    }

    /// Sets the positions after a run moved them; refuses positions out of order
    /// or outside the buffer.
    pub(crate) fn set_positions(&mut self, meta: usize, data: usize, end: usize) -> bool {
        let ok = meta <= data && data <= end && end <= self.buf.len() - self.reserve;
        if ok {
            (self.meta, self.data, self.end) = (meta, data, end);
        }
        ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts() {
        let p = Packet::xdp(&[1, 2, 3]);
        assert_eq!(p.data(), &[1, 2, 3]);
        assert_eq!(p.headroom(), 256);
        assert_eq!(p.tailroom(), 4096 - 256 - 3 - 320);
        assert!(p.metadata().is_empty());
        let big = Packet::xdp(&[0; 5000]);
        assert_eq!(big.tailroom(), 0);
        let mut s = Packet::skb(&[9; 10]);
        assert_eq!((s.headroom(), s.tailroom(), s.len()), (64, 1024, 10));
        s.data_mut()[0] = 1;
        assert!(s.set_positions(60, 64, 70));
        assert_eq!(s.metadata().len(), 4);
        assert!(!s.set_positions(70, 64, 70));
        assert!(!s.set_positions(0, 0, 5000));
    }
}
