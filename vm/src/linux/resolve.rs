//! Resolving a program's map references (`lddw map_idx` / `map_idx_value`, as the
//! ELF loader emits them) to map handles and value addresses.

use crate::isa::Pseudo;
use crate::maps::{MapId, MapTable, MapType};
use crate::program::{PseudoRequest, PseudoResolver, ResolveError};

/// Resolves map index `i` of the program to `ids[i]` in `maps`: `map_idx` loads the
/// map's handle, `map_idx_value` the address of its value plus the offset (for
/// single-element arrays, as the kernel allows).
#[derive(Debug)]
pub struct MapResolver<'m> {
    /// The environment's maps.
    pub maps: &'m MapTable,
    /// The map each index of the program names.
    pub ids: &'m [MapId],
}

impl PseudoResolver for MapResolver<'_> {
    fn resolve(&mut self, request: &PseudoRequest) -> Result<u64, ResolveError> {
        let unknown = ResolveError::UnknownMap { id: request.imm };
        let id = usize::try_from(request.imm)
            .ok()
            .and_then(|i| self.ids.get(i))
            .ok_or(unknown.clone())?;
        let map = self.maps.get(*id).ok_or(unknown)?;
        match request.pseudo {
            Pseudo::MapIdx => Ok(id.handle()),
            Pseudo::MapIdxValue => {
                let spec = map.spec();
                let offset = request.next_imm;
                let single_array = matches!(spec.map_type, MapType::Array) && spec.max_entries == 1;
                let storage = map
                    .storage()
                    .filter(|_| single_array)
                    .ok_or(ResolveError::Unsupported)?;
                u32::try_from(offset)
                    .ok()
                    .filter(|&o| o < spec.value_size)
                    .map(|o| storage.memory.addr() + u64::from(o))
                    .ok_or(ResolveError::ValueOffsetOutOfRange { offset })
            }
            _ => Err(ResolveError::Unsupported),
        }
    }
}
