//! Helper prototypes: what each helper's arguments must be, what it returns, and which
//! program types may call it. Linux helpers are listed here by their kernel ids; host
//! helpers come from the signatures registered with the vm.

use crate::ctx::ProgType;
use ferrobpf_vm::helpers::{ArgKind, HelperSignature, ReturnKind};
use std::collections::BTreeMap;

/// What an argument register must hold.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Arg {
    /// Any initialised value (`ARG_ANYTHING`).
    Anything,
    /// A number, not a pointer.
    Scalar,
    /// The unmodified context pointer (`ARG_PTR_TO_CTX`).
    Ctx,
    /// A map (`ARG_CONST_MAP_PTR`).
    Map,
    /// A key of the map argument: `key_size` initialised bytes (`ARG_PTR_TO_MAP_KEY`).
    MapKey,
    /// A value of the map argument: `value_size` initialised bytes (`ARG_PTR_TO_MAP_VALUE`).
    MapValue,
    /// Memory sized by the next argument: initialised and read (`init`) or written by the
    /// helper; `nullable` allows a null pointer with size 0 (`ARG_PTR_TO_MEM*`).
    Mem {
        /// The helper reads it (must be initialised) rather than filling it.
        init: bool,
        /// Null is allowed (then the size must be 0).
        nullable: bool,
    },
    /// The size of the previous memory argument (`ARG_CONST_SIZE[_OR_ZERO]`).
    Size {
        /// Zero allowed.
        zero_ok: bool,
    },
    /// A program function for a callback (`ARG_PTR_TO_FUNC`).
    Func,
    /// A stack pointer or null, handed to the callback (`ARG_PTR_TO_STACK_OR_NULL`).
    StackOrNull,
    /// Memory obtained from a reservation, released by this call (`ARG_PTR_TO_ALLOC_MEM`
    /// with `OBJ_RELEASE`).
    ReleaseMem,
    /// A constant allocation size (`ARG_CONST_ALLOC_SIZE_OR_ZERO`).
    AllocSize,
}

/// What r0 holds after the call.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ret {
    /// A number.
    Integer,
    /// Nothing readable.
    Void,
    /// A value of the map argument, or null.
    MapValueOrNull,
    /// Memory of the size argument, or null; carries a reference to release.
    AllocMemOrNull,
}

/// The program types a helper is offered to (the kernel's per-type `func_proto`), as
/// a set of [`ProgType::class`] bits.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Avail(pub u16);

impl Avail {
    /// Every program type.
    pub const ALL: Avail = Avail(u16::MAX);
    /// Tracing types (kprobe, tracepoints, perf events).
    pub const TRACING: Avail = Avail(ProgType::TRACING_CLASSES);
    /// Traffic control.
    pub const TC: Avail = Avail(1 << 1);
    /// Lightweight tunnels.
    pub const LWT: Avail = Avail(1 << 10);
    /// XDP.
    pub const XDP: Avail = Avail(1 << 3);
    /// Socket-buffer types (socket filter, tc, cgroup skb, lwt).
    pub const SKB: Avail = Avail(1 | 1 << 1 | 1 << 2 | 1 << 10);
    /// Socket operations.
    pub const SOCK_OPS: Avail = Avail(1 << 9);
    /// Traffic control and lightweight tunnels.
    pub const TC_LWT: Avail = Avail(1 << 1 | 1 << 10);
    /// Traffic control and XDP.
    pub const TC_XDP: Avail = Avail(1 << 1 | 1 << 3);
    /// Traffic control, XDP and lightweight tunnels.
    pub const TC_XDP_LWT: Avail = Avail(1 << 1 | 1 << 3 | 1 << 10);
    /// Everything with a context to output from (`perf_event_output`).
    pub const OUTPUT: Avail =
        Avail(ProgType::TRACING_CLASSES | 1 | 1 << 1 | 1 << 2 | 1 << 3 | 1 << 9 | 1 << 10);
    /// Tracing and cgroup types: helpers about the current task.
    pub const CURRENT: Avail = Avail(ProgType::TRACING_CLASSES | 1 << 2 | 1 << 8);
    /// Host-defined helpers: every program type.
    pub const HOST: Avail = Avail(u16::MAX);

    /// Whether a program of type `t` may call it.
    pub fn allows(self, t: &ProgType) -> bool {
        self.0 & t.class() != 0
    }
}

/// One helper's prototype.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Proto {
    /// Name for logs.
    pub name: String,
    /// Argument kinds, r1 first.
    pub args: Vec<Arg>,
    /// Result kind.
    pub ret: Ret,
    /// Who may call it.
    pub avail: Avail,
}

/// Ids of the Linux helpers the verifier knows.
pub mod id {
    /// `bpf_map_lookup_elem`
    pub const MAP_LOOKUP_ELEM: u32 = 1;
    /// `bpf_tail_call`
    pub const TAIL_CALL: u32 = 12;
    /// `bpf_loop`
    pub const LOOP: u32 = 181;
    /// `bpf_ringbuf_reserve`
    pub const RINGBUF_RESERVE: u32 = 131;
}

fn linux_table() -> Vec<(u32, &'static str, Vec<Arg>, Ret, Avail)> {
    use Arg::*;
    let rd = Mem {
        init: true,
        nullable: false,
    };
    let wr = Mem {
        init: false,
        nullable: false,
    };
    let rd_null = Mem {
        init: true,
        nullable: true,
    };
    let sz = Size { zero_ok: false };
    let sz0 = Size { zero_ok: true };
    let i = Ret::Integer;
    vec![
        (
            1,
            "map_lookup_elem",
            vec![Map, MapKey],
            Ret::MapValueOrNull,
            Avail::ALL,
        ),
        (
            2,
            "map_update_elem",
            vec![Map, MapKey, MapValue, Anything],
            i,
            Avail::ALL,
        ),
        (3, "map_delete_elem", vec![Map, MapKey], i, Avail::ALL),
        (4, "probe_read", vec![wr, sz0, Anything], i, Avail::TRACING),
        (5, "ktime_get_ns", vec![], i, Avail::ALL),
        (6, "trace_printk", vec![rd, sz], i, Avail::ALL),
        (7, "get_prandom_u32", vec![], i, Avail::ALL),
        (8, "get_smp_processor_id", vec![], i, Avail::ALL),
        (
            9,
            "skb_store_bytes",
            vec![Ctx, Anything, rd, sz, Anything],
            i,
            Avail::TC,
        ),
        (
            10,
            "l3_csum_replace",
            vec![Ctx, Anything, Anything, Anything, Anything],
            i,
            Avail::TC,
        ),
        (
            11,
            "l4_csum_replace",
            vec![Ctx, Anything, Anything, Anything, Anything],
            i,
            Avail::TC,
        ),
        (
            12,
            "tail_call",
            vec![Ctx, Map, Anything],
            Ret::Void,
            Avail::ALL,
        ),
        (
            13,
            "clone_redirect",
            vec![Ctx, Anything, Anything],
            i,
            Avail::TC,
        ),
        (14, "get_current_pid_tgid", vec![], i, Avail::ALL),
        (15, "get_current_uid_gid", vec![], i, Avail::CURRENT),
        (16, "get_current_comm", vec![wr, sz], i, Avail::CURRENT),
        (17, "get_cgroup_classid", vec![Ctx], i, Avail::TC_LWT),
        (
            18,
            "skb_vlan_push",
            vec![Ctx, Anything, Anything],
            i,
            Avail::TC,
        ),
        (19, "skb_vlan_pop", vec![Ctx], i, Avail::TC),
        (
            20,
            "skb_get_tunnel_key",
            vec![Ctx, wr, sz, Anything],
            i,
            Avail::TC,
        ),
        (
            21,
            "skb_set_tunnel_key",
            vec![Ctx, rd, sz, Anything],
            i,
            Avail::TC,
        ),
        (
            22,
            "perf_event_read",
            vec![Map, Anything],
            i,
            Avail::TRACING,
        ),
        (23, "redirect", vec![Anything, Anything], i, Avail::TC_XDP),
        (24, "get_route_realm", vec![Ctx], i, Avail::TC_LWT),
        (
            25,
            "perf_event_output",
            vec![Ctx, Map, Anything, rd, sz0],
            i,
            Avail::OUTPUT,
        ),
        (
            26,
            "skb_load_bytes",
            vec![Ctx, Anything, wr, sz],
            i,
            Avail::SKB,
        ),
        (
            27,
            "get_stackid",
            vec![Ctx, Map, Anything],
            i,
            Avail::TRACING,
        ),
        (
            28,
            "csum_diff",
            vec![rd_null, sz0, rd_null, sz0, Anything],
            i,
            Avail::TC_XDP_LWT,
        ),
        (34, "get_hash_recalc", vec![Ctx], i, Avail::TC_LWT),
        (35, "get_current_task", vec![], i, Avail::TRACING),
        (44, "xdp_adjust_head", vec![Ctx, Anything], i, Avail::XDP),
        (
            45,
            "probe_read_str",
            vec![wr, sz0, Anything],
            i,
            Avail::TRACING,
        ),
        (
            51,
            "redirect_map",
            vec![Map, Anything, Anything],
            i,
            Avail::TC_XDP,
        ),
        (54, "xdp_adjust_meta", vec![Ctx, Anything], i, Avail::XDP),
        (65, "xdp_adjust_tail", vec![Ctx, Anything], i, Avail::XDP),
        (
            49,
            "setsockopt",
            vec![Ctx, Anything, Anything, rd, sz],
            i,
            Avail::SOCK_OPS,
        ),
        (
            57,
            "getsockopt",
            vec![Ctx, Anything, Anything, wr, sz],
            i,
            Avail::SOCK_OPS,
        ),
        (
            59,
            "sock_ops_cb_flags_set",
            vec![Ctx, Anything],
            i,
            Avail::SOCK_OPS,
        ),
        (29, "skb_get_tunnel_opt", vec![Ctx, wr, sz], i, Avail::TC),
        (30, "skb_set_tunnel_opt", vec![Ctx, rd, sz], i, Avail::TC),
        (
            31,
            "skb_change_proto",
            vec![Ctx, Anything, Anything],
            i,
            Avail::TC,
        ),
        (32, "skb_change_type", vec![Ctx, Anything], i, Avail::TC),
        (
            33,
            "skb_under_cgroup",
            vec![Ctx, Map, Anything],
            i,
            Avail::TC,
        ),
        (
            37,
            "current_task_under_cgroup",
            vec![Map, Anything],
            i,
            Avail::TRACING,
        ),
        (
            38,
            "skb_change_tail",
            vec![Ctx, Anything, Anything],
            i,
            Avail::TC,
        ),
        (39, "skb_pull_data", vec![Ctx, Anything], i, Avail::TC_LWT),
        (40, "csum_update", vec![Ctx, Anything], i, Avail::TC),
        (41, "set_hash_invalid", vec![Ctx], i, Avail::TC),
        (42, "get_numa_node_id", vec![], i, Avail::ALL),
        (
            43,
            "skb_change_head",
            vec![Ctx, Anything, Anything],
            i,
            Avail::TC,
        ),
        (
            46,
            "get_socket_cookie",
            vec![Ctx],
            i,
            Avail(Avail::SKB.0 | Avail::SOCK_OPS.0),
        ),
        (47, "get_socket_uid", vec![Ctx], i, Avail::SKB),
        (48, "set_hash", vec![Ctx, Anything], i, Avail::TC),
        (
            50,
            "skb_adjust_room",
            vec![Ctx, Anything, Anything, Anything],
            i,
            Avail::TC,
        ),
        (
            55,
            "perf_event_read_value",
            vec![Map, Anything, wr, sz],
            i,
            Avail::TRACING,
        ),
        (
            56,
            "perf_prog_read_value",
            vec![Ctx, wr, sz],
            i,
            Avail::TRACING,
        ),
        (
            67,
            "get_stack",
            vec![Ctx, wr, sz0, Anything],
            i,
            Avail::TRACING,
        ),
        (
            69,
            "fib_lookup",
            vec![Ctx, rd, sz, Anything],
            i,
            Avail::TC_XDP,
        ),
        (
            68,
            "skb_load_bytes_relative",
            vec![Ctx, Anything, wr, sz, Anything],
            i,
            Avail::SKB,
        ),
        (
            112,
            "probe_read_user",
            vec![wr, sz0, Anything],
            i,
            Avail::TRACING,
        ),
        (
            113,
            "probe_read_kernel",
            vec![wr, sz0, Anything],
            i,
            Avail::TRACING,
        ),
        (
            114,
            "probe_read_user_str",
            vec![wr, sz0, Anything],
            i,
            Avail::TRACING,
        ),
        (
            115,
            "probe_read_kernel_str",
            vec![wr, sz0, Anything],
            i,
            Avail::TRACING,
        ),
        (125, "ktime_get_boot_ns", vec![], i, Avail::ALL),
        (
            130,
            "ringbuf_output",
            vec![Map, rd, sz0, Anything],
            i,
            Avail::ALL,
        ),
        (
            131,
            "ringbuf_reserve",
            vec![Map, AllocSize, Anything],
            Ret::AllocMemOrNull,
            Avail::ALL,
        ),
        (
            132,
            "ringbuf_submit",
            vec![ReleaseMem, Anything],
            Ret::Void,
            Avail::ALL,
        ),
        (
            133,
            "ringbuf_discard",
            vec![ReleaseMem, Anything],
            Ret::Void,
            Avail::ALL,
        ),
        (134, "ringbuf_query", vec![Map, Anything], i, Avail::ALL),
        (160, "ktime_get_coarse_ns", vec![], i, Avail::ALL),
        (
            181,
            "loop",
            vec![Anything, Func, StackOrNull, Anything],
            i,
            Avail::ALL,
        ),
    ]
}

/// Whether helper `id` may move or resize the packet, so that every packet pointer
/// must be reloaded and rechecked after it (the kernel's `bpf_helper_changes_pkt_data`).
pub fn changes_packet(id: u32) -> bool {
    matches!(
        id,
        9 | 10 | 11 | 13 | 18 | 19 | 31 | 38 | 39 | 43 | 44 | 50 | 54 | 65
    )
}

/// The helpers a program may call: Linux's by default, plus host-defined ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Helpers {
    protos: BTreeMap<u32, Proto>,
}

impl Default for Helpers {
    fn default() -> Self {
        Helpers::linux()
    }
}

fn from_vm_arg(k: ArgKind) -> Arg {
    match k {
        ArgKind::Anything => Arg::Anything,
        ArgKind::Scalar => Arg::Scalar,
        ArgKind::ReadableMem => Arg::Mem {
            init: true,
            nullable: false,
        },
        ArgKind::WritableMem => Arg::Mem {
            init: false,
            nullable: false,
        },
        ArgKind::ConstSize => Arg::Size { zero_ok: false },
        ArgKind::ConstSizeOrZero => Arg::Size { zero_ok: true },
        ArgKind::Context => Arg::Ctx,
        ArgKind::Map => Arg::Map,
        ArgKind::MapKey => Arg::MapKey,
        ArgKind::MapValue => Arg::MapValue,
        ArgKind::Function => Arg::Func,
    }
}

impl Helpers {
    /// No helpers at all.
    pub fn empty() -> Helpers {
        Helpers {
            protos: BTreeMap::new(),
        }
    }

    /// The Linux helpers, with the kernel's ids and program-type availability.
    pub fn linux() -> Helpers {
        let protos = linux_table()
            .into_iter()
            .map(|(id, name, args, ret, avail)| {
                (
                    id,
                    Proto {
                        name: format!("bpf_{name}"),
                        args,
                        ret,
                        avail,
                    },
                )
            })
            .collect();
        Helpers { protos }
    }

    /// Adds (or replaces) a host helper from its vm signature.
    pub fn add_host(&mut self, id: u32, name: &str, sig: &HelperSignature) {
        let ret = match sig.ret() {
            ReturnKind::Scalar => Ret::Integer,
            ReturnKind::MapValueOrNull => Ret::MapValueOrNull,
            ReturnKind::Void => Ret::Void,
        };
        self.protos.insert(
            id,
            Proto {
                name: name.to_string(),
                args: sig.args().iter().copied().map(from_vm_arg).collect(),
                ret,
                avail: Avail::HOST,
            },
        );
    }

    /// The prototype for `id`, if known.
    pub fn get(&self, id: u32) -> Option<&Proto> {
        self.protos.get(&id)
    }

    /// The name of helper `id` for messages (`#id` when unknown).
    pub fn name(&self, id: u32) -> String {
        self.get(id)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| format!("unknown#{id}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_prototypes_are_well_formed() {
        let h = Helpers::linux();
        for (id, p) in &h.protos {
            assert!(p.args.len() <= 5, "{id}");
            for (i, a) in p.args.iter().enumerate() {
                if matches!(a, Arg::Mem { .. }) {
                    assert!(matches!(p.args.get(i + 1), Some(Arg::Size { .. })), "{id}");
                }
            }
        }
        assert_eq!(h.name(1), "bpf_map_lookup_elem");
        assert_eq!(h.name(9999), "unknown#9999");
    }

    #[test]
    fn availability() {
        let h = Helpers::linux();
        assert!(h.get(14).unwrap().avail.allows(&ProgType::Kprobe));
        assert!(!h.get(16).unwrap().avail.allows(&ProgType::Xdp));
        assert!(h.get(44).unwrap().avail.allows(&ProgType::Xdp));
        assert!(h.get(25).unwrap().avail.allows(&ProgType::SocketFilter));
        assert!(h.get(1).unwrap().avail.allows(&ProgType::Tracepoint));
    }

    #[test]
    fn host_signatures_convert() {
        let mut h = Helpers::empty();
        let sig = HelperSignature::new(
            &[ArgKind::ReadableMem, ArgKind::ConstSize],
            ReturnKind::Scalar,
        )
        .unwrap();
        h.add_host(0x1000, "host_log", &sig);
        let p = h.get(0x1000).unwrap();
        assert_eq!(p.args[1], Arg::Size { zero_ok: false });
        assert!(p.avail.allows(&ProgType::Xdp));
    }
}
