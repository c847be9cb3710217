//! Preallocated value storage: `slots` elements of one value per CPU each, in one
//! [`SharedMemory`] so a single region covers every value of a map.

use super::error::MapError;
use super::spec::storage_bytes;
use crate::memory::SharedMemory;

/// Values laid out slot after slot; inside a slot, CPU after CPU; each value
/// rounded up to 8 bytes (so every value is 8-byte aligned, as in the kernel).
#[derive(Debug)]
pub(crate) struct ValueStore {
    mem: SharedMemory,
    value_size: usize,
    elem: usize,
    cpus: usize,
}

impl ValueStore {
    /// Zeroed storage for `slots` elements of `cpus` values of `value_size` bytes.
    pub fn new(slots: u32, value_size: u32, cpus: u32) -> Result<ValueStore, MapError> {
        let elem = (value_size as usize).div_ceil(8) * 8;
        let len = storage_bytes(&[u64::from(slots), u64::from(cpus.max(1)), elem as u64])?;
        Ok(ValueStore {
            mem: SharedMemory::new(len)?,
            value_size: value_size as usize,
            elem,
            cpus: cpus.max(1) as usize,
        })
    }

    /// The memory (one region for every value).
    pub fn memory(&self) -> &SharedMemory {
        &self.mem
    }

    /// Bytes the host exchanges for one slot: one value for shared maps, every
    /// CPU's value (each rounded up to 8 bytes) for per-CPU maps.
    pub fn host_size(&self, percpu: bool) -> usize {
        if percpu {
            self.elem * self.cpus
        } else {
            self.value_size
        }
    }

    fn offset(&self, slot: u32, cpu: u32) -> usize {
        let cpu = cpu as usize % self.cpus;
        (slot as usize * self.cpus + cpu) * self.elem
    }

    /// Guest address of `slot`'s value for `cpu` (taken modulo the CPU count).
    pub fn addr(&self, slot: u32, cpu: u32) -> u64 {
        self.mem.addr() + self.offset(slot, cpu) as u64
    }

    /// Copies one CPU's value out.
    pub fn read_one(&self, slot: u32, cpu: u32) -> Result<Vec<u8>, MapError> {
        let mut out = vec![0; self.value_size];
        self.mem
            .read(self.offset(slot, cpu), &mut out)
            .map_err(|_| MapError::NotFound)?;
        Ok(out)
    }

    /// Writes one CPU's value (`value_size` bytes).
    pub fn write_one(&self, slot: u32, cpu: u32, value: &[u8]) -> Result<(), MapError> {
        self.check_size(value, false)?;
        self.mem
            .write(self.offset(slot, cpu), value)
            .map_err(|_| MapError::NotFound)
    }

    /// The host's view of a slot ([`host_size`](Self::host_size) bytes).
    pub fn read_host(&self, slot: u32, percpu: bool) -> Result<Vec<u8>, MapError> {
        if !percpu {
            return self.read_one(slot, 0);
        }
        let mut out = vec![0; self.elem * self.cpus];
        for (cpu, chunk) in out.chunks_mut(self.elem).enumerate() {
            self.mem
                .read(self.offset(slot, cpu as u32), &mut chunk[..self.value_size])
                .map_err(|_| MapError::NotFound)?;
        }
        Ok(out)
    }

    /// Writes a slot from the host's view.
    pub fn write_host(&self, slot: u32, percpu: bool, value: &[u8]) -> Result<(), MapError> {
        if !percpu {
            return self.write_one(slot, 0, value);
        }
        self.check_size(value, true)?;
        for (cpu, chunk) in value.chunks(self.elem).enumerate() {
            self.mem
                .write(self.offset(slot, cpu as u32), &chunk[..self.value_size])
                .map_err(|_| MapError::NotFound)?;
        }
        Ok(())
    }

    /// Zeroes every CPU's value of `slot`.
    pub fn clear(&self, slot: u32) -> Result<(), MapError> {
        self.mem
            .fill(self.offset(slot, 0), self.elem * self.cpus, 0)
            .map_err(|_| MapError::NotFound)
    }

    /// Checks a value's length against the program's (`percpu` false) or the
    /// host's per-CPU view.
    pub fn check_size(&self, value: &[u8], percpu: bool) -> Result<(), MapError> {
        let expected = self.host_size(percpu);
        if value.len() == expected {
            Ok(())
        } else {
            Err(MapError::ValueSize {
                expected,
                got: value.len(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_and_views() {
        let v = ValueStore::new(3, 5, 2).unwrap();
        assert_eq!(v.memory().len(), 3 * 2 * 8);
        assert_eq!(v.addr(1, 1) - v.addr(0, 0), 24);
        assert_eq!(v.addr(1, 3), v.addr(1, 1));
        v.write_one(1, 1, &[1, 2, 3, 4, 5]).unwrap();
        assert_eq!(v.read_one(1, 1).unwrap(), [1, 2, 3, 4, 5]);
        let host = v.read_host(1, true).unwrap();
        assert_eq!(host.len(), 16);
        assert_eq!(&host[8..13], &[1, 2, 3, 4, 5]);
        v.write_host(2, true, &[7; 16]).unwrap();
        assert_eq!(v.read_one(2, 0).unwrap(), [7; 5]);
        v.clear(2).unwrap();
        assert_eq!(v.read_host(2, true).unwrap(), [0; 16]);
        assert!(v.write_one(0, 0, &[1]).is_err());
        assert!(v.write_host(0, true, &[1; 10]).is_err());
    }
}
