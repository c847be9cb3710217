//! What a helper takes and returns, for a kernel-style verifier.

/// The most arguments a helper takes (r1-r5).
pub const MAX_ARGS: usize = 5;

/// What an argument register must hold at the call (after the kernel's `ARG_*`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ArgKind {
    /// Any initialised value, pointer or not (`ARG_ANYTHING`).
    Anything,
    /// A number, not a pointer.
    Scalar,
    /// Pointer to initialised, readable memory; its size is the next argument
    /// (`ARG_PTR_TO_MEM | MEM_RDONLY`).
    ReadableMem,
    /// Like [`ArgKind::ReadableMem`], or null when the size is 0
    /// (`ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY`).
    ReadableMemOrNull,
    /// Pointer to writable memory the helper fills; it need not be initialised; its
    /// size is the next argument (`ARG_PTR_TO_UNINIT_MEM`).
    WritableMem,
    /// The size of the memory in the previous argument, a bounded value above zero
    /// (`ARG_CONST_SIZE`).
    ConstSize,
    /// Like [`ArgKind::ConstSize`] but zero is allowed (`ARG_CONST_SIZE_OR_ZERO`).
    ConstSizeOrZero,
    /// The program's context pointer, unmodified (`ARG_PTR_TO_CTX`).
    Context,
    /// A map, as loaded by an LDDW with a map source (`ARG_CONST_MAP_PTR`).
    Map,
    /// Pointer to a key of the map in an earlier argument (`ARG_PTR_TO_MAP_KEY`).
    MapKey,
    /// Pointer to a value of the map in an earlier argument (`ARG_PTR_TO_MAP_VALUE`).
    MapValue,
    /// A program function, as loaded by an LDDW with the function source
    /// (`ARG_PTR_TO_FUNC`).
    Function,
    /// A stack pointer or null, handed on to a callback (`ARG_PTR_TO_STACK_OR_NULL`).
    StackOrNull,
    /// The size of the memory the helper reserves, a known constant
    /// (`ARG_CONST_ALLOC_SIZE_OR_ZERO`).
    AllocSize,
    /// Memory an earlier call reserved ([`ReturnKind::ReservedMemOrNull`]), unmodified
    /// and not null; the call releases it (`ARG_PTR_TO_ALLOC_MEM | OBJ_RELEASE`).
    ReservedMem,
}

/// What r0 holds after the call (after the kernel's `RET_*`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ReturnKind {
    /// A number (`RET_INTEGER`).
    Scalar,
    /// A pointer to a value of the map argument, or 0 (`RET_PTR_TO_MAP_VALUE_OR_NULL`).
    MapValueOrNull,
    /// Nothing meaningful: r0 must not be read (`RET_VOID`).
    Void,
    /// A pointer to newly reserved writable memory of the [`ArgKind::AllocSize`]
    /// argument's size, or 0; the program must release it
    /// (`RET_PTR_TO_ALLOC_MEM_OR_NULL`).
    ReservedMemOrNull,
}

/// Why a signature is malformed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// More than [`MAX_ARGS`] arguments.
    #[error("{count} arguments, over the limit of {MAX_ARGS}")]
    TooManyArgs {
        /// Number given.
        count: usize,
    },
    /// A memory pointer argument not followed by a size argument.
    #[error("argument {index} is a memory pointer without a size after it")]
    PointerWithoutSize {
        /// Argument position, 1-5.
        index: usize,
    },
    /// A size argument that does not follow a memory pointer argument.
    #[error("argument {index} is a size without a memory pointer before it")]
    SizeWithoutPointer {
        /// Argument position, 1-5.
        index: usize,
    },
    /// A map key or value argument with no map argument before it.
    #[error("argument {index} is a map key or value without a map before it")]
    MapArgWithoutMap {
        /// Argument position, 1-5.
        index: usize,
    },
    /// A map-value return with no map argument.
    #[error("returns a map value but takes no map")]
    MapReturnWithoutMap,
    /// A reserved-memory return with no allocation size argument.
    #[error("returns reserved memory but takes no allocation size")]
    ReservedReturnWithoutSize,
}

/// A helper's prototype: the kinds of its arguments (r1 first) and of its result.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HelperSignature {
    args: Vec<ArgKind>,
    ret: ReturnKind,
}

impl HelperSignature {
    /// A checked signature: at most five arguments, every memory pointer followed by
    /// its size and every size preceded by one, map keys and values (and map-value
    /// returns) only with a map argument before them, reserved-memory returns only
    /// with an allocation size argument.
    pub fn new(args: &[ArgKind], ret: ReturnKind) -> Result<HelperSignature, SignatureError> {
        if args.len() > MAX_ARGS {
            return Err(SignatureError::TooManyArgs { count: args.len() });
        }
        let is_mem = |k: &ArgKind| {
            matches!(
                k,
                ArgKind::ReadableMem | ArgKind::ReadableMemOrNull | ArgKind::WritableMem
            )
        };
        let is_size = |k: &ArgKind| matches!(k, ArgKind::ConstSize | ArgKind::ConstSizeOrZero);
        let mut seen_map = false;
        for (i, kind) in args.iter().enumerate() {
            let index = i + 1;
            if is_mem(kind) && !args.get(i + 1).is_some_and(is_size) {
                return Err(SignatureError::PointerWithoutSize { index });
            }
            if is_size(kind) && !(i > 0 && args.get(i - 1).is_some_and(is_mem)) {
                return Err(SignatureError::SizeWithoutPointer { index });
            }
            if matches!(kind, ArgKind::MapKey | ArgKind::MapValue) && !seen_map {
                return Err(SignatureError::MapArgWithoutMap { index });
            }
            seen_map |= *kind == ArgKind::Map;
        }
        if ret == ReturnKind::MapValueOrNull && !seen_map {
            return Err(SignatureError::MapReturnWithoutMap);
        }
        if ret == ReturnKind::ReservedMemOrNull && !args.contains(&ArgKind::AllocSize) {
            return Err(SignatureError::ReservedReturnWithoutSize);
        }
        Ok(HelperSignature {
            args: args.to_vec(),
            ret,
        })
    }

    /// `n` arguments of any kind, returning a scalar: the loosest prototype.
    pub fn anything(n: usize) -> Result<HelperSignature, SignatureError> {
        HelperSignature::new(&vec![ArgKind::Anything; n], ReturnKind::Scalar)
    }

    /// The argument kinds, r1 first.
    pub fn args(&self) -> &[ArgKind] {
        &self.args
    }

    /// The result kind.
    pub fn ret(&self) -> ReturnKind {
        self.ret
    }
}

#[cfg(test)]
mod tests {
    use super::ArgKind::*;
    use super::*;

    #[test]
    fn kernel_like_prototypes_are_accepted() {
        // bpf_map_lookup_elem, bpf_probe_read, bpf_trace_printk-like, bpf_loop-like.
        HelperSignature::new(&[Map, MapKey], ReturnKind::MapValueOrNull).unwrap();
        HelperSignature::new(&[WritableMem, ConstSize, Anything], ReturnKind::Scalar).unwrap();
        HelperSignature::new(&[ReadableMem, ConstSizeOrZero], ReturnKind::Scalar).unwrap();
        HelperSignature::new(&[Scalar, Function, Anything, Scalar], ReturnKind::Scalar).unwrap();
        // bpf_csum_diff, bpf_ringbuf_reserve, bpf_ringbuf_submit.
        HelperSignature::new(
            &[
                ReadableMemOrNull,
                ConstSizeOrZero,
                ReadableMemOrNull,
                ConstSizeOrZero,
            ],
            ReturnKind::Scalar,
        )
        .unwrap();
        HelperSignature::new(&[Map, AllocSize, Anything], ReturnKind::ReservedMemOrNull).unwrap();
        HelperSignature::new(&[ReservedMem, Anything], ReturnKind::Void).unwrap();
        assert_eq!(HelperSignature::anything(5).unwrap().args().len(), 5);
    }

    #[test]
    fn malformed_prototypes_are_refused() {
        use SignatureError as E;
        let sig = |a: &[ArgKind], r| HelperSignature::new(a, r).unwrap_err();
        assert_eq!(
            sig(&[Scalar; 6], ReturnKind::Void),
            E::TooManyArgs { count: 6 }
        );
        assert_eq!(
            sig(&[ReadableMem], ReturnKind::Void),
            E::PointerWithoutSize { index: 1 }
        );
        assert_eq!(
            sig(&[Scalar, ConstSize], ReturnKind::Void),
            E::SizeWithoutPointer { index: 2 }
        );
        assert_eq!(
            sig(&[ConstSize], ReturnKind::Void),
            E::SizeWithoutPointer { index: 1 }
        );
        assert_eq!(
            sig(&[MapKey, Map], ReturnKind::Void),
            E::MapArgWithoutMap { index: 1 }
        );
        assert_eq!(
            sig(&[Scalar], ReturnKind::MapValueOrNull),
            E::MapReturnWithoutMap
        );
        assert_eq!(
            sig(&[Map, Scalar], ReturnKind::ReservedMemOrNull),
            E::ReservedReturnWithoutSize
        );
        assert_eq!(
            sig(&[ReadableMemOrNull], ReturnKind::Void),
            E::PointerWithoutSize { index: 1 }
        );
    }
}
