//! The eBPF instruction set of RFC 9669, described once.
//!
//! [`table`] holds the rows; [`kinds`] the vocabulary they are written in; [`lookup`]
//! finds the row for raw fields.

pub mod kinds;
pub mod lookup;
pub mod table;

pub use kinds::{
    AluOp, AtomicOp, Class, Disc, EndOp, Group, JmpCond, Operands, Pseudo, Semantics, Size, Source,
    Width,
};
pub use table::{Op, Spec, TABLE};
