//! Descriptions of the maps a program refers to through pseudo LDDWs.

/// The kind of a map, with the kernel's `BPF_MAP_TYPE_*` numbering.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum MapType {
    /// `BPF_MAP_TYPE_HASH`
    Hash,
    /// `BPF_MAP_TYPE_ARRAY`
    Array,
    /// `BPF_MAP_TYPE_PROG_ARRAY` (tail calls)
    ProgArray,
    /// `BPF_MAP_TYPE_PERF_EVENT_ARRAY`
    PerfEventArray,
    /// `BPF_MAP_TYPE_PERCPU_HASH`
    PercpuHash,
    /// `BPF_MAP_TYPE_PERCPU_ARRAY`
    PercpuArray,
    /// `BPF_MAP_TYPE_STACK_TRACE`
    StackTrace,
    /// `BPF_MAP_TYPE_LRU_HASH`
    LruHash,
    /// `BPF_MAP_TYPE_LRU_PERCPU_HASH`
    LruPercpuHash,
    /// `BPF_MAP_TYPE_LPM_TRIE`
    LpmTrie,
    /// `BPF_MAP_TYPE_DEVMAP`
    DevMap,
    /// `BPF_MAP_TYPE_CPUMAP`
    CpuMap,
    /// `BPF_MAP_TYPE_RINGBUF`
    RingBuf,
    /// Any other kernel map type, by number: usable only where a helper takes any map.
    Other(u32),
}

impl MapType {
    /// The kernel's number for this type.
    pub fn kernel_id(self) -> u32 {
        match self {
            MapType::Hash => 1,
            MapType::Array => 2,
            MapType::ProgArray => 3,
            MapType::PerfEventArray => 4,
            MapType::PercpuHash => 5,
            MapType::PercpuArray => 6,
            MapType::StackTrace => 7,
            MapType::LruHash => 9,
            MapType::LruPercpuHash => 10,
            MapType::LpmTrie => 11,
            MapType::DevMap => 14,
            MapType::CpuMap => 16,
            MapType::RingBuf => 27,
            MapType::Other(n) => n,
        }
    }

    /// The type for a kernel number.
    pub fn from_kernel_id(n: u32) -> MapType {
        [
            MapType::Hash,
            MapType::Array,
            MapType::ProgArray,
            MapType::PerfEventArray,
            MapType::PercpuHash,
            MapType::PercpuArray,
            MapType::StackTrace,
            MapType::LruHash,
            MapType::LruPercpuHash,
            MapType::LpmTrie,
            MapType::DevMap,
            MapType::CpuMap,
            MapType::RingBuf,
        ]
        .into_iter()
        .find(|t| t.kernel_id() == n)
        .unwrap_or(MapType::Other(n))
    }

    /// Whether `map_lookup_elem` returns a pointer into a value (key/value maps).
    pub fn has_values(self) -> bool {
        matches!(
            self,
            MapType::Hash
                | MapType::Array
                | MapType::PercpuHash
                | MapType::PercpuArray
                | MapType::LruHash
                | MapType::LruPercpuHash
                | MapType::LpmTrie
        )
    }
}

/// What the verifier needs to know about one map.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct MapInfo {
    /// Kind.
    pub map_type: MapType,
    /// Key size in bytes.
    pub key_size: u32,
    /// Value size in bytes.
    pub value_size: u32,
    /// Capacity (for ring buffers: bytes).
    pub max_entries: u32,
    /// Whether programs may only read values (`BPF_F_RDONLY_PROG`).
    pub read_only: bool,
}

impl MapInfo {
    /// A writable map.
    pub fn new(map_type: MapType, key_size: u32, value_size: u32, max_entries: u32) -> MapInfo {
        MapInfo {
            map_type,
            key_size,
            value_size,
            max_entries,
            read_only: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_ids_round_trip() {
        for n in 0..40 {
            assert_eq!(MapType::from_kernel_id(n).kernel_id(), n);
        }
        assert_eq!(MapType::from_kernel_id(27), MapType::RingBuf);
        assert!(MapType::Array.has_values());
        assert!(!MapType::RingBuf.has_values());
        assert!(!MapInfo::new(MapType::Hash, 4, 8, 1).read_only);
    }
}
