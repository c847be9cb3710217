//! Descriptions of the maps a program refers to through pseudo LDDWs.

pub use ferrobpf_vm::maps::MapType;

/// What the verifier needs to know about one map.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct MapInfo {
    /// Kind: `None` for a kernel map type ferrobpf does not implement (only helpers
    /// taking any map accept it).
    pub map_type: Option<MapType>,
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
            map_type: Some(map_type),
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
    fn maps_are_writable_unless_marked() {
        let m = MapInfo::new(MapType::Hash, 4, 8, 1);
        assert_eq!(m.map_type, Some(MapType::Hash));
        assert!(!m.read_only);
    }
}
