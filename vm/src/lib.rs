//! ferrobpf-vm: the base of ferrobpf.
//!
//! It holds the eBPF instruction set as one table ([`isa`]), the wire format ([`raw`]),
//! decoding with validation ([`decode`]), decoded instructions ([`insn`]).

pub mod decode;
pub mod insn;
pub mod isa;
pub mod raw;

pub use decode::{decode_program, DecodeError};
pub use insn::{encode_program, Insn};
pub use isa::{Op, Spec, TABLE};
