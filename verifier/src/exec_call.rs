//! Calls: helper arguments checked against their prototypes, results typed by them.

use crate::env::{Env, Ids};
use crate::error::Reason;
use crate::exec_alu::read;
use crate::exec_mem::{helper_mem, MAX_VAR_OFF};
use crate::helpers::id;
use crate::maps::{holds_maps, outer_of, MapType};
use crate::reg::{Ptr, PtrKind, RegState};
use crate::scalar::Scalar;
use crate::state::State;
use ferrobpf_vm::helpers::{ArgKind, ReturnKind};

/// A callback the helper will call: its entry, the state its context argument
/// carries and, for `bpf_for_each_map_elem`, the map whose elements it visits.
pub(crate) struct Callback {
    /// Slot of the callback's first instruction.
    pub target: usize,
    /// The context argument (r2 of a `bpf_loop` callback, r4 of a map iteration's).
    pub ctx: RegState,
    /// The map iterated (`bpf_for_each_map_elem`), by index.
    pub map: Option<u32>,
}

fn bad(reg: u8, got: &RegState, expected: &'static str) -> Reason {
    Reason::BadArg {
        reg,
        got: got.type_name(),
        expected,
    }
}

/// Whether helper `helper` may take a map of type `t` (`None`: a kernel type
/// ferrobpf does not implement), and `t` may go to `helper`.
fn map_compatible(helper: u32, t: Option<MapType>) -> bool {
    const PERF: [u32; 3] = [22, 25, 55];
    const RINGBUF: [u32; 3] = [130, 131, 134];
    const QUEUE: [u32; 3] = [87, 88, 89];
    let only = |ids: &[u32]| ids.contains(&helper);
    let type_ok = match t {
        Some(MapType::ProgArray) => only(&[id::TAIL_CALL]),
        Some(MapType::PerfEventArray) => only(&PERF),
        Some(MapType::StackTrace) => only(&[27]),
        Some(MapType::CgroupArray) => only(&[33, 37]),
        Some(MapType::RingBuf) => only(&RINGBUF),
        Some(MapType::DevMap | MapType::CpuMap) => only(&[51]),
        Some(MapType::Queue | MapType::Stack) => only(&QUEUE),
        // Programs only look maps of maps up.
        Some(MapType::ArrayOfMaps | MapType::HashOfMaps) => only(&[1]),
        _ => true,
    };
    let helper_ok = match helper {
        id::TAIL_CALL => t == Some(MapType::ProgArray),
        22 | 25 | 55 => t == Some(MapType::PerfEventArray),
        33 | 37 => t == Some(MapType::CgroupArray),
        27 => t == Some(MapType::StackTrace),
        130 | 131 | 134 => t == Some(MapType::RingBuf),
        87..=89 => matches!(t, Some(MapType::Queue | MapType::Stack)),
        id::FOR_EACH_MAP_ELEM => matches!(
            t,
            Some(
                MapType::Hash
                    | MapType::PercpuHash
                    | MapType::LruHash
                    | MapType::LruPercpuHash
                    | MapType::Array
                    | MapType::PercpuArray
            )
        ),
        // Device maps by hash are not implemented (None).
        51 => matches!(
            t,
            Some(MapType::DevMap | MapType::CpuMap | MapType::XskMap) | None
        ),
        _ => true,
    };
    type_ok && helper_ok
}

/// A size argument: returns its largest value after the kernel's checks.
fn size_arg(st: &State, reg: u8, zero_ok: bool) -> Result<(u64, u64), Reason> {
    let s = match read(st, reg)? {
        RegState::Scalar(s) => s,
        other => return Err(bad(reg, &other, "scalar size")),
    };
    if s.smin < 0 {
        return Err(Reason::NegativeMin { reg });
    }
    if s.umax >= MAX_VAR_OFF as u64 {
        return Err(Reason::Unbounded { reg });
    }
    if s.umin == 0 && !zero_ok && s.umax == 0 {
        return Err(Reason::BadSize {
            reg,
            what: "invalid zero-sized read",
        });
    }
    if s.umin == 0 && !zero_ok {
        return Err(Reason::BadSize {
            reg,
            what: "min value is 0 where a size above 0 is required",
        });
    }
    Ok((s.umin, s.umax))
}

/// Executes a helper call at `pc`; returns the callback to verify, if any.
pub(crate) fn helper(
    env: &Env,
    st: &mut State,
    helper_id: u32,
    ids: &mut Ids,
    pc: usize,
) -> Result<Option<Callback>, Reason> {
    let proto = env
        .config
        .helpers
        .get(helper_id)
        .ok_or(Reason::UnknownHelper(helper_id))?
        .clone();
    if !proto.allows(&env.config.prog_type) {
        return Err(Reason::HelperNotAllowed {
            name: proto.name.clone(),
            id: helper_id,
        });
    }
    let _ = pc;
    let mut map = None;
    let mut callback = None;
    let mut alloc_size = 0u32;
    let mut release = None;
    for (i, kind) in proto.args.iter().enumerate() {
        let reg = i as u8 + 1;
        let v = read(st, reg)?;
        match *kind {
            ArgKind::Anything => {}
            ArgKind::Scalar => {
                if v.scalar().is_none() {
                    return Err(bad(reg, &v, "scalar"));
                }
            }
            ArgKind::Context => match v {
                RegState::Ptr(p) if p.kind == PtrKind::Ctx && !p.maybe_null => {
                    if p.off != 0 || !p.has_fixed_offset() {
                        return Err(Reason::ModifiedCtx { reg, off: p.off });
                    }
                }
                _ => return Err(bad(reg, &v, "ctx")),
            },
            ArgKind::Map => match v {
                RegState::Ptr(Ptr {
                    kind: PtrKind::MapPtr { map: m },
                    off: 0,
                    maybe_null: false,
                    ..
                }) => {
                    let info = env.map(m).ok_or(match outer_of(m) {
                        Some(outer) => Reason::NoInnerMap { outer },
                        None => Reason::BadMap(i64::from(m)),
                    })?;
                    if !map_compatible(helper_id, info.map_type) {
                        return Err(Reason::MapIncompatible {
                            map_type: info.map_type.map_or("unimplemented", MapType::name),
                            helper: format!("{}#{}", proto.name, helper_id),
                        });
                    }
                    map = Some((m, *info));
                }
                _ => return Err(bad(reg, &v, "map_ptr")),
            },
            ArgKind::MapKey | ArgKind::MapValue => {
                let (_, info) = map.ok_or(bad(reg, &v, "map key or value after a map"))?;
                let n = if *kind == ArgKind::MapKey {
                    info.key_size
                } else {
                    info.value_size
                };
                if v.as_ptr().is_none() {
                    return Err(bad(reg, &v, "pointer to stack or map value"));
                }
                helper_mem(env, st, reg, u64::from(n), true)?;
            }
            ArgKind::ReadableMem | ArgKind::ReadableMemOrNull | ArgKind::WritableMem => {
                let init = *kind != ArgKind::WritableMem;
                let nullable = *kind == ArgKind::ReadableMemOrNull;
                let zero_ok = match proto.args.get(i + 1) {
                    Some(ArgKind::ConstSize) => false,
                    Some(ArgKind::ConstSizeOrZero) => true,
                    _ => return Err(bad(reg, &v, "memory with a size")),
                };
                let (_, max) = size_arg(st, reg + 1, zero_ok)?;
                let is_null = v.scalar().and_then(Scalar::as_const) == Some(0);
                if is_null && nullable {
                    if max != 0 {
                        return Err(bad(reg, &v, "non-null pointer for a non-zero size"));
                    }
                    continue;
                }
                if v.as_ptr().is_none() {
                    return Err(bad(reg, &v, "pointer to memory"));
                }
                helper_mem(env, st, reg, max, init)?;
            }
            ArgKind::ConstSize | ArgKind::ConstSizeOrZero => {}
            ArgKind::Function => match v {
                RegState::Ptr(Ptr {
                    kind: PtrKind::Func { target },
                    ..
                }) => {
                    callback = Some(target as usize);
                }
                _ => return Err(bad(reg, &v, "func")),
            },
            ArgKind::StackOrNull => match v {
                RegState::Ptr(p) if matches!(p.kind, PtrKind::Stack { .. }) => {}
                RegState::Scalar(s) if s.as_const() == Some(0) => {}
                _ => return Err(bad(reg, &v, "fp or null")),
            },
            ArgKind::ReservedMem => match v {
                RegState::Ptr(p)
                    if matches!(p.kind, PtrKind::Mem { .. })
                        && p.ref_id != 0
                        && !p.maybe_null
                        && p.off == 0
                        && p.has_fixed_offset() =>
                {
                    release = Some(p.ref_id);
                }
                _ => return Err(bad(reg, &v, "alloc_mem")),
            },
            ArgKind::AllocSize => match v.scalar().and_then(Scalar::as_const) {
                Some(n) if n <= u64::from(u32::MAX) => alloc_size = n as u32,
                _ => {
                    return Err(Reason::BadSize {
                        reg,
                        what: "is not a known constant",
                    })
                }
            },
        }
    }
    if let Some(ref_id) = release {
        st.refs.retain(|&r| r != ref_id);
        st.for_each_reg_mut(|r| {
            if matches!(r, RegState::Ptr(p) if p.ref_id == ref_id) {
                *r = RegState::NotInit;
            }
        });
    }
    if proto.changes_packet {
        st.for_each_reg_mut(|r| {
            if matches!(
                r,
                RegState::Ptr(p) if matches!(
                    p.kind,
                    PtrKind::Packet { .. } | PtrKind::PacketEnd | PtrKind::PacketMeta { .. }
                )
            ) {
                *r = RegState::NotInit;
            }
        });
    }
    let cb = callback.map(|target| Callback {
        target,
        ctx: st.reg(3),
        map: (helper_id == id::FOR_EACH_MAP_ELEM)
            .then_some(map.map(|(m, _)| m))
            .flatten(),
    });
    for r in 1..=5 {
        st.set_reg(r, RegState::NotInit);
    }
    let r0 = match proto.ret {
        ReturnKind::Scalar => RegState::UNKNOWN,
        ReturnKind::Void => RegState::NotInit,
        ReturnKind::MapValueOrNull => {
            let (m, info) = map.ok_or(Reason::BadArg {
                reg: 1,
                got: "?".into(),
                expected: "map_ptr",
            })?;
            // A map of maps holds maps: the lookup gives one (described by the
            // outer map's inner template), or null.
            let kind = if info.map_type.is_some_and(holds_maps) {
                PtrKind::MapPtr {
                    map: crate::maps::inner_index(m),
                }
            } else {
                PtrKind::MapValue { map: m }
            };
            let mut p = Ptr::new(kind);
            p.maybe_null = true;
            p.id = ids.fresh();
            RegState::Ptr(p)
        }
        ReturnKind::ReservedMemOrNull => {
            let mut p = Ptr::new(PtrKind::Mem {
                size: alloc_size,
                writable: true,
            });
            p.maybe_null = true;
            p.id = ids.fresh();
            p.ref_id = ids.fresh();
            st.refs.push(p.ref_id);
            RegState::Ptr(p)
        }
    };
    st.set_reg(0, r0);
    Ok(cb)
}
