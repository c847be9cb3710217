//! `BPF_MAP_TYPE_HASH`, `PERCPU_HASH`, `LRU_HASH` and `LRU_PERCPU_HASH`.
//!
//! Like the kernel's preallocated hash maps, every element lives in one of
//! `max_entries` slots fixed at creation: values in one [`ValueStore`] (one region
//! for the whole map), keys beside them. A [`ShardedIndex`] maps keys to slots, so
//! a lookup takes only its key's shard, for reading. A deleted slot is reused by a
//! later insertion; a pointer a program obtained earlier keeps pointing into the
//! map (never to freed memory), as in the kernel.
//!
//! Updates of an existing key write the value in place. LRU maps never report a
//! full map: an insertion into a full map evicts an element that programs have not
//! looked up recently (second-chance "clock" over the slots; the kernel's LRU lists
//! are approximate too, so which element goes is not promised).

use super::error::MapError;
use super::flags::UpdateMode;
use super::index::ShardedIndex;
use super::values::ValueStore;
use crate::memory::SharedMemory;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::Mutex;

/// Second-chance eviction state of an LRU map.
#[derive(Debug)]
struct Clock {
    referenced: Box<[AtomicBool]>,
    hand: AtomicUsize,
}

/// A hash map of one of the four hash types.
#[derive(Debug)]
pub struct HashTable {
    index: ShardedIndex<u32>,
    values: ValueStore,
    keys: SharedMemory,
    key_size: usize,
    occupied: Box<[AtomicBool]>,
    free: Mutex<Vec<u32>>,
    lru: Option<Clock>,
    percpu: bool,
    len: AtomicU32,
}

impl HashTable {
    /// An empty map of `max_entries` slots.
    pub(crate) fn new(
        key_size: u32,
        value_size: u32,
        max_entries: u32,
        percpu: bool,
        lru: bool,
        cpus: u32,
    ) -> Result<HashTable, MapError> {
        let cpus = if percpu { cpus } else { 1 };
        let values = ValueStore::new(max_entries, value_size, cpus)?;
        let keys_len = super::spec::storage_bytes(&[u64::from(max_entries), u64::from(key_size)])?;
        let flags = |n: u32| (0..n).map(|_| AtomicBool::new(false)).collect();
        Ok(HashTable {
            index: ShardedIndex::new(),
            values,
            keys: SharedMemory::new(keys_len)?,
            key_size: key_size as usize,
            occupied: flags(max_entries),
            free: Mutex::new((0..max_entries).rev().collect()),
            lru: lru.then(|| Clock {
                referenced: flags(max_entries),
                hand: AtomicUsize::new(0),
            }),
            percpu,
            len: AtomicU32::new(0),
        })
    }

    /// The value storage (one region).
    pub(crate) fn values(&self) -> &ValueStore {
        &self.values
    }

    fn check_key(&self, key: &[u8]) -> Result<(), MapError> {
        super::error::check_key(key, self.key_size)
    }

    /// Address of `key`'s value for `cpu`, if present: a program's lookup, the only
    /// operation that counts as a use for LRU eviction (host lookups and updates
    /// do not).
    pub(crate) fn lookup_addr(&self, key: &[u8], cpu: u32) -> Result<Option<u64>, MapError> {
        self.check_key(key)?;
        Ok(self.index.get(key).map(|slot| {
            self.touch(slot);
            self.values.addr(slot, cpu)
        }))
    }

    fn touch(&self, slot: u32) {
        if let Some(clock) = &self.lru {
            if let Some(r) = clock.referenced.get(slot as usize) {
                r.store(true, Ordering::Relaxed);
            }
        }
    }

    /// The host's copy of `key`'s value.
    pub(crate) fn get(&self, key: &[u8]) -> Result<Vec<u8>, MapError> {
        self.check_key(key)?;
        let slot = self.index.get(key).ok_or(MapError::NotFound)?;
        self.values.read_host(slot, self.percpu)
    }

    /// Creates or updates `key`: from the host (`cpu` `None`; every CPU's value for
    /// per-CPU maps) or from a program on `cpu` (that CPU's value; a new per-CPU
    /// element has the other CPUs' values zeroed).
    pub(crate) fn update(
        &self,
        key: &[u8],
        value: &[u8],
        flags: u64,
        cpu: Option<u32>,
    ) -> Result<(), MapError> {
        let mode = UpdateMode::from_flags(flags)?;
        self.check_key(key)?;
        self.values
            .check_size(value, cpu.is_none() && self.percpu)?;
        {
            let shard = self.index.lock(key);
            if let Some(&slot) = shard.get(key) {
                mode.check(true)?;
                return self.write_value(slot, value, cpu, false);
            }
            mode.check(false)?;
        }
        let slot = self.alloc()?;
        let offset = slot as usize * self.key_size;
        let prepared = self
            .keys
            .write(offset, key)
            .map_err(|_| MapError::NotFound)
            .and_then(|()| self.write_value(slot, value, cpu, true));
        let mut shard = self.index.lock(key);
        let result = match (prepared, shard.get(key).copied()) {
            (Err(e), _) => Err(e),
            // Another thread inserted the key meanwhile: update it instead.
            (Ok(()), Some(existing)) => mode
                .check(true)
                .and_then(|()| self.write_value(existing, value, cpu, false)),
            (Ok(()), None) => {
                shard.insert(key.into(), slot);
                self.occupied[slot as usize].store(true, Ordering::Release);
                self.len.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
        };
        drop(shard);
        self.release(slot);
        result
    }

    fn write_value(
        &self,
        slot: u32,
        value: &[u8],
        cpu: Option<u32>,
        new: bool,
    ) -> Result<(), MapError> {
        match cpu {
            Some(cpu) => {
                if new && self.percpu {
                    self.values.clear(slot)?;
                }
                self.values.write_one(slot, cpu, value)
            }
            None => self.values.write_host(slot, self.percpu, value),
        }
    }

    /// A free slot: from the free list, else (LRU) by evicting; else the map is full.
    fn alloc(&self) -> Result<u32, MapError> {
        loop {
            if let Some(slot) = self.lock_free().pop() {
                return Ok(slot);
            }
            if self.lru.is_none() || !self.evict_one() {
                return Err(MapError::Full);
            }
        }
    }

    fn lock_free(&self) -> std::sync::MutexGuard<'_, Vec<u32>> {
        self.free.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn release(&self, slot: u32) {
        self.lock_free().push(slot);
    }

    /// Evicts one element not referenced since the clock hand last passed it.
    fn evict_one(&self) -> bool {
        let Some(clock) = &self.lru else {
            return false;
        };
        let n = self.occupied.len();
        for _ in 0..=2 * n {
            let slot = clock.hand.fetch_add(1, Ordering::Relaxed) % n;
            if !self.occupied[slot].load(Ordering::Acquire)
                || clock.referenced[slot].swap(false, Ordering::Relaxed)
            {
                continue;
            }
            let Some(key) = self.key_of(slot as u32) else {
                continue;
            };
            let mut shard = self.index.lock(&key);
            if shard.get(&key[..]) == Some(&(slot as u32)) {
                shard.remove(&key[..]);
                self.occupied[slot].store(false, Ordering::Release);
                self.len.fetch_sub(1, Ordering::Relaxed);
                drop(shard);
                self.release(slot as u32);
                return true;
            }
        }
        false
    }

    /// Deletes `key`.
    pub(crate) fn delete(&self, key: &[u8]) -> Result<(), MapError> {
        self.check_key(key)?;
        let mut shard = self.index.lock(key);
        let slot = shard.remove(key).ok_or(MapError::NotFound)?;
        self.occupied[slot as usize].store(false, Ordering::Release);
        self.len.fetch_sub(1, Ordering::Relaxed);
        drop(shard);
        self.release(slot);
        Ok(())
    }

    /// The key stored in `slot`.
    pub(crate) fn key_of(&self, slot: u32) -> Option<Vec<u8>> {
        let mut key = vec![0; self.key_size];
        self.keys
            .read(slot as usize * self.key_size, &mut key)
            .ok()?;
        Some(key)
    }

    /// The first occupied slot at or after `start`.
    pub(crate) fn occupied_from(&self, start: u32) -> Option<u32> {
        (start as usize..self.occupied.len())
            .find(|&s| self.occupied[s].load(Ordering::Acquire))
            .map(|s| s as u32)
    }

    /// The key after `key` in slot order (the first key when `key` is `None` or
    /// absent, as the kernel does).
    pub(crate) fn next_key(&self, key: Option<&[u8]>) -> Result<Option<Vec<u8>>, MapError> {
        let start = match key {
            Some(k) => {
                self.check_key(k)?;
                self.index.get(k).map_or(0, |s| s + 1)
            }
            None => 0,
        };
        Ok(self.occupied_from(start).and_then(|s| self.key_of(s)))
    }

    /// Number of elements.
    pub(crate) fn len(&self) -> u32 {
        self.len.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maps::flags::{BPF_ANY, BPF_EXIST, BPF_NOEXIST};

    #[test]
    fn kernel_semantics() {
        let h = HashTable::new(2, 4, 2, false, false, 1).unwrap();
        assert_eq!(h.get(&[1, 1]), Err(MapError::NotFound));
        assert_eq!(
            h.update(&[1, 1], &[1; 4], BPF_EXIST, None),
            Err(MapError::NotFound)
        );
        h.update(&[1, 1], &[1; 4], BPF_NOEXIST, None).unwrap();
        assert_eq!(
            h.update(&[1, 1], &[2; 4], BPF_NOEXIST, None),
            Err(MapError::Exists)
        );
        h.update(&[1, 1], &[2; 4], BPF_EXIST, None).unwrap();
        assert_eq!(h.get(&[1, 1]).unwrap(), [2; 4]);
        h.update(&[2, 2], &[3; 4], BPF_ANY, None).unwrap();
        assert_eq!(
            h.update(&[3, 3], &[3; 4], BPF_ANY, None),
            Err(MapError::Full)
        );
        // Full, but updating an existing key still works.
        h.update(&[2, 2], &[4; 4], BPF_ANY, None).unwrap();
        assert_eq!(h.len(), 2);
        h.delete(&[1, 1]).unwrap();
        assert_eq!(h.delete(&[1, 1]), Err(MapError::NotFound));
        h.update(&[3, 3], &[5; 4], BPF_ANY, None).unwrap();
        assert_eq!(h.get(&[3, 3]).unwrap(), [5; 4]);
        let mut keys = vec![];
        let mut k = h.next_key(None).unwrap();
        while let Some(key) = k {
            k = h.next_key(Some(&key)).unwrap();
            keys.push(key);
        }
        keys.sort();
        assert_eq!(keys, [vec![2, 2], vec![3, 3]]);
        assert!(matches!(h.get(&[1]), Err(MapError::KeySize { .. })));
        assert!(matches!(
            h.update(&[9, 9], &[1], 0, None),
            Err(MapError::ValueSize { .. })
        ));
        assert_eq!(
            h.update(&[9, 9], &[1; 4], 3, None),
            Err(MapError::InvalidFlags(3))
        );
    }

    #[test]
    fn lookup_addresses_point_into_the_value_region() {
        let h = HashTable::new(4, 8, 8, false, false, 1).unwrap();
        h.update(&[0, 0, 0, 7], &[7; 8], BPF_ANY, None).unwrap();
        let addr = h.lookup_addr(&[0, 0, 0, 7], 0).unwrap().unwrap();
        let mem = h.values().memory();
        assert!(addr >= mem.addr() && addr + 8 <= mem.addr() + mem.len() as u64);
        assert_eq!(h.lookup_addr(&[0, 0, 0, 8], 0), Ok(None));
    }

    #[test]
    fn percpu_program_updates_touch_one_cpu() {
        let h = HashTable::new(1, 4, 4, true, false, 2).unwrap();
        h.update(&[1], &[9; 4], BPF_ANY, Some(1)).unwrap();
        let host = h.get(&[1]).unwrap();
        assert_eq!(host, [0, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9, 0, 0, 0, 0]);
        h.update(&[1], &[8; 4], BPF_ANY, Some(0)).unwrap();
        assert_eq!(h.get(&[1]).unwrap()[..4], [8; 4]);
        assert_eq!(h.get(&[1]).unwrap()[8..12], [9; 4]);
        assert!(h.update(&[2], &[0; 4], BPF_ANY, None).is_err());
        h.update(&[2], &[1; 16], BPF_ANY, None).unwrap();
    }

    #[test]
    fn lru_evicts_unreferenced_elements() {
        let h = HashTable::new(1, 1, 3, false, true, 1).unwrap();
        for k in 0..3u8 {
            h.update(&[k], &[k], BPF_ANY, None).unwrap();
        }
        // A program uses keys 0 and 2: key 1 is the one to go.
        let _ = h.lookup_addr(&[0], 0).unwrap();
        let _ = h.lookup_addr(&[2], 0).unwrap();
        h.update(&[3], &[3], BPF_ANY, None).unwrap();
        assert_eq!(h.get(&[1]), Err(MapError::NotFound));
        for k in [0, 2, 3] {
            assert_eq!(h.get(&[k]).unwrap(), [k]);
        }
        for k in 4..50u8 {
            h.update(&[k], &[k], BPF_ANY, None).unwrap();
            assert_eq!(h.len(), 3);
        }
    }

    #[test]
    fn concurrent_updates_and_lookups() {
        let h = std::sync::Arc::new(HashTable::new(4, 4, 1000, false, false, 1).unwrap());
        let threads: Vec<_> = (0..4u32)
            .map(|t| {
                let h = h.clone();
                std::thread::spawn(move || {
                    for i in 0..200u32 {
                        let key = (t * 1000 + i).to_le_bytes();
                        h.update(&key, &i.to_le_bytes(), BPF_NOEXIST, None).unwrap();
                        assert!(h.lookup_addr(&key, 0).unwrap().is_some());
                        if i % 2 == 0 {
                            h.delete(&key).unwrap();
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(h.len(), 400);
    }
}
