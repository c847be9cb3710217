//! The Linux helpers: one table of prototypes ([`PROTOTYPES`]: id, name, argument
//! and result kinds, the program types offered each one, whether it may move the
//! packet), read by the verifier, and the host functions of those ferrobpf
//! implements ([`HELPERS`], each row taking its prototype from the table).

use super::{internal, maps, net, output, packet, task, time, trace, tracing, Impl};
use crate::helpers::ArgKind::{self, *};
use crate::helpers::{HelperSignature, Offered, ReturnKind, SignatureError};

/// One Linux helper's prototype, after the kernel's `bpf_func_proto` and its
/// per-program-type `func_proto`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Prototype {
    /// The kernel's id (`BPF_FUNC_*`).
    pub id: u32,
    /// The kernel's name without the `bpf_` prefix.
    pub name: &'static str,
    /// Argument kinds, r1 first.
    pub args: &'static [ArgKind],
    /// Result kind.
    pub ret: ReturnKind,
    /// The program types that may call it.
    pub offered: Offered,
    /// Whether it may move or resize the packet, so that every packet pointer must
    /// be reloaded and checked again after the call (`bpf_helper_changes_pkt_data`).
    pub changes_packet: bool,
}

impl Prototype {
    const fn new(
        id: u32,
        name: &'static str,
        args: &'static [ArgKind],
        ret: ReturnKind,
        offered: Offered,
    ) -> Prototype {
        Prototype {
            id,
            name,
            args,
            ret,
            offered,
            changes_packet: false,
        }
    }

    /// The same prototype, for a helper that may move the packet.
    const fn moving_packet(self) -> Prototype {
        Prototype {
            changes_packet: true,
            ..self
        }
    }

    /// The prototype as a checked [`HelperSignature`].
    pub fn signature(&self) -> Result<HelperSignature, SignatureError> {
        super::signature(self.args, self.ret)
    }
}

/// One Linux helper.
#[derive(Copy, Clone)]
pub struct LinuxHelper {
    /// The kernel's id (`BPF_FUNC_*`).
    pub id: u32,
    /// The kernel's name without the `bpf_` prefix.
    pub name: &'static str,
    /// Argument kinds, r1 first.
    pub args: &'static [ArgKind],
    /// Result kind.
    pub ret: ReturnKind,
    /// The host function.
    pub(crate) imp: Impl,
}

impl LinuxHelper {
    /// The helper with prototype `id` of [`PROTOTYPES`] and host function `imp`
    /// (a missing prototype stops the build).
    const fn implement(id: u32, imp: Impl) -> LinuxHelper {
        let mut i = 0;
        while i < PROTOTYPES.len() {
            let p = &PROTOTYPES[i];
            if p.id == id {
                return LinuxHelper {
                    id,
                    name: p.name,
                    args: p.args,
                    ret: p.ret,
                    imp,
                };
            }
            i += 1;
        }
        panic!("an implemented helper without a prototype")
    }

    /// The prototype as a checked [`HelperSignature`].
    pub fn signature(&self) -> Result<HelperSignature, SignatureError> {
        super::signature(self.args, self.ret)
    }
}

impl std::fmt::Debug for LinuxHelper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinuxHelper")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("args", &self.args)
            .field("ret", &self.ret)
            .finish()
    }
}

const INT: ReturnKind = ReturnKind::Scalar;
const VOID: ReturnKind = ReturnKind::Void;
const ALL: Offered = Offered::ALL;
const TRACING: Offered = Offered::TRACING;
const TC: Offered = Offered::TC;
const XDP: Offered = Offered::XDP;
const TC_LWT: Offered = Offered::TC.with(Offered::LWT);
const TC_XDP: Offered = Offered::TC.with(Offered::XDP);
const SOCK_OPS: Offered = Offered::SOCK_OPS;

/// Every Linux helper ferrobpf knows, implemented or not, by ascending id.
#[rustfmt::skip]
pub const PROTOTYPES: &[Prototype] = &[
    Prototype::new(1, "map_lookup_elem", &[Map, MapKey], ReturnKind::MapValueOrNull, ALL),
    Prototype::new(2, "map_update_elem", &[Map, MapKey, MapValue, Anything], INT, ALL),
    Prototype::new(3, "map_delete_elem", &[Map, MapKey], INT, ALL),
    Prototype::new(4, "probe_read", &[WritableMem, ConstSizeOrZero, Anything], INT, TRACING),
    Prototype::new(5, "ktime_get_ns", &[], INT, ALL),
    Prototype::new(6, "trace_printk", &[ReadableMem, ConstSize], INT, ALL),
    Prototype::new(7, "get_prandom_u32", &[], INT, ALL),
    Prototype::new(8, "get_smp_processor_id", &[], INT, ALL),
    Prototype::new(9, "skb_store_bytes", &[Context, Anything, ReadableMem, ConstSize, Anything], INT, TC).moving_packet(),
    Prototype::new(10, "l3_csum_replace", &[Context, Anything, Anything, Anything, Anything], INT, TC).moving_packet(),
    Prototype::new(11, "l4_csum_replace", &[Context, Anything, Anything, Anything, Anything], INT, TC).moving_packet(),
    Prototype::new(12, "tail_call", &[Context, Map, Anything], VOID, ALL),
    Prototype::new(13, "clone_redirect", &[Context, Anything, Anything], INT, TC).moving_packet(),
    Prototype::new(14, "get_current_pid_tgid", &[], INT, ALL),
    Prototype::new(15, "get_current_uid_gid", &[], INT, Offered::CURRENT_TASK),
    Prototype::new(16, "get_current_comm", &[WritableMem, ConstSize], INT, Offered::CURRENT_TASK),
    Prototype::new(17, "get_cgroup_classid", &[Context], INT, TC_LWT),
    Prototype::new(18, "skb_vlan_push", &[Context, Anything, Anything], INT, TC).moving_packet(),
    Prototype::new(19, "skb_vlan_pop", &[Context], INT, TC).moving_packet(),
    Prototype::new(20, "skb_get_tunnel_key", &[Context, WritableMem, ConstSize, Anything], INT, TC),
    Prototype::new(21, "skb_set_tunnel_key", &[Context, ReadableMem, ConstSize, Anything], INT, TC),
    Prototype::new(22, "perf_event_read", &[Map, Anything], INT, TRACING),
    Prototype::new(23, "redirect", &[Anything, Anything], INT, TC_XDP),
    Prototype::new(24, "get_route_realm", &[Context], INT, TC_LWT),
    Prototype::new(25, "perf_event_output", &[Context, Map, Anything, ReadableMem, ConstSizeOrZero], INT, Offered::OUTPUT),
    Prototype::new(26, "skb_load_bytes", &[Context, Anything, WritableMem, ConstSize], INT, Offered::SKB),
    Prototype::new(27, "get_stackid", &[Context, Map, Anything], INT, TRACING),
    Prototype::new(28, "csum_diff", &[ReadableMemOrNull, ConstSizeOrZero, ReadableMemOrNull, ConstSizeOrZero, Anything,], INT, TC_XDP.with(Offered::LWT)),
    Prototype::new(29, "skb_get_tunnel_opt", &[Context, WritableMem, ConstSize], INT, TC),
    Prototype::new(30, "skb_set_tunnel_opt", &[Context, ReadableMem, ConstSize], INT, TC),
    Prototype::new(31, "skb_change_proto", &[Context, Anything, Anything], INT, TC).moving_packet(),
    Prototype::new(32, "skb_change_type", &[Context, Anything], INT, TC),
    Prototype::new(33, "skb_under_cgroup", &[Context, Map, Anything], INT, TC),
    Prototype::new(34, "get_hash_recalc", &[Context], INT, TC_LWT),
    Prototype::new(35, "get_current_task", &[], INT, TRACING),
    // Offered by Linux only outside lockdown (36) and with CONFIG_BPF_KPROBE_OVERRIDE
    // (58): the reference kernel refuses both, so the verifier does too.
    Prototype::new(36, "probe_write_user", &[Anything, ReadableMem, ConstSize], INT, Offered::NONE),
    Prototype::new(37, "current_task_under_cgroup", &[Map, Anything], INT, TRACING),
    Prototype::new(38, "skb_change_tail", &[Context, Anything, Anything], INT, TC).moving_packet(),
    Prototype::new(39, "skb_pull_data", &[Context, Anything], INT, TC_LWT).moving_packet(),
    Prototype::new(40, "csum_update", &[Context, Anything], INT, TC),
    Prototype::new(41, "set_hash_invalid", &[Context], INT, TC),
    Prototype::new(42, "get_numa_node_id", &[], INT, ALL),
    Prototype::new(43, "skb_change_head", &[Context, Anything, Anything], INT, TC).moving_packet(),
    Prototype::new(44, "xdp_adjust_head", &[Context, Anything], INT, XDP).moving_packet(),
    Prototype::new(45, "probe_read_str", &[WritableMem, ConstSizeOrZero, Anything], INT, TRACING),
    Prototype::new(46, "get_socket_cookie", &[Context], INT, Offered::SKB.with(SOCK_OPS)),
    Prototype::new(47, "get_socket_uid", &[Context], INT, Offered::SKB),
    Prototype::new(48, "set_hash", &[Context, Anything], INT, TC),
    Prototype::new(49, "setsockopt", &[Context, Anything, Anything, ReadableMem, ConstSize], INT, SOCK_OPS),
    Prototype::new(50, "skb_adjust_room", &[Context, Anything, Anything, Anything], INT, TC).moving_packet(),
    Prototype::new(51, "redirect_map", &[Map, Anything, Anything], INT, TC_XDP),
    Prototype::new(54, "xdp_adjust_meta", &[Context, Anything], INT, XDP).moving_packet(),
    Prototype::new(55, "perf_event_read_value", &[Map, Anything, WritableMem, ConstSize], INT, TRACING),
    Prototype::new(56, "perf_prog_read_value", &[Context, WritableMem, ConstSize], INT, TRACING),
    Prototype::new(57, "getsockopt", &[Context, Anything, Anything, WritableMem, ConstSize], INT, SOCK_OPS),
    Prototype::new(58, "override_return", &[Context, Anything], INT, Offered::NONE),
    Prototype::new(59, "sock_ops_cb_flags_set", &[Context, Anything], INT, SOCK_OPS),
    Prototype::new(65, "xdp_adjust_tail", &[Context, Anything], INT, XDP).moving_packet(),
    Prototype::new(67, "get_stack", &[Context, WritableMem, ConstSizeOrZero, Anything], INT, TRACING),
    Prototype::new(68, "skb_load_bytes_relative", &[Context, Anything, WritableMem, ConstSize, Anything], INT, Offered::SKB),
    Prototype::new(69, "fib_lookup", &[Context, ReadableMem, ConstSize, Anything], INT, TC_XDP),
    Prototype::new(87, "map_push_elem", &[Map, MapValue, Anything], INT, ALL),
    Prototype::new(88, "map_pop_elem", &[Map, MapValue], INT, ALL),
    Prototype::new(89, "map_peek_elem", &[Map, MapValue], INT, ALL),
    Prototype::new(112, "probe_read_user", &[WritableMem, ConstSizeOrZero, Anything], INT, TRACING),
    Prototype::new(113, "probe_read_kernel", &[WritableMem, ConstSizeOrZero, Anything], INT, TRACING),
    Prototype::new(114, "probe_read_user_str", &[WritableMem, ConstSizeOrZero, Anything], INT, TRACING),
    Prototype::new(115, "probe_read_kernel_str", &[WritableMem, ConstSizeOrZero, Anything], INT, TRACING),
    Prototype::new(125, "ktime_get_boot_ns", &[], INT, ALL),
    Prototype::new(130, "ringbuf_output", &[Map, ReadableMem, ConstSizeOrZero, Anything], INT, ALL),
    Prototype::new(131, "ringbuf_reserve", &[Map, AllocSize, Anything], ReturnKind::ReservedMemOrNull, ALL),
    Prototype::new(132, "ringbuf_submit", &[ReservedMem, Anything], VOID, ALL),
    Prototype::new(133, "ringbuf_discard", &[ReservedMem, Anything], VOID, ALL),
    Prototype::new(134, "ringbuf_query", &[Map, Anything], INT, ALL),
    Prototype::new(160, "ktime_get_coarse_ns", &[], INT, ALL),
    Prototype::new(164, "for_each_map_elem", &[Map, Function, StackOrNull, Anything], INT, ALL),
    Prototype::new(181, "loop", &[Anything, Function, StackOrNull, Anything], INT, ALL),
];

macro_rules! implemented {
    ($($id:literal => $imp:path;)*) => {
        /// Every Linux helper ferrobpf implements, by ascending id: its prototype
        /// from [`PROTOTYPES`] and its host function.
        pub const HELPERS: &[LinuxHelper] = &[$(LinuxHelper::implement($id, $imp),)*];
    };
}

implemented! {
    1 => maps::lookup;
    2 => maps::update;
    3 => maps::delete;
    4 => task::probe_read_kernel;
    5 => time::ktime_get_ns;
    6 => trace::trace_printk;
    7 => time::get_prandom_u32;
    8 => time::get_smp_processor_id;
    9 => packet::skb_store_bytes;
    10 => packet::l3_csum_replace;
    11 => packet::l4_csum_replace;
    12 => internal::not_prepared;
    13 => net::clone_redirect;
    14 => task::get_current_pid_tgid;
    15 => task::get_current_uid_gid;
    16 => task::get_current_comm;
    18 => packet::skb_vlan_push;
    19 => packet::skb_vlan_pop;
    20 => net::skb_get_tunnel_key;
    21 => net::skb_set_tunnel_key;
    22 => tracing::perf_event_read;
    23 => net::redirect;
    25 => output::perf_event_output;
    26 => packet::skb_load_bytes;
    27 => tracing::get_stackid;
    28 => packet::csum_diff;
    29 => net::skb_get_tunnel_opt;
    30 => net::skb_set_tunnel_opt;
    33 => task::skb_under_cgroup;
    34 => packet::get_hash_recalc;
    36 => task::probe_write_user;
    37 => task::current_task_under_cgroup;
    38 => packet::skb_change_tail;
    44 => packet::xdp_adjust_head;
    45 => task::probe_read_kernel_str;
    49 => net::setsockopt;
    51 => net::redirect_map;
    54 => packet::xdp_adjust_meta;
    55 => tracing::perf_event_read_value;
    56 => tracing::perf_prog_read_value;
    57 => net::getsockopt;
    58 => tracing::override_return;
    65 => packet::xdp_adjust_tail;
    69 => net::fib_lookup;
    87 => maps::push;
    88 => maps::pop;
    89 => maps::peek;
    112 => task::probe_read_user;
    113 => task::probe_read_kernel;
    114 => task::probe_read_user_str;
    115 => task::probe_read_kernel_str;
    125 => time::ktime_get_boot_ns;
    130 => output::ringbuf_output;
    131 => output::ringbuf_reserve;
    132 => output::ringbuf_submit;
    133 => output::ringbuf_discard;
    134 => output::ringbuf_query;
    164 => internal::not_prepared;
    181 => internal::not_prepared;
}

/// The prototype of Linux helper `id`, implemented or not.
pub fn linux_prototype(id: u32) -> Option<&'static Prototype> {
    PROTOTYPES
        .binary_search_by_key(&id, |p| p.id)
        .ok()
        .and_then(|i| PROTOTYPES.get(i))
}

/// The Linux helper with `id`, if ferrobpf implements it.
pub fn prototype(id: u32) -> Option<&'static LinuxHelper> {
    HELPERS
        .binary_search_by_key(&id, |h| h.id)
        .ok()
        .and_then(|i| HELPERS.get(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prototypes_are_sorted_and_well_formed() {
        assert!(PROTOTYPES.windows(2).all(|w| w[0].id < w[1].id));
        for p in PROTOTYPES {
            assert!(p.signature().is_ok(), "{}", p.name);
            assert_eq!(linux_prototype(p.id), Some(p));
        }
        assert!(linux_prototype(17).is_some() && prototype(17).is_none());
        assert!(linux_prototype(9).is_some_and(|p| p.changes_packet));
        assert!(!linux_prototype(1).is_some_and(|p| p.changes_packet));
    }

    #[test]
    fn implemented_helpers_take_their_prototypes() {
        for h in HELPERS {
            let p = linux_prototype(h.id).expect("a prototype");
            assert_eq!((h.name, h.args, h.ret), (p.name, p.args, p.ret));
        }
    }
}
