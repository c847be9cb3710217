//! Legacy map definitions: `struct bpf_map_def` records in a `maps` section (one
//! per symbol, all of the section size divided by the symbol count, as libbpf
//! computes it) or in `maps/<name>` sections. The first five 32-bit words are
//! type, key size, value size, max entries and flags; larger records keep their
//! extra words, and map-in-map types read the sixth word as samples/bpf's
//! `inner_map_idx` (an index among the legacy maps), the seventh as `numa_node`.

use super::{is_map_in_map, MapDef, MapSource, MapTable, BPF_F_NUMA_NODE};
use crate::elf_file::{section_err, ElfFile, Section};
use crate::error::{LoadError, MapError, SectionError};

/// Whether `name` is a legacy maps section.
pub(super) fn is_legacy_section(name: &str) -> bool {
    name == "maps" || name.starts_with("maps/")
}

/// Adds every legacy map of `elf` to `table`.
pub(super) fn collect(elf: &ElfFile, table: &mut MapTable) -> Result<(), LoadError> {
    let first = table.defs.len();
    for sec in elf
        .sections
        .iter()
        .filter(|s| is_legacy_section(&s.name) && !s.is_code())
    {
        let mut syms: Vec<(String, u64)> = elf
            .symbols_in(sec.index)
            .filter(|s| !s.is_section())
            .map(|s| (s.name.clone(), s.value))
            .collect();
        syms.sort_by_key(|&(_, offset)| offset);
        if syms.is_empty() {
            if let (Some(name), true) = (sec.name.strip_prefix("maps/"), sec.size > 0) {
                syms.push((name.to_string(), 0));
            }
        }
        if syms.is_empty() && sec.size == 0 {
            continue;
        }
        let count = syms.len() as u64;
        if count == 0 || sec.size == 0 || sec.size % count != 0 {
            return Err(section_err(
                sec.name.clone(),
                SectionError::LegacyMapsSize {
                    size: sec.size,
                    count: syms.len(),
                },
            ));
        }
        let def_size = sec.size / count;
        for (name, offset) in syms {
            let def = read_def(sec, name, offset, def_size)?;
            table.push_placed(sec.index, def);
        }
    }
    resolve_inner(&mut table.defs[first..])
}

fn read_def(sec: &Section, name: String, offset: u64, size: u64) -> Result<MapDef, LoadError> {
    let bytes = offset
        .checked_add(size)
        .and_then(|end| {
            sec.data
                .get(usize::try_from(offset).ok()?..usize::try_from(end).ok()?)
        })
        .ok_or_else(|| LoadError::Map {
            name: name.clone(),
            section: sec.name.clone(),
            offset,
            reason: MapError::Truncated { size },
        })?;
    let words: Vec<u32> = bytes
        .chunks(4)
        .map(|c| {
            let mut w = [0u8; 4];
            w[..c.len()].copy_from_slice(c);
            u32::from_le_bytes(w)
        })
        .collect();
    let word = |i: usize| words.get(i).copied().unwrap_or(0);
    let extra = words.get(5..).unwrap_or(&[]).to_vec();
    let mut def = MapDef::empty(name, sec.name.clone(), offset, MapSource::Legacy { extra });
    def.map_type = word(0);
    def.key_size = word(1);
    def.value_size = word(2);
    def.max_entries = word(3);
    def.flags = word(4);
    if def.flags & BPF_F_NUMA_NODE != 0 {
        def.numa_node = word(6);
    }
    Ok(def)
}

/// Gives each legacy map-in-map the definition named by its `inner_map_idx`.
fn resolve_inner(defs: &mut [MapDef]) -> Result<(), LoadError> {
    for i in 0..defs.len() {
        let def = &defs[i];
        let MapSource::Legacy { extra } = &def.source else {
            continue;
        };
        if !is_map_in_map(def.map_type) {
            continue;
        }
        let idx = extra.first().copied().unwrap_or(0);
        let inner = defs
            .get(idx as usize)
            .filter(|_| idx as usize != i)
            .cloned()
            .ok_or_else(|| LoadError::Map {
                name: def.name.clone(),
                section: def.section.clone(),
                offset: def.offset,
                reason: MapError::InnerIndex(idx),
            })?;
        defs[i].inner = Some(Box::new(inner));
    }
    Ok(())
}
