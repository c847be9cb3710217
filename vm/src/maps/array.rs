//! `BPF_MAP_TYPE_ARRAY` and `BPF_MAP_TYPE_PERCPU_ARRAY`: `max_entries` values
//! indexed by a 4-byte key, all existing from creation, zeroed.

use super::error::MapError;
use super::flags::UpdateMode;
use super::values::ValueStore;

/// An array map (per-CPU or not).
#[derive(Debug)]
pub struct ArrayMap {
    values: ValueStore,
    max_entries: u32,
    percpu: bool,
}

/// The index a 4-byte key holds.
pub(crate) fn array_index(key: &[u8]) -> Result<u32, MapError> {
    let bytes: [u8; 4] = key.try_into().map_err(|_| MapError::KeySize {
        expected: 4,
        got: key.len(),
    })?;
    Ok(u32::from_le_bytes(bytes))
}

impl ArrayMap {
    /// Zeroed storage for `max_entries` values on `cpus` CPUs (1 unless `percpu`).
    pub(crate) fn new(
        max_entries: u32,
        value_size: u32,
        percpu: bool,
        cpus: u32,
    ) -> Result<ArrayMap, MapError> {
        let cpus = if percpu { cpus } else { 1 };
        Ok(ArrayMap {
            values: ValueStore::new(max_entries, value_size, cpus)?,
            max_entries,
            percpu,
        })
    }

    /// The storage, one region for every value.
    pub(crate) fn values(&self) -> &ValueStore {
        &self.values
    }

    fn slot(&self, key: &[u8]) -> Result<Option<u32>, MapError> {
        let i = array_index(key)?;
        Ok((i < self.max_entries).then_some(i))
    }

    /// Address of the value for `cpu`, or `None` past the end.
    pub(crate) fn lookup_addr(&self, key: &[u8], cpu: u32) -> Result<Option<u64>, MapError> {
        Ok(self.slot(key)?.map(|i| self.values.addr(i, cpu)))
    }

    /// The host's copy of an element.
    pub(crate) fn get(&self, key: &[u8]) -> Result<Vec<u8>, MapError> {
        let i = self.slot(key)?.ok_or(MapError::NotFound)?;
        self.values.read_host(i, self.percpu)
    }

    /// Updates an element: from the host (`cpu` `None`, every CPU's value for
    /// per-CPU arrays) or from a program on `cpu` (that CPU's value only).
    pub(crate) fn update(
        &self,
        key: &[u8],
        value: &[u8],
        flags: u64,
        cpu: Option<u32>,
    ) -> Result<(), MapError> {
        let mode = UpdateMode::from_flags(flags)?;
        let i = self.slot(key)?.ok_or(MapError::Full)?;
        // Every element exists: NOEXIST always fails (the kernel checks it first).
        if mode == UpdateMode::NoExist {
            return Err(MapError::Exists);
        }
        match cpu {
            Some(cpu) => self.values.write_one(i, cpu, value),
            None => self.values.write_host(i, self.percpu, value),
        }
    }

    /// Keys in index order: the one after `key` (the first for `None` or a key past
    /// the end).
    pub(crate) fn next_key(&self, key: Option<&[u8]>) -> Result<Option<Vec<u8>>, MapError> {
        let next = match key.map(|k| self.slot(k)).transpose()?.flatten() {
            Some(i) => i.checked_add(1),
            None => Some(0),
        };
        Ok(next
            .filter(|&n| n < self.max_entries)
            .map(|n| n.to_le_bytes().to_vec()))
    }

    /// Number of elements (all exist).
    pub(crate) fn len(&self) -> u32 {
        self.max_entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maps::flags::{BPF_ANY, BPF_EXIST, BPF_NOEXIST};

    fn k(i: u32) -> [u8; 4] {
        i.to_le_bytes()
    }

    #[test]
    fn kernel_semantics() {
        let a = ArrayMap::new(4, 8, false, 1).unwrap();
        assert_eq!(a.get(&k(3)).unwrap(), [0; 8]);
        assert_eq!(a.get(&k(4)), Err(MapError::NotFound));
        a.update(&k(1), &[1; 8], BPF_ANY, None).unwrap();
        a.update(&k(1), &[2; 8], BPF_EXIST, None).unwrap();
        assert_eq!(a.get(&k(1)).unwrap(), [2; 8]);
        assert_eq!(
            a.update(&k(1), &[2; 8], BPF_NOEXIST, None),
            Err(MapError::Exists)
        );
        assert_eq!(a.update(&k(4), &[2; 8], BPF_ANY, None), Err(MapError::Full));
        assert_eq!(
            a.update(&k(0), &[2; 8], 9, None),
            Err(MapError::InvalidFlags(9))
        );
        assert!(matches!(
            a.update(&k(0), &[2; 7], 0, None),
            Err(MapError::ValueSize { .. })
        ));
        assert!(matches!(a.get(&[0; 3]), Err(MapError::KeySize { .. })));
        assert_eq!(a.lookup_addr(&k(4), 0), Ok(None));
        let addr = a.lookup_addr(&k(1), 0).unwrap().unwrap();
        assert_eq!(addr, a.values().memory().addr() + 8);
        assert_eq!(a.next_key(None).unwrap(), Some(k(0).to_vec()));
        assert_eq!(a.next_key(Some(&k(2))).unwrap(), Some(k(3).to_vec()));
        assert_eq!(a.next_key(Some(&k(3))).unwrap(), None);
        assert_eq!(a.next_key(Some(&k(99))).unwrap(), Some(k(0).to_vec()));
    }

    #[test]
    fn percpu_views() {
        let a = ArrayMap::new(2, 4, true, 3).unwrap();
        a.update(&k(1), &[5, 0, 0, 0], BPF_ANY, Some(2)).unwrap();
        let host = a.get(&k(1)).unwrap();
        assert_eq!(host.len(), 24);
        assert_eq!(host[16], 5);
        assert_eq!(host[0], 0);
        let mut all = vec![0u8; 24];
        all[8] = 9;
        a.update(&k(0), &all, BPF_ANY, None).unwrap();
        let addr = a.lookup_addr(&k(0), 1).unwrap().unwrap();
        let mut b = [0u8; 1];
        a.values()
            .memory()
            .read((addr - a.values().memory().addr()) as usize, &mut b)
            .unwrap();
        assert_eq!(b, [9]);
    }
}
