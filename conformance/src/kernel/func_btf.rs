//! The smallest BTF that describes a program's functions, for `func_info`.
//!
//! The kernel wants a `BTF_KIND_FUNC` per subprogram when a program takes a
//! function's address (`lddw func`, e.g. a `bpf_loop` callback), and uses it for
//! names in its logs. This BTF holds `int`, one prototype `int (void)` and one
//! static `FUNC` per subprogram: static functions are verified in their callers'
//! context, as without BTF. The subprograms are found as the kernel finds them:
//! instruction 0 and every target of a local call or function address.

use super::sys::FuncInfo;
use ferrobpf_vm::isa::{Pseudo, Semantics};
use ferrobpf_vm::Insn;
use std::collections::BTreeSet;

/// `BTF_MAGIC`.
const MAGIC: u16 = 0xeb9f;
/// BTF format version.
const VERSION: u8 = 1;
/// Size of `struct btf_header`.
const HEADER_LEN: u32 = 24;
/// `BTF_KIND_INT`.
const KIND_INT: u32 = 1;
/// `BTF_KIND_FUNC`.
const KIND_FUNC: u32 = 12;
/// `BTF_KIND_FUNC_PROTO`.
const KIND_FUNC_PROTO: u32 = 13;
/// `BTF_INT_SIGNED` in an `int`'s encoding byte.
const INT_SIGNED: u32 = 1;
/// Type ids: `int`, then the prototype; functions follow.
const INT_ID: u32 = 1;
const PROTO_ID: u32 = 2;

/// A program's function BTF and `func_info` records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncBtf {
    /// The raw BTF (header, types, strings).
    pub blob: Vec<u8>,
    /// One record per subprogram, by start.
    pub func_info: Vec<FuncInfo>,
}

/// The first instruction of every subprogram of `insns` (one entry per slot).
pub fn subprogram_starts(insns: &[Insn]) -> BTreeSet<usize> {
    let mut starts = BTreeSet::from([0]);
    for (pc, insn) in insns.iter().enumerate() {
        if matches!(
            insn.spec().semantics,
            Semantics::CallLocal | Semantics::Lddw(Pseudo::Func)
        ) {
            if let Some(t) = insn.target(pc).and_then(|t| usize::try_from(t).ok()) {
                starts.insert(t);
            }
        }
    }
    starts
}

/// Whether the kernel takes `name` as a BTF identifier.
fn is_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// One BTF type record (`struct btf_type`) and its trailing data.
fn type_record(out: &mut Vec<u8>, name_off: u32, kind: u32, vlen: u32, size_or_type: u32) {
    out.extend(name_off.to_le_bytes());
    out.extend(((kind << 24) | vlen).to_le_bytes());
    out.extend(size_or_type.to_le_bytes());
}

impl FuncBtf {
    /// The BTF for `insns`, functions named by `name_of(start)` when that is an
    /// identifier (else `f<start>`).
    pub fn for_program<'a>(insns: &[Insn], name_of: impl Fn(usize) -> Option<&'a str>) -> FuncBtf {
        let mut strings = b"\0int\0".to_vec();
        let int_name = 1;
        let mut types = Vec::new();
        type_record(&mut types, int_name, KIND_INT, 0, 4);
        types.extend(((INT_SIGNED << 24) | 32).to_le_bytes());
        type_record(&mut types, 0, KIND_FUNC_PROTO, 0, INT_ID);
        let mut func_info = Vec::new();
        for (i, start) in subprogram_starts(insns).into_iter().enumerate() {
            let name = match name_of(start) {
                Some(n) if is_identifier(n) => n.to_string(),
                _ => format!("f{start}"),
            };
            let name_off = strings.len() as u32;
            strings.extend(name.bytes());
            strings.push(0);
            // Linkage (in `vlen`) 0: static.
            type_record(&mut types, name_off, KIND_FUNC, 0, PROTO_ID);
            func_info.push(FuncInfo {
                insn_off: start as u32,
                type_id: PROTO_ID + 1 + i as u32,
            });
        }
        let mut blob = Vec::new();
        blob.extend(MAGIC.to_le_bytes());
        blob.extend([VERSION, 0]);
        blob.extend(HEADER_LEN.to_le_bytes());
        blob.extend(0u32.to_le_bytes()); // type_off
        blob.extend((types.len() as u32).to_le_bytes());
        blob.extend((types.len() as u32).to_le_bytes()); // str_off
        blob.extend((strings.len() as u32).to_le_bytes());
        blob.extend(types);
        blob.extend(strings);
        FuncBtf { blob, func_info }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobpf_vm::Op;

    #[test]
    fn one_func_per_subprogram() {
        let insns = [
            Insn::new(Op::CallLocal, 0, 0, 0, 3),
            Insn::new(Op::LddwFunc, 2, 0, 0, 3),
            Insn::new(Op::LddwHigh, 0, 0, 0, 0),
            Insn::new(Op::Exit, 0, 0, 0, 0),
            Insn::new(Op::Exit, 0, 0, 0, 0),
            Insn::new(Op::Exit, 0, 0, 0, 0),
        ];
        assert_eq!(subprogram_starts(&insns), BTreeSet::from([0, 4, 5]));
        let btf = FuncBtf::for_program(&insns, |pc| (pc == 0).then_some("main"));
        let ids: Vec<(u32, u32)> = btf
            .func_info
            .iter()
            .map(|f| (f.insn_off, f.type_id))
            .collect();
        assert_eq!(ids, [(0, 3), (4, 4), (5, 5)]);
        assert_eq!(btf.blob[..2], MAGIC.to_le_bytes());
        assert!(btf.blob.ends_with(b"\0int\0main\0f4\0f5\0"));
        // Header, int (16 bytes), prototype and three functions (12 each).
        assert_eq!(btf.blob.len(), 24 + 16 + 4 * 12 + 16);
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("tail_target"));
        assert!(is_identifier("_x1"));
        assert!(!is_identifier("1x"));
        assert!(!is_identifier("a.b"));
        assert!(!is_identifier(""));
    }
}
