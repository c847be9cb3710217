//! Load-time preparation of a Linux program, after the ELF loader and before the
//! program is loaded for an engine:
//!
//! 1. every helper call must name a helper of the registry (and none of the
//!    internal ones): an unknown id is a load-time error, as in the kernel;
//! 2. 32-bit loads of the context's pointer fields (`data`, `data_end`,
//!    `data_meta`) become 64-bit loads of the host's pointers ([`ctx_access`]);
//! 3. calls of `bpf_loop`, `bpf_for_each_map_elem` and `bpf_tail_call` become local
//!    calls of code appended to the program ([`stubs`]), so callbacks run in the
//!    program's own frames under its instruction budget, in every engine alike.

pub mod ctx_access;
pub mod stubs;

use crate::helpers::HelperRegistry;
use crate::insn::Insn;
use crate::isa::{Pseudo, Semantics};
use crate::linux::context::FieldRewrite;
use crate::linux::helpers::internal;

/// Why a program cannot be prepared. Each variant names the instruction (slot).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PrepareError {
    /// A call of a helper id nothing implements.
    #[error("instruction {pc}: unknown helper {id}")]
    UnknownHelper {
        /// Slot of the call.
        pc: usize,
        /// The id.
        id: i64,
    },
    /// A direct call of one of ferrobpf's internal helpers.
    #[error("instruction {pc}: helper {id} is internal to ferrobpf")]
    InternalHelper {
        /// Slot of the call.
        pc: usize,
        /// The id.
        id: u32,
    },
    /// A load that reads a context pointer field on some paths and other memory
    /// on others (the kernel refuses it too).
    #[error("instruction {pc}: r{reg} is the context on some paths only")]
    MixedContext {
        /// Slot of the load.
        pc: usize,
        /// Its base register.
        reg: u8,
    },
    /// `bpf_tail_call` from a function other than the entry function.
    #[error("instruction {pc}: bpf_tail_call from a subprogram is not supported")]
    TailCallInSubprogram {
        /// Slot of the call.
        pc: usize,
    },
    /// A jump or call target outside the program.
    #[error("instruction {pc}: target outside the program")]
    BadTarget {
        /// Slot of the jump or call.
        pc: usize,
    },
}

/// Prepares `insns` (one entry per slot, as the ELF loader gives them) for a
/// program whose context has the pointer fields `rewrites`, with `helpers` the
/// helpers it may call.
pub fn prepare(
    insns: &[Insn],
    rewrites: &[FieldRewrite],
    helpers: &HelperRegistry,
) -> Result<Vec<Insn>, PrepareError> {
    check_helpers(insns, helpers)?;
    let starts = function_starts(insns)?;
    let mut out = ctx_access::rewrite(insns, rewrites)?;
    stubs::attach(&mut out, &starts)?;
    Ok(out)
}

/// Checks that every helper call names a registered, non-internal helper.
fn check_helpers(insns: &[Insn], helpers: &HelperRegistry) -> Result<(), PrepareError> {
    for (pc, insn) in insns.iter().enumerate() {
        if insn.spec().semantics != Semantics::CallHelper {
            continue;
        }
        let id = u32::try_from(insn.imm)
            .map_err(|_| PrepareError::UnknownHelper { pc, id: insn.imm })?;
        if internal::is_internal(id) {
            return Err(PrepareError::InternalHelper { pc, id });
        }
        if helpers.get(id).is_none() {
            return Err(PrepareError::UnknownHelper { pc, id: insn.imm });
        }
    }
    Ok(())
}

/// The first slot of every function, ascending: the entry, local-call targets and
/// function-pointer targets.
pub(crate) fn function_starts(insns: &[Insn]) -> Result<Vec<usize>, PrepareError> {
    let mut starts = vec![0];
    for (pc, insn) in insns.iter().enumerate() {
        if matches!(
            insn.spec().semantics,
            Semantics::CallLocal | Semantics::Lddw(Pseudo::Func)
        ) {
            let t = insn
                .target(pc)
                .and_then(|t| usize::try_from(t).ok())
                .filter(|&t| t < insns.len())
                .ok_or(PrepareError::BadTarget { pc })?;
            starts.push(t);
        }
    }
    starts.sort_unstable();
    starts.dedup();
    Ok(starts)
}

/// The targets of function-pointer LDDWs (callbacks), ascending.
pub(crate) fn callbacks(insns: &[Insn]) -> Vec<usize> {
    let mut out: Vec<usize> = insns
        .iter()
        .enumerate()
        .filter(|(_, i)| i.spec().semantics == Semantics::Lddw(Pseudo::Func))
        .filter_map(|(pc, i)| i.target(pc).and_then(|t| usize::try_from(t).ok()))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The start of the function holding slot `pc`.
pub(crate) fn function_of(starts: &[usize], pc: usize) -> usize {
    let i = starts.partition_point(|&s| s <= pc);
    starts.get(i.wrapping_sub(1)).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests;
