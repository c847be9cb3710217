//! Program types, and the guess libbpf makes from a program's section name.
//!
//! The table follows libbpf's `SEC()` conventions: an entry ending in `+` matches
//! the name itself or the name followed by `/...`; an entry ending in `/` matches
//! any name it prefixes; other entries match exactly. Entries marked `legacy`
//! also match any name they prefix, as libbpf did before 1.0 (objects such as
//! samples/bpf's use `xdp_redirect_map`, `socket1`, `cgroup/sock1`). A name that
//! matches nothing (`filter`, `tail-3`, ...) gives [`ProgramType::Unspec`]: the
//! host has to say what the program is.

/// A Linux `enum bpf_prog_type`, with the kernel's numbering.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum ProgramType {
    /// `BPF_PROG_TYPE_UNSPEC`: not known from the section name.
    Unspec = 0,
    /// `BPF_PROG_TYPE_SOCKET_FILTER`.
    SocketFilter = 1,
    /// `BPF_PROG_TYPE_KPROBE` (kprobes, uprobes, usdt).
    Kprobe = 2,
    /// `BPF_PROG_TYPE_SCHED_CLS` (tc classifier).
    SchedCls = 3,
    /// `BPF_PROG_TYPE_SCHED_ACT` (tc action).
    SchedAct = 4,
    /// `BPF_PROG_TYPE_TRACEPOINT`.
    Tracepoint = 5,
    /// `BPF_PROG_TYPE_XDP`.
    Xdp = 6,
    /// `BPF_PROG_TYPE_PERF_EVENT`.
    PerfEvent = 7,
    /// `BPF_PROG_TYPE_CGROUP_SKB`.
    CgroupSkb = 8,
    /// `BPF_PROG_TYPE_CGROUP_SOCK`.
    CgroupSock = 9,
    /// `BPF_PROG_TYPE_LWT_IN`.
    LwtIn = 10,
    /// `BPF_PROG_TYPE_LWT_OUT`.
    LwtOut = 11,
    /// `BPF_PROG_TYPE_LWT_XMIT`.
    LwtXmit = 12,
    /// `BPF_PROG_TYPE_SOCK_OPS`.
    SockOps = 13,
    /// `BPF_PROG_TYPE_SK_SKB`.
    SkSkb = 14,
    /// `BPF_PROG_TYPE_CGROUP_DEVICE`.
    CgroupDevice = 15,
    /// `BPF_PROG_TYPE_SK_MSG`.
    SkMsg = 16,
    /// `BPF_PROG_TYPE_RAW_TRACEPOINT`.
    RawTracepoint = 17,
    /// `BPF_PROG_TYPE_CGROUP_SOCK_ADDR`.
    CgroupSockAddr = 18,
    /// `BPF_PROG_TYPE_LWT_SEG6LOCAL`.
    LwtSeg6local = 19,
    /// `BPF_PROG_TYPE_LIRC_MODE2`.
    LircMode2 = 20,
    /// `BPF_PROG_TYPE_SK_REUSEPORT`.
    SkReuseport = 21,
    /// `BPF_PROG_TYPE_FLOW_DISSECTOR`.
    FlowDissector = 22,
    /// `BPF_PROG_TYPE_CGROUP_SYSCTL`.
    CgroupSysctl = 23,
    /// `BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE`.
    RawTracepointWritable = 24,
    /// `BPF_PROG_TYPE_CGROUP_SOCKOPT`.
    CgroupSockopt = 25,
    /// `BPF_PROG_TYPE_TRACING` (fentry, fexit, tp_btf, iter).
    Tracing = 26,
    /// `BPF_PROG_TYPE_STRUCT_OPS`.
    StructOps = 27,
    /// `BPF_PROG_TYPE_EXT` (freplace).
    Ext = 28,
    /// `BPF_PROG_TYPE_LSM`.
    Lsm = 29,
    /// `BPF_PROG_TYPE_SK_LOOKUP`.
    SkLookup = 30,
    /// `BPF_PROG_TYPE_SYSCALL`.
    Syscall = 31,
    /// `BPF_PROG_TYPE_NETFILTER`.
    Netfilter = 32,
}

impl ProgramType {
    /// The kernel's number for this type.
    pub fn linux_id(self) -> u32 {
        self as u32
    }

    /// The kernel's name without the `BPF_PROG_TYPE_` prefix (`XDP`, `SCHED_CLS`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ProgramType::Unspec => "UNSPEC",
            ProgramType::SocketFilter => "SOCKET_FILTER",
            ProgramType::Kprobe => "KPROBE",
            ProgramType::SchedCls => "SCHED_CLS",
            ProgramType::SchedAct => "SCHED_ACT",
            ProgramType::Tracepoint => "TRACEPOINT",
            ProgramType::Xdp => "XDP",
            ProgramType::PerfEvent => "PERF_EVENT",
            ProgramType::CgroupSkb => "CGROUP_SKB",
            ProgramType::CgroupSock => "CGROUP_SOCK",
            ProgramType::LwtIn => "LWT_IN",
            ProgramType::LwtOut => "LWT_OUT",
            ProgramType::LwtXmit => "LWT_XMIT",
            ProgramType::SockOps => "SOCK_OPS",
            ProgramType::SkSkb => "SK_SKB",
            ProgramType::CgroupDevice => "CGROUP_DEVICE",
            ProgramType::SkMsg => "SK_MSG",
            ProgramType::RawTracepoint => "RAW_TRACEPOINT",
            ProgramType::CgroupSockAddr => "CGROUP_SOCK_ADDR",
            ProgramType::LwtSeg6local => "LWT_SEG6LOCAL",
            ProgramType::LircMode2 => "LIRC_MODE2",
            ProgramType::SkReuseport => "SK_REUSEPORT",
            ProgramType::FlowDissector => "FLOW_DISSECTOR",
            ProgramType::CgroupSysctl => "CGROUP_SYSCTL",
            ProgramType::RawTracepointWritable => "RAW_TRACEPOINT_WRITABLE",
            ProgramType::CgroupSockopt => "CGROUP_SOCKOPT",
            ProgramType::Tracing => "TRACING",
            ProgramType::StructOps => "STRUCT_OPS",
            ProgramType::Ext => "EXT",
            ProgramType::Lsm => "LSM",
            ProgramType::SkLookup => "SK_LOOKUP",
            ProgramType::Syscall => "SYSCALL",
            ProgramType::Netfilter => "NETFILTER",
        }
    }

    /// Guesses the type from a section name, as libbpf does (see the module docs).
    pub fn from_section(name: &str) -> ProgramType {
        SECTIONS
            .iter()
            .find(|d| d.matches_strictly(name))
            .or_else(|| {
                SECTIONS
                    .iter()
                    .filter(|d| d.legacy)
                    .map(|d| (d, d.legacy_prefix()))
                    .filter(|(_, prefix)| name.starts_with(prefix.as_str()))
                    .max_by_key(|(_, prefix)| prefix.len())
                    .map(|(d, _)| d)
            })
            .map_or(ProgramType::Unspec, |d| d.prog_type)
    }
}

/// One `SEC()` convention.
struct SecDef {
    /// The pattern, with libbpf's `+` / `/` suffix conventions.
    pattern: &'static str,
    /// The type it gives.
    prog_type: ProgramType,
    /// Whether any name it prefixes matches too (libbpf before 1.0).
    legacy: bool,
}

impl SecDef {
    /// What a legacy (pre-1.0) name must start with: the pattern, with `type+`
    /// read as `type/`.
    fn legacy_prefix(&self) -> String {
        match self.pattern.strip_suffix('+') {
            Some(stem) => format!("{stem}/"),
            None => self.pattern.to_string(),
        }
    }

    fn matches_strictly(&self, name: &str) -> bool {
        if let Some(stem) = self.pattern.strip_suffix('+') {
            name.strip_prefix(stem)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        } else if self.pattern.ends_with('/') {
            name.starts_with(self.pattern)
        } else {
            name == self.pattern
        }
    }
}

const fn def(pattern: &'static str, prog_type: ProgramType, legacy: bool) -> SecDef {
    SecDef {
        pattern,
        prog_type,
        legacy,
    }
}

use ProgramType as P;

/// libbpf's section table, most specific entries first where prefixes overlap.
const SECTIONS: &[SecDef] = &[
    def("socket", P::SocketFilter, true),
    def("sk_reuseport/migrate", P::SkReuseport, true),
    def("sk_reuseport", P::SkReuseport, true),
    def("kprobe+", P::Kprobe, true),
    def("uprobe+", P::Kprobe, true),
    def("uprobe.s+", P::Kprobe, false),
    def("kretprobe+", P::Kprobe, true),
    def("uretprobe+", P::Kprobe, true),
    def("uretprobe.s+", P::Kprobe, false),
    def("kprobe.multi+", P::Kprobe, false),
    def("kretprobe.multi+", P::Kprobe, false),
    def("kprobe.session+", P::Kprobe, false),
    def("uprobe.multi+", P::Kprobe, false),
    def("uretprobe.multi+", P::Kprobe, false),
    def("uprobe.multi.s+", P::Kprobe, false),
    def("uretprobe.multi.s+", P::Kprobe, false),
    def("uprobe.session+", P::Kprobe, false),
    def("uprobe.session.s+", P::Kprobe, false),
    def("ksyscall+", P::Kprobe, false),
    def("kretsyscall+", P::Kprobe, false),
    def("usdt+", P::Kprobe, false),
    def("usdt.s+", P::Kprobe, false),
    def("tc/ingress", P::SchedCls, false),
    def("tc/egress", P::SchedCls, false),
    def("tcx/ingress", P::SchedCls, false),
    def("tcx/egress", P::SchedCls, false),
    def("tc", P::SchedCls, false),
    def("classifier", P::SchedCls, true),
    def("action", P::SchedAct, true),
    def("netkit/primary", P::SchedCls, false),
    def("netkit/peer", P::SchedCls, false),
    def("tracepoint+", P::Tracepoint, true),
    def("tp+", P::Tracepoint, true),
    def("raw_tracepoint+", P::RawTracepoint, true),
    def("raw_tp+", P::RawTracepoint, true),
    def("raw_tracepoint.w+", P::RawTracepointWritable, false),
    def("raw_tp.w+", P::RawTracepointWritable, false),
    def("tp_btf+", P::Tracing, false),
    def("fentry+", P::Tracing, false),
    def("fmod_ret+", P::Tracing, false),
    def("fexit+", P::Tracing, false),
    def("fentry.s+", P::Tracing, false),
    def("fmod_ret.s+", P::Tracing, false),
    def("fexit.s+", P::Tracing, false),
    def("freplace+", P::Ext, false),
    def("lsm+", P::Lsm, false),
    def("lsm.s+", P::Lsm, false),
    def("lsm_cgroup+", P::Lsm, false),
    def("iter+", P::Tracing, false),
    def("iter.s+", P::Tracing, false),
    def("syscall", P::Syscall, false),
    def("xdp.frags/devmap", P::Xdp, false),
    def("xdp/devmap", P::Xdp, false),
    def("xdp_devmap/", P::Xdp, true),
    def("xdp.frags/cpumap", P::Xdp, false),
    def("xdp/cpumap", P::Xdp, false),
    def("xdp_cpumap/", P::Xdp, true),
    def("xdp.frags", P::Xdp, false),
    def("xdp", P::Xdp, true),
    def("perf_event", P::PerfEvent, true),
    def("lwt_in", P::LwtIn, true),
    def("lwt_out", P::LwtOut, true),
    def("lwt_xmit", P::LwtXmit, true),
    def("lwt_seg6local", P::LwtSeg6local, true),
    def("sockops", P::SockOps, true),
    def("sk_skb/stream_parser", P::SkSkb, true),
    def("sk_skb/stream_verdict", P::SkSkb, true),
    def("sk_skb/verdict", P::SkSkb, false),
    def("sk_skb", P::SkSkb, true),
    def("sk_msg", P::SkMsg, true),
    def("lirc_mode2", P::LircMode2, true),
    def("flow_dissector", P::FlowDissector, true),
    def("cgroup_skb/ingress", P::CgroupSkb, true),
    def("cgroup_skb/egress", P::CgroupSkb, true),
    def("cgroup/skb", P::CgroupSkb, true),
    def("cgroup/sock_create", P::CgroupSock, true),
    def("cgroup/sock_release", P::CgroupSock, true),
    def("cgroup/sock", P::CgroupSock, true),
    def("cgroup/post_bind4", P::CgroupSock, true),
    def("cgroup/post_bind6", P::CgroupSock, true),
    def("cgroup/bind4", P::CgroupSockAddr, true),
    def("cgroup/bind6", P::CgroupSockAddr, true),
    def("cgroup/connect4", P::CgroupSockAddr, true),
    def("cgroup/connect6", P::CgroupSockAddr, true),
    def("cgroup/connect_unix", P::CgroupSockAddr, false),
    def("cgroup/sendmsg4", P::CgroupSockAddr, true),
    def("cgroup/sendmsg6", P::CgroupSockAddr, true),
    def("cgroup/sendmsg_unix", P::CgroupSockAddr, false),
    def("cgroup/recvmsg4", P::CgroupSockAddr, true),
    def("cgroup/recvmsg6", P::CgroupSockAddr, true),
    def("cgroup/recvmsg_unix", P::CgroupSockAddr, false),
    def("cgroup/getpeername4", P::CgroupSockAddr, true),
    def("cgroup/getpeername6", P::CgroupSockAddr, true),
    def("cgroup/getpeername_unix", P::CgroupSockAddr, false),
    def("cgroup/getsockname4", P::CgroupSockAddr, true),
    def("cgroup/getsockname6", P::CgroupSockAddr, true),
    def("cgroup/getsockname_unix", P::CgroupSockAddr, false),
    def("cgroup/sysctl", P::CgroupSysctl, true),
    def("cgroup/getsockopt", P::CgroupSockopt, true),
    def("cgroup/setsockopt", P::CgroupSockopt, true),
    def("cgroup/dev", P::CgroupDevice, true),
    def("struct_ops+", P::StructOps, false),
    def("struct_ops.s+", P::StructOps, false),
    def("sk_lookup", P::SkLookup, true),
    def("netfilter", P::Netfilter, false),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_and_legacy_names() {
        let cases = [
            ("xdp", P::Xdp),
            ("xdp.frags", P::Xdp),
            ("tc", P::SchedCls),
            ("tc/ingress", P::SchedCls),
            ("classifier", P::SchedCls),
            ("socket", P::SocketFilter),
            ("kprobe/do_sys_open", P::Kprobe),
            ("kretprobe/x", P::Kprobe),
            ("tracepoint/syscalls/sys_enter_open", P::Tracepoint),
            ("raw_tracepoint/sched_switch", P::RawTracepoint),
            ("raw_tp.w/x", P::RawTracepointWritable),
            ("cgroup_skb/ingress", P::CgroupSkb),
            ("perf_event", P::PerfEvent),
            ("fentry/tcp_connect", P::Tracing),
            ("cgroup/connect4", P::CgroupSockAddr),
            // Prefixes libbpf accepted before 1.0.
            ("xdp_redirect_map", P::Xdp),
            ("socket1", P::SocketFilter),
            ("cgroup/sock1", P::CgroupSock),
            ("sk_skb/stream_parser2", P::SkSkb),
        ];
        for (name, expected) in cases {
            assert_eq!(ProgramType::from_section(name), expected, "{name}");
        }
    }

    #[test]
    fn custom_names_are_unspecified() {
        for name in [
            "filter",
            "tail-3",
            "loadbalancer",
            "ingress",
            "kprobes/x",
            "fentryx",
            "tc_mark",
        ] {
            assert_eq!(ProgramType::from_section(name), P::Unspec, "{name}");
        }
        assert_eq!(ProgramType::Xdp.linux_id(), 6);
        assert_eq!(ProgramType::SchedCls.name(), "SCHED_CLS");
    }
}
