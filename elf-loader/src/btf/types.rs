//! BTF type records (the kernel's `struct btf_type` and the data that follows it),
//! reduced to what the loader reads: names, sizes, references and members.

/// A struct or union member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Member {
    /// Member name.
    pub name: String,
    /// Member type id.
    pub type_id: u32,
    /// Offset in bits (the bitfield size is dropped).
    pub bit_offset: u32,
}

/// A DATASEC entry: one variable of the section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct VarSecInfo {
    /// The VAR type id.
    pub type_id: u32,
    /// Size of the variable.
    pub size: u32,
}

/// One type, by kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Type id 0.
    Void,
    /// Integer of `size` bytes.
    Int {
        /// Size in bytes.
        size: u32,
    },
    /// Pointer to `target`.
    Ptr {
        /// Pointee.
        target: u32,
    },
    /// Array of `nelems` elements of `elem`.
    Array {
        /// Element type.
        elem: u32,
        /// Number of elements.
        nelems: u32,
    },
    /// Struct or union.
    Struct {
        /// Size in bytes.
        size: u32,
        /// Members in order.
        members: Vec<Member>,
    },
    /// Enum (32 or 64-bit values) or float: only the size matters here.
    Sized {
        /// Size in bytes.
        size: u32,
    },
    /// Forward declaration, function, function prototype: no size.
    Unsized,
    /// Function prototype.
    FuncProto,
    /// Typedef, volatile, const, restrict or type tag: the same type as `target`.
    Alias {
        /// The type referred to.
        target: u32,
    },
    /// Variable of type `target`.
    Var {
        /// The variable's type.
        target: u32,
    },
    /// Data section with its variables.
    Datasec {
        /// Variables.
        vars: Vec<VarSecInfo>,
    },
}

/// A named type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Type {
    /// Name (empty for anonymous types).
    pub name: String,
    /// What it is.
    pub kind: Kind,
    /// Byte offset of its record in `.BTF`, for errors.
    pub offset: usize,
}
