//! A concurrent key index: the key's hash picks one of several independently
//! locked shards, so lookups of different keys rarely meet on a lock and no lookup
//! takes a map-wide lock.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Number of shards (a power of two).
const SHARDS: usize = 16;

/// One shard: keys to values.
pub(crate) type Shard<V> = HashMap<Box<[u8]>, V>;

/// Keys (byte strings) to `V`, sharded by hash.
#[derive(Debug)]
pub(crate) struct ShardedIndex<V> {
    shards: Box<[RwLock<Shard<V>>]>,
    hasher: RandomState,
}

impl<V: Copy> ShardedIndex<V> {
    /// An empty index.
    pub fn new() -> ShardedIndex<V> {
        ShardedIndex {
            shards: (0..SHARDS).map(|_| RwLock::default()).collect(),
            hasher: RandomState::new(),
        }
    }

    fn shard(&self, key: &[u8]) -> &RwLock<Shard<V>> {
        let i = self.hasher.hash_one(key) as usize & (SHARDS - 1);
        &self.shards[i]
    }

    /// The value for `key` (takes the key's shard for reading).
    pub fn get(&self, key: &[u8]) -> Option<V> {
        read(self.shard(key)).get(key).copied()
    }

    /// The key's shard, locked for writing.
    pub fn lock(&self, key: &[u8]) -> RwLockWriteGuard<'_, Shard<V>> {
        write(self.shard(key))
    }

    /// Every entry, shard by shard (a snapshot; concurrent changes may or may not
    /// be seen).
    pub fn snapshot(&self) -> Vec<(Box<[u8]>, V)> {
        self.shards
            .iter()
            .flat_map(|s| {
                read(s)
                    .iter()
                    .map(|(k, v)| (k.clone(), *v))
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

/// A read guard; a lock poisoned by a panicking thread is still usable (the index
/// is consistent after every single operation).
fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

/// A write guard, ignoring poisoning as [`read`] does.
fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_get_remove() {
        let ix: ShardedIndex<u32> = ShardedIndex::new();
        for i in 0u32..100 {
            ix.lock(&i.to_le_bytes())
                .insert(i.to_le_bytes().into(), i * 2);
        }
        assert_eq!(ix.get(&7u32.to_le_bytes()), Some(14));
        assert_eq!(ix.get(&[1, 2]), None);
        ix.lock(&7u32.to_le_bytes()).remove(&7u32.to_le_bytes()[..]);
        assert_eq!(ix.get(&7u32.to_le_bytes()), None);
        assert_eq!(ix.snapshot().len(), 99);
    }
}
