//! The functions of each code section: one per `STT_FUNC` symbol (several
//! programs may share a section), or, in objects from old toolchains that emit
//! no function symbols, the whole section as one function.

use crate::elf_file::{section_err, ElfFile};
use crate::error::{LoadError, SectionError};
use ferrobpf_vm::raw::INSN_SIZE;

/// Bytes per instruction slot, as a file offset.
const SLOT: u64 = INSN_SIZE as u64;

/// A function: a range of instruction slots of one section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Function {
    /// Symbol name (for a symbol-less section: its global symbol at 0, else the section name).
    pub name: String,
    /// Section index.
    pub section: usize,
    /// First slot.
    pub start: usize,
    /// One past the last slot.
    pub end: usize,
}

/// Functions of every code section, by section index, sorted by start.
#[derive(Debug)]
pub(crate) struct Functions {
    by_section: Vec<Vec<Function>>,
}

impl Functions {
    /// Finds the functions of every code section of `elf`.
    pub fn collect(elf: &ElfFile) -> Result<Functions, LoadError> {
        let mut by_section = vec![Vec::new(); elf.sections.len()];
        for sec in elf.sections.iter().filter(|s| s.is_code() && s.size > 0) {
            if sec.size % SLOT != 0 {
                return Err(section_err(
                    sec.name.clone(),
                    SectionError::CodeSize(sec.size),
                ));
            }
            let mut funcs = Vec::new();
            for sym in elf.symbols_in(sec.index).filter(|s| s.is_func()) {
                let bad = || {
                    section_err(
                        sec.name.clone(),
                        SectionError::FunctionRange {
                            name: sym.name.clone(),
                            offset: sym.value,
                            size: sym.size,
                        },
                    )
                };
                let end = sym.value.checked_add(sym.size).ok_or_else(bad)?;
                if sym.value % SLOT != 0 || sym.size % SLOT != 0 || sym.size == 0 || end > sec.size
                {
                    return Err(bad());
                }
                funcs.push(Function {
                    name: sym.name.clone(),
                    section: sec.index,
                    start: (sym.value / SLOT) as usize,
                    end: (end / SLOT) as usize,
                });
            }
            funcs.sort_by_key(|f| f.start);
            if let Some(pair) = funcs.windows(2).find(|w| w[1].start < w[0].end) {
                return Err(section_err(
                    sec.name.clone(),
                    SectionError::FunctionOverlap {
                        first: pair[0].name.clone(),
                        second: pair[1].name.clone(),
                    },
                ));
            }
            if funcs.is_empty() {
                let name = elf
                    .symbols_in(sec.index)
                    .find(|s| s.global && s.value == 0 && !s.is_section() && !s.name.is_empty())
                    .map_or_else(|| sec.name.clone(), |s| s.name.clone());
                funcs.push(Function {
                    name,
                    section: sec.index,
                    start: 0,
                    end: (sec.size / SLOT) as usize,
                });
            }
            by_section[sec.index] = funcs;
        }
        Ok(Functions { by_section })
    }

    /// The functions of section `index`, sorted by start.
    pub fn of_section(&self, index: usize) -> &[Function] {
        self.by_section.get(index).map_or(&[], Vec::as_slice)
    }

    /// The function of section `section` containing slot `slot`.
    pub fn containing(&self, section: usize, slot: i64) -> Option<&Function> {
        let slot = usize::try_from(slot).ok()?;
        self.of_section(section)
            .iter()
            .find(|f| f.start <= slot && slot < f.end)
    }
}
