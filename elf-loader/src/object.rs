//! A loaded object: its programs (linked and decoded), its maps, license and
//! kernel version.

use crate::elf_file::{section_err, ElfFile};
use crate::error::{LoadError, SectionError};
use crate::functions::Functions;
use crate::link::Linker;
use crate::maps::{MapDef, MapTable};
use crate::program::Program;
use crate::relocations::CodeRelocs;

/// The section of subprograms (and of programs in objects built without `SEC()`).
const TEXT: &str = ".text";

/// Everything the loader takes from one ELF object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    programs: Vec<Program>,
    maps: Vec<MapDef>,
    license: Option<String>,
    kernel_version: Option<u32>,
}

impl Object {
    /// Loads a relocatable BPF object (`EM_BPF` or `EM_NONE`, 64-bit little-endian).
    ///
    /// Every function of every code section other than `.text` is a program; when
    /// there is none, every `.text` function is one (type
    /// [`ProgramType::Unspec`](crate::ProgramType::Unspec)).
    pub fn parse(bytes: &[u8]) -> Result<Object, LoadError> {
        let elf = ElfFile::parse(bytes)?;
        let maps = MapTable::collect(&elf)?;
        let functions = Functions::collect(&elf)?;
        let relocs = CodeRelocs::collect(&elf, &maps)?;
        let linker = Linker {
            elf: &elf,
            functions: &functions,
            relocs: &relocs,
        };
        let mut programs = Vec::new();
        for sec in elf
            .sections
            .iter()
            .filter(|s| s.is_code() && s.name != TEXT)
        {
            for f in functions.of_section(sec.index) {
                programs.push(linker.link(f)?);
            }
        }
        if programs.is_empty() {
            if let Some(text) = elf.section_by_name(TEXT) {
                for f in functions.of_section(text.index) {
                    programs.push(linker.link(f)?);
                }
            }
        }
        Ok(Object {
            programs,
            maps: maps.defs,
            license: license(&elf)?,
            kernel_version: kernel_version(&elf)?,
        })
    }

    /// The programs, in section order, then by offset.
    pub fn programs(&self) -> &[Program] {
        &self.programs
    }

    /// The program with this function name, else the first one in a section of this name.
    pub fn program(&self, name: &str) -> Option<&Program> {
        self.programs
            .iter()
            .find(|p| p.name == name)
            .or_else(|| self.programs.iter().find(|p| p.section == name))
    }

    /// The maps; `lddw map_idx` / `map_idx_value` immediates index this slice.
    pub fn maps(&self) -> &[MapDef] {
        &self.maps
    }

    /// The map with this name and its index.
    pub fn map(&self, name: &str) -> Option<(usize, &MapDef)> {
        self.maps.iter().enumerate().find(|(_, m)| m.name == name)
    }

    /// The `license` section's string.
    pub fn license(&self) -> Option<&str> {
        self.license.as_deref()
    }

    /// The `version` section's value (`LINUX_VERSION_CODE` for old kprobe loaders).
    pub fn kernel_version(&self) -> Option<u32> {
        self.kernel_version
    }
}

/// The first program of an object, for tools that run one program: the first
/// function of the first program section, else the first `.text` function.
pub fn first_program(bytes: &[u8]) -> Result<Program, LoadError> {
    Object::parse(bytes)?
        .programs
        .into_iter()
        .next()
        .ok_or(LoadError::NoProgram)
}

fn license(elf: &ElfFile) -> Result<Option<String>, LoadError> {
    let Some(sec) = elf.section_by_name("license") else {
        return Ok(None);
    };
    crate::elf_file::c_string(sec.data, 0)
        .map(Some)
        .ok_or_else(|| section_err(sec.name.clone(), SectionError::License))
}

fn kernel_version(elf: &ElfFile) -> Result<Option<u32>, LoadError> {
    let Some(sec) = elf.section_by_name("version") else {
        return Ok(None);
    };
    let bytes: [u8; 4] = sec
        .data
        .try_into()
        .map_err(|_| section_err(sec.name.clone(), SectionError::Version(sec.size)))?;
    Ok(Some(u32::from_le_bytes(bytes)))
}
