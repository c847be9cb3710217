//! A loaded program: decoded instructions plus load-time checks.
//!
//! Loading decodes and validates the bytes ([`crate::decode`]), splits the program
//! into [functions](Function), checks that control stays inside each function,
//! resolves LDDW pseudo sources ([`pseudo`]) and checks that no register is read
//! before it is written (the private `init` module). A [`Program`] is immutable and
//! can be run by any engine any number of times.

pub mod error;
pub mod flow;
pub mod function;
mod init;
pub mod pseudo;
pub mod regs;

pub use error::LoadError;
pub use flow::Flow;
pub use function::Function;
pub use pseudo::{
    function_address, function_slot, NoEnvironment, PseudoLoad, PseudoRequest, PseudoResolver,
    ResolveError, FUNCTION_ADDRESS_TAG,
};
pub use regs::{RegSet, RegUse, CALLEE_REGS, ENTRY_REGS};

use crate::decode::decode_program;
use crate::insn::{encode_program, Insn};
use crate::isa::{Pseudo, Semantics};

/// A validated program, ready to run.
///
/// [`insns`](Program::insns) is the executable form: one entry per 8-byte slot (the
/// second slot of an LDDW is an [`Op::LddwHigh`](crate::isa::Op::LddwHigh) entry
/// that is never executed), where every LDDW's `imm` is the value it loads, pseudo
/// sources already resolved (so engines treat all LDDW forms alike:
/// `dst = imm as u64`). What the non-plain LDDWs said is kept in
/// [`pseudo_loads`](Program::pseudo_loads).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    insns: Vec<Insn>,
    functions: Vec<Function>,
    pseudo_loads: Vec<PseudoLoad>,
}

impl Program {
    /// Loads a program from its wire form. Map and BTF pseudo sources are refused
    /// (no environment to resolve them).
    pub fn from_bytes(bytes: &[u8]) -> Result<Program, LoadError> {
        Program::with_resolver(bytes, &mut NoEnvironment)
    }

    /// Loads a program from decoded instructions, one entry per slot, as
    /// [`decode_program`] or the assembler produce them. The instructions are
    /// re-validated through their encoding, so any `Vec<Insn>` is safe to pass.
    pub fn from_insns(insns: Vec<Insn>) -> Result<Program, LoadError> {
        Program::from_bytes(&encode_program(&insns))
    }

    /// Loads a program from its wire form, resolving map and BTF pseudo sources with
    /// `resolver`.
    pub fn with_resolver(
        bytes: &[u8],
        resolver: &mut dyn PseudoResolver,
    ) -> Result<Program, LoadError> {
        let mut insns = decode_program(bytes)?;
        let functions = function::split(&insns)?;
        let pseudo_loads = resolve(&mut insns, resolver)?;
        init::check(&insns, &functions)?;
        Ok(Program {
            insns,
            functions,
            pseudo_loads,
        })
    }

    /// The executable instructions, one per slot (see the type's docs).
    #[inline]
    pub fn insns(&self) -> &[Insn] {
        &self.insns
    }

    /// Number of slots.
    pub fn len(&self) -> usize {
        self.insns.len()
    }

    /// Always false: a loaded program has at least one instruction.
    pub fn is_empty(&self) -> bool {
        self.insns.is_empty()
    }

    /// The functions, by ascending start; the first is the entry function.
    pub fn functions(&self) -> &[Function] {
        &self.functions
    }

    /// The function holding slot `pc`.
    pub fn function_containing(&self, pc: usize) -> Option<&Function> {
        let i = self.functions.partition_point(|f| f.end <= pc);
        self.functions.get(i).filter(|f| f.contains(pc))
    }

    /// The function a [function address](function_address) names, if it names the
    /// start of one (how a helper turns a callback argument into code to run).
    pub fn function_at_address(&self, addr: u64) -> Option<&Function> {
        let start = function_slot(addr)?;
        self.function_containing(start).filter(|f| f.start == start)
    }

    /// The non-plain LDDWs, by ascending slot, with what they said and what they load.
    pub fn pseudo_loads(&self) -> &[PseudoLoad] {
        &self.pseudo_loads
    }
}

/// Replaces the immediate of every non-plain LDDW by the value it loads.
fn resolve(
    insns: &mut [Insn],
    resolver: &mut dyn PseudoResolver,
) -> Result<Vec<PseudoLoad>, LoadError> {
    let mut loads = Vec::new();
    for (pc, slot) in insns.iter_mut().enumerate() {
        let insn = *slot;
        let Semantics::Lddw(pseudo) = insn.spec().semantics else {
            continue;
        };
        let value = match pseudo {
            Pseudo::Imm64 => continue,
            Pseudo::Func => {
                let target = insn.target(pc).and_then(|t| usize::try_from(t).ok());
                function_address(target.unwrap_or_default())
            }
            _ => {
                let request = PseudoRequest {
                    pc,
                    pseudo,
                    imm: insn.imm as i32,
                    next_imm: (insn.imm >> 32) as i32,
                };
                resolver
                    .resolve(&request)
                    .map_err(|error| LoadError::UnresolvedPseudo { pc, pseudo, error })?
            }
        };
        slot.imm = value as i64;
        loads.push(PseudoLoad {
            pc,
            pseudo,
            written: insn.imm,
            value,
        });
    }
    Ok(loads)
}

#[cfg(test)]
mod tests;
