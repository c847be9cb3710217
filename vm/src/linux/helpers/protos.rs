//! The Linux helpers ferrobpf implements: id, name, prototype, host function.

use super::{internal, maps, net, output, packet, task, time, trace, tracing, Impl};
use crate::helpers::ArgKind::{self, *};
use crate::helpers::{HelperSignature, ReturnKind, SignatureError};

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

macro_rules! helpers {
    ($($id:literal $name:literal ($($arg:ident),*) -> $ret:expr, $imp:path;)*) => {
        /// Every Linux helper ferrobpf implements, by ascending id.
        pub const HELPERS: &[LinuxHelper] = &[
            $(LinuxHelper { id: $id, name: $name, args: &[$($arg),*], ret: $ret, imp: $imp },)*
        ];
    };
}

helpers! {
    1 "map_lookup_elem" (Map, MapKey) -> ReturnKind::MapValueOrNull, maps::lookup;
    2 "map_update_elem" (Map, MapKey, MapValue, Anything) -> INT, maps::update;
    3 "map_delete_elem" (Map, MapKey) -> INT, maps::delete;
    4 "probe_read" (WritableMem, ConstSizeOrZero, Anything) -> INT, task::probe_read_kernel;
    5 "ktime_get_ns" () -> INT, time::ktime_get_ns;
    6 "trace_printk" (ReadableMem, ConstSize, Anything, Anything, Anything) -> INT, trace::trace_printk;
    7 "get_prandom_u32" () -> INT, time::get_prandom_u32;
    8 "get_smp_processor_id" () -> INT, time::get_smp_processor_id;
    9 "skb_store_bytes" (Context, Anything, ReadableMem, ConstSize, Anything) -> INT, packet::skb_store_bytes;
    10 "l3_csum_replace" (Context, Anything, Anything, Anything, Anything) -> INT, packet::l3_csum_replace;
    11 "l4_csum_replace" (Context, Anything, Anything, Anything, Anything) -> INT, packet::l4_csum_replace;
    12 "tail_call" (Context, Map, Anything) -> VOID, internal::not_prepared;
    13 "clone_redirect" (Context, Anything, Anything) -> INT, net::clone_redirect;
    14 "get_current_pid_tgid" () -> INT, task::get_current_pid_tgid;
    15 "get_current_uid_gid" () -> INT, task::get_current_uid_gid;
    16 "get_current_comm" (WritableMem, ConstSize) -> INT, task::get_current_comm;
    18 "skb_vlan_push" (Context, Anything, Anything) -> INT, packet::skb_vlan_push;
    19 "skb_vlan_pop" (Context) -> INT, packet::skb_vlan_pop;
    20 "skb_get_tunnel_key" (Context, WritableMem, ConstSize, Anything) -> INT, net::skb_get_tunnel_key;
    21 "skb_set_tunnel_key" (Context, ReadableMem, ConstSize, Anything) -> INT, net::skb_set_tunnel_key;
    22 "perf_event_read" (Map, Anything) -> INT, tracing::perf_event_read;
    23 "redirect" (Anything, Anything) -> INT, net::redirect;
    25 "perf_event_output" (Context, Map, Anything, ReadableMem, ConstSizeOrZero) -> INT, output::perf_event_output;
    26 "skb_load_bytes" (Context, Anything, WritableMem, ConstSize) -> INT, packet::skb_load_bytes;
    27 "get_stackid" (Context, Map, Anything) -> INT, tracing::get_stackid;
    28 "csum_diff" (ReadableMem, ConstSizeOrZero, ReadableMem, ConstSizeOrZero, Anything) -> INT, packet::csum_diff;
    29 "skb_get_tunnel_opt" (Context, WritableMem, ConstSize) -> INT, net::skb_get_tunnel_opt;
    30 "skb_set_tunnel_opt" (Context, ReadableMem, ConstSize) -> INT, net::skb_set_tunnel_opt;
    33 "skb_under_cgroup" (Context, Map, Anything) -> INT, task::skb_under_cgroup;
    34 "get_hash_recalc" (Context) -> INT, packet::get_hash_recalc;
    36 "probe_write_user" (Anything, ReadableMem, ConstSize) -> INT, task::probe_write_user;
    37 "current_task_under_cgroup" (Map, Anything) -> INT, task::current_task_under_cgroup;
    38 "skb_change_tail" (Context, Anything, Anything) -> INT, packet::skb_change_tail;
    44 "xdp_adjust_head" (Context, Anything) -> INT, packet::xdp_adjust_head;
    45 "probe_read_str" (WritableMem, ConstSizeOrZero, Anything) -> INT, task::probe_read_kernel_str;
    49 "setsockopt" (Context, Anything, Anything, ReadableMem, ConstSize) -> INT, net::setsockopt;
    51 "redirect_map" (Map, Anything, Anything) -> INT, net::redirect_map;
    54 "xdp_adjust_meta" (Context, Anything) -> INT, packet::xdp_adjust_meta;
    55 "perf_event_read_value" (Map, Anything, WritableMem, ConstSize) -> INT, tracing::perf_event_read_value;
    56 "perf_prog_read_value" (Context, WritableMem, ConstSize) -> INT, tracing::perf_prog_read_value;
    57 "getsockopt" (Context, Anything, Anything, WritableMem, ConstSize) -> INT, net::getsockopt;
    58 "override_return" (Context, Anything) -> INT, tracing::override_return;
    65 "xdp_adjust_tail" (Context, Anything) -> INT, packet::xdp_adjust_tail;
    69 "fib_lookup" (Context, WritableMem, ConstSize, Anything) -> INT, net::fib_lookup;
    87 "map_push_elem" (Map, MapValue, Anything) -> INT, maps::push;
    88 "map_pop_elem" (Map, MapValue) -> INT, maps::pop;
    89 "map_peek_elem" (Map, MapValue) -> INT, maps::peek;
    112 "probe_read_user" (WritableMem, ConstSizeOrZero, Anything) -> INT, task::probe_read_user;
    113 "probe_read_kernel" (WritableMem, ConstSizeOrZero, Anything) -> INT, task::probe_read_kernel;
    114 "probe_read_user_str" (WritableMem, ConstSizeOrZero, Anything) -> INT, task::probe_read_user_str;
    115 "probe_read_kernel_str" (WritableMem, ConstSizeOrZero, Anything) -> INT, task::probe_read_kernel_str;
    125 "ktime_get_boot_ns" () -> INT, time::ktime_get_boot_ns;
    130 "ringbuf_output" (Map, ReadableMem, ConstSizeOrZero, Anything) -> INT, output::ringbuf_output;
    131 "ringbuf_reserve" (Map, Scalar, Scalar) -> INT, output::ringbuf_reserve;
    132 "ringbuf_submit" (Anything, Scalar) -> VOID, output::ringbuf_submit;
    133 "ringbuf_discard" (Anything, Scalar) -> VOID, output::ringbuf_discard;
    134 "ringbuf_query" (Map, Scalar) -> INT, output::ringbuf_query;
    164 "for_each_map_elem" (Map, Function, Anything, Scalar) -> INT, internal::not_prepared;
    181 "loop" (Scalar, Function, Anything, Scalar) -> INT, internal::not_prepared;
}

/// The Linux helper with `id`.
pub fn prototype(id: u32) -> Option<&'static LinuxHelper> {
    HELPERS
        .binary_search_by_key(&id, |h| h.id)
        .ok()
        .and_then(|i| HELPERS.get(i))
}
