//! Labels: where each is defined, and the jumps waiting for their distance.

use super::error::{AsmError, AsmErrorKind};
use super::select::TargetField;
use crate::insn::Insn;
use crate::isa::Semantics;
use std::collections::HashMap;

/// The name that, unless defined explicitly, means the first `exit` instruction.
pub(super) const IMPLICIT_EXIT: &str = "exit";

/// A jump or call whose target is a label.
struct Reference {
    /// Index of the instruction (its slot).
    slot: usize,
    /// Source line, for errors.
    line: usize,
    /// The label.
    label: String,
    /// Where the distance goes.
    field: TargetField,
}

/// Label definitions and references of one program.
#[derive(Default)]
pub(super) struct Labels {
    /// Name to (slot, line of definition).
    defined: HashMap<String, (usize, usize)>,
    /// References to patch once every label is known.
    references: Vec<Reference>,
}

impl Labels {
    /// Defines `name` at `slot`.
    pub(super) fn define(&mut self, name: &str, slot: usize, line: usize) -> Result<(), AsmError> {
        if let Some(&(_, first_line)) = self.defined.get(name) {
            return Err(AsmError::at(
                line,
                AsmErrorKind::DuplicateLabel {
                    name: name.to_string(),
                    first_line,
                },
            ));
        }
        self.defined.insert(name.to_string(), (slot, line));
        Ok(())
    }

    /// Records that the instruction at `slot` needs the distance to `label`.
    pub(super) fn refer(&mut self, slot: usize, line: usize, label: &str, field: TargetField) {
        self.references.push(Reference {
            slot,
            line,
            label: label.to_string(),
            field,
        });
    }

    /// Writes every referenced label's distance into `insns`.
    pub(super) fn resolve(&self, insns: &mut [Insn]) -> Result<(), AsmError> {
        let first_exit = insns
            .iter()
            .position(|i| matches!(i.spec().semantics, Semantics::Exit));
        for r in &self.references {
            let error = |kind| AsmError::at(r.line, kind);
            let target = match self.defined.get(&r.label) {
                Some(&(slot, _)) => slot,
                None if r.label == IMPLICIT_EXIT => first_exit
                    .ok_or_else(|| error(AsmErrorKind::UndefinedLabel(r.label.clone())))?,
                None => return Err(error(AsmErrorKind::UndefinedLabel(r.label.clone()))),
            };
            let distance = target as i64 - (r.slot as i64 + 1);
            let range = r.field.range();
            let out_of_range = || {
                error(AsmErrorKind::TargetOutOfRange {
                    label: r.label.clone(),
                    distance,
                    field: range.field(),
                })
            };
            let Some(insn) = insns.get_mut(r.slot) else {
                continue;
            };
            match r.field {
                TargetField::Off => {
                    insn.off = i16::try_from(distance).map_err(|_| out_of_range())?;
                }
                TargetField::Imm => {
                    let low = i32::try_from(distance).map_err(|_| out_of_range())?;
                    let high = insn.imm & !0xffff_ffff;
                    insn.imm = if insn.slots() == 2 {
                        high | i64::from(low as u32)
                    } else {
                        i64::from(low)
                    };
                }
            }
        }
        Ok(())
    }
}
