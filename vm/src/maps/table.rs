//! The maps of an environment, by id, and the handles programs hold.
//!
//! A program's `lddw` of a map loads a *handle*: [`MAP_HANDLE_TAG`] ORed with the
//! map's [`MapId`]. The tag makes the value a non-canonical address (a program
//! that dereferences it faults) and lets helpers refuse numbers that are not
//! handles. Maps are only ever added, never removed, so a handle stays valid for
//! the table's life, and looking one up takes no lock.

use super::error::MapError;
use super::map::Map;
use super::spec::{MapSpec, MapType};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// The tag of map handles (see the module docs).
pub const MAP_HANDLE_TAG: u64 = 0xfbe0_0000_0000_0000;
/// Bits of a handle that hold the id.
const ID_MASK: u64 = 0xffff_ffff;

/// Entries per chunk of the table.
const CHUNK: usize = 256;
/// Most chunks (so at most `CHUNK * CHUNKS` maps).
const CHUNKS: usize = 256;
/// Most maps a table holds.
pub const MAX_MAPS: u32 = (CHUNK * CHUNKS) as u32;

/// A map's number in its table.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MapId(pub u32);

impl MapId {
    /// The handle programs hold for this map.
    pub fn handle(self) -> u64 {
        MAP_HANDLE_TAG | u64::from(self.0)
    }

    /// The map a handle names, if `handle` is one.
    pub fn from_handle(handle: u64) -> Option<MapId> {
        (handle & !ID_MASK == MAP_HANDLE_TAG).then_some(MapId(handle as u32))
    }
}

type Chunk = Box<[OnceLock<Arc<Map>>]>;

/// An append-only set of maps shared by the programs of an environment and the
/// host; `Send + Sync`.
#[derive(Debug)]
pub struct MapTable {
    chunks: Box<[OnceLock<Chunk>]>,
    len: AtomicU32,
    grow: Mutex<()>,
    cpus: u32,
}

impl MapTable {
    /// An empty table whose per-CPU maps hold `cpus` values per element.
    pub fn new(cpus: u32) -> MapTable {
        MapTable {
            chunks: (0..CHUNKS).map(|_| OnceLock::new()).collect(),
            len: AtomicU32::new(0),
            grow: Mutex::new(()),
            cpus: cpus.max(1),
        }
    }

    /// The number of CPUs of per-CPU maps.
    pub fn cpus(&self) -> u32 {
        self.cpus
    }

    /// Creates a map from `spec` and adds it.
    pub fn create(&self, spec: MapSpec) -> Result<MapId, MapError> {
        let map = Map::new(spec, self.cpus)?;
        self.insert(Arc::new(map))
    }

    /// Adds an existing map (so it may be shared with another table).
    pub fn insert(&self, map: Arc<Map>) -> Result<MapId, MapError> {
        let _grow = self.grow.lock().unwrap_or_else(|e| e.into_inner());
        let id = self.len.load(Ordering::Acquire);
        if id >= MAX_MAPS {
            return Err(MapError::InvalidSpec(format!("more than {MAX_MAPS} maps")));
        }
        let chunk = self.chunks[id as usize / CHUNK]
            .get_or_init(|| (0..CHUNK).map(|_| OnceLock::new()).collect());
        // The slot is fresh: `len` only grows, under the lock.
        let _ = chunk[id as usize % CHUNK].set(map);
        self.len.store(id + 1, Ordering::Release);
        Ok(MapId(id))
    }

    /// The map with `id`.
    #[inline]
    pub fn get(&self, id: MapId) -> Option<&Arc<Map>> {
        let i = id.0 as usize;
        if id.0 >= self.len.load(Ordering::Acquire) {
            return None;
        }
        self.chunks.get(i / CHUNK)?.get()?.get(i % CHUNK)?.get()
    }

    /// The map a program's handle names.
    #[inline]
    pub fn by_handle(&self, handle: u64) -> Option<&Arc<Map>> {
        self.get(MapId::from_handle(handle)?)
    }

    /// Number of maps.
    pub fn len(&self) -> u32 {
        self.len.load(Ordering::Acquire)
    }

    /// Whether there is no map.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every map with its id.
    pub fn iter(&self) -> impl Iterator<Item = (MapId, &Arc<Map>)> {
        (0..self.len()).filter_map(|i| self.get(MapId(i)).map(|m| (MapId(i), m)))
    }

    /// Updates `key` of map `id` from the host. For maps of maps the value is an
    /// inner map's id (4 bytes, little-endian), checked against the outer map's
    /// template.
    pub fn update(&self, id: MapId, key: &[u8], value: &[u8], flags: u64) -> Result<(), MapError> {
        let map = self.get(id).ok_or(MapError::NotFound)?;
        if map.map_type().is_map_in_map() {
            let inner =
                value
                    .try_into()
                    .map(u32::from_le_bytes)
                    .map_err(|_| MapError::ValueSize {
                        expected: 4,
                        got: value.len(),
                    })?;
            self.check_inner(map, MapId(inner))?;
        }
        map.update(key, value, flags)
    }

    /// Stores map `inner` at `key` of the map of maps `outer`.
    pub fn set_inner(
        &self,
        outer: MapId,
        key: &[u8],
        inner: MapId,
        flags: u64,
    ) -> Result<(), MapError> {
        self.update(outer, key, &inner.0.to_le_bytes(), flags)
    }

    fn check_inner(&self, outer: &Map, inner: MapId) -> Result<(), MapError> {
        let inner_map = self
            .get(inner)
            .ok_or_else(|| MapError::Incompatible(format!("no map with id {}", inner.0)))?;
        let template =
            outer.spec().inner.as_deref().ok_or_else(|| {
                MapError::Incompatible("the outer map has no inner template".into())
            })?;
        if inner_map.map_type() == MapType::ProgArray
            || !template.compatible_inner(inner_map.spec())
        {
            return Err(MapError::Incompatible(format!(
                "map {} does not match the inner map definition",
                inner.0
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_round_trip() {
        assert_eq!(MapId::from_handle(MapId(7).handle()), Some(MapId(7)));
        assert_eq!(MapId::from_handle(7), None);
        assert_eq!(MapId::from_handle(u64::MAX), None);
    }

    #[test]
    fn create_get_and_inner_maps() {
        let t = MapTable::new(2);
        let a = t.create(MapSpec::new(MapType::Array, 4, 4, 1)).unwrap();
        let b = t.create(MapSpec::new(MapType::Array, 4, 8, 1)).unwrap();
        let mut outer = MapSpec::new(MapType::ArrayOfMaps, 4, 4, 2);
        outer.inner = Some(Box::new(MapSpec::new(MapType::Array, 4, 4, 1)));
        let o = t.create(outer).unwrap();
        assert_eq!(t.len(), 3);
        assert!(t.by_handle(a.handle()).is_some());
        assert!(t.by_handle(MapId(3).handle()).is_none());
        t.set_inner(o, &0u32.to_le_bytes(), a, 0).unwrap();
        assert!(matches!(
            t.set_inner(o, &1u32.to_le_bytes(), b, 0),
            Err(MapError::Incompatible(_))
        ));
        assert!(t.set_inner(o, &1u32.to_le_bytes(), MapId(99), 0).is_err());
        let outer = t.get(o).unwrap();
        assert_eq!(
            outer.lookup_for_program(&0u32.to_le_bytes(), 0).unwrap(),
            Some(super::super::map::Found::Map(a))
        );
        assert_eq!(t.iter().count(), 3);
    }

    #[test]
    fn many_maps() {
        let t = MapTable::new(1);
        for _ in 0..600 {
            t.create(MapSpec::new(MapType::Queue, 0, 1, 1)).unwrap();
        }
        assert!(t.get(MapId(599)).is_some());
        assert!(t.get(MapId(600)).is_none());
    }
}
