//! Map definitions found in an object, in the order their indices are used by
//! `lddw map_idx` / `map_idx_value`: legacy `maps` sections first (section order,
//! then offset), then BTF-defined `.maps` (DATASEC order), then one single-entry
//! array per global-data section (`.data*`, `.rodata*`, `.bss*`), as libbpf does.

mod btf_def;
mod global_data;
mod initial_slots;
mod legacy;

use crate::btf::Btf;
use crate::elf_file::ElfFile;
use crate::error::{LoadError, SectionError};
use std::collections::HashMap;

/// Linux `BPF_MAP_TYPE_ARRAY`.
pub(crate) const MAP_TYPE_ARRAY: u32 = 2;
/// Linux `BPF_MAP_TYPE_PROG_ARRAY`.
pub(crate) const MAP_TYPE_PROG_ARRAY: u32 = 3;
/// Linux `BPF_MAP_TYPE_ARRAY_OF_MAPS`.
pub(crate) const MAP_TYPE_ARRAY_OF_MAPS: u32 = 12;
/// Linux `BPF_MAP_TYPE_HASH_OF_MAPS`.
pub(crate) const MAP_TYPE_HASH_OF_MAPS: u32 = 13;
/// Linux `BPF_F_NUMA_NODE`: `numa_node` is meaningful.
pub(crate) const BPF_F_NUMA_NODE: u32 = 1 << 2;
/// Linux `BPF_F_RDONLY_PROG`: programs may only read the map.
pub const BPF_F_RDONLY_PROG: u32 = 1 << 7;

/// Whether maps of this Linux type hold other maps.
pub(crate) fn is_map_in_map(map_type: u32) -> bool {
    map_type == MAP_TYPE_ARRAY_OF_MAPS || map_type == MAP_TYPE_HASH_OF_MAPS
}

/// libbpf's pinning modes (`LIBBPF_PIN_*`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum Pinning {
    /// Not pinned.
    #[default]
    None,
    /// Pinned under its name (`LIBBPF_PIN_BY_NAME`).
    ByName,
}

/// A value the object stores in a map before any program runs (BTF `values`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SlotValue {
    /// The map at this index of [`crate::Object::maps`] (map-in-map).
    Map(usize),
    /// The program with this function name (prog_array).
    Program(String),
}

/// Where a map definition comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MapSource {
    /// A `struct bpf_map_def`-style record in a `maps` or `maps/<name>` section.
    /// `extra` holds the 32-bit words after `map_flags` as written (samples/bpf's
    /// layout reads them as `inner_map_idx`, `numa_node`; iproute2's as `id`,
    /// `pinning`, ...), for hosts that know their toolchain's layout.
    Legacy {
        /// Words after the five standard fields.
        extra: Vec<u32>,
    },
    /// A BTF-described variable in `.maps`.
    Btf,
    /// A global-data section turned into a single-entry array.
    GlobalData,
}

/// A map as the object defines it. Sizes and types are what the object says;
/// the runtime decides whether it can create such a map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapDef {
    /// Name: the symbol (legacy, BTF) or the section (global data).
    pub name: String,
    /// Linux `enum bpf_map_type` number.
    pub map_type: u32,
    /// Key size in bytes.
    pub key_size: u32,
    /// Value size in bytes.
    pub value_size: u32,
    /// Maximum number of entries.
    pub max_entries: u32,
    /// `BPF_F_*` creation flags.
    pub flags: u32,
    /// NUMA node (meaningful with `BPF_F_NUMA_NODE`).
    pub numa_node: u32,
    /// Type-specific extra (`map_extra`, e.g. bloom filter hashes).
    pub map_extra: u64,
    /// Pinning mode.
    pub pinning: Pinning,
    /// For map-in-map types: the definition every inner map must match.
    pub inner: Option<Box<MapDef>>,
    /// Entries to store at creation: (key index, value).
    pub initial_slots: Vec<(u32, SlotValue)>,
    /// Initial contents of the single value (global data only).
    pub data: Option<Vec<u8>>,
    /// Whether programs may not write it (`.rodata*`).
    pub read_only: bool,
    /// The section holding the definition.
    pub section: String,
    /// Byte offset of the definition in that section.
    pub offset: u64,
    /// What kind of definition it is.
    pub source: MapSource,
}

impl MapDef {
    /// A definition with the given name, place and source and every property zero.
    fn empty(name: String, section: String, offset: u64, source: MapSource) -> MapDef {
        MapDef {
            name,
            map_type: 0,
            key_size: 0,
            value_size: 0,
            max_entries: 0,
            flags: 0,
            numa_node: 0,
            map_extra: 0,
            pinning: Pinning::None,
            inner: None,
            initial_slots: Vec::new(),
            data: None,
            read_only: false,
            section,
            offset,
            source,
        }
    }
}

/// The extent of a BTF map variable in `.maps`, for initial-value relocations.
#[derive(Copy, Clone, Debug)]
pub(crate) struct BtfExtent {
    /// Index in the table.
    pub map: usize,
    /// Start offset in the section.
    pub start: u64,
    /// Size of the variable (definition plus initialised values).
    pub size: u64,
    /// Offset of the `values` member inside the definition.
    pub values: Option<u64>,
}

/// All maps of an object and how relocations find them.
#[derive(Debug, Default)]
pub(crate) struct MapTable {
    /// Definitions by index.
    pub defs: Vec<MapDef>,
    /// Legacy and BTF maps by (section index, offset).
    by_place: HashMap<(usize, u64), usize>,
    /// Global-data maps by section index.
    by_data_section: HashMap<usize, usize>,
    /// BTF map extents in `.maps`.
    btf_extents: Vec<BtfExtent>,
}

/// What a symbol's section is, for relocations.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum MapSection {
    /// A section of map definitions (legacy or `.maps`).
    Definitions,
    /// A global-data section, backed by this map.
    Data(usize),
}

impl MapTable {
    /// Collects every map of `elf`.
    pub fn collect(elf: &ElfFile) -> Result<MapTable, LoadError> {
        let mut table = MapTable::default();
        legacy::collect(elf, &mut table)?;
        if let Some(maps) = elf.section_by_name(".maps") {
            let btf_section = elf.section_by_name(".BTF").ok_or_else(|| {
                crate::elf_file::section_err(".maps".into(), SectionError::MissingBtf)
            })?;
            let btf = Btf::parse(btf_section.data)?;
            btf_def::collect(elf, maps, &btf, &mut table)?;
            initial_slots::collect(elf, maps.index, &mut table)?;
        }
        global_data::collect(elf, &mut table)?;
        Ok(table)
    }

    /// Adds a definition placed at `offset` of section `section`.
    fn push_placed(&mut self, section: usize, def: MapDef) -> usize {
        let index = self.defs.len();
        self.by_place.insert((section, def.offset), index);
        self.defs.push(def);
        index
    }

    /// The map defined at `offset` of section `section`.
    pub fn at(&self, section: usize, offset: u64) -> Option<usize> {
        self.by_place.get(&(section, offset)).copied()
    }

    /// How relocations against symbols of section `index` are resolved, if it holds maps.
    pub fn section_kind(&self, elf: &ElfFile, index: usize) -> Option<MapSection> {
        if let Some(&map) = self.by_data_section.get(&index) {
            return Some(MapSection::Data(map));
        }
        let name = &elf.sections.get(index)?.name;
        (legacy::is_legacy_section(name) || name == ".maps").then_some(MapSection::Definitions)
    }
}
