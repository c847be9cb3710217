//! Which kinds of program a helper is offered to (the kernel's per-type
//! `func_proto`): a set of program-type classes, one bit each.

/// A set of program-type classes. Program types that share a context share a class
/// (`sched_cls` and `sched_act` are [`TC`](Offered::TC), `lwt_in` and `lwt_out`
/// are [`LWT`](Offered::LWT)).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Offered(pub u16);

impl Offered {
    /// `BPF_PROG_TYPE_SOCKET_FILTER`.
    pub const SOCKET_FILTER: Offered = Offered(1);
    /// `BPF_PROG_TYPE_SCHED_CLS` and `BPF_PROG_TYPE_SCHED_ACT` (traffic control).
    pub const TC: Offered = Offered(1 << 1);
    /// `BPF_PROG_TYPE_CGROUP_SKB`.
    pub const CGROUP_SKB: Offered = Offered(1 << 2);
    /// `BPF_PROG_TYPE_XDP`.
    pub const XDP: Offered = Offered(1 << 3);
    /// `BPF_PROG_TYPE_KPROBE` (kprobes and uprobes).
    pub const KPROBE: Offered = Offered(1 << 4);
    /// `BPF_PROG_TYPE_TRACEPOINT`.
    pub const TRACEPOINT: Offered = Offered(1 << 5);
    /// `BPF_PROG_TYPE_RAW_TRACEPOINT`.
    pub const RAW_TRACEPOINT: Offered = Offered(1 << 6);
    /// `BPF_PROG_TYPE_PERF_EVENT`.
    pub const PERF_EVENT: Offered = Offered(1 << 7);
    /// `BPF_PROG_TYPE_CGROUP_SOCK`.
    pub const CGROUP_SOCK: Offered = Offered(1 << 8);
    /// `BPF_PROG_TYPE_SOCK_OPS`.
    pub const SOCK_OPS: Offered = Offered(1 << 9);
    /// `BPF_PROG_TYPE_LWT_IN` and `BPF_PROG_TYPE_LWT_OUT`.
    pub const LWT: Offered = Offered(1 << 10);
    /// Raw programs over one block of memory (no context).
    pub const MEMORY: Offered = Offered(1 << 11);
    /// Program types defined by the embedding host.
    pub const HOST: Offered = Offered(1 << 15);

    /// Every program type.
    pub const ALL: Offered = Offered(u16::MAX);
    /// No program type: helpers the reference kernel does not offer by default.
    pub const NONE: Offered = Offered(0);
    /// Tracing: kprobes, tracepoints, raw tracepoints, perf events.
    pub const TRACING: Offered = Offered::KPROBE
        .with(Offered::TRACEPOINT)
        .with(Offered::RAW_TRACEPOINT)
        .with(Offered::PERF_EVENT);
    /// Programs on socket buffers: socket filters, traffic control, cgroup skb,
    /// lightweight tunnels.
    pub const SKB: Offered = Offered::SOCKET_FILTER
        .with(Offered::TC)
        .with(Offered::CGROUP_SKB)
        .with(Offered::LWT);
    /// Programs about the current task: tracing and cgroup hooks.
    pub const CURRENT_TASK: Offered = Offered::TRACING
        .with(Offered::CGROUP_SKB)
        .with(Offered::CGROUP_SOCK);
    /// Programs with a context to output perf events from.
    pub const OUTPUT: Offered = Offered::TRACING
        .with(Offered::SKB)
        .with(Offered::XDP)
        .with(Offered::SOCK_OPS);

    /// Both sets.
    pub const fn with(self, other: Offered) -> Offered {
        Offered(self.0 | other.0)
    }

    /// Whether the sets share a class (a program of class `class` may call a
    /// helper offered to `self`).
    pub const fn allows(self, class: Offered) -> bool {
        self.0 & class.0 != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_combine() {
        assert!(Offered::TRACING.allows(Offered::PERF_EVENT));
        assert!(!Offered::TRACING.allows(Offered::XDP));
        assert!(Offered::SKB.allows(Offered::LWT));
        assert!(Offered::ALL.allows(Offered::HOST));
        assert!(Offered::OUTPUT.allows(Offered::SOCK_OPS));
        assert!(!Offered::OUTPUT.allows(Offered::MEMORY));
        assert!(!Offered::NONE.allows(Offered::KPROBE));
        assert_eq!(
            Offered::TC.with(Offered::XDP),
            Offered(Offered::TC.0 | Offered::XDP.0)
        );
    }
}
