//! `BPF_MAP_TYPE_LPM_TRIE`: longest-prefix match on keys
//! `struct { u32 prefixlen; u8 data[key_size - 4]; }`.
//!
//! Elements are kept per prefix length, keyed by their data masked to that length;
//! a lookup tries the lengths present from the longest that fits the key down to
//! the shortest. The whole index sits behind one reader-writer lock (lookups share
//! it). Values live in preallocated slots of one [`ValueStore`].

use super::error::MapError;
use super::flags::UpdateMode;
use super::values::ValueStore;
use std::collections::{BTreeMap, HashMap};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Prefix length to (masked data to slot).
#[derive(Debug, Default)]
struct LpmIndex {
    by_len: BTreeMap<u32, HashMap<Box<[u8]>, u32>>,
    /// The key last stored in each slot (prefix length and data as given).
    keys: Vec<Option<Box<[u8]>>>,
    free: Vec<u32>,
}

/// An LPM trie map.
#[derive(Debug)]
pub struct LpmTrie {
    index: RwLock<LpmIndex>,
    values: ValueStore,
    data_size: usize,
}

/// `data` with every bit past the first `bits` cleared.
fn masked(data: &[u8], bits: u32) -> Box<[u8]> {
    data.iter()
        .enumerate()
        .map(|(i, &b)| {
            let start = i as u32 * 8;
            if bits >= start + 8 {
                b
            } else if bits <= start {
                0
            } else {
                b & (0xffu8 << (8 - (bits - start)))
            }
        })
        .collect()
}

impl LpmTrie {
    /// An empty trie for keys of `key_size` bytes.
    pub(crate) fn new(
        key_size: u32,
        value_size: u32,
        max_entries: u32,
    ) -> Result<LpmTrie, MapError> {
        let values = ValueStore::new(max_entries, value_size, 1)?;
        Ok(LpmTrie {
            index: RwLock::new(LpmIndex {
                by_len: BTreeMap::new(),
                keys: vec![None; max_entries as usize],
                free: (0..max_entries).rev().collect(),
            }),
            values,
            data_size: key_size.saturating_sub(4) as usize,
        })
    }

    /// The value storage (one region).
    pub(crate) fn values(&self) -> &ValueStore {
        &self.values
    }

    fn read(&self) -> RwLockReadGuard<'_, LpmIndex> {
        self.index.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, LpmIndex> {
        self.index.write().unwrap_or_else(|e| e.into_inner())
    }

    fn max_bits(&self) -> u32 {
        self.data_size as u32 * 8
    }

    /// Splits a key into prefix length and data.
    fn split<'k>(&self, key: &'k [u8]) -> Result<(u32, &'k [u8]), MapError> {
        if key.len() != self.data_size + 4 {
            return Err(MapError::KeySize {
                expected: self.data_size as u32 + 4,
                got: key.len(),
            });
        }
        let (len, data) = key.split_at(4);
        let mut b = [0u8; 4];
        b.copy_from_slice(len);
        Ok((u32::from_le_bytes(b), data))
    }

    /// The slot of the longest stored prefix matching `key`'s data within its
    /// prefix length.
    fn find(&self, key: &[u8]) -> Result<Option<u32>, MapError> {
        let (len, data) = self.split(key)?;
        // A query longer than the data matches as if it were exactly as long.
        let len = len.min(self.max_bits());
        let ix = self.read();
        Ok(ix
            .by_len
            .range(..=len)
            .rev()
            .find_map(|(&l, m)| m.get(&masked(data, l)).copied()))
    }

    /// Address of the longest match's value.
    pub(crate) fn lookup_addr(&self, key: &[u8]) -> Result<Option<u64>, MapError> {
        Ok(self.find(key)?.map(|s| self.values.addr(s, 0)))
    }

    /// The host's copy of the longest match's value.
    pub(crate) fn get(&self, key: &[u8]) -> Result<Vec<u8>, MapError> {
        let slot = self.find(key)?.ok_or(MapError::NotFound)?;
        self.values.read_one(slot, 0)
    }

    /// Stores the prefix `key` (exact prefix length and masked data identify it).
    pub(crate) fn update(&self, key: &[u8], value: &[u8], flags: u64) -> Result<(), MapError> {
        let mode = UpdateMode::from_flags(flags)?;
        let (len, data) = self.split(key)?;
        if len > self.max_bits() {
            return Err(MapError::InvalidKey("prefix length longer than the data"));
        }
        self.values.check_size(value, false)?;
        let mut ix = self.write();
        let id = masked(data, len);
        let existing = ix.by_len.get(&len).and_then(|m| m.get(&id)).copied();
        mode.check(existing.is_some())?;
        let slot = match existing {
            Some(s) => s,
            None => ix.free.pop().ok_or(MapError::NoSpace)?,
        };
        self.values.write_one(slot, 0, value)?;
        if let Some(k) = ix.keys.get_mut(slot as usize) {
            *k = Some(key.into());
        }
        ix.by_len.entry(len).or_default().insert(id, slot);
        Ok(())
    }

    /// Deletes the exact prefix `key`.
    pub(crate) fn delete(&self, key: &[u8]) -> Result<(), MapError> {
        let (len, data) = self.split(key)?;
        if len > self.max_bits() {
            return Err(MapError::InvalidKey("prefix length longer than the data"));
        }
        let mut ix = self.write();
        let id = masked(data, len);
        let m = ix.by_len.get_mut(&len).ok_or(MapError::NotFound)?;
        let slot = m.remove(&id).ok_or(MapError::NotFound)?;
        if m.is_empty() {
            ix.by_len.remove(&len);
        }
        if let Some(k) = ix.keys.get_mut(slot as usize) {
            *k = None;
        }
        ix.free.push(slot);
        Ok(())
    }

    /// Stored keys in (prefix length, data) order: the one after `key`, or the
    /// first when `key` is `None` or not stored.
    pub(crate) fn next_key(&self, key: Option<&[u8]>) -> Result<Option<Vec<u8>>, MapError> {
        let current = key.map(|k| self.split(k)).transpose()?;
        let ix = self.read();
        let mut all: Vec<(u32, Box<[u8]>, u32)> = ix
            .by_len
            .iter()
            .flat_map(|(&l, m)| m.iter().map(move |(d, &s)| (l, d.clone(), s)))
            .collect();
        all.sort();
        let start = current
            .and_then(|(l, d)| {
                let id = masked(d, l);
                all.iter().position(|(al, ad, _)| *al == l && *ad == id)
            })
            .map_or(0, |p| p + 1);
        Ok(all
            .get(start)
            .and_then(|(_, _, s)| ix.keys.get(*s as usize).cloned().flatten())
            .map(Vec::from))
    }

    /// Number of elements.
    pub(crate) fn len(&self) -> u32 {
        self.read().by_len.values().map(|m| m.len() as u32).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maps::flags::{BPF_ANY, BPF_EXIST, BPF_NOEXIST};

    fn key(len: u32, ip: [u8; 4]) -> Vec<u8> {
        let mut k = len.to_le_bytes().to_vec();
        k.extend_from_slice(&ip);
        k
    }

    #[test]
    fn masks() {
        assert_eq!(&*masked(&[0xff, 0xff], 9), &[0xff, 0x80]);
        assert_eq!(&*masked(&[0xff, 0xff], 0), &[0, 0]);
        assert_eq!(&*masked(&[0xab, 0xcd], 16), &[0xab, 0xcd]);
    }

    #[test]
    fn longest_prefix_wins() {
        let t = LpmTrie::new(8, 1, 4).unwrap();
        t.update(&key(8, [10, 0, 0, 0]), &[8], BPF_ANY).unwrap();
        t.update(&key(24, [10, 1, 2, 0]), &[24], BPF_ANY).unwrap();
        t.update(&key(0, [0; 4]), &[0], BPF_ANY).unwrap();
        assert_eq!(t.get(&key(32, [10, 1, 2, 3])).unwrap(), [24]);
        assert_eq!(t.get(&key(32, [10, 1, 3, 3])).unwrap(), [8]);
        assert_eq!(t.get(&key(32, [11, 1, 2, 3])).unwrap(), [0]);
        // The query's own prefix length bounds the match.
        assert_eq!(t.get(&key(16, [10, 1, 2, 3])).unwrap(), [8]);
        assert_eq!(t.get(&key(33, [10, 1, 2, 3])).unwrap(), [24]);
        assert_eq!(
            t.update(&key(24, [10, 1, 2, 99]), &[1], BPF_NOEXIST),
            Err(MapError::Exists)
        );
        assert_eq!(
            t.update(&key(16, [10, 1, 2, 99]), &[1], BPF_EXIST),
            Err(MapError::NotFound)
        );
        assert!(t.update(&key(33, [0; 4]), &[1], BPF_ANY).is_err());
        t.update(&key(16, [10, 1, 0, 0]), &[16], BPF_ANY).unwrap();
        assert_eq!(
            t.update(&key(12, [10, 1, 0, 0]), &[12], BPF_ANY),
            Err(MapError::NoSpace)
        );
        assert_eq!(t.len(), 4);
        t.delete(&key(24, [10, 1, 2, 0])).unwrap();
        assert_eq!(t.delete(&key(24, [10, 1, 2, 0])), Err(MapError::NotFound));
        assert_eq!(t.get(&key(32, [10, 1, 2, 3])).unwrap(), [16]);
        let mut n = 0;
        let mut k = t.next_key(None).unwrap();
        while let Some(cur) = k {
            n += 1;
            k = t.next_key(Some(&cur)).unwrap();
        }
        assert_eq!(n, 3);
    }
}
