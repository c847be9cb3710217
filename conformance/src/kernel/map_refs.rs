//! Map references for the kernel: the ELF loader's `lddw map_idx` / `map_idx_value`
//! (indices into the object's maps) become `lddw map_fd` / `map_value` holding the
//! descriptors of the maps created in the kernel.

use ferrobpf_vm::isa::{Pseudo, Semantics};
use ferrobpf_vm::{Insn, Op};
use std::os::fd::BorrowedFd;

/// A map index with no map behind it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("instruction {pc} refers to map {index}; there are {count} maps")]
pub struct MapIndexError {
    /// Instruction index (slot).
    pub pc: usize,
    /// The map index it holds.
    pub index: u32,
    /// How many maps there are.
    pub count: usize,
}

/// `insns` with every map index replaced by the descriptor at that index of `fds`
/// (value offsets kept). Other instructions, descriptors already in place included,
/// are left as they are.
pub fn resolve_map_indices(
    insns: &[Insn],
    fds: &[BorrowedFd<'_>],
) -> Result<Vec<Insn>, MapIndexError> {
    let mut out = insns.to_vec();
    for (pc, insn) in out.iter_mut().enumerate() {
        let op = match insn.spec().semantics {
            Semantics::Lddw(Pseudo::MapIdx) => Op::LddwMapFd,
            Semantics::Lddw(Pseudo::MapIdxValue) => Op::LddwMapValue,
            _ => continue,
        };
        let index = insn.imm as u32;
        let fd = fds.get(index as usize).ok_or(MapIndexError {
            pc,
            index,
            count: fds.len(),
        })?;
        let imm = (insn.imm & !0xffff_ffff) | i64::from(super::sys::fd_u32(*fd));
        *insn = Insn::new(op, insn.dst, 0, insn.off, imm);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

    #[test]
    fn indices_become_descriptors_and_offsets_stay() {
        let file = std::fs::File::open("/dev/null").unwrap();
        let fd = file.as_fd();
        let raw = i64::from(super::super::sys::fd_u32(fd));
        let insns = [
            Insn::new(Op::LddwMapIdx, 1, 0, 0, 0),
            Insn::new(Op::LddwHigh, 0, 0, 0, 0),
            Insn::new(Op::LddwMapIdxValue, 2, 0, 0, (12 << 32) | 1),
            Insn::new(Op::LddwHigh, 0, 0, 0, 12),
            Insn::new(Op::Exit, 0, 0, 0, 0),
        ];
        let out = resolve_map_indices(&insns, &[fd, fd]).unwrap();
        assert_eq!(out[0], Insn::new(Op::LddwMapFd, 1, 0, 0, raw));
        assert_eq!(
            out[2],
            Insn::new(Op::LddwMapValue, 2, 0, 0, (12 << 32) | raw)
        );
        assert_eq!(out[4], insns[4]);
        assert_eq!(
            resolve_map_indices(&insns, &[fd]),
            Err(MapIndexError {
                pc: 2,
                index: 1,
                count: 1
            })
        );
    }
}
