//! What one run of a Linux-style program carries besides its memory: the packet's
//! geometry, a scheduled tail call, ring buffer reservations, redirect decisions.
//!
//! Helpers are registered once and shared by every run, and the engines hand them
//! only the run's memory, so the state of the current run is kept per thread: the
//! host [`enter`]s a [`RunState`] before starting a run and takes it back from the
//! guard afterwards (runs nest, e.g. when a host helper runs another program).
//! Helpers that need it find it with [`with`]; without a current run they answer
//! as the kernel does when the state does not apply (no packet, no tail call).

use crate::maps::perf::CounterValue;
use crate::maps::MapId;
use std::cell::RefCell;

/// Where the packet of an XDP or socket-buffer run is, as guest addresses. The
/// frame holds headroom, packet data and tailroom; `meta..data` is XDP metadata.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct PacketState {
    /// Which kind of context describes the packet.
    pub kind: PacketKind,
    /// First byte of the frame.
    pub frame: u64,
    /// One past the last byte the packet may grow to (the frame's end minus the
    /// tailroom the kernel reserves).
    pub limit: u64,
    /// First byte of metadata (equal to `data` when there is none).
    pub meta: u64,
    /// First byte of the packet.
    pub data: u64,
    /// One past the packet's last byte.
    pub data_end: u64,
    /// Lowest address `meta` may reach (the kernel keeps room for its frame
    /// header in front of XDP data).
    pub floor: u64,
    /// Where the run's packet regions begin and end (for a socket buffer: frame
    /// start, packet start and end as the run began, frame end); helpers split
    /// their accesses at these addresses.
    pub bounds: [u64; 4],
}

/// The context a packet belongs to.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PacketKind {
    /// `struct xdp_md`.
    Xdp,
    /// `struct __sk_buff`.
    Skb,
}

/// A hardware-accelerated VLAN tag (outside the packet bytes).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct VlanTag {
    /// Tag protocol, network byte order as the kernel stores it.
    pub proto: u16,
    /// Tag control information.
    pub tci: u16,
}

/// Tunnel metadata of a socket buffer (`struct bpf_tunnel_key` and options).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TunnelInfo {
    /// The key, laid out as the full 44-byte `struct bpf_tunnel_key`.
    pub key: Vec<u8>,
    /// Whether the addresses are IPv6.
    pub ipv6: bool,
    /// Tunnel options, if any.
    pub options: Option<Vec<u8>>,
}

/// Where a redirect helper told the packet to go.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Redirect {
    /// `bpf_redirect`: to interface `ifindex` with `flags`.
    Interface {
        /// Target interface.
        ifindex: u32,
        /// Helper flags (`BPF_F_INGRESS`).
        flags: u64,
    },
    /// `bpf_redirect_map`: to the entry `key` of map `map`.
    Map {
        /// The devmap, cpumap or xskmap.
        map: MapId,
        /// The entry.
        key: u32,
        /// Helper flags.
        flags: u64,
    },
}

/// A packet copy sent elsewhere by `bpf_clone_redirect`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClonedPacket {
    /// Target interface.
    pub ifindex: u32,
    /// Helper flags.
    pub flags: u64,
    /// The packet bytes at the time of the call.
    pub data: Vec<u8>,
}

/// The state of one run (and of the tail calls it makes).
#[derive(Clone, Debug, Default)]
pub struct RunState {
    /// Guest address of the context (0 when there is none).
    pub ctx: u64,
    /// The packet, for XDP and socket-buffer runs.
    pub packet: Option<PacketState>,
    /// Offsets in the context of the fields the host keeps up to date when the
    /// packet changes.
    pub fields: ContextFields,
    /// The program a successful `bpf_tail_call` scheduled (its id in the program
    /// array), to run once the current one has stopped.
    pub tail_call: Option<u32>,
    /// Tail calls taken so far.
    pub tail_calls: u32,
    /// Ring buffer records reserved and not yet submitted or discarded.
    pub reservations: Vec<(MapId, u64)>,
    /// The last redirect decision.
    pub redirect: Option<Redirect>,
    /// Packets cloned to other interfaces.
    pub clones: Vec<ClonedPacket>,
    /// Return value set by `bpf_override_return`.
    pub override_return: Option<u64>,
    /// The socket buffer's accelerated VLAN tag.
    pub vlan: Option<VlanTag>,
    /// The socket buffer's tunnel metadata.
    pub tunnel: Option<TunnelInfo>,
    /// The counter of the perf event that triggered a perf-event program.
    pub perf_value: Option<CounterValue>,
}

/// Context offsets (from the context's start) where the host writes the packet's
/// pointers and length after a helper changed them; `None`: not in this context.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct ContextFields {
    /// 64-bit pointer to the packet data.
    pub data: Option<u32>,
    /// 64-bit pointer one past the packet.
    pub data_end: Option<u32>,
    /// 64-bit pointer to the metadata.
    pub meta: Option<u32>,
    /// 32-bit packet length (`__sk_buff.len`).
    pub len: Option<u32>,
    /// 32-bit `__sk_buff.protocol`.
    pub protocol: Option<u32>,
    /// 32-bit `__sk_buff.vlan_present`, `vlan_tci`, `vlan_proto` (consecutive).
    pub vlan: Option<u32>,
    /// 32-bit `__sk_buff.hash`.
    pub hash: Option<u32>,
}

thread_local! {
    static CURRENT: RefCell<Vec<RunState>> = const { RefCell::new(Vec::new()) };
}

/// Makes `state` the current run's state on this thread until the guard is
/// finished or dropped.
pub fn enter(state: RunState) -> RunGuard {
    CURRENT.with(|c| c.borrow_mut().push(state));
    RunGuard { active: true }
}

/// Applies `f` to the current run's state; `None` when no run is active.
pub fn with<R>(f: impl FnOnce(&mut RunState) -> R) -> Option<R> {
    CURRENT.with(|c| c.borrow_mut().last_mut().map(f))
}

/// Ends the current run's state when finished or dropped.
#[derive(Debug)]
#[must_use = "the state is current only while the guard lives"]
pub struct RunGuard {
    active: bool,
}

impl RunGuard {
    /// Ends the run and returns its final state.
    pub fn finish(mut self) -> RunState {
        self.active = false;
        CURRENT.with(|c| c.borrow_mut().pop()).unwrap_or_default()
    }
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        if self.active {
            CURRENT.with(|c| c.borrow_mut().pop());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_nest_and_end() {
        assert_eq!(with(|s| s.ctx), None);
        let outer = enter(RunState {
            ctx: 1,
            ..RunState::default()
        });
        {
            let inner = enter(RunState {
                ctx: 2,
                ..RunState::default()
            });
            with(|s| s.tail_calls += 1);
            let done = inner.finish();
            assert_eq!((done.ctx, done.tail_calls), (2, 1));
        }
        assert_eq!(with(|s| s.ctx), Some(1));
        drop(outer);
        assert_eq!(with(|s| s.ctx), None);
    }
}
