//! Maps whose values name things outside the program: program arrays (program
//! ids), maps of maps (map ids), cgroup arrays and redirect maps (devmap, cpumap,
//! xskmap: host-defined ids). The host stores the ids; programs only test for
//! presence or have a helper act on them.
//!
//! Present values are also kept in a read-only [`ValueStore`], so a program's
//! lookup of a redirect map returns a real (non-null, readable) address, as the
//! kernel returns a pointer the program only compares with null.

use super::error::MapError;
use super::flags::UpdateMode;
use super::index::ShardedIndex;
use super::values::ValueStore;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// An array of optional ids indexed by a 4-byte key.
#[derive(Debug)]
pub struct IdArray {
    values: ValueStore,
    present: Box<[AtomicBool]>,
}

impl IdArray {
    /// `max_entries` empty slots of `value_size`-byte ids.
    pub(crate) fn new(max_entries: u32, value_size: u32) -> Result<IdArray, MapError> {
        Ok(IdArray {
            values: ValueStore::new(max_entries, value_size, 1)?,
            present: (0..max_entries).map(|_| AtomicBool::new(false)).collect(),
        })
    }

    /// The value storage (one read-only region).
    pub(crate) fn values(&self) -> &ValueStore {
        &self.values
    }

    fn index(&self, key: &[u8]) -> Result<Option<u32>, MapError> {
        let i = super::array::array_index(key)?;
        Ok(((i as usize) < self.present.len()).then_some(i))
    }

    /// The raw value at `key`, if present.
    pub(crate) fn get(&self, key: &[u8]) -> Result<Vec<u8>, MapError> {
        let i = self.index(key)?.ok_or(MapError::NotFound)?;
        if !self.present[i as usize].load(Ordering::Acquire) {
            return Err(MapError::NotFound);
        }
        self.values.read_one(i, 0)
    }

    /// The value at `key` as a number (little-endian, 4 or 8 bytes), if present.
    pub(crate) fn id(&self, key: &[u8]) -> Result<Option<u64>, MapError> {
        match self.get(key) {
            Ok(v) => {
                let mut b = [0u8; 8];
                b[..v.len().min(8)].copy_from_slice(&v[..v.len().min(8)]);
                Ok(Some(u64::from_le_bytes(b)))
            }
            Err(MapError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The address of the value at `key`, if present.
    pub(crate) fn lookup_addr(&self, key: &[u8]) -> Result<Option<u64>, MapError> {
        Ok(self
            .index(key)?
            .filter(|&i| self.present[i as usize].load(Ordering::Acquire))
            .map(|i| self.values.addr(i, 0)))
    }

    /// Stores `value` at `key` (like an array: `E2BIG` past the end; `NOEXIST`
    /// and `EXIST` checked against presence).
    pub(crate) fn set(&self, key: &[u8], value: &[u8], flags: u64) -> Result<(), MapError> {
        let mode = UpdateMode::from_flags(flags)?;
        let i = self.index(key)?.ok_or(MapError::Full)?;
        mode.check(self.present[i as usize].load(Ordering::Acquire))?;
        self.values.write_one(i, 0, value)?;
        self.present[i as usize].store(true, Ordering::Release);
        Ok(())
    }

    /// Empties the slot at `key`.
    pub(crate) fn clear(&self, key: &[u8]) -> Result<(), MapError> {
        let i = self.index(key)?.ok_or(MapError::NotFound)?;
        if self.present[i as usize].swap(false, Ordering::AcqRel) {
            Ok(())
        } else {
            Err(MapError::NotFound)
        }
    }

    /// Keys in index order, as an array's.
    pub(crate) fn next_key(&self, key: Option<&[u8]>) -> Result<Option<Vec<u8>>, MapError> {
        let next = match key.map(|k| self.index(k)).transpose()?.flatten() {
            Some(i) => i.checked_add(1),
            None => Some(0),
        };
        Ok(next
            .filter(|&n| (n as usize) < self.present.len())
            .map(|n| n.to_le_bytes().to_vec()))
    }

    /// Number of slots holding an id.
    pub(crate) fn len(&self) -> u32 {
        self.present
            .iter()
            .filter(|p| p.load(Ordering::Relaxed))
            .count() as u32
    }
}

/// A hash of keys to 4-byte ids (`BPF_MAP_TYPE_HASH_OF_MAPS`).
#[derive(Debug)]
pub struct IdHash {
    index: ShardedIndex<u32>,
    key_size: usize,
    max_entries: u32,
    len: AtomicU32,
}

impl IdHash {
    /// An empty hash of at most `max_entries` ids.
    pub(crate) fn new(key_size: u32, max_entries: u32) -> IdHash {
        IdHash {
            index: ShardedIndex::new(),
            key_size: key_size as usize,
            max_entries,
            len: AtomicU32::new(0),
        }
    }

    fn check_key(&self, key: &[u8]) -> Result<(), MapError> {
        super::error::check_key(key, self.key_size)
    }

    /// The id at `key`.
    pub(crate) fn id(&self, key: &[u8]) -> Result<Option<u32>, MapError> {
        self.check_key(key)?;
        Ok(self.index.get(key))
    }

    /// Stores `id` at `key`.
    pub(crate) fn set(&self, key: &[u8], id: u32, flags: u64) -> Result<(), MapError> {
        let mode = UpdateMode::from_flags(flags)?;
        self.check_key(key)?;
        let mut shard = self.index.lock(key);
        let exists = shard.contains_key(key);
        mode.check(exists)?;
        if !exists {
            let n = self.len.fetch_add(1, Ordering::AcqRel);
            if n >= self.max_entries {
                self.len.fetch_sub(1, Ordering::AcqRel);
                return Err(MapError::Full);
            }
        }
        shard.insert(key.into(), id);
        Ok(())
    }

    /// Removes `key`.
    pub(crate) fn clear(&self, key: &[u8]) -> Result<(), MapError> {
        self.check_key(key)?;
        self.index
            .lock(key)
            .remove(key)
            .map(|_| {
                self.len.fetch_sub(1, Ordering::AcqRel);
            })
            .ok_or(MapError::NotFound)
    }

    /// Keys in byte order: the one after `key`, or the first.
    pub(crate) fn next_key(&self, key: Option<&[u8]>) -> Result<Option<Vec<u8>>, MapError> {
        if let Some(k) = key {
            self.check_key(k)?;
        }
        let mut keys: Vec<Box<[u8]>> = self.index.snapshot().into_iter().map(|(k, _)| k).collect();
        keys.sort();
        let start = key
            .and_then(|k| keys.iter().position(|x| **x == *k))
            .map_or(0, |p| p + 1);
        Ok(keys.get(start).map(|k| k.to_vec()))
    }

    /// Number of ids held.
    pub(crate) fn len(&self) -> u32 {
        self.len.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_array() {
        let a = IdArray::new(2, 4).unwrap();
        let k = |i: u32| i.to_le_bytes();
        assert_eq!(a.id(&k(0)), Ok(None));
        assert_eq!(a.lookup_addr(&k(0)), Ok(None));
        a.set(&k(0), &7u32.to_le_bytes(), 0).unwrap();
        assert_eq!(a.id(&k(0)), Ok(Some(7)));
        assert!(a.lookup_addr(&k(0)).unwrap().is_some());
        assert_eq!(a.set(&k(0), &[0; 4], 1), Err(MapError::Exists));
        assert_eq!(a.set(&k(2), &[0; 4], 0), Err(MapError::Full));
        assert_eq!(a.len(), 1);
        a.clear(&k(0)).unwrap();
        assert_eq!(a.clear(&k(0)), Err(MapError::NotFound));
        assert_eq!(a.next_key(None).unwrap(), Some(k(0).to_vec()));
    }

    #[test]
    fn id_hash() {
        let h = IdHash::new(2, 1);
        h.set(&[1, 2], 9, 0).unwrap();
        assert_eq!(h.id(&[1, 2]), Ok(Some(9)));
        assert_eq!(h.set(&[1, 3], 9, 0), Err(MapError::Full));
        h.set(&[1, 2], 10, 2).unwrap();
        assert_eq!(h.id(&[1, 2]), Ok(Some(10)));
        assert_eq!(h.next_key(None).unwrap(), Some(vec![1, 2]));
        assert_eq!(h.next_key(Some(&[1, 2])).unwrap(), None);
        h.clear(&[1, 2]).unwrap();
        assert_eq!(h.len(), 0);
    }
}
