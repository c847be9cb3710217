//! Program contexts: what r1 points to when a program starts.
//!
//! XDP programs get a `struct xdp_md` and socket-buffer programs (socket filters,
//! tc, cgroup skb) a `struct __sk_buff`, both over a host [`Packet`]. Their
//! `data`, `data_end` and `data_meta` fields are 32 bits wide, but a program uses
//! them as pointers: as the kernel does, loading rewrites each 32-bit load of them
//! into a 64-bit load of a pointer the host keeps behind the UAPI struct (the
//! *shadow* fields, [`FieldRewrite`]). Tracing programs (kprobe, tracepoint,
//! perf event, raw tracepoint) and host-defined program types get a byte blob the
//! host fills ([`ContextKind::Blob`]).

pub mod packet;
pub mod skb;
pub mod xdp;

pub use packet::Packet;
pub use skb::SkbMeta;
pub use xdp::XdpMeta;

/// A 32-bit pointer field of a UAPI context and where its 64-bit value really is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct FieldRewrite {
    /// Offset of the 32-bit field programs load.
    pub field: i16,
    /// Offset of the 64-bit pointer the load is rewritten to read.
    pub shadow: i16,
}

impl FieldRewrite {
    /// The rewrites of a context whose `data`, `data_end` and `data_meta` fields
    /// are at `fields` and whose 64-bit pointers are at `shadows`.
    pub const fn pointers(fields: [u32; 3], shadows: [u32; 3]) -> [FieldRewrite; 3] {
        [
            FieldRewrite {
                field: fields[0] as i16,
                shadow: shadows[0] as i16,
            },
            FieldRewrite {
                field: fields[1] as i16,
                shadow: shadows[1] as i16,
            },
            FieldRewrite {
                field: fields[2] as i16,
                shadow: shadows[2] as i16,
            },
        ]
    }
}

/// The context a program type gets.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ContextKind {
    /// `struct xdp_md` over a packet.
    Xdp,
    /// `struct __sk_buff` over a packet.
    Skb,
    /// A host-filled blob (tracing and host-defined types), or none.
    Blob,
}

impl ContextKind {
    /// The loads that become pointer loads.
    pub fn rewrites(self) -> &'static [FieldRewrite] {
        match self {
            ContextKind::Xdp => &xdp::REWRITES,
            ContextKind::Skb => &skb::REWRITES,
            ContextKind::Blob => &[],
        }
    }
}

/// `sizeof(struct pt_regs)` on x86-64: the context of kprobes.
pub const PT_REGS_SIZE: usize = 168;
/// `sizeof(struct bpf_perf_event_data)` on x86-64: `pt_regs`, `sample_period`,
/// `addr`.
pub const PERF_EVENT_DATA_SIZE: usize = PT_REGS_SIZE + 16;
