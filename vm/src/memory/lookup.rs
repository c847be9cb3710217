//! The interpreter's access rules as queries, for code that performs accesses itself
//! and must still report the interpreter's outcome (the JITs' slow paths): which
//! region an access falls in or why it is refused, and legacy packet loads.

use super::{MemoryError, Region, RegionId, RegionTable, Word};

impl RegionTable<'_> {
    /// The region an access of `size` bytes at `addr` falls in, as
    /// [`read`](RegionTable::read) and [`write`](RegionTable::write) find it: the first
    /// region holding all of it, writable for a write. Otherwise the error they
    /// report: [`MemoryError::ReadOnly`] for a write inside a read-only region,
    /// [`MemoryError::OutOfBounds`] else.
    pub fn locate(&self, addr: u64, size: u64, write: bool) -> Result<RegionId, MemoryError> {
        let regions = self.regions();
        let fits = |r: &Region| r.offset_of(addr, size).is_some();
        if let Some(i) = regions
            .iter()
            .position(|r| fits(r) && (!write || r.writable()))
        {
            return Ok(RegionId(i));
        }
        Err(if write && regions.iter().any(fits) {
            MemoryError::ReadOnly { addr, size }
        } else {
            MemoryError::OutOfBounds { addr, size, write }
        })
    }

    /// A legacy packet load (LD_ABS / LD_IND): the big-endian `T` at `offset` into
    /// region `packet`, zero-extended. `None` when it is not inside the packet
    /// (negative offsets included) or there is none, which ends the run with r0 = 0
    /// as in the Linux kernel.
    pub fn packet_load<T: Word>(&self, packet: Option<RegionId>, offset: i64) -> Option<u64> {
        let offset = u64::try_from(offset).ok()?;
        let v = self.read_in::<T>(packet?, offset)?.to_u64();
        if cfg!(target_endian = "big") {
            return Some(v);
        }
        // Read in host (little-endian) order: reverse the low `size` bytes.
        let size = u64::from(T::SIZE.bytes());
        Some(v.swap_bytes() >> (64 - 8 * size))
    }
}

#[cfg(test)]
mod tests {
    use super::super::RegionKind;
    use super::*;

    #[test]
    fn locate_finds_the_region_or_the_tables_error() {
        let mut a = [0u8; 8];
        let ro = [0u8; 4];
        let (pa, pr) = (a.as_ptr() as u64, ro.as_ptr() as u64);
        let mut t = RegionTable::new();
        let ia = t.add_writable(RegionKind::Input, &mut a);
        let ir = t.add_readonly(RegionKind::ReadOnly, &ro);
        assert_eq!(t.locate(pa + 4, 4, true), Ok(ia));
        assert_eq!(t.locate(pr, 4, false), Ok(ir));
        assert_eq!(
            t.locate(pr + 1, 2, true),
            Err(MemoryError::ReadOnly {
                addr: pr + 1,
                size: 2
            })
        );
        for write in [false, true] {
            assert_eq!(
                t.locate(pa + 5, 4, write),
                Err(MemoryError::OutOfBounds {
                    addr: pa + 5,
                    size: 4,
                    write
                })
            );
        }
    }

    #[test]
    fn packet_loads_are_big_endian_inside_the_packet_only() {
        let mut p = [0x11u8, 0x22, 0x33, 0x44, 0x55];
        let mut t = RegionTable::new();
        let id = t.add_writable(RegionKind::Packet, &mut p);
        assert_eq!(t.packet_load::<u16>(Some(id), 1), Some(0x2233));
        assert_eq!(t.packet_load::<u32>(Some(id), 1), Some(0x2233_4455));
        assert_eq!(t.packet_load::<u8>(Some(id), 4), Some(0x55));
        assert_eq!(t.packet_load::<u32>(Some(id), 2), None);
        assert_eq!(t.packet_load::<u8>(Some(id), -1), None);
        assert_eq!(t.packet_load::<u8>(None, 0), None);
    }
}
