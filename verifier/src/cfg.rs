//! The program's shape before any abstract interpretation: functions, control-flow
//! checks (jumps stay in their function, no unreachable code, functions end in exit
//! or jump), back edges and the loops they close, and pruning points.

use crate::error::Reason;
use ferrobpf_vm::isa::{Pseudo, Semantics};
use ferrobpf_vm::{Insn, Op};
use std::collections::BTreeSet;

/// One function: its slots `entry..end`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Function {
    /// First slot.
    pub entry: usize,
    /// One past the last slot.
    pub end: usize,
}

/// A loop: a back edge's target and the slots of its natural loop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loop {
    /// The loop head (target of the back edges).
    pub head: usize,
    /// Sources of back edges to `head`.
    pub latches: Vec<usize>,
    /// Every slot in the loop, head included, ascending.
    pub body: Vec<usize>,
}

/// The control-flow facts the explorer needs.
#[derive(Clone, Debug)]
pub struct Cfg {
    /// Functions in slot order; `functions[0]` is the entry.
    pub functions: Vec<Function>,
    /// Where explored states are stored and compared.
    pub prune_points: Vec<bool>,
    /// Loops, by head.
    pub loops: Vec<Loop>,
}

/// Successor slots of the instruction at `pc` within its function (calls continue at
/// the next slot).
pub fn successors(insns: &[Insn], pc: usize) -> Vec<usize> {
    let Some(insn) = insns.get(pc) else {
        return Vec::new();
    };
    let next = pc + insn.slots();
    match insn.spec().semantics {
        Semantics::Exit => Vec::new(),
        Semantics::Ja | Semantics::Gotol => insn
            .target(pc)
            .map(|t| vec![t as usize])
            .unwrap_or_default(),
        Semantics::Jcond(..) => {
            let mut v = vec![next];
            if let Some(t) = insn.target(pc) {
                if t as usize != next {
                    v.push(t as usize);
                }
            }
            v
        }
        _ => vec![next],
    }
}

impl Cfg {
    /// Checks and analyses `insns` (already validated by the decoder).
    pub fn build(insns: &[Insn]) -> Result<Cfg, (usize, Reason)> {
        let n = insns.len();
        let mut entries = BTreeSet::from([0usize]);
        for (pc, insn) in insns.iter().enumerate() {
            match insn.spec().semantics {
                Semantics::CallLocal | Semantics::Lddw(Pseudo::Func) => {
                    if let Some(t) = insn.target(pc) {
                        entries.insert(t as usize);
                    }
                }
                Semantics::Callx => return Err((pc, Reason::Unsupported("callx"))),
                _ => {}
            }
        }
        let starts: Vec<usize> = entries.into_iter().collect();
        let functions: Vec<Function> = starts
            .iter()
            .enumerate()
            .map(|(i, &entry)| Function {
                entry,
                end: starts.get(i + 1).copied().unwrap_or(n),
            })
            .collect();
        let mut prune_points = vec![false; n];
        for f in &functions {
            prune_points[f.entry] = true;
            let last = (f.entry..f.end)
                .rev()
                .find(|&pc| insns[pc].op != Op::LddwHigh)
                .unwrap_or(f.entry);
            if !insns[last].spec().semantics.ends_block() {
                return Err((last, Reason::NoExit));
            }
            for pc in f.entry..f.end {
                let insn = &insns[pc];
                if insn.op == Op::LddwHigh {
                    continue;
                }
                let sem = insn.spec().semantics;
                if sem.is_branch() {
                    let t = insn.target(pc).unwrap_or(0) as usize;
                    if t < f.entry || t >= f.end {
                        return Err((pc, Reason::JumpOutOfFunction { to: t }));
                    }
                    prune_points[t] = true;
                    if matches!(sem, Semantics::Jcond(..)) {
                        prune_points[pc + 1] = true;
                    }
                }
                if matches!(sem, Semantics::CallLocal | Semantics::CallHelper) && pc + 1 < n {
                    prune_points[pc + 1] = true;
                }
            }
        }
        let loops = Self::reach_and_loops(insns, &functions)?;
        for l in &loops {
            prune_points[l.head] = true;
        }
        Ok(Cfg {
            functions,
            prune_points,
            loops,
        })
    }

    /// Depth-first search from every function entry: every slot must be reachable;
    /// back edges give the loops.
    fn reach_and_loops(
        insns: &[Insn],
        functions: &[Function],
    ) -> Result<Vec<Loop>, (usize, Reason)> {
        let n = insns.len();
        // 0 = unvisited, 1 = on the DFS stack, 2 = done.
        let mut color = vec![0u8; n];
        let mut back_edges: Vec<(usize, usize)> = Vec::new();
        for f in functions {
            if color[f.entry] != 0 {
                continue;
            }
            let mut stack: Vec<(usize, Vec<usize>)> = vec![(f.entry, successors(insns, f.entry))];
            color[f.entry] = 1;
            while let Some((pc, succ)) = stack.last_mut() {
                let pc = *pc;
                match succ.pop() {
                    Some(s) => match color[s] {
                        0 => {
                            color[s] = 1;
                            let ss = successors(insns, s);
                            stack.push((s, ss));
                        }
                        1 => back_edges.push((pc, s)),
                        _ => {}
                    },
                    None => {
                        color[pc] = 2;
                        stack.pop();
                    }
                }
            }
        }
        for (pc, insn) in insns.iter().enumerate() {
            if insn.op != Op::LddwHigh && color[pc] == 0 {
                return Err((pc, Reason::Unreachable));
            }
        }
        // Natural loop of each head: slots reaching a latch without passing the head.
        let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
        for pc in 0..n {
            if insns[pc].op == Op::LddwHigh {
                continue;
            }
            for s in successors(insns, pc) {
                preds[s].push(pc);
            }
        }
        let heads: BTreeSet<usize> = back_edges.iter().map(|&(_, h)| h).collect();
        let mut loops = Vec::new();
        for head in heads {
            let latches: Vec<usize> = back_edges
                .iter()
                .filter(|e| e.1 == head)
                .map(|e| e.0)
                .collect();
            let mut body = BTreeSet::from([head]);
            let mut work = latches.clone();
            while let Some(x) = work.pop() {
                if body.insert(x) {
                    work.extend(preds[x].iter().copied());
                }
            }
            loops.push(Loop {
                head,
                latches,
                body: body.into_iter().collect(),
            });
        }
        Ok(loops)
    }

    /// The function holding slot `pc`.
    pub fn function_of(&self, pc: usize) -> Function {
        let i = self
            .functions
            .partition_point(|f| f.entry <= pc)
            .saturating_sub(1);
        self.functions[i]
    }

    /// The loop headed at `pc`, if any.
    pub fn loop_at(&self, head: usize) -> Option<&Loop> {
        self.loops.iter().find(|l| l.head == head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobpf_vm::asm::assemble;

    fn cfg(src: &str) -> Result<Cfg, (usize, Reason)> {
        Cfg::build(&assemble(src).unwrap())
    }

    #[test]
    fn functions_and_prune_points() {
        let c = cfg("mov %r0, 0\ncall local f\nexit\nf: jeq %r1, 0, +1\nmov %r0, 1\nexit").unwrap();
        assert_eq!(c.functions.len(), 2);
        assert_eq!(c.functions[1], Function { entry: 3, end: 6 });
        assert!(c.prune_points[2] && c.prune_points[3] && c.prune_points[4] && c.prune_points[5]);
        assert!(!c.prune_points[1]);
        assert_eq!(c.function_of(4).entry, 3);
    }

    #[test]
    fn loops_are_found() {
        let c = cfg("mov %r0, 0\nl: add %r0, 1\njlt %r0, 10, l\nexit").unwrap();
        assert_eq!(c.loops.len(), 1);
        assert_eq!(c.loops[0].head, 1);
        assert_eq!(c.loops[0].body, vec![1, 2]);
        assert_eq!(c.loops[0].latches, vec![2]);
    }

    #[test]
    fn structural_errors() {
        assert_eq!(
            cfg("exit\nmov %r0, 1\nexit").unwrap_err(),
            (1, Reason::Unreachable)
        );
        let e = cfg("mov %r0, 0\nexit\nmov %r0, 1\nexit").unwrap_err();
        assert_eq!(e, (2, Reason::Unreachable));
        let e = cfg("call local f\nja +1\nf: exit\nexit").unwrap_err();
        assert!(matches!(
            e.1,
            Reason::NoExit | Reason::JumpOutOfFunction { .. }
        ));
    }
}
