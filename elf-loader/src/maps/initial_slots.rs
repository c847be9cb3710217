//! Initial values of BTF maps (`.values = { [1] = &inner, [2] = &prog }`): clang
//! writes zeros into `.maps` and a 64-bit absolute relocation per entry. Each
//! becomes (slot, map or program) on the outer map, as libbpf records them.
//! `EM_NONE` objects may write type 0 instead, as for code relocations.

use super::{is_map_in_map, MapTable, SlotValue, MAP_TYPE_PROG_ARRAY};
use crate::elf_file::{ElfFile, SymPlace};
use crate::error::{LoadError, RelocError};
use goblin::elf::header::EM_NONE;

/// `R_BPF_64_ABS64`: a 64-bit absolute address of a symbol.
const R_BPF_64_ABS64: u32 = 2;
/// Type 0, written for every relocation by old `EM_NONE` toolchains.
const R_UNTYPED: u32 = 0;
/// Size of one `values` slot: a pointer.
const SLOT_SIZE: u64 = 8;

/// Applies the relocations of the `.maps` section (index `maps`) to `table`.
pub(super) fn collect(elf: &ElfFile, maps: usize, table: &mut MapTable) -> Result<(), LoadError> {
    for r in &elf.relocs[maps] {
        let fail = |reason| elf.reloc_err(maps, r.offset, reason);
        let untyped = r.r_type == R_UNTYPED && elf.machine == EM_NONE;
        if r.r_type != R_BPF_64_ABS64 && !untyped {
            return Err(fail(RelocError::UnknownType(r.r_type)));
        }
        let extent = table
            .btf_extents
            .iter()
            .find(|e| r.offset >= e.start && r.offset - e.start < e.size)
            .copied()
            .ok_or_else(|| fail(RelocError::NotInValues))?;
        let values = extent.values.ok_or_else(|| fail(RelocError::NotInValues))?;
        let within = (r.offset - extent.start)
            .checked_sub(values)
            .ok_or_else(|| fail(RelocError::NotInValues))?;
        if within % SLOT_SIZE != 0 {
            return Err(fail(RelocError::Misaligned(within as i64)));
        }
        let slot = u32::try_from(within / SLOT_SIZE).map_err(|_| fail(RelocError::NotInValues))?;
        let sym = &elf.symbols[r.sym];
        let outer_type = table.defs[extent.map].map_type;
        let value = match sym.place {
            SymPlace::Section(s) if s == maps && is_map_in_map(outer_type) => {
                table.at(maps, sym.value).map(SlotValue::Map)
            }
            SymPlace::Section(s)
                if outer_type == MAP_TYPE_PROG_ARRAY
                    && sym.is_func()
                    && elf.sections[s].is_code() =>
            {
                Some(SlotValue::Program(sym.name.clone()))
            }
            _ => None,
        }
        .ok_or_else(|| fail(RelocError::BadInitValue(sym.name.clone())))?;
        let slots = &mut table.defs[extent.map].initial_slots;
        if slots.iter().any(|(k, _)| *k == slot) {
            return Err(fail(RelocError::Duplicate));
        }
        slots.push((slot, value));
    }
    Ok(())
}
