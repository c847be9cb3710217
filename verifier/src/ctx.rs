//! Program types and the layout of their context: which bytes a program may read or
//! write through its context pointer, and which loads yield pointers.

use ferrobpf_vm::helpers::Offered;
use std::fmt;

/// How loads and stores of a context field may be sized.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    /// The whole field exactly.
    Exact,
    /// Loads of any smaller power-of-two size at a naturally aligned offset inside the
    /// field; stores of the whole field only.
    Narrow,
    /// Any size at an offset that is a multiple of the size (register files and raw
    /// argument areas).
    Aligned,
}

/// What a load of a field yields.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// A number.
    Scalar,
    /// The packet's first byte.
    PacketData,
    /// One past the packet's last byte.
    PacketEnd,
    /// The packet metadata's first byte.
    PacketMeta,
    /// A pointer to host memory of `size` bytes (maybe null when `nullable`).
    Mem {
        /// Bytes accessible through the pointer.
        size: u32,
        /// Whether stores through it are allowed.
        writable: bool,
        /// Whether it may be null (the program must check before use).
        nullable: bool,
    },
}

/// One region of the context.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct CtxField {
    /// Byte offset.
    pub off: u32,
    /// Byte size.
    pub size: u32,
    /// Loads allowed.
    pub read: bool,
    /// Stores allowed.
    pub write: bool,
    /// Sizing rule.
    pub access: Access,
    /// What loads yield.
    pub kind: FieldKind,
}

impl CtxField {
    /// A readable scalar field with narrow loads.
    pub const fn ro(off: u32, size: u32) -> CtxField {
        CtxField {
            off,
            size,
            read: true,
            write: false,
            access: Access::Narrow,
            kind: FieldKind::Scalar,
        }
    }

    /// A readable and writable scalar field.
    pub const fn rw(off: u32, size: u32) -> CtxField {
        CtxField {
            write: true,
            ..CtxField::ro(off, size)
        }
    }

    /// A field read whole that yields a pointer of `kind`.
    pub const fn ptr(off: u32, size: u32, kind: FieldKind) -> CtxField {
        CtxField {
            off,
            size,
            read: true,
            write: false,
            access: Access::Exact,
            kind,
        }
    }

    /// An area readable with any aligned access.
    pub const fn area(off: u32, size: u32) -> CtxField {
        CtxField {
            access: Access::Aligned,
            ..CtxField::ro(off, size)
        }
    }
}

/// A context's size and fields; bytes outside every field are inaccessible.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CtxLayout {
    /// Size in bytes.
    pub size: u32,
    /// Accessible regions, not overlapping.
    pub fields: Vec<CtxField>,
}

/// Why a context access is refused.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CtxDenied {
    /// No field covers the bytes, or the size or alignment breaks the field's rule.
    Invalid,
    /// The field is read-only (or write-only) for this program type.
    Permission,
}

impl CtxLayout {
    /// What a `size`-byte access at `off` yields, if allowed.
    pub fn check(&self, off: i64, size: u32, write: bool) -> Result<FieldKind, CtxDenied> {
        if off < 0 || off + i64::from(size) > i64::from(self.size) {
            return Err(CtxDenied::Invalid);
        }
        let off = off as u32;
        let field = self
            .fields
            .iter()
            .find(|f| off >= f.off && off < f.off + f.size)
            .ok_or(CtxDenied::Invalid)?;
        let inner = off - field.off;
        let fits = inner + size <= field.size;
        let ok = match field.access {
            Access::Exact => inner == 0 && size == field.size,
            Access::Narrow if write => inner == 0 && size == field.size,
            Access::Narrow => fits && inner.is_multiple_of(size) && size <= field.size,
            Access::Aligned => fits && off.is_multiple_of(size),
        };
        if !ok {
            return Err(CtxDenied::Invalid);
        }
        if (write && !field.write) || (!write && !field.read) {
            return Err(CtxDenied::Permission);
        }
        Ok(field.kind)
    }
}

/// The kind of program, which fixes its context and the helpers it may call.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ProgType {
    /// `BPF_PROG_TYPE_SOCKET_FILTER` (`socket*` sections).
    SocketFilter,
    /// `BPF_PROG_TYPE_XDP`.
    Xdp,
    /// `BPF_PROG_TYPE_SCHED_CLS` (tc classifier).
    SchedCls,
    /// `BPF_PROG_TYPE_SCHED_ACT` (tc action).
    SchedAct,
    /// `BPF_PROG_TYPE_CGROUP_SKB`.
    CgroupSkb,
    /// `BPF_PROG_TYPE_KPROBE` (kprobes and uprobes).
    Kprobe,
    /// `BPF_PROG_TYPE_TRACEPOINT`.
    Tracepoint,
    /// `BPF_PROG_TYPE_RAW_TRACEPOINT`.
    RawTracepoint,
    /// `BPF_PROG_TYPE_PERF_EVENT`.
    PerfEvent,
    /// `BPF_PROG_TYPE_CGROUP_SOCK` (socket creation hooks).
    CgroupSock,
    /// `BPF_PROG_TYPE_SOCK_OPS`.
    SockOps,
    /// `BPF_PROG_TYPE_LWT_IN`.
    LwtIn,
    /// `BPF_PROG_TYPE_LWT_OUT`.
    LwtOut,
    /// A type defined by the embedding host: its context layout.
    Host(CtxLayout),
    /// A raw program over one block of memory, without a context: r1 points to
    /// `size` readable and writable bytes (variable offsets allowed, like a map
    /// value), r2 holds `size`, r3-r5 are uninitialised. The ABI of the vm's
    /// `run_memory` and of the shared bench workloads.
    Memory {
        /// Bytes r1 points to (the value of r2).
        size: u32,
    },
}

/// Why a program type's name does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProgTypeError {
    /// No program type has this name.
    #[error("unknown program type `{0}`")]
    Unknown(String),
    /// `memory` without a size, or with one that is not a number below 2^32.
    #[error("program type `{0}` needs a size in bytes: `memory:SIZE`")]
    MemorySize(String),
}

/// Size of `struct __sk_buff` as the kernel's UAPI defines it.
pub const SK_BUFF_SIZE: u32 = 192;
/// Size of `struct pt_regs` on x86-64.
pub const PT_REGS_SIZE: u32 = 168;

/// Offsets of `struct __sk_buff` fields.
pub mod skb {
    /// `len`
    pub const LEN: u32 = 0;
    /// `mark`
    pub const MARK: u32 = 8;
    /// `priority`
    pub const PRIORITY: u32 = 32;
    /// `tc_index`
    pub const TC_INDEX: u32 = 44;
    /// `cb[0]`
    pub const CB: u32 = 48;
    /// `tc_classid`
    pub const TC_CLASSID: u32 = 72;
    /// `data`
    pub const DATA: u32 = 76;
    /// `data_end`
    pub const DATA_END: u32 = 80;
    /// `family`
    pub const FAMILY: u32 = 88;
    /// `data_meta`
    pub const DATA_META: u32 = 140;
    /// `tstamp`
    pub const TSTAMP: u32 = 152;
    /// `wire_len`
    pub const WIRE_LEN: u32 = 160;
}

/// Which `__sk_buff` view a program type gets.
#[derive(Copy, Clone, PartialEq, Eq)]
enum SkbView {
    Filter,
    Tc,
    Cgroup,
    Lwt,
}

fn skb_layout(view: SkbView) -> CtxLayout {
    use skb::*;
    let mut fields = Vec::new();
    // len .. tc_index: plain u32 fields, mark/priority/tc_index writable per type.
    for off in (LEN..CB).step_by(4) {
        let writable = match view {
            SkbView::Filter => false,
            SkbView::Tc => matches!(off, MARK | PRIORITY | TC_INDEX) || off == 12,
            SkbView::Cgroup | SkbView::Lwt => matches!(off, MARK | PRIORITY),
        };
        fields.push(if writable {
            CtxField::rw(off, 4)
        } else {
            CtxField::ro(off, 4)
        });
    }
    for i in 0..5 {
        fields.push(CtxField::rw(CB + 4 * i, 4));
    }
    fields.push(CtxField::ro(68, 4)); // hash
    if view == SkbView::Tc {
        fields.push(CtxField::rw(TC_CLASSID, 4));
    }
    if view != SkbView::Filter {
        fields.push(CtxField::ptr(DATA, 4, FieldKind::PacketData));
        fields.push(CtxField::ptr(DATA_END, 4, FieldKind::PacketEnd));
    }
    fields.push(CtxField::ro(84, 4)); // napi_id
    if matches!(view, SkbView::Tc | SkbView::Cgroup) {
        // family, remote/local addresses and ports: whole u32 reads.
        for off in (FAMILY..DATA_META).step_by(4) {
            fields.push(CtxField {
                access: Access::Exact,
                ..CtxField::ro(off, 4)
            });
        }
    }
    if view == SkbView::Tc {
        fields.push(CtxField::ptr(DATA_META, 4, FieldKind::PacketMeta));
    }
    if matches!(view, SkbView::Tc | SkbView::Cgroup) {
        fields.push(CtxField {
            access: Access::Exact,
            ..CtxField::rw(TSTAMP, 8)
        });
    }
    if view == SkbView::Tc {
        fields.push(CtxField::ro(WIRE_LEN, 4));
    }
    fields.push(CtxField::ro(164, 4)); // gso_segs
    fields.push(CtxField::ro(176, 4)); // gso_size
    CtxLayout {
        size: SK_BUFF_SIZE,
        fields,
    }
}

/// `struct bpf_sock` for socket-creation hooks: u32 fields, narrow reads; the device,
/// mark and priority writable.
fn sock_layout() -> CtxLayout {
    let fields = (0..80)
        .step_by(4)
        .map(|off| match off {
            0 | 16 | 20 => CtxField::rw(off, 4),
            _ => CtxField::ro(off, 4),
        })
        .collect();
    CtxLayout { size: 80, fields }
}

/// `struct bpf_sock_ops`: whole u32 and u64 reads, packet pointers, `reply` and
/// `sk_txhash` writable.
fn sock_ops_layout() -> CtxLayout {
    let exact = |f: CtxField| CtxField {
        access: Access::Exact,
        ..f
    };
    let mut fields: Vec<CtxField> = (0..168)
        .step_by(4)
        .map(|off| match off {
            4 | 164 => exact(CtxField::rw(off, 4)),
            _ => exact(CtxField::ro(off, 4)),
        })
        .collect();
    fields.push(exact(CtxField::ro(168, 8)));
    fields.push(exact(CtxField::ro(176, 8)));
    fields.push(CtxField::ptr(192, 8, FieldKind::PacketData));
    fields.push(CtxField::ptr(200, 8, FieldKind::PacketEnd));
    fields.push(exact(CtxField::ro(208, 4)));
    fields.push(CtxField::ro(212, 4));
    fields.push(exact(CtxField::ro(216, 8)));
    CtxLayout { size: 224, fields }
}

impl ProgType {
    /// The program type for an ELF section name, the way libbpf maps section prefixes.
    pub fn from_section(name: &str) -> Option<ProgType> {
        let prefixes: [(&str, ProgType); 18] = [
            ("socket", ProgType::SocketFilter),
            ("xdp", ProgType::Xdp),
            ("tc", ProgType::SchedCls),
            ("classifier", ProgType::SchedCls),
            ("action", ProgType::SchedAct),
            ("cgroup/skb", ProgType::CgroupSkb),
            ("cgroup/sock", ProgType::CgroupSock),
            ("sockops", ProgType::SockOps),
            ("lwt_in", ProgType::LwtIn),
            ("lwt_out", ProgType::LwtOut),
            ("cgroup_skb", ProgType::CgroupSkb),
            ("kprobe", ProgType::Kprobe),
            ("kretprobe", ProgType::Kprobe),
            ("uprobe", ProgType::Kprobe),
            ("tracepoint", ProgType::Tracepoint),
            ("tp/", ProgType::Tracepoint),
            ("raw_tracepoint", ProgType::RawTracepoint),
            ("perf_event", ProgType::PerfEvent),
        ];
        if name.starts_with("raw_tp") {
            return Some(ProgType::RawTracepoint);
        }
        prefixes
            .into_iter()
            .find(|(p, _)| name.starts_with(p))
            .map(|(_, t)| t)
    }

    /// The program type for a name as the CLI takes it (`xdp`, `socket_filter`, ...).
    pub fn from_name(name: &str) -> Option<ProgType> {
        Some(match name {
            "socket_filter" | "socket" => ProgType::SocketFilter,
            "xdp" => ProgType::Xdp,
            "sched_cls" | "tc" => ProgType::SchedCls,
            "sched_act" => ProgType::SchedAct,
            "cgroup_skb" => ProgType::CgroupSkb,
            "kprobe" => ProgType::Kprobe,
            "tracepoint" => ProgType::Tracepoint,
            "raw_tracepoint" => ProgType::RawTracepoint,
            "perf_event" => ProgType::PerfEvent,
            "cgroup_sock" => ProgType::CgroupSock,
            "sock_ops" => ProgType::SockOps,
            "lwt_in" => ProgType::LwtIn,
            "lwt_out" => ProgType::LwtOut,
            _ => return None,
        })
    }

    /// The program type for a name as the CLI takes it, the memory type included:
    /// every name of [`from_name`](ProgType::from_name), and `memory:SIZE` for
    /// [`ProgType::Memory`] (SIZE in bytes, decimal or `0x` hexadecimal).
    pub fn parse(text: &str) -> Result<ProgType, ProgTypeError> {
        if let Some(rest) = text.strip_prefix("memory") {
            let size = rest
                .strip_prefix(':')
                .and_then(|n| match n.strip_prefix("0x") {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => n.parse().ok(),
                });
            return size
                .map(|size| ProgType::Memory { size })
                .ok_or_else(|| ProgTypeError::MemorySize(text.to_string()));
        }
        ProgType::from_name(text).ok_or_else(|| ProgTypeError::Unknown(text.to_string()))
    }

    /// The kernel's `BPF_PROG_TYPE_*` number (`None` for host types).
    pub fn kernel_id(&self) -> Option<u32> {
        Some(match self {
            ProgType::SocketFilter => 1,
            ProgType::Kprobe => 2,
            ProgType::SchedCls => 3,
            ProgType::SchedAct => 4,
            ProgType::Tracepoint => 5,
            ProgType::Xdp => 6,
            ProgType::PerfEvent => 7,
            ProgType::CgroupSkb => 8,
            ProgType::RawTracepoint => 17,
            ProgType::CgroupSock => 9,
            ProgType::LwtIn => 10,
            ProgType::LwtOut => 11,
            ProgType::SockOps => 13,
            ProgType::Host(_) | ProgType::Memory { .. } => return None,
        })
    }

    /// The context's layout.
    pub fn ctx_layout(&self) -> CtxLayout {
        match self {
            ProgType::SocketFilter => skb_layout(SkbView::Filter),
            ProgType::SchedCls | ProgType::SchedAct => skb_layout(SkbView::Tc),
            ProgType::CgroupSkb => skb_layout(SkbView::Cgroup),
            ProgType::LwtIn | ProgType::LwtOut => skb_layout(SkbView::Lwt),
            ProgType::CgroupSock => sock_layout(),
            ProgType::SockOps => sock_ops_layout(),
            ProgType::Xdp => CtxLayout {
                size: 24,
                fields: vec![
                    CtxField::ptr(0, 4, FieldKind::PacketData),
                    CtxField::ptr(4, 4, FieldKind::PacketEnd),
                    CtxField::ptr(8, 4, FieldKind::PacketMeta),
                    CtxField::ro(12, 4),
                    CtxField::ro(16, 4),
                    CtxField::ro(20, 4),
                ],
            },
            ProgType::Kprobe => CtxLayout {
                size: PT_REGS_SIZE,
                fields: vec![CtxField::area(0, PT_REGS_SIZE)],
            },
            // The first 8 bytes (common fields) are not readable; records end at 2048.
            ProgType::Tracepoint => CtxLayout {
                size: 2048,
                fields: vec![CtxField::area(8, 2040)],
            },
            ProgType::RawTracepoint => CtxLayout {
                size: 96,
                fields: vec![CtxField::area(0, 96)],
            },
            ProgType::PerfEvent => {
                let mut fields: Vec<CtxField> = (0..PT_REGS_SIZE / 8)
                    .map(|i| CtxField {
                        access: Access::Exact,
                        ..CtxField::ro(i * 8, 8)
                    })
                    .collect();
                fields.push(CtxField::ro(PT_REGS_SIZE, 8));
                fields.push(CtxField::ro(PT_REGS_SIZE + 8, 8));
                CtxLayout {
                    size: PT_REGS_SIZE + 16,
                    fields,
                }
            }
            ProgType::Host(layout) => layout.clone(),
            ProgType::Memory { .. } => CtxLayout {
                size: 0,
                fields: Vec::new(),
            },
        }
    }

    /// Whether the packet is reachable by direct loads (data/data_end in the context).
    pub fn has_packet(&self) -> bool {
        self.ctx_layout()
            .fields
            .iter()
            .any(|f| f.kind == FieldKind::PacketData)
    }

    /// The class of program this type is for helper availability.
    pub fn class(&self) -> Offered {
        match self {
            ProgType::SocketFilter => Offered::SOCKET_FILTER,
            ProgType::SchedCls | ProgType::SchedAct => Offered::TC,
            ProgType::CgroupSkb => Offered::CGROUP_SKB,
            ProgType::Xdp => Offered::XDP,
            ProgType::Kprobe => Offered::KPROBE,
            ProgType::Tracepoint => Offered::TRACEPOINT,
            ProgType::RawTracepoint => Offered::RAW_TRACEPOINT,
            ProgType::PerfEvent => Offered::PERF_EVENT,
            ProgType::CgroupSock => Offered::CGROUP_SOCK,
            ProgType::SockOps => Offered::SOCK_OPS,
            ProgType::LwtIn | ProgType::LwtOut => Offered::LWT,
            ProgType::Memory { .. } => Offered::MEMORY,
            ProgType::Host(_) => Offered::HOST,
        }
    }

    /// Whether direct packet stores are allowed.
    pub fn may_write_packet(&self) -> bool {
        match self {
            ProgType::SchedCls | ProgType::SchedAct | ProgType::Xdp => true,
            ProgType::Host(l) => l.fields.iter().any(|f| f.kind == FieldKind::PacketData),
            _ => false,
        }
    }

    /// Whether legacy packet loads (`LD_ABS`/`LD_IND`) are allowed.
    pub fn allows_ld_abs(&self) -> bool {
        matches!(
            self,
            ProgType::SocketFilter | ProgType::SchedCls | ProgType::SchedAct | ProgType::CgroupSkb
        )
    }

    /// The range the program's return value must lie in, if restricted.
    pub fn return_range(&self) -> Option<(u64, u64)> {
        match self {
            ProgType::CgroupSkb | ProgType::CgroupSock => Some((0, 1)),
            _ => None,
        }
    }

    /// Whether this is a tracing type (kprobe, tracepoints, perf events).
    pub fn is_tracing(&self) -> bool {
        matches!(
            self,
            ProgType::Kprobe | ProgType::Tracepoint | ProgType::RawTracepoint | ProgType::PerfEvent
        )
    }
}

impl fmt::Display for ProgType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let ProgType::Memory { size } = self {
            return write!(f, "memory:{size}");
        }
        f.write_str(match self {
            ProgType::SocketFilter => "socket_filter",
            ProgType::Xdp => "xdp",
            ProgType::SchedCls => "sched_cls",
            ProgType::SchedAct => "sched_act",
            ProgType::CgroupSkb => "cgroup_skb",
            ProgType::Kprobe => "kprobe",
            ProgType::Tracepoint => "tracepoint",
            ProgType::RawTracepoint => "raw_tracepoint",
            ProgType::PerfEvent => "perf_event",
            ProgType::CgroupSock => "cgroup_sock",
            ProgType::SockOps => "sock_ops",
            ProgType::LwtIn => "lwt_in",
            ProgType::LwtOut => "lwt_out",
            ProgType::Host(_) => "host",
            ProgType::Memory { .. } => "memory",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_map_like_libbpf() {
        assert_eq!(ProgType::from_section("xdp_prog"), Some(ProgType::Xdp));
        assert_eq!(
            ProgType::from_section("kprobe/sys_write"),
            Some(ProgType::Kprobe)
        );
        assert_eq!(
            ProgType::from_section("raw_tracepoint/sched_switch"),
            Some(ProgType::RawTracepoint)
        );
        assert_eq!(
            ProgType::from_section("tracepoint/a/b"),
            Some(ProgType::Tracepoint)
        );
        assert_eq!(
            ProgType::from_section("socket1"),
            Some(ProgType::SocketFilter)
        );
        assert_eq!(ProgType::from_section(".text"), None);
    }

    #[test]
    fn memory_type_parses_with_its_size() {
        assert_eq!(
            ProgType::parse("memory:65536"),
            Ok(ProgType::Memory { size: 65536 })
        );
        assert_eq!(
            ProgType::parse("memory:0x100"),
            Ok(ProgType::Memory { size: 256 })
        );
        for bad in ["memory", "memory:", "memory:-1", "memory:4294967296"] {
            assert_eq!(
                ProgType::parse(bad),
                Err(ProgTypeError::MemorySize(bad.into()))
            );
        }
        assert_eq!(ProgType::parse("xdp"), Ok(ProgType::Xdp));
        assert_eq!(
            ProgType::parse("nope"),
            Err(ProgTypeError::Unknown("nope".into()))
        );
        let t = ProgType::Memory { size: 64 };
        assert_eq!(ProgType::parse(&t.to_string()), Ok(t.clone()));
        assert!(t.kernel_id().is_none() && !t.has_packet() && t.ctx_layout().fields.is_empty());
    }

    #[test]
    fn skb_rules() {
        let f = ProgType::SocketFilter.ctx_layout();
        assert_eq!(f.check(0, 4, false), Ok(FieldKind::Scalar));
        assert_eq!(f.check(0, 2, false), Ok(FieldKind::Scalar));
        assert_eq!(f.check(1, 2, false), Err(CtxDenied::Invalid));
        assert_eq!(f.check(8, 4, true), Err(CtxDenied::Permission));
        assert_eq!(f.check(48, 4, true), Ok(FieldKind::Scalar));
        assert_eq!(f.check(76, 4, false), Err(CtxDenied::Invalid));
        let tc = ProgType::SchedCls.ctx_layout();
        assert_eq!(tc.check(76, 4, false), Ok(FieldKind::PacketData));
        assert_eq!(tc.check(76, 2, false), Err(CtxDenied::Invalid));
        assert_eq!(tc.check(8, 4, true), Ok(FieldKind::Scalar));
        assert_eq!(tc.check(200, 4, false), Err(CtxDenied::Invalid));
    }

    #[test]
    fn tracing_rules() {
        let k = ProgType::Kprobe.ctx_layout();
        assert!(k.check(160, 8, false).is_ok());
        assert!(k.check(164, 4, false).is_ok());
        assert!(k.check(164, 8, false).is_err());
        assert_eq!(k.check(0, 8, true), Err(CtxDenied::Permission));
        let t = ProgType::Tracepoint.ctx_layout();
        assert!(t.check(0, 8, false).is_err());
        assert!(t.check(8, 8, false).is_ok());
        let p = ProgType::PerfEvent.ctx_layout();
        assert!(p.check(8, 4, false).is_err());
        assert!(p.check(168, 4, false).is_ok());
    }
}
