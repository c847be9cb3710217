//! Global data: each non-empty `.data*`, `.rodata*` (read-only) and `.bss*`
//! section becomes a single-entry array map (4-byte key, the whole section as
//! the value) holding the section's initial contents, as libbpf does.

use super::{MapDef, MapSource, MapTable, BPF_F_RDONLY_PROG, MAP_TYPE_ARRAY};
use crate::elf_file::{ElfFile, Section};
use crate::error::{LoadError, MapError};

/// The largest array value the kernel creates (`KMALLOC_MAX_SIZE` on x86-64).
const MAX_VALUE_SIZE: u64 = 1 << 22;

/// Whether `name` starts with `prefix` as a whole name or a `prefix.` family.
fn in_family(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// Whether a section holds global data, and if so whether it is read-only.
fn classify(sec: &Section) -> Option<bool> {
    if sec.is_code() {
        return None;
    }
    if sec.is_progbits() && in_family(&sec.name, ".rodata") {
        Some(true)
    } else if (sec.is_progbits() && in_family(&sec.name, ".data"))
        || (sec.is_nobits() && in_family(&sec.name, ".bss"))
    {
        Some(false)
    } else {
        None
    }
}

/// Adds one map per global-data section of `elf` to `table`.
pub(super) fn collect(elf: &ElfFile, table: &mut MapTable) -> Result<(), LoadError> {
    for sec in elf.sections.iter().filter(|s| s.size > 0) {
        let Some(read_only) = classify(sec) else {
            continue;
        };
        let mut def = MapDef::empty(sec.name.clone(), sec.name.clone(), 0, MapSource::GlobalData);
        if sec.size > MAX_VALUE_SIZE {
            return Err(LoadError::Map {
                name: def.name,
                section: def.section,
                offset: 0,
                reason: MapError::TooLarge {
                    size: sec.size,
                    max: MAX_VALUE_SIZE,
                },
            });
        }
        def.map_type = MAP_TYPE_ARRAY;
        def.key_size = 4;
        def.value_size = sec.size as u32;
        def.max_entries = 1;
        def.read_only = read_only;
        if read_only {
            def.flags = BPF_F_RDONLY_PROG;
        }
        def.data = Some(if sec.is_nobits() {
            vec![0; sec.size as usize]
        } else {
            sec.data.to_vec()
        });
        table.by_data_section.insert(sec.index, table.defs.len());
        table.defs.push(def);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::in_family;

    #[test]
    fn section_families() {
        assert!(in_family(".data", ".data"));
        assert!(in_family(".data.seen", ".data"));
        assert!(in_family(".rodata.str1.1", ".rodata"));
        assert!(!in_family(".database", ".data"));
        assert!(!in_family(".bss2", ".bss"));
    }
}
