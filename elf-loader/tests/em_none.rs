//! Objects from old toolchains: `e_machine` EM_NONE, every relocation of type 0.
//! They load as their EM_BPF originals do; type 0 in an EM_BPF object is refused.

use ferrobpf_elf::{LoadError, Object, RelocError};
use goblin::elf::section_header::{SHT_REL, SHT_RELA};
use goblin::elf::Elf;

const OBJECTS: [&str; 8] = [
    "btf_maps",
    "calls",
    "cross_section_calls",
    "global_data",
    "legacy_maps",
    "text_only",
    "xdp_helpers",
    "skb_helpers",
];

fn object(name: &str) -> Vec<u8> {
    let path = format!("{}/../tests/bpf/{name}.o", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `bytes` with every relocation's type set to 0 (the low 32 bits of
/// `r_info`, at byte 8 of each 64-bit REL or RELA entry).
fn untyped_relocations(bytes: &[u8]) -> Vec<u8> {
    let elf = Elf::parse(bytes).unwrap();
    let mut out = bytes.to_vec();
    for sh in elf
        .section_headers
        .iter()
        .filter(|h| h.sh_type == SHT_REL || h.sh_type == SHT_RELA)
    {
        let entry = if sh.sh_type == SHT_REL { 16 } else { 24 };
        let start = sh.sh_offset as usize;
        for at in (start..start + sh.sh_size as usize).step_by(entry) {
            out[at + 8..at + 12].copy_from_slice(&0u32.to_le_bytes());
        }
    }
    out
}

/// `bytes` with `e_machine` set to `machine`.
fn with_machine(bytes: &[u8], machine: u16) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[18..20].copy_from_slice(&machine.to_le_bytes());
    out
}

#[test]
fn em_none_objects_with_untyped_relocations_load_like_em_bpf_ones() {
    for name in OBJECTS {
        let original = object(name);
        let expected = Object::parse(&original).unwrap();
        let old = with_machine(&untyped_relocations(&original), 0);
        assert_eq!(Object::parse(&old).as_ref(), Ok(&expected), "{name}");
        // EM_NONE with the usual relocation types loads too.
        assert_eq!(
            Object::parse(&with_machine(&original, 0)).as_ref(),
            Ok(&expected),
            "{name}"
        );
    }
}

#[test]
fn untyped_relocations_need_em_none() {
    let bytes = untyped_relocations(&object("calls"));
    match Object::parse(&bytes) {
        Err(LoadError::Relocation { reason, .. }) => {
            assert_eq!(reason, RelocError::UnknownType(0))
        }
        other => panic!("{other:?}"),
    }
}
