//! The object's maps as the host sees them.

use super::error::EmbedError;
use super::object::Object;
use super::program::Program;
use ferrobpf_vm::maps::spec::BPF_F_RDONLY_PROG;
use ferrobpf_vm::maps::{Map, MapError, MapId, MapSpec, MapType};
use std::ops::Deref;
use std::sync::Arc;

/// The runtime definition of an object's map. As libbpf does, a perf event array
/// of 0 entries gets one per CPU, and read-only global data (`.rodata`) is
/// read-only for programs.
pub(crate) fn spec_of(def: &ferrobpf_elf::MapDef, cpus: u32) -> Result<MapSpec, MapError> {
    let map_type = MapType::from_id(def.map_type)?;
    let mut max_entries = def.max_entries;
    if map_type == MapType::PerfEventArray && max_entries == 0 {
        max_entries = cpus;
    }
    let mut flags = def.flags;
    if def.read_only {
        flags |= BPF_F_RDONLY_PROG;
    }
    let inner = match &def.inner {
        Some(inner) => Some(Box::new(spec_of(inner, cpus)?)),
        None => None,
    };
    Ok(MapSpec {
        map_type,
        key_size: def.key_size,
        value_size: def.value_size,
        max_entries,
        flags,
        inner,
    })
}

/// A map of an object (or created beside it), with its name. Its own methods
/// report errors as [`EmbedError`]s naming the map; it also dereferences to the
/// [`Map`] (iteration, ring buffers, perf event arrays, the raw [`MapError`]s).
/// Cheap to clone, `Send + Sync`.
#[derive(Clone, Debug)]
pub struct MapRef {
    obj: Object,
    id: MapId,
    name: String,
    map: Arc<Map>,
}

impl MapRef {
    pub(crate) fn new(obj: Object, id: MapId, name: String) -> Result<MapRef, EmbedError> {
        let map = obj
            .inner
            .maps
            .get(id)
            .cloned()
            .ok_or_else(|| EmbedError::NoSuchMap(name.clone()))?;
        Ok(MapRef { obj, id, name, map })
    }

    /// The map's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The map's id in the object's table.
    pub fn id(&self) -> MapId {
        self.id
    }

    fn op(&self, r: Result<(), MapError>) -> Result<(), EmbedError> {
        r.map_err(|error| self.error(error))
    }

    /// The host's copy of the value at `key` (see [`Map::get`]).
    pub fn get(&self, key: &[u8]) -> Result<Vec<u8>, EmbedError> {
        self.map.get(key).map_err(|error| self.error(error))
    }

    /// Creates or updates the element at `key` (see [`Map::update`]).
    pub fn update(&self, key: &[u8], value: &[u8], flags: u64) -> Result<(), EmbedError> {
        self.op(self.map.update(key, value, flags))
    }

    /// Deletes the element at `key`.
    pub fn delete(&self, key: &[u8]) -> Result<(), EmbedError> {
        self.op(self.map.delete(key))
    }

    /// Pushes onto a queue or stack.
    pub fn push(&self, value: &[u8], flags: u64) -> Result<(), EmbedError> {
        self.op(self.map.push(value, flags))
    }

    /// Pops from a queue or stack.
    pub fn pop(&self) -> Result<Vec<u8>, EmbedError> {
        self.map.pop().map_err(|error| self.error(error))
    }

    fn error(&self, error: MapError) -> EmbedError {
        EmbedError::MapOp {
            map: self.name.clone(),
            error,
        }
    }

    /// Stores `program` (of the same object) at `index` of this program array,
    /// for `bpf_tail_call`.
    pub fn set_program(&self, index: u32, program: &Program) -> Result<(), EmbedError> {
        if self.map.map_type() != MapType::ProgArray {
            return self.op(Err(MapError::Unsupported {
                op: "set_program",
                map_type: self.map.map_type().name(),
            }));
        }
        if !Arc::ptr_eq(&program.object().inner, &self.obj.inner) {
            return self.op(Err(MapError::Incompatible(
                "the program belongs to another object".into(),
            )));
        }
        let id = program.index() as u32;
        self.op(self.map.update(&index.to_le_bytes(), &id.to_le_bytes(), 0))
    }

    /// Stores `inner` at `key` of this map of maps.
    pub fn set_inner(&self, key: &[u8], inner: &MapRef) -> Result<(), EmbedError> {
        self.op(self.obj.inner.maps.set_inner(self.id, key, inner.id, 0))
    }
}

impl Deref for MapRef {
    type Target = Map;

    fn deref(&self) -> &Map {
        &self.map
    }
}
