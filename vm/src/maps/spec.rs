//! What a map is: its Linux type, sizes and flags, checked as `BPF_MAP_CREATE` checks
//! them.

use super::error::MapError;

/// Linux map types ferrobpf implements, with the kernel's numbers.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum MapType {
    /// `BPF_MAP_TYPE_HASH`.
    Hash = 1,
    /// `BPF_MAP_TYPE_ARRAY`.
    Array = 2,
    /// `BPF_MAP_TYPE_PROG_ARRAY`: program ids, for tail calls.
    ProgArray = 3,
    /// `BPF_MAP_TYPE_PERF_EVENT_ARRAY`: output delivered to host callbacks.
    PerfEventArray = 4,
    /// `BPF_MAP_TYPE_PERCPU_HASH`.
    PercpuHash = 5,
    /// `BPF_MAP_TYPE_PERCPU_ARRAY`.
    PercpuArray = 6,
    /// `BPF_MAP_TYPE_STACK_TRACE`: stacks by id, filled by `bpf_get_stackid`.
    StackTrace = 7,
    /// `BPF_MAP_TYPE_CGROUP_ARRAY`: host-defined cgroup ids.
    CgroupArray = 8,
    /// `BPF_MAP_TYPE_LRU_HASH`.
    LruHash = 9,
    /// `BPF_MAP_TYPE_LRU_PERCPU_HASH`.
    LruPercpuHash = 10,
    /// `BPF_MAP_TYPE_LPM_TRIE`.
    LpmTrie = 11,
    /// `BPF_MAP_TYPE_ARRAY_OF_MAPS`.
    ArrayOfMaps = 12,
    /// `BPF_MAP_TYPE_HASH_OF_MAPS`.
    HashOfMaps = 13,
    /// `BPF_MAP_TYPE_DEVMAP`: redirect targets (host-defined device ids).
    DevMap = 14,
    /// `BPF_MAP_TYPE_CPUMAP`: redirect targets (host-defined CPU queues).
    CpuMap = 16,
    /// `BPF_MAP_TYPE_XSKMAP`: redirect targets (host-defined sockets).
    XskMap = 17,
    /// `BPF_MAP_TYPE_QUEUE`.
    Queue = 22,
    /// `BPF_MAP_TYPE_STACK`.
    Stack = 23,
    /// `BPF_MAP_TYPE_RINGBUF`.
    RingBuf = 27,
}

impl MapType {
    /// Every type, by kernel number.
    pub const ALL: [MapType; 19] = [
        MapType::Hash,
        MapType::Array,
        MapType::ProgArray,
        MapType::PerfEventArray,
        MapType::PercpuHash,
        MapType::PercpuArray,
        MapType::StackTrace,
        MapType::CgroupArray,
        MapType::LruHash,
        MapType::LruPercpuHash,
        MapType::LpmTrie,
        MapType::ArrayOfMaps,
        MapType::HashOfMaps,
        MapType::DevMap,
        MapType::CpuMap,
        MapType::XskMap,
        MapType::Queue,
        MapType::Stack,
        MapType::RingBuf,
    ];

    /// The type with Linux number `id`.
    pub fn from_id(id: u32) -> Result<MapType, MapError> {
        MapType::ALL
            .iter()
            .copied()
            .find(|t| *t as u32 == id)
            .ok_or(MapError::UnsupportedType(id))
    }

    /// The type with Linux number `id`, `None` for one ferrobpf does not implement.
    pub fn from_kernel_id(id: u32) -> Option<MapType> {
        MapType::from_id(id).ok()
    }

    /// The Linux number.
    pub fn kernel_id(self) -> u32 {
        self as u32
    }

    /// Whether `bpf_map_lookup_elem` returns a pointer into a value (key/value maps,
    /// as opposed to maps of programs, events, devices or queues).
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

    /// The kernel's name without the `BPF_MAP_TYPE_` prefix, lowercase.
    pub fn name(self) -> &'static str {
        match self {
            MapType::Hash => "hash",
            MapType::Array => "array",
            MapType::ProgArray => "prog_array",
            MapType::PerfEventArray => "perf_event_array",
            MapType::PercpuHash => "percpu_hash",
            MapType::PercpuArray => "percpu_array",
            MapType::StackTrace => "stack_trace",
            MapType::CgroupArray => "cgroup_array",
            MapType::LruHash => "lru_hash",
            MapType::LruPercpuHash => "lru_percpu_hash",
            MapType::LpmTrie => "lpm_trie",
            MapType::ArrayOfMaps => "array_of_maps",
            MapType::HashOfMaps => "hash_of_maps",
            MapType::DevMap => "devmap",
            MapType::CpuMap => "cpumap",
            MapType::XskMap => "xskmap",
            MapType::Queue => "queue",
            MapType::Stack => "stack",
            MapType::RingBuf => "ringbuf",
        }
    }

    /// Whether each element holds one value per CPU.
    pub fn is_percpu(self) -> bool {
        matches!(
            self,
            MapType::PercpuArray | MapType::PercpuHash | MapType::LruPercpuHash
        )
    }

    /// Whether values are other maps.
    pub fn is_map_in_map(self) -> bool {
        matches!(self, MapType::ArrayOfMaps | MapType::HashOfMaps)
    }
}

/// `BPF_F_NO_PREALLOC`.
pub const BPF_F_NO_PREALLOC: u32 = 1 << 0;
/// `BPF_F_RDONLY_PROG`: programs may only read the map.
pub const BPF_F_RDONLY_PROG: u32 = 1 << 7;
/// `BPF_F_WRONLY_PROG`: programs may only write the map.
pub const BPF_F_WRONLY_PROG: u32 = 1 << 8;

/// Largest storage one map may allocate (values, per CPU, plus keys).
pub const MAX_MAP_BYTES: u64 = 1 << 30;
/// Largest hash key (the kernel's `MAX_BPF_STACK`).
pub const MAX_HASH_KEY: u32 = 512;
/// Largest per-CPU value (the kernel's `PCPU_MIN_UNIT_SIZE`).
pub const MAX_PERCPU_VALUE: u32 = 32 * 1024;
/// Largest LPM trie data (bytes after the 4-byte prefix length).
pub const MAX_LPM_DATA: u32 = 256;
/// Most frames in a stack-trace value (the kernel's default
/// `perf_event_max_stack`).
pub const MAX_STACK_DEPTH: u32 = 127;
/// Page size ring buffers are measured in.
pub const PAGE_SIZE: u32 = 4096;

/// A map definition: type, sizes, flags and, for maps of maps, what every inner map
/// must look like.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MapSpec {
    /// The type.
    pub map_type: MapType,
    /// Key size in bytes.
    pub key_size: u32,
    /// Value size in bytes.
    pub value_size: u32,
    /// Maximum number of elements (bytes, for ring buffers).
    pub max_entries: u32,
    /// `BPF_F_*` creation flags.
    pub flags: u32,
    /// For maps of maps: the template of inner maps.
    pub inner: Option<Box<MapSpec>>,
}

impl MapSpec {
    /// A spec with no flags and no inner map.
    pub fn new(map_type: MapType, key_size: u32, value_size: u32, max_entries: u32) -> MapSpec {
        MapSpec {
            map_type,
            key_size,
            value_size,
            max_entries,
            flags: 0,
            inner: None,
        }
    }

    /// Whether programs may not write the map's values.
    pub fn read_only_for_programs(&self) -> bool {
        self.flags & BPF_F_RDONLY_PROG != 0
    }

    /// Value size rounded up to 8 bytes, as values are laid out (and as per-CPU
    /// values are concatenated for the host).
    pub fn rounded_value_size(&self) -> usize {
        (self.value_size as usize).div_ceil(8) * 8
    }

    /// Bytes of storage the map preallocates with `cpus` CPUs (values, per CPU
    /// where per-CPU, and keys of hash maps), saturating; maps that grow on use
    /// (queues, stacks, maps of ids kept by hash) count their largest size.
    pub fn memory(&self, cpus: u32) -> u64 {
        let n = u64::from(self.max_entries);
        let value = self.rounded_value_size() as u64;
        let cpus = if self.map_type.is_percpu() {
            u64::from(cpus.max(1))
        } else {
            1
        };
        let values = n.saturating_mul(cpus).saturating_mul(value);
        match self.map_type {
            MapType::RingBuf => n.saturating_mul(2),
            _ => values.saturating_add(n.saturating_mul(u64::from(self.key_size))),
        }
    }

    /// Checks the sizes as `BPF_MAP_CREATE` does for the type.
    pub fn validate(&self) -> Result<(), MapError> {
        let bad = |why: &str| {
            Err(MapError::InvalidSpec(format!(
                "{}: {why}",
                self.map_type.name()
            )))
        };
        let (k, v, n) = (self.key_size, self.value_size, self.max_entries);
        use MapType::*;
        match self.map_type {
            Hash | PercpuHash | LruHash | LruPercpuHash => {
                if k == 0 || v == 0 || n == 0 {
                    return bad("key size, value size and max_entries must be non-zero");
                }
                if k > MAX_HASH_KEY {
                    return bad("key larger than 512 bytes");
                }
            }
            Array | PercpuArray => {
                if k != 4 || v == 0 || n == 0 {
                    return bad("key size must be 4, value size and max_entries non-zero");
                }
            }
            ProgArray | PerfEventArray | CgroupArray | XskMap | ArrayOfMaps => {
                if k != 4 || v != 4 || n == 0 {
                    return bad("key and value size must be 4, max_entries non-zero");
                }
            }
            DevMap | CpuMap => {
                if k != 4 || !(v == 4 || v == 8) || n == 0 {
                    return bad("key size must be 4, value size 4 or 8, max_entries non-zero");
                }
            }
            HashOfMaps => {
                if k == 0 || k > MAX_HASH_KEY || v != 4 || n == 0 {
                    return bad("key size 1-512, value size 4, max_entries non-zero");
                }
            }
            StackTrace => {
                if k != 4 || v == 0 || v % 8 != 0 || v / 8 > MAX_STACK_DEPTH || n == 0 {
                    return bad("key size 4, value size a multiple of 8 up to 127 frames");
                }
            }
            LpmTrie => {
                if k <= 4 || k - 4 > MAX_LPM_DATA || v == 0 || n == 0 {
                    return bad("key size 5-260, value size and max_entries non-zero");
                }
                if self.flags & BPF_F_NO_PREALLOC == 0 {
                    return bad("needs BPF_F_NO_PREALLOC");
                }
            }
            Queue | Stack => {
                if k != 0 || v == 0 || n == 0 {
                    return bad("key size must be 0, value size and max_entries non-zero");
                }
            }
            RingBuf => {
                if k != 0 || v != 0 {
                    return bad("key and value size must be 0");
                }
                if !n.is_power_of_two() || n % PAGE_SIZE != 0 {
                    return bad("size must be a power of two and a multiple of the page size");
                }
            }
        }
        if self.map_type.is_percpu() && v > MAX_PERCPU_VALUE {
            return bad("per-CPU value larger than 32 KiB");
        }
        if self.map_type.is_map_in_map() {
            match &self.inner {
                None => return bad("a map of maps needs an inner map definition"),
                Some(inner) if inner.map_type.is_map_in_map() => {
                    return bad("inner maps may not hold maps")
                }
                Some(inner) => inner.validate()?,
            }
        }
        Ok(())
    }

    /// Whether `other` can be stored in a map of maps whose template is `self`: same
    /// type, sizes and flags, and the same `max_entries` unless the template has
    /// `BPF_F_INNER_MAP` (as the kernel checks).
    pub fn compatible_inner(&self, other: &MapSpec) -> bool {
        self.map_type == other.map_type
            && self.key_size == other.key_size
            && self.value_size == other.value_size
            && self.flags == other.flags
            && (self.max_entries == other.max_entries || self.flags & BPF_F_INNER_MAP != 0)
    }
}

/// `BPF_F_INNER_MAP`: inner maps may differ in `max_entries`.
pub const BPF_F_INNER_MAP: u32 = 1 << 12;

/// Checked `a * b` as bytes of storage, bounded by [`MAX_MAP_BYTES`].
pub(crate) fn storage_bytes(parts: &[u64]) -> Result<usize, MapError> {
    let total = parts
        .iter()
        .try_fold(1u64, |acc, &p| acc.checked_mul(p))
        .filter(|&t| t <= MAX_MAP_BYTES)
        .ok_or_else(|| {
            MapError::InvalidSpec(format!("storage over the limit of {MAX_MAP_BYTES} bytes"))
        })?;
    usize::try_from(total).map_err(|_| MapError::InvalidSpec("storage too large".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_round_trip_and_unknown_ones_are_refused() {
        for t in MapType::ALL {
            assert_eq!(MapType::from_id(t as u32), Ok(t));
        }
        assert_eq!(MapType::from_id(15), Err(MapError::UnsupportedType(15)));
        assert_eq!(MapType::from_id(0), Err(MapError::UnsupportedType(0)));
        for t in MapType::ALL {
            assert_eq!(MapType::from_kernel_id(t.kernel_id()), Some(t));
        }
        assert_eq!(MapType::from_kernel_id(15), None);
        assert!(MapType::Array.has_values() && !MapType::RingBuf.has_values());
    }

    #[test]
    fn sizes_are_checked_per_type() {
        let ok = |t, k, v, n| MapSpec::new(t, k, v, n).validate().is_ok();
        assert!(ok(MapType::Hash, 4, 8, 10));
        assert!(!ok(MapType::Hash, 0, 8, 10));
        assert!(!ok(MapType::Hash, 513, 8, 10));
        assert!(ok(MapType::Array, 4, 1, 1));
        assert!(!ok(MapType::Array, 8, 1, 1));
        assert!(!ok(MapType::Array, 4, 1, 0));
        assert!(ok(MapType::Queue, 0, 4, 1));
        assert!(!ok(MapType::Queue, 4, 4, 1));
        assert!(ok(MapType::RingBuf, 0, 0, 4096));
        assert!(!ok(MapType::RingBuf, 0, 0, 4096 * 3));
        assert!(!ok(MapType::RingBuf, 0, 0, 1024));
        assert!(!ok(MapType::LpmTrie, 8, 8, 10));
        let mut lpm = MapSpec::new(MapType::LpmTrie, 8, 8, 10);
        lpm.flags = BPF_F_NO_PREALLOC;
        assert!(lpm.validate().is_ok());
        assert!(!ok(MapType::PercpuArray, 4, 40_000, 1));
        assert!(!ok(MapType::ArrayOfMaps, 4, 4, 1));
        let mut outer = MapSpec::new(MapType::ArrayOfMaps, 4, 4, 1);
        outer.inner = Some(Box::new(MapSpec::new(MapType::Array, 4, 4, 1)));
        assert!(outer.validate().is_ok());
        assert!(!ok(MapType::StackTrace, 4, 12, 1));
        assert!(ok(MapType::DevMap, 4, 8, 1));
    }

    #[test]
    fn memory_estimates() {
        assert_eq!(
            MapSpec::new(MapType::Array, 4, 5, 10).memory(4),
            10 * 8 + 40
        );
        assert_eq!(
            MapSpec::new(MapType::PercpuArray, 4, 8, 10).memory(4),
            320 + 40
        );
        assert_eq!(MapSpec::new(MapType::RingBuf, 0, 0, 4096).memory(4), 8192);
        let huge = MapSpec::new(MapType::PercpuHash, 512, u32::MAX, u32::MAX);
        assert_eq!(huge.memory(64), u64::MAX);
    }

    #[test]
    fn storage_limit() {
        assert_eq!(storage_bytes(&[4, 8]), Ok(32));
        assert!(storage_bytes(&[u64::MAX, 2]).is_err());
        assert!(storage_bytes(&[MAX_MAP_BYTES + 1]).is_err());
    }
}
