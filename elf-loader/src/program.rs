//! A loaded program: one function of a program section with every subprogram it
//! calls appended, relocations resolved, decoded into instructions.

use crate::program_type::ProgramType;
use ferrobpf_vm::{encode_program, Insn};

/// What the loader wrote into one instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RelocationKind {
    /// `lddw map_idx`: the map at this index of [`crate::Object::maps`].
    Map {
        /// Map index.
        map: usize,
    },
    /// `lddw map_idx_value`: the address `offset` bytes into the map's value.
    MapValue {
        /// Map index.
        map: usize,
        /// Byte offset in the value.
        offset: u32,
    },
    /// A bpf-to-bpf call.
    Call {
        /// The called function.
        function: String,
        /// Its instruction index in the program.
        target: usize,
    },
    /// `lddw func`: the address of a function (a callback, e.g. for `bpf_loop`).
    FunctionPointer {
        /// The function.
        function: String,
        /// Its instruction index in the program.
        target: usize,
    },
}

/// One resolved reference, at instruction `pc` of the program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relocation {
    /// Instruction index (slot) in the program.
    pub pc: usize,
    /// What it now refers to.
    pub kind: RelocationKind,
}

/// A function placed in the program: the main function at 0, then subprograms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkedFunction {
    /// Function name.
    pub name: String,
    /// Section it came from.
    pub section: String,
    /// Its first instruction index in the program.
    pub start: usize,
}

/// A program ready for a verifier or an engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    /// Function name (for objects without function symbols: the section's global
    /// symbol at offset 0, else the section name).
    pub name: String,
    /// The section it was found in.
    pub section: String,
    /// Type guessed from the section name ([`ProgramType::from_section`]).
    pub prog_type: ProgramType,
    /// Instructions, one entry per 8-byte slot (an LDDW's second slot is an
    /// `Op::LddwHigh` entry), map references as `map_idx` / `map_idx_value`.
    pub insns: Vec<Insn>,
    /// The references the loader resolved, by instruction.
    pub relocations: Vec<Relocation>,
    /// Functions making up the program, in layout order.
    pub functions: Vec<LinkedFunction>,
}

impl Program {
    /// The program in its wire form.
    pub fn bytes(&self) -> Vec<u8> {
        encode_program(&self.insns)
    }
}
