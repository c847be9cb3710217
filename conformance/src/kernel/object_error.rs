//! Why a [`KernelObject`](super::object::KernelObject) could not be loaded, run or
//! read.

use super::map_refs::MapIndexError;
use super::program::Refusal;
use std::io;

/// An error of the kernel object loader, naming the map or program.
#[derive(Debug, thiserror::Error)]
pub enum ObjectError {
    /// `BPF_MAP_CREATE` failed.
    #[error("map {map}: BPF_MAP_CREATE failed: {source}")]
    MapCreate {
        /// The map.
        map: String,
        /// The system error.
        source: io::Error,
    },
    /// A map of maps has no inner map definition to make its template from.
    #[error("map {map}: a map of maps without an inner map definition")]
    NoInnerMap {
        /// The map.
        map: String,
    },
    /// Storing a map's initial contents (global data, initial slots) failed.
    #[error("map {map}: storing its initial contents failed: {source}")]
    MapInit {
        /// The map.
        map: String,
        /// The system error.
        source: io::Error,
    },
    /// An initial slot names a map or program that is not there.
    #[error("map {map}: initial slot {slot} holds {target}, which is not loaded")]
    SlotTarget {
        /// The map.
        map: String,
        /// The slot.
        slot: u32,
        /// The map or program it names.
        target: String,
    },
    /// The object's license string holds a NUL byte.
    #[error("the license {0:?} holds a NUL byte")]
    License(String),
    /// A program refers to a map the object does not have.
    #[error("program {program}: {source}")]
    MapIndex {
        /// The program.
        program: String,
        /// Where.
        source: MapIndexError,
    },
    /// The kernel refused the BTF describing a program's functions.
    #[error("program {program}: BPF_BTF_LOAD of its function types failed: {source}")]
    Btf {
        /// The program.
        program: String,
        /// The system error.
        source: io::Error,
    },
    /// The kernel refused a program (with its verifier log).
    #[error("program {program}: {source}")]
    Refused {
        /// The program.
        program: String,
        /// The refusal and log.
        source: Refusal,
    },
    /// Reading the kernel id of a map or program failed.
    #[error("{object}: reading its kernel id failed: {source}")]
    Id {
        /// The map or program.
        object: String,
        /// The system error.
        source: io::Error,
    },
    /// No program of this name was loaded.
    #[error("no loaded program {0}")]
    NoProgram(String),
    /// No map of this name.
    #[error("no map {0}")]
    NoMap(String),
    /// `BPF_PROG_TEST_RUN` failed.
    #[error("program {program}: BPF_PROG_TEST_RUN failed: {source}")]
    TestRun {
        /// The program.
        program: String,
        /// The system error.
        source: io::Error,
    },
    /// User space cannot read this type of map element by element.
    #[error("map {map}: maps of type {map_type} cannot be read from user space")]
    NotReadable {
        /// The map.
        map: String,
        /// `enum bpf_map_type`.
        map_type: u32,
    },
    /// Reading or restoring a map's elements failed.
    #[error("map {map}: reading its elements failed: {source}")]
    MapRead {
        /// The map.
        map: String,
        /// The system error.
        source: io::Error,
    },
    /// A program array or map of maps holds an id of no program or map of the object.
    #[error("map {map}: holds {what} id {id}, not one of the object's")]
    UnknownId {
        /// The map.
        map: String,
        /// `program` or `map`.
        what: &'static str,
        /// The id.
        id: u32,
    },
}
