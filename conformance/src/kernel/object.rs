//! A whole BPF object in the kernel, as a libbpf-style loader would put it there,
//! from what [`ferrobpf_elf::Object`] parsed (so without libbpf's limits: legacy
//! `maps` sections with map-in-map `inner_map_idx`, calls across program sections).
//!
//! [`KernelObject::load`]:
//! 1. creates every map with `BPF_MAP_CREATE` (maps of maps with an inner map
//!    template made from the inner definition; a perf event array of 0 entries gets
//!    one per CPU; `.rodata*` read-only for programs);
//! 2. stores global data and freezes read-only global data;
//! 3. stores initial map-of-maps slots;
//! 4. loads the programs: the loader's `map_idx` / `map_idx_value` references become
//!    the maps' descriptors ([`resolve_map_indices`]), subprograms stay as the loader
//!    linked them (with a small BTF naming each subprogram, [`FuncBtf`]), the type
//!    and expected attach type come from the section;
//! 5. stores initial program-array slots (tail calls).
//!
//! Then [`KernelObject::run`] runs a program with `BPF_PROG_TEST_RUN` and
//! [`KernelObject::dump`] reads a map back, ids of programs and maps translated to
//! their names in the object. Every descriptor is closed when the object is dropped.

use super::func_btf::FuncBtf;
use super::map_refs::resolve_map_indices;
use super::object_error::ObjectError;
use super::program::{KernelProgram, TestOutput};
use super::sys::{self, KernelMap, MapAttrs, ProgAttrs, UPDATE_ANY};
use ferrobpf_elf::{MapDef, Object, Program, ProgramType, SlotValue, BPF_F_RDONLY_PROG};
use std::ffi::CString;
use std::io;
use std::os::fd::{AsFd, BorrowedFd};

/// `enum bpf_map_type` values the loader treats specially.
mod map_type {
    pub const PROG_ARRAY: u32 = 3;
    pub const PERF_EVENT_ARRAY: u32 = 4;
    pub const ARRAY_OF_MAPS: u32 = 12;
    pub const HASH_OF_MAPS: u32 = 13;
    pub const QUEUE: u32 = 22;
    pub const STACK: u32 = 23;
    pub const RINGBUF: u32 = 27;
    pub const USER_RINGBUF: u32 = 31;
}

/// Size of the verifier log read when the kernel refuses a program.
const LOG_SIZE: usize = 1 << 24;

/// Expected attach types (`enum bpf_attach_type`) by section, for the program types
/// whose load depends on it.
const ATTACH_TYPES: &[(&str, u32)] = &[
    ("cgroup_skb/ingress", 0), // BPF_CGROUP_INET_INGRESS
    ("cgroup_skb/egress", 1),  // BPF_CGROUP_INET_EGRESS
    ("flow_dissector", 17),    // BPF_FLOW_DISSECTOR
    ("sk_lookup", 36),         // BPF_SK_LOOKUP
];

/// The expected attach type libbpf would pass for a program of `section`.
pub fn expected_attach_type(section: &str) -> u32 {
    ATTACH_TYPES
        .iter()
        .find(|(prefix, _)| section.starts_with(prefix))
        .map_or(0, |&(_, t)| t)
}

/// One element value read back from the kernel.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MapValue {
    /// The value's bytes.
    Bytes(Vec<u8>),
    /// Per-CPU maps: one value per possible CPU, each padded to 8-byte multiples.
    PerCpu(Vec<Vec<u8>>),
    /// A program array slot: the program (by function name).
    Program(String),
    /// A map-of-maps slot: the inner map (by name).
    Map(String),
}

/// One element read back from the kernel.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct MapEntry {
    /// The key (empty for queues and stacks).
    pub key: Vec<u8>,
    /// The value.
    pub value: MapValue,
}

/// A map of the object in the kernel.
#[derive(Debug)]
struct LoadedMap {
    def: MapDef,
    map: KernelMap,
    id: u32,
}

/// A program of the object in the kernel.
#[derive(Debug)]
struct LoadedProgram {
    name: String,
    program: KernelProgram,
    id: u32,
}

/// An object loaded in the kernel: its maps, and the programs that were asked for.
#[derive(Debug)]
pub struct KernelObject {
    maps: Vec<LoadedMap>,
    programs: Vec<LoadedProgram>,
}

fn map_create_error(def: &MapDef) -> impl FnOnce(io::Error) -> ObjectError + '_ {
    move |source| ObjectError::MapCreate {
        map: def.name.clone(),
        source,
    }
}

fn map_init_error(def: &MapDef) -> impl FnOnce(io::Error) -> ObjectError + '_ {
    move |source| ObjectError::MapInit {
        map: def.name.clone(),
        source,
    }
}

fn id_error(object: &str) -> impl FnOnce(io::Error) -> ObjectError + '_ {
    move |source| ObjectError::Id {
        object: object.to_string(),
        source,
    }
}

/// Creates the kernel map for `def` (and the inner template it needs, closed again
/// once the map holds its own copy).
fn create_map(def: &MapDef) -> Result<KernelMap, ObjectError> {
    let template = if matches!(
        def.map_type,
        map_type::ARRAY_OF_MAPS | map_type::HASH_OF_MAPS
    ) {
        let inner = def
            .inner
            .as_deref()
            .ok_or_else(|| ObjectError::NoInnerMap {
                map: def.name.clone(),
            })?;
        Some(create_map(inner)?)
    } else {
        None
    };
    let mut max_entries = def.max_entries;
    if def.map_type == map_type::PERF_EVENT_ARRAY && max_entries == 0 {
        max_entries = sys::possible_cpus().map_err(map_create_error(def))?;
    }
    let mut flags = def.flags;
    if def.read_only {
        flags |= BPF_F_RDONLY_PROG;
    }
    KernelMap::create(&MapAttrs {
        flags,
        inner_map: template.as_ref().map(KernelMap::fd),
        numa_node: def.numa_node,
        name: &def.name,
        map_extra: def.map_extra,
        ..MapAttrs::new(def.map_type, def.key_size, def.value_size, max_entries)
    })
    .map_err(map_create_error(def))
}

/// Stores global data (frozen when read-only).
fn store_data(loaded: &LoadedMap) -> Result<(), ObjectError> {
    let Some(data) = &loaded.def.data else {
        return Ok(());
    };
    let mut value = data.clone();
    value.resize(loaded.map.user_value_size(), 0);
    let init = map_init_error(&loaded.def);
    loaded
        .map
        .update(&0u32.to_ne_bytes(), &value, UPDATE_ANY)
        .map_err(init)?;
    if loaded.def.read_only {
        loaded.map.freeze().map_err(map_init_error(&loaded.def))?;
    }
    Ok(())
}

impl KernelObject {
    /// Loads every map and every program of `object` (as libbpf does, a program the
    /// kernel refuses fails the whole load).
    pub fn load(object: &Object) -> Result<KernelObject, ObjectError> {
        KernelObject::load_programs(object, |_| true)
    }

    /// Loads every map of `object` and the programs `select` picks. Program-array
    /// slots naming a program that was not picked are an error.
    pub fn load_programs(
        object: &Object,
        select: impl Fn(&Program) -> bool,
    ) -> Result<KernelObject, ObjectError> {
        let mut maps = Vec::new();
        for def in object.maps() {
            let map = create_map(def)?;
            let id = map.id().map_err(id_error(&def.name))?;
            let loaded = LoadedMap {
                def: def.clone(),
                map,
                id,
            };
            store_data(&loaded)?;
            maps.push(loaded);
        }
        let mut kernel = KernelObject {
            maps,
            programs: Vec::new(),
        };
        kernel.store_slots(|v| matches!(v, SlotValue::Map(_)))?;
        let license = object.license().unwrap_or_default();
        let license =
            CString::new(license).map_err(|_| ObjectError::License(license.to_string()))?;
        for program in object.programs().iter().filter(|p| select(p)) {
            let loaded = kernel.load_program(program, &license, object.kernel_version())?;
            kernel.programs.push(loaded);
        }
        kernel.store_slots(|v| matches!(v, SlotValue::Program(_)))?;
        Ok(kernel)
    }

    fn load_program(
        &self,
        program: &Program,
        license: &CString,
        kern_version: Option<u32>,
    ) -> Result<LoadedProgram, ObjectError> {
        let fds: Vec<BorrowedFd<'_>> = self.maps.iter().map(|m| m.map.fd()).collect();
        let insns =
            resolve_map_indices(&program.insns, &fds).map_err(|source| ObjectError::MapIndex {
                program: program.name.clone(),
                source,
            })?;
        let bytes = ferrobpf_vm::encode_program(&insns);
        let name_of = |start| {
            let f = program.functions.iter().find(|f| f.start == start);
            f.map(|f| f.name.as_str())
        };
        let func_btf = FuncBtf::for_program(&program.insns, name_of);
        let btf = sys::btf_load(&func_btf.blob, None).map_err(|source| ObjectError::Btf {
            program: program.name.clone(),
            source,
        })?;
        let attrs = ProgAttrs {
            expected_attach_type: expected_attach_type(&program.section),
            license,
            name: &program.name,
            kern_version: kern_version.unwrap_or(0),
            btf: Some(btf.as_fd()),
            func_info: &func_btf.func_info,
            ..ProgAttrs::new(program.prog_type.linux_id(), &bytes)
        };
        let loaded =
            KernelProgram::load(&attrs, LOG_SIZE).map_err(|source| ObjectError::Refused {
                program: program.name.clone(),
                source,
            })?;
        let id = loaded.id().map_err(id_error(&program.name))?;
        Ok(LoadedProgram {
            name: program.name.clone(),
            program: loaded,
            id,
        })
    }

    /// Stores the initial slots whose values `pick` selects.
    fn store_slots(&self, pick: impl Fn(&SlotValue) -> bool) -> Result<(), ObjectError> {
        for loaded in &self.maps {
            for (slot, value) in loaded.def.initial_slots.iter().filter(|(_, v)| pick(v)) {
                let target = match value {
                    SlotValue::Map(index) => self.maps.get(*index).map(|m| m.map.fd()),
                    SlotValue::Program(name) => self.program(name).ok().map(KernelProgram::fd),
                };
                let fd = target.ok_or_else(|| ObjectError::SlotTarget {
                    map: loaded.def.name.clone(),
                    slot: *slot,
                    target: match value {
                        SlotValue::Map(index) => format!("map {index}"),
                        SlotValue::Program(name) => format!("program {name}"),
                    },
                })?;
                loaded
                    .map
                    .update(
                        &slot.to_ne_bytes(),
                        &sys::fd_u32(fd).to_ne_bytes(),
                        UPDATE_ANY,
                    )
                    .map_err(map_init_error(&loaded.def))?;
            }
        }
        Ok(())
    }

    /// The loaded program with this function name.
    pub fn program(&self, name: &str) -> Result<&KernelProgram, ObjectError> {
        self.programs
            .iter()
            .find(|p| p.name == name)
            .map(|p| &p.program)
            .ok_or_else(|| ObjectError::NoProgram(name.to_string()))
    }

    /// The names of the loaded programs, in the object's order.
    pub fn program_names(&self) -> impl Iterator<Item = &str> {
        self.programs.iter().map(|p| p.name.as_str())
    }

    /// The names of the maps, in the object's order.
    pub fn map_names(&self) -> impl Iterator<Item = &str> {
        self.maps.iter().map(|m| m.def.name.as_str())
    }

    /// The kernel map with this name.
    pub fn map(&self, name: &str) -> Result<&KernelMap, ObjectError> {
        self.find_map(name).map(|m| &m.map)
    }

    fn find_map(&self, name: &str) -> Result<&LoadedMap, ObjectError> {
        self.maps
            .iter()
            .find(|m| m.def.name == name)
            .ok_or_else(|| ObjectError::NoMap(name.to_string()))
    }

    /// Runs program `name` once over `data` (and `ctx`, else the kernel's default
    /// context) with `BPF_PROG_TEST_RUN`.
    pub fn run(
        &self,
        name: &str,
        data: &[u8],
        ctx: Option<&[u8]>,
    ) -> Result<TestOutput, ObjectError> {
        self.program(name)?
            .test_run(data, ctx, 1)
            .map_err(|source| ObjectError::TestRun {
                program: name.to_string(),
                source,
            })
    }

    /// The elements of map `name`: by key for maps user space can iterate (sorted by
    /// key), in pop order for queues and stacks (popped and pushed back, so the map
    /// is unchanged). Ring buffers, perf event arrays and maps whose elements the
    /// kernel does not show to user space (cgroup arrays) are
    /// [`ObjectError::NotReadable`].
    pub fn dump(&self, name: &str) -> Result<Vec<MapEntry>, ObjectError> {
        let loaded = self.find_map(name)?;
        let read_error = |source| ObjectError::MapRead {
            map: name.to_string(),
            source,
        };
        let map = &loaded.map;
        match map.map_type() {
            map_type::QUEUE | map_type::STACK => self.dump_queue(loaded).map_err(read_error),
            t @ (map_type::RINGBUF | map_type::USER_RINGBUF | map_type::PERF_EVENT_ARRAY) => {
                Err(ObjectError::NotReadable {
                    map: name.to_string(),
                    map_type: t,
                })
            }
            t => {
                let fail = |source: io::Error| {
                    if is_unsupported(&source) {
                        ObjectError::NotReadable {
                            map: name.to_string(),
                            map_type: t,
                        }
                    } else {
                        read_error(source)
                    }
                };
                let mut entries = Vec::new();
                let mut key = map.next_key(None).map_err(fail)?;
                while let Some(k) = key {
                    match map.lookup(&k) {
                        Ok(v) => entries.push(MapEntry {
                            value: self.value(loaded, v)?,
                            key: k.clone(),
                        }),
                        // An empty slot of a program array or map of maps.
                        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {}
                        Err(e) => return Err(fail(e)),
                    }
                    key = map.next_key(Some(&k)).map_err(fail)?;
                }
                entries.sort();
                Ok(entries)
            }
        }
    }

    /// Pops every element of a queue or stack, then pushes them back in the order
    /// that restores it.
    fn dump_queue(&self, loaded: &LoadedMap) -> io::Result<Vec<MapEntry>> {
        let map = &loaded.map;
        let mut popped = Vec::new();
        loop {
            match map.lookup_and_delete(&[]) {
                Ok(v) => popped.push(v),
                Err(e) if e.raw_os_error() == Some(libc::ENOENT) => break,
                Err(e) => return Err(e),
            }
        }
        let restore: Vec<&Vec<u8>> = if map.map_type() == map_type::STACK {
            popped.iter().rev().collect()
        } else {
            popped.iter().collect()
        };
        for value in restore {
            map.update(&[], value, UPDATE_ANY)?;
        }
        Ok(popped
            .into_iter()
            .map(|v| MapEntry {
                key: Vec::new(),
                value: MapValue::Bytes(v),
            })
            .collect())
    }

    /// A value as user space read it, ids translated to names.
    fn value(&self, loaded: &LoadedMap, bytes: Vec<u8>) -> Result<MapValue, ObjectError> {
        let map = &loaded.map;
        let id = || -> Option<u32> { Some(u32::from_ne_bytes(bytes.get(..4)?.try_into().ok()?)) };
        let unknown = |what, id| ObjectError::UnknownId {
            map: loaded.def.name.clone(),
            what,
            id,
        };
        Ok(match map.map_type() {
            map_type::PROG_ARRAY => {
                let id = id().unwrap_or_default();
                let p = self.programs.iter().find(|p| p.id == id);
                MapValue::Program(p.ok_or_else(|| unknown("program", id))?.name.clone())
            }
            map_type::ARRAY_OF_MAPS | map_type::HASH_OF_MAPS => {
                let id = id().unwrap_or_default();
                let m = self.maps.iter().find(|m| m.id == id);
                MapValue::Map(m.ok_or_else(|| unknown("map", id))?.def.name.clone())
            }
            t if sys::is_percpu(t) => {
                let slot = map.user_value_size() / map.cpus().max(1) as usize;
                MapValue::PerCpu(bytes.chunks(slot.max(1)).map(<[u8]>::to_vec).collect())
            }
            _ => MapValue::Bytes(bytes),
        })
    }
}

/// The kernel's "not supported" errors (`EOPNOTSUPP`, and its internal `ENOTSUPP`
/// 524 that some map types return to user space, e.g. cgroup arrays on lookup).
fn is_unsupported(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EOPNOTSUPP | ENOTSUPP))
}

/// The kernel's internal `ENOTSUPP`.
const ENOTSUPP: i32 = 524;

/// Whether the kernel can run programs of this type with `BPF_PROG_TEST_RUN` over a
/// packet (XDP, tc, socket filters, cgroup skb, lightweight tunnels).
pub fn runs_over_packets(t: ProgramType) -> bool {
    use ProgramType as T;
    matches!(
        t,
        T::Xdp
            | T::SchedCls
            | T::SchedAct
            | T::SocketFilter
            | T::CgroupSkb
            | T::LwtIn
            | T::LwtOut
            | T::LwtXmit
            | T::LwtSeg6local
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;

    /// Test object `name` of the repository's tests/bpf.
    fn object(name: &str) -> Object {
        let path = format!("{}/../tests/bpf/{name}.o", env!("CARGO_MANIFEST_DIR"));
        Object::parse(&std::fs::read(path).unwrap()).unwrap()
    }

    fn no_kernel() -> bool {
        let why = super::super::KernelEngine::new()
            .unavailable()
            .map(str::to_string);
        if let Some(why) = &why {
            println!("skipped: {why}");
        }
        why.is_some()
    }

    fn u32s(values: &[u32]) -> Vec<MapEntry> {
        values
            .iter()
            .map(|v| MapEntry {
                key: Vec::new(),
                value: MapValue::Bytes(v.to_ne_bytes().to_vec()),
            })
            .collect()
    }

    #[test]
    fn attach_types_follow_the_section() {
        assert_eq!(expected_attach_type("cgroup_skb/ingress"), 0);
        assert_eq!(expected_attach_type("cgroup_skb/egress"), 1);
        assert_eq!(expected_attach_type("sk_lookup"), 36);
        assert_eq!(expected_attach_type("xdp"), 0);
    }

    #[test]
    fn maps_read_back_with_names_and_per_cpu_values() {
        if no_kernel() {
            return;
        }
        let kernel = KernelObject::load(&object("btf_maps")).unwrap();
        let slot = |key: u32, value| MapEntry {
            key: key.to_ne_bytes().to_vec(),
            value,
        };
        let jumps = kernel.dump("jumps").unwrap();
        assert_eq!(jumps, [slot(1, MapValue::Program("tail_target".into()))]);
        let outer = kernel.dump("outer").unwrap();
        let inner = |n: &str| MapValue::Map(n.into());
        assert_eq!(
            outer,
            [slot(0, inner("inner_a")), slot(2, inner("inner_b"))]
        );
        let percpu = kernel.dump("percpu").unwrap();
        let cpus = sys::possible_cpus().unwrap() as usize;
        assert_eq!(percpu.len(), 8);
        assert!(percpu
            .iter()
            .all(|e| matches!(&e.value, MapValue::PerCpu(v) if v.len() == cpus)));
        // A queue reads back in order and unchanged.
        let queue = kernel.map("queue").unwrap();
        for v in [1u32, 2, 3] {
            queue.update(&[], &v.to_ne_bytes(), UPDATE_ANY).unwrap();
        }
        assert_eq!(kernel.dump("queue").unwrap(), u32s(&[1, 2, 3]));
        assert_eq!(kernel.dump("queue").unwrap(), u32s(&[1, 2, 3]));
        assert!(matches!(
            kernel.dump("events"),
            Err(ObjectError::NotReadable { map_type: 27, .. })
        ));
        assert!(matches!(kernel.dump("nope"), Err(ObjectError::NoMap(_))));
        assert!(matches!(
            kernel.run("nope", &[0; 64], None),
            Err(ObjectError::NoProgram(_))
        ));
        assert_eq!(kernel.run("tail_target", &[0; 64], None).unwrap().retval, 2);
    }

    #[test]
    fn stacks_read_back_unchanged() {
        if no_kernel() {
            return;
        }
        let kernel = KernelObject::load(&object("xdp_helpers")).unwrap();
        let stack = kernel.map("stack").unwrap();
        for v in [1u32, 2] {
            stack.update(&[], &v.to_ne_bytes(), UPDATE_ANY).unwrap();
        }
        assert_eq!(kernel.dump("stack").unwrap(), u32s(&[2, 1]));
        assert_eq!(kernel.dump("stack").unwrap(), u32s(&[2, 1]));
    }

    #[test]
    fn program_array_slots_need_their_programs() {
        if no_kernel() {
            return;
        }
        let err = KernelObject::load_programs(&object("btf_maps"), |p| p.name != "tail_target")
            .unwrap_err();
        assert!(
            matches!(&err, ObjectError::SlotTarget { map, slot: 1, target }
                if map == "jumps" && target == "program tail_target"),
            "{err}"
        );
    }
}
