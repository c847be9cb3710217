//! Definite assignment: no register is read, on any path, before it is written.

use super::error::LoadError;
use super::flow::Flow;
use super::function::Function;
use super::regs::{RegSet, RegUse, CALLEE_REGS, ENTRY_REGS};
use crate::insn::Insn;

/// Checks every function of a decoded, split program. The entry function starts
/// with [`ENTRY_REGS`], every other one with [`CALLEE_REGS`]; after a call r0 is
/// written. Unreachable instructions are not checked.
pub(super) fn check(insns: &[Insn], functions: &[Function]) -> Result<(), LoadError> {
    // Registers certainly written on every path reaching each slot, once reached.
    let mut state: Vec<Option<RegSet>> = vec![None; insns.len()];
    let mut work = Vec::new();
    for f in functions {
        let entry = if f.is_entry() {
            ENTRY_REGS
        } else {
            CALLEE_REGS
        };
        state[f.start] = Some(entry);
        work.push(f.start);
        while let Some(pc) = work.pop() {
            let (Some(insn), Some(Some(have))) = (insns.get(pc), state.get(pc).copied()) else {
                continue;
            };
            let usage = RegUse::of(insn);
            if let Some(reg) = usage.reads.difference(have).first() {
                return Err(LoadError::UninitializedRegister { pc, reg });
            }
            let out = have.union(usage.writes);
            for next in Flow::of(insn, pc).successors() {
                let Some(slot) = state.get_mut(next) else {
                    continue;
                };
                let merged = slot.map_or(out, |s| s.intersection(out));
                if *slot != Some(merged) {
                    *slot = Some(merged);
                    work.push(next);
                }
            }
        }
    }
    Ok(())
}
