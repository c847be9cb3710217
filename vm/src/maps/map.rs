//! One map of any implemented type behind a single API: the host's operations
//! (copies in and out, iteration) and the programs' (value addresses, per-CPU
//! values of the running CPU).

use super::array::ArrayMap;
use super::error::MapError;
use super::hash::HashTable;
use super::ids::{IdArray, IdHash};
use super::lpm::LpmTrie;
use super::perf::PerfEventArray;
use super::queue::{Order, QueueMap};
use super::ringbuf::RingBuf;
use super::spec::{MapSpec, MapType};
use super::stack_trace::StackTraceMap;
use super::table::MapId;
use crate::memory::SharedMemory;

/// The implementation behind a [`Map`].
#[derive(Debug)]
enum MapKind {
    Array(ArrayMap),
    Hash(HashTable),
    Lpm(LpmTrie),
    Queue(QueueMap),
    RingBuf(RingBuf),
    PerfEvents(PerfEventArray),
    Ids(IdArray),
    IdHash(IdHash),
    StackTrace(StackTraceMap),
}

/// What a program's lookup found.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// The guest address of the value (for per-CPU maps: the running CPU's).
    Value(u64),
    /// An inner map (maps of maps).
    Map(MapId),
}

/// A map's value memory as runs see it.
#[derive(Copy, Clone, Debug)]
pub struct Storage<'m> {
    /// The memory: one region for every value.
    pub memory: &'m SharedMemory,
    /// Whether programs may write it.
    pub writable: bool,
}

/// A map: its definition and its contents. Shared between threads (`Send + Sync`)
/// and between programs, usually behind an `Arc` in a
/// [`MapTable`](super::MapTable).
#[derive(Debug)]
pub struct Map {
    spec: MapSpec,
    kind: MapKind,
}

impl Map {
    /// Creates an empty map (arrays zeroed) after checking `spec` as
    /// `BPF_MAP_CREATE` does; per-CPU maps get `cpus` values per element.
    pub fn new(spec: MapSpec, cpus: u32) -> Result<Map, MapError> {
        spec.validate()?;
        let (k, v, n) = (spec.key_size, spec.value_size, spec.max_entries);
        let cpus = cpus.max(1);
        use MapType as T;
        let kind = match spec.map_type {
            T::Array => MapKind::Array(ArrayMap::new(n, v, false, cpus)?),
            T::PercpuArray => MapKind::Array(ArrayMap::new(n, v, true, cpus)?),
            T::Hash => MapKind::Hash(HashTable::new(k, v, n, false, false, cpus)?),
            T::PercpuHash => MapKind::Hash(HashTable::new(k, v, n, true, false, cpus)?),
            T::LruHash => MapKind::Hash(HashTable::new(k, v, n, false, true, cpus)?),
            T::LruPercpuHash => MapKind::Hash(HashTable::new(k, v, n, true, true, cpus)?),
            T::LpmTrie => MapKind::Lpm(LpmTrie::new(k, v, n)?),
            T::Queue => MapKind::Queue(QueueMap::new(Order::Fifo, v, n)),
            T::Stack => MapKind::Queue(QueueMap::new(Order::Lifo, v, n)),
            T::RingBuf => MapKind::RingBuf(RingBuf::new(n)?),
            T::PerfEventArray => MapKind::PerfEvents(PerfEventArray::new(n)),
            T::ProgArray | T::CgroupArray | T::ArrayOfMaps | T::DevMap | T::CpuMap | T::XskMap => {
                MapKind::Ids(IdArray::new(n, v)?)
            }
            T::HashOfMaps => MapKind::IdHash(IdHash::new(k, n)),
            T::StackTrace => MapKind::StackTrace(StackTraceMap::new(v, n)),
        };
        Ok(Map { spec, kind })
    }

    /// The definition.
    pub fn spec(&self) -> &MapSpec {
        &self.spec
    }

    /// The type.
    pub fn map_type(&self) -> MapType {
        self.spec.map_type
    }

    fn unsupported(&self, op: &'static str) -> MapError {
        MapError::Unsupported {
            op,
            map_type: self.spec.map_type.name(),
        }
    }

    /// The host's copy of the value at `key` (for per-CPU maps: every CPU's value,
    /// each rounded up to 8 bytes; for maps of ids: the id, little-endian).
    pub fn get(&self, key: &[u8]) -> Result<Vec<u8>, MapError> {
        match &self.kind {
            MapKind::Array(a) => a.get(key),
            MapKind::Hash(h) => h.get(key),
            MapKind::Lpm(t) => t.get(key),
            MapKind::Ids(a) => a.get(key),
            MapKind::IdHash(h) => h
                .id(key)?
                .map(|id| id.to_le_bytes().to_vec())
                .ok_or(MapError::NotFound),
            MapKind::StackTrace(s) => s.get(key),
            MapKind::Queue(q) => {
                check_empty_key(key)?;
                q.peek()
            }
            MapKind::RingBuf(_) | MapKind::PerfEvents(_) => Err(self.unsupported("lookup")),
        }
    }

    /// Creates or updates the element at `key` from the host (queues and stacks:
    /// pushes). Maps of ids store the id as given: use
    /// [`MapTable::update`](super::MapTable::update) to have map ids checked.
    pub fn update(&self, key: &[u8], value: &[u8], flags: u64) -> Result<(), MapError> {
        match &self.kind {
            MapKind::Array(a) => a.update(key, value, flags, None),
            MapKind::Hash(h) => h.update(key, value, flags, None),
            MapKind::Lpm(t) => t.update(key, value, flags),
            MapKind::Ids(a) => a.set(key, value, flags),
            MapKind::IdHash(h) => h.set(key, id_value(value)?, flags),
            MapKind::Queue(q) => {
                check_empty_key(key)?;
                q.push(value, flags)
            }
            MapKind::RingBuf(_) | MapKind::PerfEvents(_) | MapKind::StackTrace(_) => {
                Err(self.unsupported("update"))
            }
        }
    }

    /// Deletes the element at `key` (arrays: `EINVAL`, their elements always
    /// exist).
    pub fn delete(&self, key: &[u8]) -> Result<(), MapError> {
        match &self.kind {
            MapKind::Hash(h) => h.delete(key),
            MapKind::Lpm(t) => t.delete(key),
            MapKind::Ids(a) => a.clear(key),
            MapKind::IdHash(h) => h.clear(key),
            MapKind::StackTrace(s) => s.delete(key),
            MapKind::Array(_)
            | MapKind::Queue(_)
            | MapKind::RingBuf(_)
            | MapKind::PerfEvents(_) => Err(self.unsupported("delete")),
        }
    }

    /// The key after `key` (the first for `None`), as `BPF_MAP_GET_NEXT_KEY`; the
    /// order is the map's own and not promised.
    pub fn next_key(&self, key: Option<&[u8]>) -> Result<Option<Vec<u8>>, MapError> {
        match &self.kind {
            MapKind::Array(a) => a.next_key(key),
            MapKind::Hash(h) => h.next_key(key),
            MapKind::Lpm(t) => t.next_key(key),
            MapKind::Ids(a) => a.next_key(key),
            MapKind::IdHash(h) => h.next_key(key),
            MapKind::StackTrace(s) => s.next_key(key),
            MapKind::Queue(_) | MapKind::RingBuf(_) | MapKind::PerfEvents(_) => {
                Err(self.unsupported("get_next_key"))
            }
        }
    }

    /// Every key, following [`next_key`](Self::next_key) (empty for maps without
    /// keys). Keys deleted or added meanwhile may or may not be seen.
    pub fn keys(&self) -> Keys<'_> {
        Keys {
            map: self,
            last: None,
            done: false,
            steps: 0,
        }
    }

    /// Every element the host can read: (key, value) pairs in key order.
    pub fn entries(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.keys()
            .filter_map(|k| self.get(&k).ok().map(|v| (k, v)))
            .collect()
    }

    /// Number of elements (for arrays, `max_entries`).
    pub fn len(&self) -> u32 {
        match &self.kind {
            MapKind::Array(a) => a.len(),
            MapKind::Hash(h) => h.len(),
            MapKind::Lpm(t) => t.len(),
            MapKind::Ids(a) => a.len(),
            MapKind::IdHash(h) => h.len(),
            MapKind::StackTrace(s) => s.len(),
            MapKind::Queue(q) => q.len(),
            MapKind::RingBuf(_) | MapKind::PerfEvents(_) => 0,
        }
    }

    /// Whether the map holds no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Pushes onto a queue or stack (`BPF_EXIST` overwrites the oldest when full).
    pub fn push(&self, value: &[u8], flags: u64) -> Result<(), MapError> {
        match &self.kind {
            MapKind::Queue(q) => q.push(value, flags),
            _ => Err(self.unsupported("push")),
        }
    }

    /// Pops from a queue or stack.
    pub fn pop(&self) -> Result<Vec<u8>, MapError> {
        match &self.kind {
            MapKind::Queue(q) => q.pop(),
            _ => Err(self.unsupported("pop")),
        }
    }

    /// Peeks at a queue or stack.
    pub fn peek(&self) -> Result<Vec<u8>, MapError> {
        match &self.kind {
            MapKind::Queue(q) => q.peek(),
            _ => Err(self.unsupported("peek")),
        }
    }

    /// A program's lookup on CPU `cpu`: the value's address, or for maps of maps
    /// the inner map; `None` when absent.
    pub fn lookup_for_program(&self, key: &[u8], cpu: u32) -> Result<Option<Found>, MapError> {
        let addr = |r: Result<Option<u64>, MapError>| r.map(|a| a.map(Found::Value));
        match &self.kind {
            MapKind::Array(a) => addr(a.lookup_addr(key, cpu)),
            MapKind::Hash(h) => addr(h.lookup_addr(key, cpu)),
            MapKind::Lpm(t) => addr(t.lookup_addr(key)),
            MapKind::Ids(a) if self.spec.map_type == MapType::ArrayOfMaps => {
                Ok(a.id(key)?.map(|id| Found::Map(MapId(id as u32))))
            }
            MapKind::Ids(a)
                if matches!(
                    self.spec.map_type,
                    MapType::DevMap | MapType::CpuMap | MapType::XskMap
                ) =>
            {
                addr(a.lookup_addr(key))
            }
            MapKind::IdHash(h) => Ok(h.id(key)?.map(|id| Found::Map(MapId(id)))),
            _ => Err(self.unsupported("lookup from a program")),
        }
    }

    /// A program's update on CPU `cpu` (per-CPU maps: that CPU's value only).
    pub fn update_from_program(
        &self,
        key: &[u8],
        value: &[u8],
        flags: u64,
        cpu: u32,
    ) -> Result<(), MapError> {
        if self.spec.read_only_for_programs() {
            return Err(MapError::Unsupported {
                op: "update from a program of a read-only",
                map_type: self.spec.map_type.name(),
            });
        }
        match &self.kind {
            MapKind::Array(a) => a.update(key, value, flags, Some(cpu)),
            MapKind::Hash(h) => h.update(key, value, flags, Some(cpu)),
            MapKind::Lpm(t) => t.update(key, value, flags),
            _ => Err(self.unsupported("update from a program")),
        }
    }

    /// A program's delete.
    pub fn delete_from_program(&self, key: &[u8]) -> Result<(), MapError> {
        match &self.kind {
            MapKind::Hash(h) => h.delete(key),
            MapKind::Lpm(t) => t.delete(key),
            _ => Err(self.unsupported("delete from a program")),
        }
    }

    /// For `bpf_for_each_map_elem`: the first element at or after position
    /// `cursor` in the map's own order, as (next cursor, key, value address for
    /// `cpu`). Arrays and hash maps only, as in the kernel.
    pub fn element_from(
        &self,
        cursor: u32,
        cpu: u32,
    ) -> Result<Option<(u32, Vec<u8>, u64)>, MapError> {
        match &self.kind {
            MapKind::Array(a) => Ok((cursor < a.len()).then(|| {
                let key = cursor.to_le_bytes().to_vec();
                (cursor + 1, key, a.values().addr(cursor, cpu))
            })),
            MapKind::Hash(h) => Ok(h.occupied_from(cursor).and_then(|slot| {
                let key = h.key_of(slot)?;
                Some((slot + 1, key, h.values().addr(slot, cpu)))
            })),
            _ => Err(self.unsupported("for_each_map_elem")),
        }
    }

    /// The id stored at `key` in a program array, map of maps, cgroup array or
    /// redirect map.
    pub fn id_at(&self, key: &[u8]) -> Result<Option<u64>, MapError> {
        match &self.kind {
            MapKind::Ids(a) => a.id(key),
            MapKind::IdHash(h) => Ok(h.id(key)?.map(u64::from)),
            _ => Err(self.unsupported("id lookup")),
        }
    }

    /// The memory runs must see as a region, if programs can reach the map's
    /// values through pointers.
    pub fn storage(&self) -> Option<Storage<'_>> {
        let writable = !self.spec.read_only_for_programs();
        match &self.kind {
            MapKind::Array(a) => Some(Storage {
                memory: a.values().memory(),
                writable,
            }),
            MapKind::Hash(h) => Some(Storage {
                memory: h.values().memory(),
                writable,
            }),
            MapKind::Lpm(t) => Some(Storage {
                memory: t.values().memory(),
                writable,
            }),
            MapKind::Ids(a) => Some(Storage {
                memory: a.values().memory(),
                writable: false,
            }),
            MapKind::RingBuf(r) => Some(Storage {
                memory: r.memory(),
                writable: true,
            }),
            MapKind::Queue(_)
            | MapKind::PerfEvents(_)
            | MapKind::IdHash(_)
            | MapKind::StackTrace(_) => None,
        }
    }

    /// The ring buffer, for ring buffer maps.
    pub fn ring_buf(&self) -> Option<&RingBuf> {
        match &self.kind {
            MapKind::RingBuf(r) => Some(r),
            _ => None,
        }
    }

    /// The perf event array, for perf event array maps.
    pub fn perf_event_array(&self) -> Option<&PerfEventArray> {
        match &self.kind {
            MapKind::PerfEvents(p) => Some(p),
            _ => None,
        }
    }

    /// The stack-trace store, for stack-trace maps.
    pub fn stack_trace(&self) -> Option<&StackTraceMap> {
        match &self.kind {
            MapKind::StackTrace(s) => Some(s),
            _ => None,
        }
    }
}

/// Queues, stacks and ring buffers take no key (a zero-length one).
fn check_empty_key(key: &[u8]) -> Result<(), MapError> {
    super::error::check_key(key, 0)
}

/// A 4-byte id value.
fn id_value(value: &[u8]) -> Result<u32, MapError> {
    let b: [u8; 4] = value.try_into().map_err(|_| MapError::ValueSize {
        expected: 4,
        got: value.len(),
    })?;
    Ok(u32::from_le_bytes(b))
}

/// The keys of a map, one [`Map::next_key`] step at a time.
#[derive(Debug)]
pub struct Keys<'m> {
    map: &'m Map,
    last: Option<Vec<u8>>,
    done: bool,
    steps: u64,
}

impl Iterator for Keys<'_> {
    type Item = Vec<u8>;

    fn next(&mut self) -> Option<Vec<u8>> {
        // A bound on steps keeps concurrent reinsertions from looping forever.
        if self.done || self.steps > u64::from(self.map.spec.max_entries) * 2 + 2 {
            return None;
        }
        self.steps += 1;
        match self.map.next_key(self.last.as_deref()) {
            Ok(Some(k)) => {
                self.last = Some(k.clone());
                Some(k)
            }
            _ => {
                self.done = true;
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_api_over_every_type() {
        let hash = Map::new(MapSpec::new(MapType::Hash, 4, 4, 8), 1).unwrap();
        hash.update(&1u32.to_le_bytes(), &[1; 4], 0).unwrap();
        hash.update(&2u32.to_le_bytes(), &[2; 4], 0).unwrap();
        assert_eq!(hash.entries().len(), 2);
        assert_eq!(hash.keys().count(), 2);
        let found = hash.lookup_for_program(&1u32.to_le_bytes(), 0).unwrap();
        assert!(matches!(found, Some(Found::Value(_))));
        assert!(hash.storage().unwrap().writable);
        assert!(hash.push(&[0; 4], 0).is_err());

        let q = Map::new(MapSpec::new(MapType::Queue, 0, 2, 2), 1).unwrap();
        q.update(&[], &[1, 2], 0).unwrap();
        assert_eq!(q.get(&[]).unwrap(), [1, 2]);
        assert_eq!(q.pop().unwrap(), [1, 2]);
        assert!(q.storage().is_none());
        assert_eq!(q.keys().count(), 0);

        let mut spec = MapSpec::new(MapType::Array, 4, 8, 2);
        spec.flags = super::super::spec::BPF_F_RDONLY_PROG;
        let ro = Map::new(spec, 1).unwrap();
        assert!(!ro.storage().unwrap().writable);
        assert!(ro
            .update_from_program(&0u32.to_le_bytes(), &[0; 8], 0, 0)
            .is_err());
        ro.update(&0u32.to_le_bytes(), &[3; 8], 0).unwrap();
        assert_eq!(ro.delete(&0u32.to_le_bytes()).unwrap_err().errno(), 22);

        let arr = Map::new(MapSpec::new(MapType::PercpuArray, 4, 4, 3), 2).unwrap();
        let (next, key, _) = arr.element_from(2, 1).unwrap().unwrap();
        assert_eq!((next, key), (3, 2u32.to_le_bytes().to_vec()));
        assert_eq!(arr.element_from(3, 0).unwrap(), None);
        assert_eq!(arr.get(&0u32.to_le_bytes()).unwrap().len(), 16);

        assert!(Map::new(MapSpec::new(MapType::Array, 4, 0, 1), 1).is_err());
        let rb = Map::new(MapSpec::new(MapType::RingBuf, 0, 0, 4096), 1).unwrap();
        assert!(rb.ring_buf().is_some());
        assert_eq!(rb.storage().unwrap().memory.len(), 8192);
    }

    #[test]
    fn maps_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Map>();
    }
}
