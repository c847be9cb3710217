//! `BPF_MAP_TYPE_STACK_TRACE`: stacks (arrays of instruction pointers) stored by
//! `bpf_get_stackid` under an id derived from their hash, as the kernel does.

use super::error::MapError;
use std::sync::{Mutex, MutexGuard};

/// `BPF_F_REUSE_STACKID`: a different stack may replace the one in its bucket.
pub const BPF_F_REUSE_STACKID: u64 = 1 << 10;

/// A stack-trace map of `next_power_of_two(max_entries)` buckets.
#[derive(Debug)]
pub struct StackTraceMap {
    buckets: Mutex<Vec<Option<Vec<u64>>>>,
    depth: usize,
}

/// FNV-1a over the stack's bytes (any fixed hash will do: ids are opaque).
fn hash(ips: &[u64]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in ips.iter().flat_map(|ip| ip.to_le_bytes()) {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    h
}

impl StackTraceMap {
    /// An empty map keeping at most `value_size / 8` frames per stack.
    pub(crate) fn new(value_size: u32, max_entries: u32) -> StackTraceMap {
        let n = max_entries.checked_next_power_of_two().unwrap_or(1 << 31);
        StackTraceMap {
            buckets: Mutex::new(vec![None; n as usize]),
            depth: value_size as usize / 8,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Option<Vec<u64>>>> {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores `ips` (truncated to the map's depth) and returns its id; `EEXIST`
    /// when another stack holds the bucket and `BPF_F_REUSE_STACKID` is not set.
    pub fn store(&self, ips: &[u64], flags: u64) -> Result<u32, MapError> {
        let ips = &ips[..ips.len().min(self.depth)];
        let mut buckets = self.lock();
        let id = hash(ips) & (buckets.len() as u32 - 1);
        let bucket = buckets.get_mut(id as usize).ok_or(MapError::NotFound)?;
        match bucket {
            Some(old) if old.as_slice() == ips => {}
            Some(_) if flags & BPF_F_REUSE_STACKID == 0 => return Err(MapError::Exists),
            _ => *bucket = Some(ips.to_vec()),
        }
        Ok(id)
    }

    fn id(key: &[u8]) -> Result<u32, MapError> {
        super::array::array_index(key)
    }

    /// The stack with id `key`, as `value_size` bytes (unused frames zero).
    pub(crate) fn get(&self, key: &[u8]) -> Result<Vec<u8>, MapError> {
        let id = Self::id(key)?;
        let buckets = self.lock();
        let ips = buckets
            .get(id as usize)
            .and_then(Option::as_ref)
            .ok_or(MapError::NotFound)?;
        let mut out = vec![0u8; self.depth * 8];
        for (chunk, ip) in out.chunks_mut(8).zip(ips) {
            chunk.copy_from_slice(&ip.to_le_bytes());
        }
        Ok(out)
    }

    /// Removes the stack with id `key`.
    pub(crate) fn delete(&self, key: &[u8]) -> Result<(), MapError> {
        let id = Self::id(key)?;
        let mut buckets = self.lock();
        buckets
            .get_mut(id as usize)
            .and_then(Option::take)
            .map(|_| ())
            .ok_or(MapError::NotFound)
    }

    /// Ids in order: the next one holding a stack after `key`.
    pub(crate) fn next_key(&self, key: Option<&[u8]>) -> Result<Option<Vec<u8>>, MapError> {
        let start = match key {
            Some(k) => Self::id(k)?.saturating_add(1) as usize,
            None => 0,
        };
        let buckets = self.lock();
        Ok((start..buckets.len())
            .find(|&i| buckets[i].is_some())
            .map(|i| (i as u32).to_le_bytes().to_vec()))
    }

    /// Number of stacks held.
    pub(crate) fn len(&self) -> u32 {
        self.lock().iter().filter(|b| b.is_some()).count() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_and_read_back() {
        let m = StackTraceMap::new(16, 3);
        let id = m.store(&[1, 2, 3], 0).unwrap();
        assert!(id < 4);
        assert_eq!(m.store(&[1, 2, 3], 0), Ok(id));
        let v = m.get(&id.to_le_bytes()).unwrap();
        assert_eq!(v.len(), 16);
        assert_eq!(v[0], 1);
        assert_eq!(v[8], 2);
        assert_eq!(m.next_key(None).unwrap(), Some(id.to_le_bytes().to_vec()));
        m.delete(&id.to_le_bytes()).unwrap();
        assert!(m.get(&id.to_le_bytes()).is_err());
    }

    #[test]
    fn collisions_need_reuse() {
        let m = StackTraceMap::new(8, 1);
        m.store(&[1], 0).unwrap();
        assert_eq!(m.store(&[2], 0), Err(MapError::Exists));
        assert_eq!(m.store(&[2], BPF_F_REUSE_STACKID), Ok(0));
        assert_eq!(m.get(&0u32.to_le_bytes()).unwrap(), 2u64.to_le_bytes());
        assert_eq!(m.len(), 1);
    }
}
