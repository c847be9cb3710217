//! The relocations of code sections, each checked against the instruction it
//! patches and resolved to what it refers to: a map, a global-data value, or a
//! code location (bpf-to-bpf call, function pointer).
//!
//! Types: `R_BPF_64_64` (1) on an LDDW, `R_BPF_64_32` (10) on a local call.
//! Objects with `EM_NONE` from old toolchains write type 0 for both; there the
//! instruction says which it is. Addends are implicit in the instruction (REL) as
//! libbpf reads them, plus `r_addend` in RELA sections.

use crate::elf_file::{ElfFile, Reloc, SymPlace};
use crate::error::{LoadError, RelocError};
use crate::maps::{MapSection, MapTable};
use ferrobpf_vm::decode::decode_one;
use ferrobpf_vm::isa::{Pseudo, Semantics};
use ferrobpf_vm::raw::{RawInsn, INSN_SIZE};
use goblin::elf::header::EM_NONE;
use std::collections::BTreeMap;

/// `R_BPF_64_64`: a 64-bit immediate (LDDW).
const R_BPF_64_64: u32 = 1;
/// `R_BPF_64_32`: a call's 32-bit immediate (named `R_BPF_INSN_DISP32` by newer tools).
const R_BPF_64_32: u32 = 10;
/// Type 0, written for every relocation by old `EM_NONE` toolchains.
const R_UNTYPED: u32 = 0;

/// What a relocated instruction refers to.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// LDDW of a map (becomes `lddw map_idx`).
    Map(usize),
    /// LDDW of an address in a global-data map (becomes `lddw map_idx_value`).
    MapValue {
        /// Map index.
        map: usize,
        /// Byte offset in the value.
        offset: u32,
    },
    /// A call or function pointer to slot `slot` of code section `section`.
    Code {
        /// Section index.
        section: usize,
        /// Slot index in that section (may lie outside it; the linker checks).
        slot: i64,
    },
}

/// The instruction kinds a relocation may apply to.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Site {
    Lddw(Pseudo),
    Call,
}

/// Resolved relocations of every code section, by section index then slot.
#[derive(Debug)]
pub(crate) struct CodeRelocs {
    by_section: Vec<BTreeMap<usize, Target>>,
}

impl CodeRelocs {
    /// Resolves the relocations of every code section of `elf`.
    pub fn collect(elf: &ElfFile, maps: &MapTable) -> Result<CodeRelocs, LoadError> {
        let mut by_section = vec![BTreeMap::new(); elf.sections.len()];
        for sec in elf.sections.iter().filter(|s| s.is_code()) {
            for r in &elf.relocs[sec.index] {
                let fail = |reason| elf.reloc_err(sec.index, r.offset, reason);
                let (slot, raw) =
                    slot_at(sec.data, r.offset).ok_or_else(|| fail(RelocError::BadOffset))?;
                let target = resolve(elf, maps, r, slot, raw).map_err(fail)?;
                if by_section[sec.index].insert(slot, target).is_some() {
                    return Err(fail(RelocError::Duplicate));
                }
            }
        }
        Ok(CodeRelocs { by_section })
    }

    /// The relocation of slot `slot` of section `section`, if any.
    pub fn get(&self, section: usize, slot: usize) -> Option<Target> {
        self.by_section.get(section)?.get(&slot).copied()
    }
}

/// The slot index and contents at byte `offset` of code `data`.
fn slot_at(data: &[u8], offset: u64) -> Option<(usize, RawInsn)> {
    let start = usize::try_from(offset).ok()?;
    if start % INSN_SIZE != 0 {
        return None;
    }
    let bytes: [u8; INSN_SIZE] = data
        .get(start..start.checked_add(INSN_SIZE)?)?
        .try_into()
        .ok()?;
    Some((start / INSN_SIZE, RawInsn::from_bytes(bytes)))
}

/// What a relocation of type `r_type` may patch, given the instruction there.
fn site(elf: &ElfFile, r_type: u32, raw: RawInsn, slot: usize) -> Result<Site, RelocError> {
    let untyped = r_type == R_UNTYPED && elf.machine == EM_NONE;
    if r_type != R_BPF_64_64 && r_type != R_BPF_64_32 && !untyped {
        return Err(RelocError::UnknownType(r_type));
    }
    let decoded = decode_one(raw, slot).ok();
    let site = decoded.and_then(|i| match i.spec().semantics {
        Semantics::Lddw(p) => Some(Site::Lddw(p)),
        Semantics::CallLocal => Some(Site::Call),
        _ => None,
    });
    match (r_type, site) {
        (_, Some(s)) if untyped => Ok(s),
        (R_BPF_64_64, Some(s @ Site::Lddw(_))) | (R_BPF_64_32, Some(s @ Site::Call)) => Ok(s),
        _ => Err(RelocError::WrongInstruction {
            r_type,
            found: decoded.map_or_else(
                || "an invalid instruction".to_string(),
                |i| i.spec().mnemonic.to_string(),
            ),
        }),
    }
}

/// Resolves one relocation at `slot` holding `raw`.
fn resolve(
    elf: &ElfFile,
    maps: &MapTable,
    r: &Reloc,
    slot: usize,
    raw: RawInsn,
) -> Result<Target, RelocError> {
    let site = site(elf, r.r_type, raw, slot)?;
    let sym = &elf.symbols[r.sym];
    let section = match sym.place {
        SymPlace::Section(s) => s,
        SymPlace::Undefined => return Err(RelocError::Extern(sym.name.clone())),
        SymPlace::Special(_) => {
            return Err(RelocError::UnsupportedTarget {
                symbol: sym.name.clone(),
                section: "(absolute or common)".into(),
            })
        }
    };
    // The symbol's offset plus an explicit RELA addend; wrapping keeps bogus
    // values bogus (they fail the range checks below) instead of overflowing.
    let base = (sym.value as i64).wrapping_add(r.addend.unwrap_or(0));
    let imm = i64::from(raw.imm);
    let wrong = || RelocError::WrongInstruction {
        r_type: r.r_type,
        found: format!("lddw with src {}", raw.src),
    };
    let unsupported = || RelocError::UnsupportedTarget {
        symbol: sym.name.clone(),
        section: elf.section_name(section),
    };
    if elf.sections[section].is_code() {
        let (byte, extra) = match site {
            Site::Call => (base, imm.wrapping_add(1)),
            Site::Lddw(Pseudo::Imm64 | Pseudo::Func) => (base.wrapping_add(imm), 0),
            Site::Lddw(_) => return Err(wrong()),
        };
        if byte % INSN_SIZE as i64 != 0 {
            return Err(RelocError::Misaligned(byte));
        }
        return Ok(Target::Code {
            section,
            slot: (byte / INSN_SIZE as i64).wrapping_add(extra),
        });
    }
    let Site::Lddw(pseudo) = site else {
        return Err(unsupported());
    };
    match maps.section_kind(elf, section) {
        Some(MapSection::Definitions) => {
            if !matches!(pseudo, Pseudo::Imm64 | Pseudo::MapFd) {
                return Err(wrong());
            }
            u64::try_from(base)
                .ok()
                .and_then(|offset| maps.at(section, offset))
                .map(Target::Map)
                .ok_or(RelocError::NoMap {
                    section: elf.section_name(section),
                    offset: base,
                })
        }
        Some(MapSection::Data(map)) => {
            if !matches!(pseudo, Pseudo::Imm64 | Pseudo::MapValue) {
                return Err(wrong());
            }
            let offset = base.wrapping_add(imm);
            let size = elf.sections[section].size;
            u32::try_from(offset)
                .ok()
                .filter(|&o| u64::from(o) < size)
                .map(|offset| Target::MapValue { map, offset })
                .ok_or(RelocError::DataOffset {
                    section: elf.section_name(section),
                    offset,
                    size,
                })
        }
        None => Err(unsupported()),
    }
}
