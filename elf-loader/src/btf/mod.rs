//! The `.BTF` section: header, type records and strings, with the few queries the
//! map parser needs (follow aliases, sizes, DATASEC lookup). Format: the kernel's
//! Documentation/bpf/btf.rst.

mod types;

pub(crate) use types::{Kind, Member, Type, VarSecInfo};

use crate::error::{BtfError, LoadError};

/// BTF magic number.
const MAGIC: u16 = 0xeb9f;
/// Size of the version-1 header.
const HEADER_LEN: usize = 24;
/// Bound on how deep sizes are computed (arrays of arrays, chains of aliases).
const MAX_DEPTH: u32 = 64;

/// Parsed type information.
#[derive(Debug)]
pub(crate) struct Btf {
    /// Types by id; id 0 is void.
    types: Vec<Type>,
}

/// Little-endian reads with bounds checks, reporting section offsets.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    /// Offset of `data[0]` in the section, for errors.
    base: usize,
}

impl Reader<'_> {
    fn u32(&mut self, what: &'static str) -> Result<u32, LoadError> {
        let bytes = self
            .pos
            .checked_add(4)
            .and_then(|end| self.data.get(self.pos..end))
            .ok_or(LoadError::Btf {
                offset: self.base + self.pos,
                reason: BtfError::Truncated(what),
            })?;
        self.pos += 4;
        Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    fn offset(&self) -> usize {
        self.base + self.pos
    }
}

fn btf_err(offset: usize, reason: BtfError) -> LoadError {
    LoadError::Btf { offset, reason }
}

impl Btf {
    /// Parses a whole `.BTF` section.
    pub fn parse(data: &[u8]) -> Result<Btf, LoadError> {
        let mut head = Reader {
            data,
            pos: 0,
            base: 0,
        };
        let first = head.u32("header")?;
        let magic = first as u16;
        if magic != MAGIC {
            return Err(btf_err(0, BtfError::Magic(magic)));
        }
        let version = (first >> 16) as u8;
        if version != 1 {
            return Err(btf_err(2, BtfError::Version(version)));
        }
        let hdr_len = head.u32("header")? as usize;
        let type_off = head.u32("header")? as usize;
        let type_len = head.u32("header")? as usize;
        let str_off = head.u32("header")? as usize;
        let str_len = head.u32("header")? as usize;
        if hdr_len < HEADER_LEN || hdr_len > data.len() {
            return Err(btf_err(4, BtfError::Truncated("header")));
        }
        let body = &data[hdr_len..];
        let area = |off: usize, len: usize, what| {
            off.checked_add(len)
                .and_then(|end| body.get(off..end))
                .ok_or(btf_err(hdr_len, BtfError::Area(what)))
        };
        let type_data = area(type_off, type_len, "type")?;
        let strings = area(str_off, str_len, "string")?;
        let mut reader = Reader {
            data: type_data,
            pos: 0,
            base: hdr_len + type_off,
        };
        let mut types = vec![Type {
            name: String::new(),
            kind: Kind::Void,
            offset: 0,
        }];
        while reader.pos < type_data.len() {
            types.push(read_type(&mut reader, strings)?);
        }
        Ok(Btf { types })
    }

    /// The type with id `id`.
    pub fn get(&self, id: u32) -> Result<&Type, BtfError> {
        self.types.get(id as usize).ok_or(BtfError::TypeId(id))
    }

    /// Follows typedefs and qualifiers to the underlying type.
    pub fn resolve(&self, mut id: u32) -> Result<(u32, &Type), BtfError> {
        for _ in 0..=self.types.len() {
            let t = self.get(id)?;
            match t.kind {
                Kind::Alias { target } => id = target,
                _ => return Ok((id, t)),
            }
        }
        Err(BtfError::Unsized(id))
    }

    /// Size in bytes of a value of type `id`.
    pub fn size_of(&self, id: u32) -> Result<u64, BtfError> {
        self.size_at_depth(id, 0)
    }

    fn size_at_depth(&self, id: u32, depth: u32) -> Result<u64, BtfError> {
        if depth > MAX_DEPTH {
            return Err(BtfError::Unsized(id));
        }
        let (rid, t) = self.resolve(id)?;
        match &t.kind {
            Kind::Int { size } | Kind::Struct { size, .. } | Kind::Sized { size } => {
                Ok(u64::from(*size))
            }
            Kind::Ptr { .. } => Ok(8),
            Kind::Array { elem, nelems } => self
                .size_at_depth(*elem, depth + 1)?
                .checked_mul(u64::from(*nelems))
                .ok_or(BtfError::Unsized(rid)),
            Kind::Var { target } => self.size_at_depth(*target, depth + 1),
            Kind::Datasec { vars } => Ok(vars.iter().map(|v| u64::from(v.size)).sum()),
            Kind::Void | Kind::Unsized | Kind::FuncProto | Kind::Alias { .. } => {
                Err(BtfError::Unsized(rid))
            }
        }
    }

    /// The DATASEC named `name` and its variables.
    pub fn datasec(&self, name: &str) -> Option<(&Type, &[VarSecInfo])> {
        self.types.iter().find_map(|t| match &t.kind {
            Kind::Datasec { vars } if t.name == name => Some((t, vars.as_slice())),
            _ => None,
        })
    }
}

fn string(strings: &[u8], off: u32, at: usize) -> Result<String, LoadError> {
    crate::elf_file::c_string(strings, off as usize).ok_or(btf_err(at, BtfError::String(off)))
}

/// Reads one type record and the data that follows it.
fn read_type(r: &mut Reader, strings: &[u8]) -> Result<Type, LoadError> {
    let at = r.offset();
    let name_off = r.u32("type")?;
    let info = r.u32("type")?;
    let size_or_type = r.u32("type")?;
    let vlen = info & 0xffff;
    let kind_flag = info >> 31 != 0;
    let name = string(strings, name_off, at)?;
    let kind = match (info >> 24) & 0x1f {
        1 => {
            r.u32("int encoding")?;
            Kind::Int { size: size_or_type }
        }
        2 => Kind::Ptr {
            target: size_or_type,
        },
        3 => {
            let elem = r.u32("array")?;
            r.u32("array")?;
            let nelems = r.u32("array")?;
            Kind::Array { elem, nelems }
        }
        4 | 5 => {
            let mut members = Vec::new();
            for _ in 0..vlen {
                let m_at = r.offset();
                let name_off = r.u32("member")?;
                let type_id = r.u32("member")?;
                let offset = r.u32("member")?;
                members.push(Member {
                    name: string(strings, name_off, m_at)?,
                    type_id,
                    bit_offset: if kind_flag {
                        offset & 0x00ff_ffff
                    } else {
                        offset
                    },
                });
            }
            Kind::Struct {
                size: size_or_type,
                members,
            }
        }
        6 => {
            skip(r, vlen, 2, "enum")?;
            Kind::Sized { size: size_or_type }
        }
        7 | 12 => Kind::Unsized,
        8..=11 | 18 => Kind::Alias {
            target: size_or_type,
        },
        13 => {
            skip(r, vlen, 2, "func_proto")?;
            Kind::FuncProto
        }
        14 => {
            r.u32("var")?;
            Kind::Var {
                target: size_or_type,
            }
        }
        15 => {
            let mut vars = Vec::new();
            for _ in 0..vlen {
                let type_id = r.u32("datasec")?;
                r.u32("datasec")?;
                let size = r.u32("datasec")?;
                vars.push(VarSecInfo { type_id, size });
            }
            Kind::Datasec { vars }
        }
        16 => Kind::Sized { size: size_or_type },
        17 => {
            r.u32("decl_tag")?;
            Kind::Unsized
        }
        19 => {
            skip(r, vlen, 3, "enum64")?;
            Kind::Sized { size: size_or_type }
        }
        other => return Err(btf_err(at, BtfError::Kind(other))),
    };
    Ok(Type {
        name,
        kind,
        offset: at,
    })
}

/// Skips `count` entries of `words` 32-bit words each.
fn skip(r: &mut Reader, count: u32, words: u32, what: &'static str) -> Result<(), LoadError> {
    for _ in 0..count * words {
        r.u32(what)?;
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a `.BTF` section from raw type words and a string table.
    pub(crate) fn build(type_words: &[u32], strings: &[u8]) -> Vec<u8> {
        let type_len = (type_words.len() * 4) as u32;
        let mut out = Vec::new();
        for w in [
            u32::from(MAGIC) | (1 << 16),
            HEADER_LEN as u32,
            0,
            type_len,
            type_len,
            strings.len() as u32,
        ] {
            out.extend_from_slice(&w.to_le_bytes());
        }
        for w in type_words {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out.extend_from_slice(strings);
        out
    }

    const fn info(kind: u32, vlen: u32) -> u32 {
        (kind << 24) | vlen
    }

    #[test]
    fn sizes_follow_aliases_and_arrays() {
        let strings = b"\0u32\0t\0";
        let mut words = Vec::new();
        words.extend([1, info(1, 0), 4, 32]); // 1: int "u32"
        words.extend([5, info(8, 0), 1]); // 2: typedef "t" -> 1
        words.extend([0, info(3, 0), 0, 2, 1, 5]); // 3: array of 5 x 2
        words.extend([0, info(10, 0), 3]); // 4: const -> 3
        words.extend([0, info(2, 0), 1]); // 5: ptr -> 1
        let btf = Btf::parse(&build(&words, strings)).unwrap();
        assert_eq!(btf.size_of(1), Ok(4));
        assert_eq!(btf.size_of(2), Ok(4));
        assert_eq!(btf.size_of(4), Ok(20));
        assert_eq!(btf.size_of(5), Ok(8));
        assert_eq!(btf.get(2).unwrap().name, "t");
        assert_eq!(btf.size_of(9), Err(BtfError::TypeId(9)));
        assert_eq!(btf.size_of(0), Err(BtfError::Unsized(0)));
    }

    #[test]
    fn alias_cycles_and_bad_input_are_errors() {
        // 1: typedef -> 2, 2: typedef -> 1
        let words = [0, info(8, 0), 2, 0, info(8, 0), 1];
        let btf = Btf::parse(&build(&words, b"\0")).unwrap();
        assert!(matches!(btf.size_of(1), Err(BtfError::Unsized(_))));
        let bad_kind = build(&[0, info(31, 0), 0], b"\0");
        assert!(matches!(
            Btf::parse(&bad_kind),
            Err(LoadError::Btf {
                offset: 24,
                reason: BtfError::Kind(31)
            })
        ));
        let truncated = build(&[0, info(4, 1), 4], b"\0");
        assert!(matches!(
            Btf::parse(&truncated),
            Err(LoadError::Btf {
                reason: BtfError::Truncated("member"),
                ..
            })
        ));
        let mut bad_magic = build(&[], b"\0");
        bad_magic[0] = 0;
        assert!(matches!(
            Btf::parse(&bad_magic),
            Err(LoadError::Btf { offset: 0, .. })
        ));
        assert!(matches!(
            Btf::parse(&build(&[7, info(1, 0), 4, 0], b"\0")),
            Err(LoadError::Btf {
                reason: BtfError::String(7),
                ..
            })
        ));
    }
}
