//! A checked view of a relocatable BPF ELF file: headers read with goblin, then
//! every section's name and contents, the symbol table and the relocation tables
//! validated once, so the rest of the loader indexes only what exists.

use crate::error::{LoadError, RelocError, SectionError, SymbolError};
use goblin::container::{Container, Ctx, Endian};
use goblin::elf::header::{EI_CLASS, EI_DATA, ELFCLASS64, ELFDATA2LSB, EM_BPF, EM_NONE, ET_REL};
use goblin::elf::reloc::RelocSection;
use goblin::elf::section_header::{
    SectionHeader, SHF_EXECINSTR, SHN_ABS, SHN_COMMON, SHN_LORESERVE, SHN_UNDEF, SHN_XINDEX,
    SHT_NOBITS, SHT_PROGBITS, SHT_REL, SHT_RELA, SHT_SYMTAB,
};
use goblin::elf::sym::{Symtab, STB_GLOBAL, STB_WEAK, STT_FUNC, STT_SECTION};
use goblin::elf::Elf;

/// Size of one 64-bit symbol table entry.
const SYM_SIZE: u64 = 24;
/// Size of one `Elf64_Rel`.
const REL_SIZE: u64 = 16;
/// Size of one `Elf64_Rela`.
const RELA_SIZE: u64 = 24;

/// One section with its name and contents (empty for `SHT_NOBITS`).
#[derive(Debug)]
pub(crate) struct Section<'a> {
    /// Section header index.
    pub index: usize,
    /// Name from the section-name table.
    pub name: String,
    /// `sh_type`.
    pub sh_type: u32,
    /// `sh_flags`.
    pub flags: u64,
    /// `sh_size` (also for `SHT_NOBITS`, whose `data` is empty).
    pub size: u64,
    /// The bytes of the section in the file.
    pub data: &'a [u8],
}

impl Section<'_> {
    /// Whether the section holds BPF instructions.
    pub fn is_code(&self) -> bool {
        self.sh_type == SHT_PROGBITS && self.flags & u64::from(SHF_EXECINSTR) != 0
    }

    /// Whether the section has no file contents (`.bss`).
    pub fn is_nobits(&self) -> bool {
        self.sh_type == SHT_NOBITS
    }

    /// Whether the section is allocated data in the file (not code, not `.bss`).
    pub fn is_progbits(&self) -> bool {
        self.sh_type == SHT_PROGBITS
    }
}

/// Where a symbol is defined.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum SymPlace {
    /// `SHN_UNDEF`: an extern.
    Undefined,
    /// In this section.
    Section(usize),
    /// `SHN_ABS`, `SHN_COMMON` or another reserved index.
    Special(usize),
}

/// One symbol table entry.
#[derive(Clone, Debug)]
pub(crate) struct Symbol {
    /// Name (for section symbols: the section's name).
    pub name: String,
    /// Where it is defined.
    pub place: SymPlace,
    /// `st_value`: offset in its section.
    pub value: u64,
    /// `st_size`.
    pub size: u64,
    /// `STT_*` type.
    pub kind: u8,
    /// Whether the binding is global or weak (not local).
    pub global: bool,
}

impl Symbol {
    /// Whether this is a `STT_FUNC` symbol.
    pub fn is_func(&self) -> bool {
        self.kind == STT_FUNC
    }

    /// Whether this is a `STT_SECTION` symbol.
    pub fn is_section(&self) -> bool {
        self.kind == STT_SECTION
    }
}

/// One relocation entry.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Reloc {
    /// Byte offset in the target section.
    pub offset: u64,
    /// Symbol index (checked in range).
    pub sym: usize,
    /// Relocation type.
    pub r_type: u32,
    /// Explicit addend of a `SHT_RELA` entry.
    pub addend: Option<i64>,
}

/// The validated file.
#[derive(Debug)]
pub(crate) struct ElfFile<'a> {
    /// `e_machine`: `EM_BPF` or `EM_NONE`.
    pub machine: u16,
    /// All sections, by header index.
    pub sections: Vec<Section<'a>>,
    /// The symbol table, by index (empty when there is none).
    pub symbols: Vec<Symbol>,
    /// Relocation entries by the index of the section they apply to.
    pub relocs: Vec<Vec<Reloc>>,
}

impl<'a> ElfFile<'a> {
    /// Reads and validates `bytes`.
    pub fn parse(bytes: &'a [u8]) -> Result<ElfFile<'a>, LoadError> {
        let header = Elf::parse_header(bytes).map_err(|e| LoadError::Elf(e.to_string()))?;
        if header.e_ident[EI_CLASS] != ELFCLASS64 {
            return Err(LoadError::Format("not a 64-bit (ELFCLASS64) file"));
        }
        if header.e_ident[EI_DATA] != ELFDATA2LSB {
            return Err(LoadError::Format(
                "not little-endian (big-endian BPF is not supported)",
            ));
        }
        if header.e_machine != EM_BPF && header.e_machine != EM_NONE {
            return Err(LoadError::Machine(header.e_machine));
        }
        if header.e_type != ET_REL {
            return Err(LoadError::NotRelocatable(header.e_type));
        }
        let ctx = Ctx::new(Container::Big, Endian::Little);
        let shoff = usize::try_from(header.e_shoff).map_err(|_| elf_err("e_shoff overflows"))?;
        let headers = SectionHeader::parse(bytes, shoff, usize::from(header.e_shnum), ctx)
            .map_err(|e| LoadError::Elf(e.to_string()))?;
        let mut shstrndx = usize::from(header.e_shstrndx);
        if shstrndx == SHN_XINDEX as usize {
            shstrndx = headers.first().map_or(0, |h| h.sh_link as usize);
        }
        let contents = headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                section_data(bytes, h).map_err(|reason| section_err(format!("#{i}"), reason))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let names = match headers.get(shstrndx) {
            Some(h) if shstrndx != 0 && h.sh_type != SHT_NOBITS => contents[shstrndx],
            _ => &[][..],
        };
        let mut sections = Vec::with_capacity(headers.len());
        for (index, (h, data)) in headers.iter().zip(&contents).enumerate() {
            let name = if index == 0 {
                String::new()
            } else {
                c_string(names, h.sh_name).ok_or_else(|| {
                    section_err(format!("#{index}"), SectionError::BadName(h.sh_name))
                })?
            };
            sections.push(Section {
                index,
                name,
                sh_type: h.sh_type,
                flags: h.sh_flags,
                size: h.sh_size,
                data,
            });
        }
        let symtab_index = find_symtab(&sections)?;
        let symbols = match symtab_index {
            Some(i) => read_symbols(bytes, &headers, &sections, i, ctx)?,
            None => Vec::new(),
        };
        let relocs = read_relocs(bytes, &headers, &sections, symtab_index, symbols.len(), ctx)?;
        Ok(ElfFile {
            machine: header.e_machine,
            sections,
            symbols,
            relocs,
        })
    }

    /// The section with this exact name.
    pub fn section_by_name(&self, name: &str) -> Option<&Section<'a>> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// Symbols defined in section `index`.
    pub fn symbols_in(&self, index: usize) -> impl Iterator<Item = &Symbol> {
        self.symbols
            .iter()
            .filter(move |s| s.place == SymPlace::Section(index))
    }

    /// The section's name, or `#index` for an index that names none.
    pub fn section_name(&self, index: usize) -> String {
        self.sections
            .get(index)
            .map_or_else(|| format!("#{index}"), |s| s.name.clone())
    }

    /// A relocation error located at `offset` of section `index`.
    pub fn reloc_err(&self, index: usize, offset: u64, reason: RelocError) -> LoadError {
        LoadError::Relocation {
            section: self.section_name(index),
            offset,
            reason,
        }
    }
}

fn elf_err(msg: &str) -> LoadError {
    LoadError::Elf(msg.to_string())
}

pub(crate) fn section_err(section: String, reason: SectionError) -> LoadError {
    LoadError::Section { section, reason }
}

/// The file bytes of a section, checked to lie inside the file.
fn section_data<'a>(bytes: &'a [u8], h: &SectionHeader) -> Result<&'a [u8], SectionError> {
    if h.sh_type == SHT_NOBITS || h.sh_type == 0 {
        return Ok(&[]);
    }
    let out = SectionError::OutOfFile {
        offset: h.sh_offset,
        size: h.sh_size,
        file_len: bytes.len(),
    };
    let start = usize::try_from(h.sh_offset).map_err(|_| out.clone())?;
    let len = usize::try_from(h.sh_size).map_err(|_| out.clone())?;
    let end = start.checked_add(len).ok_or_else(|| out.clone())?;
    bytes.get(start..end).ok_or(out)
}

/// The NUL-terminated string at `offset` of a string table (lossy UTF-8).
pub(crate) fn c_string(table: &[u8], offset: usize) -> Option<String> {
    let rest = table.get(offset..)?;
    let len = rest.iter().position(|&b| b == 0)?;
    Some(String::from_utf8_lossy(&rest[..len]).into_owned())
}

fn find_symtab(sections: &[Section]) -> Result<Option<usize>, LoadError> {
    let mut found = None;
    for s in sections.iter().filter(|s| s.sh_type == SHT_SYMTAB) {
        if found.is_some() {
            return Err(section_err(s.name.clone(), SectionError::SecondSymtab));
        }
        found = Some(s.index);
    }
    Ok(found)
}

fn check_entries(s: &Section, entsize: u64) -> Result<usize, LoadError> {
    if !s.size.is_multiple_of(entsize) {
        return Err(section_err(
            s.name.clone(),
            SectionError::EntrySize {
                size: s.size,
                entsize,
            },
        ));
    }
    usize::try_from(s.size / entsize).map_err(|_| elf_err("table too large"))
}

fn read_symbols(
    bytes: &[u8],
    headers: &[SectionHeader],
    sections: &[Section],
    index: usize,
    ctx: Ctx,
) -> Result<Vec<Symbol>, LoadError> {
    let sec = &sections[index];
    let count = check_entries(sec, SYM_SIZE)?;
    let link = headers[index].sh_link;
    let strtab = sections
        .get(link as usize)
        .filter(|s| s.index != 0 && !s.is_nobits())
        .ok_or_else(|| {
            section_err(
                sec.name.clone(),
                SectionError::BadLink {
                    field: "sh_link",
                    value: link,
                },
            )
        })?;
    let offset = usize::try_from(headers[index].sh_offset).map_err(|_| elf_err("symtab offset"))?;
    let table =
        Symtab::parse(bytes, offset, count, ctx).map_err(|e| LoadError::Elf(e.to_string()))?;
    let mut symbols = Vec::with_capacity(count);
    for (i, sym) in table.iter().enumerate() {
        let shndx = sym.st_shndx;
        let place = if shndx == SHN_UNDEF as usize {
            SymPlace::Undefined
        } else if shndx >= SHN_LORESERVE as usize
            || shndx == SHN_ABS as usize
            || shndx == SHN_COMMON as usize
        {
            SymPlace::Special(shndx)
        } else if shndx < sections.len() {
            SymPlace::Section(shndx)
        } else {
            return Err(LoadError::Symbol {
                index: i,
                reason: SymbolError::BadSection(shndx),
            });
        };
        let name = if sym.st_type() == STT_SECTION {
            match place {
                SymPlace::Section(s) => sections[s].name.clone(),
                _ => String::new(),
            }
        } else {
            c_string(strtab.data, sym.st_name).ok_or(LoadError::Symbol {
                index: i,
                reason: SymbolError::BadName(sym.st_name),
            })?
        };
        symbols.push(Symbol {
            name,
            place,
            value: sym.st_value,
            size: sym.st_size,
            kind: sym.st_type(),
            global: sym.st_bind() == STB_GLOBAL || sym.st_bind() == STB_WEAK,
        });
    }
    Ok(symbols)
}

fn read_relocs(
    bytes: &[u8],
    headers: &[SectionHeader],
    sections: &[Section],
    symtab: Option<usize>,
    nsyms: usize,
    ctx: Ctx,
) -> Result<Vec<Vec<Reloc>>, LoadError> {
    let mut relocs: Vec<Vec<Reloc>> = vec![Vec::new(); sections.len()];
    let mut seen = vec![false; sections.len()];
    for sec in sections
        .iter()
        .filter(|s| s.sh_type == SHT_REL || s.sh_type == SHT_RELA)
    {
        let h = &headers[sec.index];
        let is_rela = sec.sh_type == SHT_RELA;
        check_entries(sec, if is_rela { RELA_SIZE } else { REL_SIZE })?;
        let target = h.sh_info as usize;
        if target == 0 || target >= sections.len() {
            return Err(section_err(
                sec.name.clone(),
                SectionError::BadLink {
                    field: "sh_info",
                    value: h.sh_info,
                },
            ));
        }
        if symtab != Some(h.sh_link as usize) {
            return Err(section_err(
                sec.name.clone(),
                SectionError::BadLink {
                    field: "sh_link",
                    value: h.sh_link,
                },
            ));
        }
        if std::mem::replace(&mut seen[target], true) {
            return Err(section_err(
                sec.name.clone(),
                SectionError::SecondRelocations,
            ));
        }
        let offset = usize::try_from(h.sh_offset).map_err(|_| elf_err("relocation offset"))?;
        let table = RelocSection::parse(bytes, offset, sec.data.len(), is_rela, ctx)
            .map_err(|e| LoadError::Elf(e.to_string()))?;
        for r in table.iter() {
            if r.r_sym >= nsyms {
                return Err(LoadError::Relocation {
                    section: sections[target].name.clone(),
                    offset: r.r_offset,
                    reason: RelocError::SymbolOutOfRange(r.r_sym),
                });
            }
            relocs[target].push(Reloc {
                offset: r.r_offset,
                sym: r.r_sym,
                r_type: r.r_type,
                addend: r.r_addend,
            });
        }
    }
    Ok(relocs)
}
