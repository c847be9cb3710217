//! Untrusted input: random bytes and mutated real objects never panic, and
//! specific corruptions give the precise typed error.

use ferrobpf_elf::{LoadError, Object, RelocError, SectionError};
use goblin::elf::Elf;
use proptest::prelude::*;

fn object(name: &str) -> Vec<u8> {
    let path = format!("{}/../tests/bpf/{name}.o", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const OBJECTS: [&str; 6] = [
    "btf_maps",
    "calls",
    "cross_section_calls",
    "global_data",
    "legacy_maps",
    "text_only",
];

/// File offset of section `name`'s contents.
fn section_start(bytes: &[u8], name: &str) -> usize {
    let elf = Elf::parse(bytes).unwrap();
    let sh = elf
        .section_headers
        .iter()
        .find(|h| elf.shdr_strtab.get_at(h.sh_name) == Some(name))
        .unwrap();
    sh.sh_offset as usize
}

fn reloc_error(bytes: &[u8]) -> (String, u64, RelocError) {
    match Object::parse(bytes) {
        Err(LoadError::Relocation {
            section,
            offset,
            reason,
        }) => (section, offset, reason),
        other => panic!("expected a relocation error, got {other:?}"),
    }
}

/// Overwrites bytes `field..` of calls.o's first `.relxdp` entry (the call at
/// xdp+0x8; fields: r_offset at 0, type at 8, symbol at 12) and loads it.
fn corrupt_call_reloc(field: usize, value: &[u8]) -> (String, u64, RelocError) {
    let mut bytes = object("calls");
    let at = section_start(&bytes, ".relxdp") + field;
    bytes[at..at + value.len()].copy_from_slice(value);
    reloc_error(&bytes)
}

#[test]
fn corrupt_relocations() {
    assert_eq!(
        corrupt_call_reloc(8, &[7]),
        ("xdp".into(), 8, RelocError::UnknownType(7))
    );
    assert_eq!(
        corrupt_call_reloc(12, &9999u32.to_le_bytes()),
        ("xdp".into(), 8, RelocError::SymbolOutOfRange(9999))
    );
    // Moved to xdp+0x0, a load; then to an offset that is no instruction boundary.
    let (section, offset, reason) = corrupt_call_reloc(0, &0u64.to_le_bytes());
    assert_eq!((section.as_str(), offset), ("xdp", 0));
    assert!(
        matches!(reason, RelocError::WrongInstruction { r_type: 10, .. }),
        "{reason:?}"
    );
    assert_eq!(
        corrupt_call_reloc(0, &3u64.to_le_bytes()),
        ("xdp".into(), 3, RelocError::BadOffset)
    );
}

#[test]
fn global_data_offset_out_of_range() {
    let mut bytes = object("global_data");
    // The first relocated LDDW (tc+0x8, `packets` in .data): give it an addend past .data's 8 bytes.
    let at = section_start(&bytes, "tc") + 8 + 4;
    bytes[at..at + 4].copy_from_slice(&8i32.to_le_bytes());
    assert_eq!(
        reloc_error(&bytes),
        (
            "tc".into(),
            8,
            RelocError::DataOffset {
                section: ".data".into(),
                offset: 8,
                size: 8
            }
        )
    );
}

#[test]
fn header_errors() {
    let mut bytes = object("calls");
    bytes[18] = 62;
    assert_eq!(Object::parse(&bytes), Err(LoadError::Machine(62)));
    let mut bytes = object("calls");
    bytes[5] = 2;
    assert!(matches!(Object::parse(&bytes), Err(LoadError::Format(_))));
    let mut bytes = object("calls");
    bytes[16] = 2;
    assert_eq!(Object::parse(&bytes), Err(LoadError::NotRelocatable(2)));
    assert!(matches!(
        Object::parse(b"not an elf"),
        Err(LoadError::Elf(_))
    ));
}

#[test]
fn truncated_files() {
    let bytes = object("legacy_maps");
    // Cut inside the section contents: the headers (at the end) are gone.
    assert!(Object::parse(&bytes[..bytes.len() / 2]).is_err());
    // Point a section past the end of the file.
    let elf = Elf::parse(&bytes).unwrap();
    let shoff = elf.header.e_shoff as usize;
    let index = elf
        .section_headers
        .iter()
        .position(|h| elf.shdr_strtab.get_at(h.sh_name) == Some("maps"))
        .unwrap();
    let mut bytes = bytes.clone();
    let size_at = shoff + 64 * index + 32;
    bytes[size_at..size_at + 8].copy_from_slice(&0xffff_ffffu64.to_le_bytes());
    assert!(matches!(
        Object::parse(&bytes),
        Err(LoadError::Section {
            reason: SectionError::OutOfFile { .. },
            ..
        })
    ));
}

/// Byte ranges the loader interprets (headers, symbols, relocations, code, map
/// definitions, BTF), so mutations there reach deep into the loader.
fn interesting_ranges(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    let elf = Elf::parse(bytes).unwrap();
    let shoff = elf.header.e_shoff as usize;
    let mut ranges = Vec::from([0..64, shoff..shoff + 64 * elf.section_headers.len()]);
    for h in &elf.section_headers {
        let name = elf.shdr_strtab.get_at(h.sh_name).unwrap_or("");
        if !name.starts_with(".debug")
            && !name.starts_with(".rel.debug")
            && h.sh_size > 0
            && h.sh_type != 8
        {
            ranges.push(h.sh_offset as usize..(h.sh_offset + h.sh_size) as usize);
        }
    }
    ranges
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = Object::parse(&bytes);
    }

    #[test]
    fn random_bytes_after_a_valid_header_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let mut bytes = object("calls")[..64].to_vec();
        bytes.extend(tail);
        let _ = Object::parse(&bytes);
    }

    #[test]
    fn mutated_objects_never_panic(
        which in 0..OBJECTS.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = object(OBJECTS[which]);
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        let _ = Object::parse(&bytes);
    }

    #[test]
    fn mutated_structures_never_panic(
        which in 0..OBJECTS.len(),
        edits in proptest::collection::vec(
            (any::<prop::sample::Index>(), any::<prop::sample::Index>(), any::<u8>()),
            1..8,
        ),
    ) {
        let mut bytes = object(OBJECTS[which]);
        let ranges = interesting_ranges(&bytes);
        for (range, at, value) in edits {
            let r = &ranges[range.index(ranges.len())];
            let i = r.start + at.index(r.len());
            bytes[i] = value;
        }
        let _ = Object::parse(&bytes);
    }
}
