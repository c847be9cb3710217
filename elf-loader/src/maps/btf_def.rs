//! BTF-defined maps: each variable of the `.maps` DATASEC is a struct whose
//! members encode the definition the way libbpf's macros write them:
//! `__uint(name, n)` is `int (*name)[n]`, `__type(name, T)` is `T *name`,
//! `__array(values, D)` is `D *values[]` (an inner map definition `D`, or a
//! function prototype for a prog_array). Offsets come from the ELF symbols, as
//! clang leaves the DATASEC offsets at zero in objects.

use super::{BtfExtent, MapDef, MapSource, MapTable, Pinning, MAP_TYPE_PROG_ARRAY};
use crate::btf::{Btf, Kind, Member};
use crate::elf_file::{ElfFile, Section};
use crate::error::{BtfError, LoadError, MapError};

/// Size of a map-in-map or prog_array value: a file descriptor.
const FD_SIZE: u32 = 4;

/// Adds every map of the `.maps` section to `table`.
pub(super) fn collect(
    elf: &ElfFile,
    maps: &Section,
    btf: &Btf,
    table: &mut MapTable,
) -> Result<(), LoadError> {
    let (datasec, vars) = btf.datasec(".maps").ok_or_else(|| {
        crate::elf_file::section_err(".maps".into(), crate::error::SectionError::MissingBtf)
    })?;
    for var in vars {
        let not_var = LoadError::Btf {
            offset: datasec.offset,
            reason: BtfError::NotVar(var.type_id),
        };
        let var_type = btf.get(var.type_id).map_err(|_| not_var.clone())?;
        let Kind::Var { target } = var_type.kind else {
            return Err(not_var);
        };
        let name = var_type.name.clone();
        let symbol = elf
            .symbols_in(maps.index)
            .find(|s| s.name == name && !s.is_section());
        let (offset, sym_size) = symbol.map_or((0, 0), |s| (s.value, s.size));
        let fail = |reason: MapError| LoadError::Map {
            name: name.clone(),
            section: maps.name.clone(),
            offset,
            reason,
        };
        if symbol.is_none() {
            return Err(fail(MapError::NoSymbol));
        }
        let base = MapDef::empty(name.clone(), maps.name.clone(), offset, MapSource::Btf);
        let (def, values) = parse_def(btf, target, base, false).map_err(fail)?;
        let size = if var.size != 0 {
            u64::from(var.size)
        } else {
            sym_size
        };
        if offset.checked_add(size).is_none_or(|end| end > maps.size) {
            return Err(fail(MapError::Truncated { size }));
        }
        let map = table.push_placed(maps.index, def);
        table.btf_extents.push(BtfExtent {
            map,
            start: offset,
            size,
            values,
        });
    }
    Ok(())
}

/// Reads the struct `type_id` into `def`; returns it with the byte offset of its
/// `values` member, if any.
fn parse_def(
    btf: &Btf,
    type_id: u32,
    mut def: MapDef,
    is_inner: bool,
) -> Result<(MapDef, Option<u64>), MapError> {
    let (id, t) = btf.resolve(type_id).map_err(MapError::from)?;
    let Kind::Struct { members, .. } = &t.kind else {
        return Err(MapError::NotStruct(id));
    };
    let mut key_size = None;
    let mut value_size = None;
    let mut values = None;
    for m in members {
        match m.name.as_str() {
            "type" => def.map_type = uint(btf, m)?,
            "max_entries" => def.max_entries = uint(btf, m)?,
            "map_flags" => def.flags = uint(btf, m)?,
            "numa_node" => def.numa_node = uint(btf, m)?,
            "map_extra" => def.map_extra = u64::from(uint(btf, m)?),
            "key_size" => set_size(&mut key_size, "key_size", uint(btf, m)?)?,
            "value_size" => set_size(&mut value_size, "value_size", uint(btf, m)?)?,
            "key" => set_size(&mut key_size, "key_size", pointee_size(btf, m)?)?,
            "value" => set_size(&mut value_size, "value_size", pointee_size(btf, m)?)?,
            "pinning" => {
                def.pinning = match uint(btf, m)? {
                    0 => Pinning::None,
                    1 => Pinning::ByName,
                    other => return Err(MapError::Pinning(other)),
                }
            }
            "values" => {
                if is_inner {
                    return Err(MapError::NestedInner);
                }
                set_size(&mut value_size, "value_size", FD_SIZE)?;
                values = Some(u64::from(m.bit_offset / 8));
                def.inner = values_inner(btf, m, &def)?;
            }
            other => return Err(MapError::UnknownField(other.to_string())),
        }
    }
    def.key_size = key_size.unwrap_or(0);
    def.value_size = value_size.unwrap_or(0);
    Ok((def, values))
}

/// The inner map definition of a `values` member (none for a prog_array).
fn values_inner(btf: &Btf, m: &Member, outer: &MapDef) -> Result<Option<Box<MapDef>>, MapError> {
    let shape = || MapError::FieldShape(m.name.clone());
    let (_, t) = btf.resolve(m.type_id)?;
    let Kind::Array { elem, nelems: 0 } = t.kind else {
        return Err(shape());
    };
    let (_, ptr) = btf.resolve(elem)?;
    let Kind::Ptr { target } = ptr.kind else {
        return Err(shape());
    };
    let (_, pointee) = btf.resolve(target)?;
    match pointee.kind {
        Kind::FuncProto if outer.map_type == MAP_TYPE_PROG_ARRAY => Ok(None),
        Kind::Struct { .. } if outer.map_type != MAP_TYPE_PROG_ARRAY => {
            let base = MapDef::empty(
                format!("{}.inner", outer.name),
                outer.section.clone(),
                outer.offset,
                MapSource::Btf,
            );
            Ok(Some(Box::new(parse_def(btf, target, base, true)?.0)))
        }
        _ => Err(shape()),
    }
}

/// Records a size given by two members, which must agree.
fn set_size(slot: &mut Option<u32>, field: &'static str, value: u32) -> Result<(), MapError> {
    match *slot {
        Some(first) if first != value => Err(MapError::Conflict {
            field,
            first: u64::from(first),
            second: u64::from(value),
        }),
        _ => {
            *slot = Some(value);
            Ok(())
        }
    }
}

/// The value of a `__uint(name, n)` member: `int (*name)[n]`.
fn uint(btf: &Btf, m: &Member) -> Result<u32, MapError> {
    let (_, t) = btf.resolve(m.type_id)?;
    let Kind::Ptr { target } = t.kind else {
        return Err(MapError::FieldShape(m.name.clone()));
    };
    match btf.resolve(target)?.1.kind {
        Kind::Array { nelems, .. } => Ok(nelems),
        _ => Err(MapError::FieldShape(m.name.clone())),
    }
}

/// The size of `T` in a `__type(name, T)` member: `T *name`.
fn pointee_size(btf: &Btf, m: &Member) -> Result<u32, MapError> {
    let (_, t) = btf.resolve(m.type_id)?;
    let Kind::Ptr { target } = t.kind else {
        return Err(MapError::FieldShape(m.name.clone()));
    };
    let size = btf.size_of(target)?;
    u32::try_from(size).map_err(|_| MapError::Btf(BtfError::Unsized(target)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::btf::tests::build;

    const STRINGS: &[u8] = b"\0int\0type\0key_size\0key\0bogus\0pinning\0values\0";
    const INT: u32 = 1;
    const TYPE: u32 = 5;
    const KEY_SIZE: u32 = 10;
    const KEY: u32 = 19;
    const BOGUS: u32 = 23;
    const PINNING: u32 = 29;
    const VALUES: u32 = 37;

    /// Types 1-7: int, `__uint` shapes for 1 (ids 2, 3), 8 (4, 5) and 2 (8, 9),
    /// `__type(int)` (6), then the struct of `members` (name offset, type) as id 7.
    fn btf_with(members: &[(u32, u32)]) -> Btf {
        let mut words = Vec::new();
        words.extend([INT, 1 << 24, 4, 32]); // 1: int
        words.extend([0, 3 << 24, 0, 1, 1, 1]); // 2: int[1]
        words.extend([0, 2 << 24, 2]); // 3: ptr -> 2
        words.extend([0, 3 << 24, 0, 1, 1, 8]); // 4: int[8]
        words.extend([0, 2 << 24, 4]); // 5: ptr -> 4
        words.extend([0, 2 << 24, 1]); // 6: ptr -> int
        words.extend([
            0,
            (4 << 24) | members.len() as u32,
            8 * members.len() as u32,
        ]);
        for (i, &(name, ty)) in members.iter().enumerate() {
            words.extend([name, ty, 64 * i as u32]);
        }
        words.extend([0, 3 << 24, 0, 1, 1, 2, 0, 2 << 24, 8]); // 8: int[2], 9: ptr -> 8
        words.extend([0, 3 << 24, 0, 3, 1, 0]); // 10: (int (*)[1])[0], a `values` of no map
        Btf::parse(&build(&words, STRINGS)).unwrap()
    }

    fn parse(members: &[(u32, u32)]) -> Result<MapDef, MapError> {
        let base = MapDef::empty("m".into(), ".maps".into(), 0, MapSource::Btf);
        parse_def(&btf_with(members), 7, base, false).map(|(def, _)| def)
    }

    #[test]
    fn reads_uint_and_type_members() {
        let def = parse(&[(TYPE, 3), (KEY, 6)]).unwrap();
        assert_eq!((def.map_type, def.key_size), (1, 4));
    }

    #[test]
    fn rejects_what_libbpf_rejects() {
        assert_eq!(
            parse(&[(KEY_SIZE, 5), (KEY, 6)]),
            Err(MapError::Conflict {
                field: "key_size",
                first: 8,
                second: 4
            })
        );
        assert_eq!(
            parse(&[(BOGUS, 3)]),
            Err(MapError::UnknownField("bogus".into()))
        );
        assert_eq!(parse(&[(PINNING, 9)]), Err(MapError::Pinning(2)));
        assert_eq!(
            parse(&[(TYPE, 6)]),
            Err(MapError::FieldShape("type".into()))
        );
        assert_eq!(
            parse(&[(TYPE, 3), (VALUES, 10)]),
            Err(MapError::FieldShape("values".into()))
        );
        let base = MapDef::empty("m".into(), ".maps".into(), 0, MapSource::Btf);
        assert_eq!(
            parse_def(&btf_with(&[]), 1, base, false),
            Err(MapError::NotStruct(1))
        );
    }
}
