//! Function boundaries: the entry function, local-call targets and callbacks.

use super::error::LoadError;
use super::flow::Flow;
use crate::insn::Insn;
use crate::isa::{Op, Pseudo, Semantics};

/// One function of a program: a contiguous range of slots. The entry function
/// starts at slot 0; every other function starts at the target of a local call or
/// of a function-pointer LDDW, and ends where the next one starts.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Function {
    /// First slot.
    pub start: usize,
    /// One past the last slot.
    pub end: usize,
    /// Whether some local call targets it.
    pub called: bool,
    /// Whether some function-pointer LDDW loads its address (a callback).
    pub address_taken: bool,
}

impl Function {
    /// Whether this is the entry function.
    pub fn is_entry(&self) -> bool {
        self.start == 0
    }

    /// Whether slot `pc` belongs to the function.
    pub fn contains(&self, pc: usize) -> bool {
        (self.start..self.end).contains(&pc)
    }
}

/// Splits a decoded program into functions and checks that control stays inside
/// each: jumps land in their own function and no function runs into the next.
pub(super) fn split(insns: &[Insn]) -> Result<Vec<Function>, LoadError> {
    let len = insns.len();
    let mut called = vec![false; len];
    let mut taken = vec![false; len];
    for (pc, insn) in insns.iter().enumerate() {
        let marks = match insn.spec().semantics {
            Semantics::CallLocal => &mut called,
            Semantics::Lddw(Pseudo::Func) => &mut taken,
            _ => continue,
        };
        if let Some(t) = insn.target(pc).and_then(|t| usize::try_from(t).ok()) {
            if let Some(m) = marks.get_mut(t) {
                *m = true;
            }
        }
    }
    let mut starts: Vec<usize> = (0..len)
        .filter(|&pc| pc == 0 || called[pc] || taken[pc])
        .collect();
    starts.push(len);
    let functions: Vec<Function> = starts
        .windows(2)
        .map(|w| Function {
            start: w[0],
            end: w[1],
            called: called[w[0]],
            address_taken: taken[w[0]],
        })
        .collect();
    for f in &functions {
        check_contained(insns, f)?;
    }
    Ok(functions)
}

/// Jumps of `f` stay inside it, and its last instruction does not fall through.
fn check_contained(insns: &[Insn], f: &Function) -> Result<(), LoadError> {
    let mut last = f.start;
    for (pc, insn) in insns.iter().enumerate().take(f.end).skip(f.start) {
        if insn.op == Op::LddwHigh {
            continue;
        }
        last = pc;
        let flow = Flow::of(insn, pc);
        if let Some(target) = flow.jump {
            if !f.contains(target) {
                return Err(LoadError::JumpOutOfFunction {
                    pc,
                    target,
                    function: f.start,
                });
            }
        }
    }
    if Flow::of(&insns[last], last)
        .next
        .is_some_and(|n| n >= f.end)
    {
        return Err(LoadError::FallsIntoNextFunction {
            pc: last,
            next: f.end,
        });
    }
    Ok(())
}
