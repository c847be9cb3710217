//! ferrobpf-vm: the base of ferrobpf.
//!
//! It holds the eBPF instruction set as one table ([`isa`]), the wire format ([`raw`]),
//! decoding with validation ([`decode`]), decoded instructions ([`insn`]), the
//! assembler ([`asm`]) and disassembler ([`disasm`]), loaded programs ([`program`]),
//! guest memory ([`memory`]), host helpers ([`helpers`]), the interpreter ([`interp`]),
//! maps ([`maps`]) and the Linux helpers and program contexts ([`linux`]).

pub mod asm;
pub mod decode;
pub mod disasm;
pub mod helpers;
pub mod insn;
pub mod interp;
pub mod isa;
pub mod linux;
pub mod maps;
pub mod memory;
pub mod program;
pub mod raw;

pub use asm::{assemble, AsmError};
pub use decode::{decode_program, DecodeError};
pub use disasm::{disassemble, Syntax};
pub use insn::{encode_program, Insn};
pub use isa::{Op, Spec, TABLE};
