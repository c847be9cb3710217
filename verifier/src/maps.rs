//! Descriptions of the maps a program refers to through pseudo LDDWs.

pub use ferrobpf_vm::maps::MapType;

/// Marks a map index as naming the inner-map template of the map it indexes
/// ([`crate::Config::inner_maps`]).
const INNER: u32 = 1 << 31;

/// The index standing for the inner maps of map `outer` (a map of maps).
pub fn inner_index(outer: u32) -> u32 {
    outer | INNER
}

/// The map of maps whose inner maps `index` names, if it names them.
pub fn outer_of(index: u32) -> Option<u32> {
    (index & INNER != 0).then_some(index & !INNER)
}

/// The map `index` names: one of `maps`, or the inner-map template of one.
pub(crate) fn lookup<'a>(
    maps: &'a [MapInfo],
    inner: &'a std::collections::BTreeMap<u32, MapInfo>,
    index: u32,
) -> Option<&'a MapInfo> {
    if index & INNER != 0 {
        inner.get(&(index & !INNER))
    } else {
        maps.get(index as usize)
    }
}

/// Whether values of maps of type `t` are maps (array and hash of maps).
pub fn holds_maps(t: MapType) -> bool {
    matches!(t, MapType::ArrayOfMaps | MapType::HashOfMaps)
}

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
