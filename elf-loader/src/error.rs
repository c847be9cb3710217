//! Why an object cannot be loaded: one enum for the whole loader, with a nested
//! reason per area. Every variant names where the problem is (section and byte
//! offset, symbol index, map name, `.BTF` offset or program).

use ferrobpf_vm::DecodeError;

/// A loading failure.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// The bytes are not an ELF file goblin can read (bad magic, truncated headers).
    #[error("malformed ELF: {0}")]
    Elf(String),
    /// An ELF file of a kind BPF objects never are.
    #[error("unsupported ELF file: {0}")]
    Format(&'static str),
    /// `e_machine` is neither `EM_BPF` (247) nor `EM_NONE` (0).
    #[error("ELF machine {0} is neither EM_BPF (247) nor EM_NONE (0)")]
    Machine(u16),
    /// `e_type` is not `ET_REL`.
    #[error("ELF type {0} is not a relocatable object (ET_REL = 1)")]
    NotRelocatable(u16),
    /// A section header or a section's contents are inconsistent.
    #[error("section {section}: {reason}")]
    Section {
        /// Section name (or `#index` when it has none).
        section: String,
        /// What is wrong.
        reason: SectionError,
    },
    /// An entry of the symbol table is inconsistent.
    #[error("symbol {index}: {reason}")]
    Symbol {
        /// Index in `.symtab`.
        index: usize,
        /// What is wrong.
        reason: SymbolError,
    },
    /// A relocation (or the instruction it applies to) cannot be resolved.
    #[error("section {section}, offset {offset:#x}: {reason}")]
    Relocation {
        /// The section the relocation applies to.
        section: String,
        /// Byte offset of the relocated instruction (or map slot) in that section.
        offset: u64,
        /// What is wrong.
        reason: RelocError,
    },
    /// A map definition is invalid.
    #[error("map {name} (section {section}, offset {offset:#x}): {reason}")]
    Map {
        /// The map's name.
        name: String,
        /// The section holding its definition.
        section: String,
        /// Byte offset of the definition in that section.
        offset: u64,
        /// What is wrong.
        reason: MapError,
    },
    /// The `.BTF` section is malformed.
    #[error(".BTF offset {offset:#x}: {reason}")]
    Btf {
        /// Byte offset in the `.BTF` section.
        offset: usize,
        /// What is wrong.
        reason: BtfError,
    },
    /// A linked program is not a valid instruction sequence.
    #[error("program {program} (section {section}): {error}")]
    Decode {
        /// Program (function) name.
        program: String,
        /// Its section.
        section: String,
        /// The decoder's verdict (instruction index in the linked program).
        error: DecodeError,
    },
    /// The object holds no program at all.
    #[error("the object contains no program")]
    NoProgram,
}

/// What is wrong with a section.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SectionError {
    /// Its contents lie (partly) outside the file.
    #[error("contents at {offset:#x}+{size:#x} lie outside the file ({file_len} bytes)")]
    OutOfFile {
        /// `sh_offset`.
        offset: u64,
        /// `sh_size`.
        size: u64,
        /// File length.
        file_len: usize,
    },
    /// The section name is not in the section-name string table.
    #[error("name offset {0:#x} is not in the section-name table")]
    BadName(usize),
    /// A table section whose size is not a whole number of entries.
    #[error("size {size} is not a multiple of the entry size {entsize}")]
    EntrySize {
        /// `sh_size`.
        size: u64,
        /// Expected entry size.
        entsize: u64,
    },
    /// `sh_link` or `sh_info` names a section that does not exist or has the wrong type.
    #[error("{field} = {value} does not name a suitable section")]
    BadLink {
        /// `sh_link` or `sh_info`.
        field: &'static str,
        /// Its value.
        value: u32,
    },
    /// More than one symbol table.
    #[error("second symbol table (only one is supported)")]
    SecondSymtab,
    /// Code whose size is not a multiple of 8.
    #[error("code size {0} is not a multiple of 8")]
    CodeSize(u64),
    /// A function symbol whose range is not whole instructions inside the section.
    #[error("function {name} at {offset:#x}+{size:#x} is not a whole, non-empty range of instructions in the section")]
    FunctionRange {
        /// Symbol name.
        name: String,
        /// `st_value`.
        offset: u64,
        /// `st_size`.
        size: u64,
    },
    /// Two function symbols overlap.
    #[error("functions {first} and {second} overlap")]
    FunctionOverlap {
        /// The earlier function.
        first: String,
        /// The overlapping one.
        second: String,
    },
    /// The `license` section holds no NUL-terminated string.
    #[error("license is not a NUL-terminated string")]
    License,
    /// The `version` section is not 4 bytes.
    #[error("version section is {0} bytes, not 4")]
    Version(u64),
    /// Two relocation sections apply to the same section.
    #[error("second relocation section for the same section")]
    SecondRelocations,
    /// A legacy maps section whose size cannot be divided among its map symbols.
    #[error("{size} bytes cannot hold {count} map definitions of equal size")]
    LegacyMapsSize {
        /// Section size.
        size: u64,
        /// Map symbols in it.
        count: usize,
    },
    /// `.maps` exists but the object has no `.BTF` describing it.
    #[error("BTF-defined maps need a .BTF section with a .maps DATASEC")]
    MissingBtf,
}

/// What is wrong with a symbol.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SymbolError {
    /// The name is not in the string table.
    #[error("name offset {0:#x} is not in the string table")]
    BadName(usize),
    /// `st_shndx` names a section that does not exist.
    #[error("section index {0} does not exist")]
    BadSection(usize),
}

/// Why a relocation cannot be applied.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RelocError {
    /// A relocation type the loader does not know for this place.
    #[error("unknown relocation type {0}")]
    UnknownType(u32),
    /// The offset is not the start of an instruction inside the section.
    #[error("offset is not an instruction boundary inside the section")]
    BadOffset,
    /// The symbol index is past the end of the symbol table.
    #[error("symbol index {0} is out of range")]
    SymbolOutOfRange(usize),
    /// The relocation type does not fit the instruction it applies to.
    #[error("relocation type {r_type} cannot apply to this instruction ({found})")]
    WrongInstruction {
        /// Relocation type.
        r_type: u32,
        /// What the slot holds.
        found: String,
    },
    /// The symbol is undefined: an extern, kfunc or kconfig symbol.
    #[error("undefined (extern) symbol {0} is not supported")]
    Extern(String),
    /// The symbol lies in a section that is neither code, maps nor global data.
    #[error(
        "symbol {symbol} is in section {section}, which is neither code, maps nor global data"
    )]
    UnsupportedTarget {
        /// Symbol name.
        symbol: String,
        /// Its section.
        section: String,
    },
    /// No map definition starts at the referenced offset.
    #[error("no map starts at offset {offset:#x} of section {section}")]
    NoMap {
        /// The maps section.
        section: String,
        /// The offset.
        offset: i64,
    },
    /// A global-data reference past the end of its section.
    #[error("offset {offset} is outside {section} ({size} bytes)")]
    DataOffset {
        /// The data section.
        section: String,
        /// The offset.
        offset: i64,
        /// Section size.
        size: u64,
    },
    /// A call or function pointer to a place that is no function's code.
    #[error("target instruction {target} of section {section} is in no function")]
    NoFunction {
        /// The target section.
        section: String,
        /// Instruction index in it.
        target: i64,
    },
    /// A function-pointer or call offset that is not a whole number of instructions.
    #[error("code offset {0} is not a multiple of 8")]
    Misaligned(i64),
    /// Two relocations for the same instruction.
    #[error("second relocation for the same instruction")]
    Duplicate,
    /// A `.maps` initial value outside any map's `values` array.
    #[error("not inside the values array of a BTF map")]
    NotInValues,
    /// A `.maps` initial value naming something other than a map (map-in-map) or a program (prog_array).
    #[error("{0} cannot be stored in this map")]
    BadInitValue(String),
}

/// Why a map definition is invalid.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    /// The map's BTF type is not a struct.
    #[error("BTF type {0} is not a struct")]
    NotStruct(u32),
    /// A member the loader does not know (libbpf refuses those too).
    #[error("unknown field {0}")]
    UnknownField(String),
    /// A member whose BTF shape does not match its macro (`__uint`, `__type`, `__array`).
    #[error("field {0} has an invalid BTF shape")]
    FieldShape(String),
    /// The same property given twice with different values.
    #[error("conflicting values for {field}: {first} and {second}")]
    Conflict {
        /// The property.
        field: &'static str,
        /// First value.
        first: u64,
        /// Second value.
        second: u64,
    },
    /// A pinning mode other than none (0) or by name (1).
    #[error("unsupported pinning mode {0}")]
    Pinning(u32),
    /// Map-in-map nested more than one level.
    #[error("inner maps cannot hold inner maps")]
    NestedInner,
    /// A legacy `inner_map_idx` naming no map.
    #[error("inner map index {0} names no legacy map")]
    InnerIndex(u32),
    /// No ELF symbol for a BTF map variable.
    #[error("no symbol in the .maps section")]
    NoSymbol,
    /// The BTF describing the map is inconsistent.
    #[error("BTF: {0}")]
    Btf(#[from] BtfError),
    /// A global-data section larger than the kernel lets an array value be.
    #[error("{size} bytes exceed the largest map value ({max} bytes)")]
    TooLarge {
        /// Section size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// The definition extends past the end of its section.
    #[error("definition of {size} bytes runs past the end of the section")]
    Truncated {
        /// Definition size.
        size: u64,
    },
}

/// Why `.BTF` cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BtfError {
    /// The data ends inside a header or record.
    #[error("truncated {0}")]
    Truncated(&'static str),
    /// Not the BTF magic 0xeb9f (little-endian).
    #[error("bad magic {0:#06x}")]
    Magic(u16),
    /// A BTF version other than 1.
    #[error("unsupported version {0}")]
    Version(u8),
    /// The type or string area lies outside the section.
    #[error("{0} area lies outside the section")]
    Area(&'static str),
    /// A type kind this parser does not know.
    #[error("unknown type kind {0}")]
    Kind(u32),
    /// A string offset outside the string area (or without terminator).
    #[error("string offset {0:#x} is invalid")]
    String(u32),
    /// A type id past the last type.
    #[error("type id {0} does not exist")]
    TypeId(u32),
    /// A DATASEC entry that is not a variable.
    #[error("DATASEC entry of type {0} is not a variable")]
    NotVar(u32),
    /// Following a chain of types did not end (a cycle) or a size overflowed.
    #[error("type {0} has no finite size")]
    Unsized(u32),
}
