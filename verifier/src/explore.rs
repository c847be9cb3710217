//! Path-sensitive exploration: a depth-first walk over paths, forking at branches,
//! storing states at pruning points and ending paths contained in explored states.

use crate::ctx::ProgType;
use crate::env::{Env, Ids};
use crate::error::{Limit, Reason};
use crate::exec_alu::{self, read};
use crate::exec_call;
use crate::exec_jmp::{self, Branch};
use crate::exec_mem::{self, sized_unknown, Value};
use crate::footprint::{opt_state_heap, state_heap, vec_bytes};
use crate::ghost::{self, Loc, Rank};
use crate::liveness::use_def;
use crate::log::Log;
use crate::maps::MapType;
use crate::reg::{PtrKind, RegState};
use crate::scalar::Scalar;
use crate::state::{contains, Frame, State};
use crate::stats::Stats;
use crate::trace::Trace;
use crate::widen::{widen_state, Thresholds};
use ferrobpf_vm::isa::{AtomicOp, Pseudo, Semantics};
use ferrobpf_vm::Insn;
use std::collections::HashMap;
use std::mem::size_of;

/// The deepest call chain (the kernel's `MAX_CALL_FRAMES`).
pub const MAX_CALL_FRAMES: usize = 8;
/// Unfinished stored states compared with a path for loop detection.
const LOOP_CHECKS: usize = 4;
/// Unfinished stored states kept per instruction (more rarely help pruning).
const MAX_IN_PROGRESS: usize = 64;
/// Finished activations of a loop a path arriving at its head is compared with.
const JOIN_CHECKS: usize = 8;
/// Most iterations `bpf_loop` runs.
const MAX_LOOP_ITERATIONS: u64 = 1 << 23;

/// A stored state: explored paths from it are proven safe once `branches` is 0.
struct Checkpoint {
    st: State,
    pc: usize,
    hits: u32,
    misses: u32,
    /// Widened loop activations the path was in when it stored this state.
    acts: Vec<(u32, u32)>,
    parent: Option<usize>,
    branches: u32,
}

/// One path under exploration.
struct Path {
    st: State,
    pc: usize,
    cp: Option<usize>,
    /// Loop heads visited (head, depth, visits, previous state there).
    loops: Visits,
    /// Widened loop activations the path is in, with their generation.
    acts: Vec<(u32, u32)>,
    /// Starts at a loop head from a widened invariant (not an arrival there).
    fresh: bool,
}

/// A loop explored from a widened invariant instead of iteration by iteration.
struct Activation {
    head: usize,
    depth: usize,
    gen: u32,
    w: State,
    cands: Option<Vec<(Loc, Rank)>>,
    arrivals: u64,
    th: Thresholds,
    parent_cp: Option<usize>,
    outer: Vec<(u32, u32)>,
    /// The head visits of enclosing loops when the activation began.
    loops: Visits,
    /// Paths waiting when the activation began: every path queued since lies above
    /// them in the depth-first stack.
    mark: usize,
}

/// Loop heads visited on a path: (head, depth, visits, previous state there).
type Visits = Vec<(usize, usize, u32, Option<State>)>;

/// Heap bytes of a path's loop-head visits.
fn visits_heap(loops: &Visits) -> usize {
    vec_bytes(loops) + loops.iter().map(|l| opt_state_heap(&l.3)).sum::<usize>()
}

impl Path {
    /// Bytes the path takes while it waits.
    fn bytes(&self) -> usize {
        size_of::<Path>() + state_heap(&self.st) + visits_heap(&self.loops) + vec_bytes(&self.acts)
    }
}

impl Activation {
    /// Bytes the activation takes.
    fn bytes(&self) -> usize {
        size_of::<Activation>()
            + state_heap(&self.w)
            + self.cands.as_ref().map_or(0, vec_bytes)
            + vec_bytes(&self.outer)
            + visits_heap(&self.loops)
            + self.th.heap_bytes()
    }
}

impl Checkpoint {
    /// Heap bytes the stored state owns.
    fn heap(&self) -> usize {
        state_heap(&self.st) + vec_bytes(&self.acts)
    }
}

/// Visits of a loop head on one path before its loop is widened: innermost loops are
/// explored longer (precision is cheap there), loops holding loops are widened soon
/// (exploring them costs the product of the iteration counts).
const WIDEN_AFTER: u32 = 64;
/// [`WIDEN_AFTER`] for loops that contain other loops.
const WIDEN_OUTER_AFTER: u32 = 4;

/// What a loop head decides for a path in the widening pass.
enum Head {
    /// Go on (possibly from a widened state).
    Continue,
    /// The path is inside the loop's invariant: done.
    End,
    /// The path was replaced by one from a wider invariant.
    Drop,
}

/// What a finished activation of a loop means for a path arriving at its head.
enum Join {
    /// Its exploration covers the path.
    Covered,
    /// The path keeps coming back around the loop outside it: explore the loop from
    /// this invariant (the activation's and the path's state widened together).
    Widen(State, Thresholds),
    /// Nothing.
    None,
}

/// Where the walk goes after one instruction.
enum Next {
    Goto(usize),
    End,
}

/// A failure: slot, reason, state description.
pub(crate) type Fail = (usize, Reason, String);

/// The exploration of one program.
pub(crate) struct Explorer<'a> {
    env: Env<'a>,
    ids: Ids,
    pub stats: Stats,
    pub log: Log,
    checkpoints: Vec<Checkpoint>,
    at: HashMap<usize, Vec<usize>>,
    /// Stored states per slot whose exploration is not finished.
    in_progress: HashMap<usize, usize>,
    work: Vec<Path>,
    /// Deepest stack use seen per function entry, in bytes.
    pub stack_depth: HashMap<usize, usize>,
    /// Per helper call with a callback: the widened union of the states the helper
    /// may return in (or call the callback again from).
    callback_seen: HashMap<usize, State>,
    budget: usize,
    jumps: usize,
    live_states: usize,
    last_add: (usize, usize),
    pub trace: Option<Trace>,
    /// Widen loops instead of exploring them iteration by iteration.
    widen: bool,
    acts: Vec<Activation>,
    /// Activations whose exploration is not finished, oldest first (their marks
    /// ascend).
    open: Vec<u32>,
    /// Finished activations (every path descending from their start explored; see
    /// [`Explorer::join`]) by loop head and frame depth, oldest first.
    done: HashMap<(usize, usize), Vec<u32>>,
    /// Bytes of the paths in `work`.
    pending_bytes: usize,
    /// Heap bytes of the stored states (the checkpoints themselves counted apart).
    stored_bytes: usize,
    /// Bytes of the activations and of the callback states.
    loop_bytes: usize,
}

impl<'a> Explorer<'a> {
    /// An explorer with an instruction budget.
    pub fn new(env: Env<'a>, budget: usize) -> Explorer<'a> {
        let trace = env
            .config
            .record_states
            .then(|| Trace::new(env.insns.len()));
        let log = Log::new(env.config.log_level).capped(env.config.max_log_bytes);
        Explorer {
            env,
            ids: Ids::default(),
            stats: Stats::default(),
            log,
            checkpoints: Vec::new(),
            at: HashMap::new(),
            in_progress: HashMap::new(),
            work: Vec::new(),
            stack_depth: HashMap::new(),
            callback_seen: HashMap::new(),
            budget,
            jumps: 0,
            live_states: 0,
            last_add: (0, 0),
            trace,
            widen: false,
            acts: Vec::new(),
            open: Vec::new(),
            done: HashMap::new(),
            pending_bytes: 0,
            stored_bytes: 0,
            loop_bytes: 0,
        }
    }

    /// Queues a path for exploration, within the caps on pending paths and memory.
    fn push(&mut self, path: Path) -> Result<(), Reason> {
        let max = self.env.config.max_pending;
        if self.work.len() >= max {
            return Err(Reason::Limit {
                limit: Limit::PendingBranches,
                max,
            });
        }
        let bytes = path.bytes();
        self.pending_bytes += bytes;
        self.work.push(path);
        self.stats.peak_pending = self.stats.peak_pending.max(self.work.len());
        self.check_memory(0)
    }

    /// The next path to explore.
    fn pop(&mut self) -> Option<Path> {
        let path = self.work.pop()?;
        self.pending_bytes = self.pending_bytes.saturating_sub(path.bytes());
        Some(path)
    }

    /// Fails when what the exploration keeps (plus `extra` bytes held elsewhere)
    /// exceeds the memory budget.
    fn check_memory(&mut self, extra: usize) -> Result<(), Reason> {
        let per_checkpoint = size_of::<Checkpoint>() + size_of::<usize>();
        let total = self.pending_bytes
            + self.stored_bytes
            + self.checkpoints.capacity() * per_checkpoint
            + self.loop_bytes
            + self.trace.as_ref().map_or(0, Trace::heap_bytes)
            + extra;
        self.stats.peak_memory = self.stats.peak_memory.max(total);
        let max = self.env.config.max_memory;
        if total > max {
            return Err(Reason::Limit {
                limit: Limit::MemoryBytes,
                max,
            });
        }
        Ok(())
    }

    /// Switches to widening loop heads (the second pass).
    pub fn with_widening(mut self) -> Explorer<'a> {
        self.widen = true;
        self
    }

    /// The state at the program's entry: r1 the context (for the memory type: the
    /// memory, and r2 its size), r10 the frame pointer.
    fn initial(&self) -> State {
        let mut f = Frame::new(0, 0, 0);
        if let ProgType::Memory { size } = self.env.config.prog_type {
            f.regs[1] = RegState::ptr(PtrKind::Mem {
                size,
                writable: true,
            });
            f.regs[2] = RegState::constant(u64::from(size));
        } else {
            f.regs[1] = RegState::ptr(PtrKind::Ctx);
        }
        State {
            frames: vec![f],
            refs: Vec::new(),
            ghosts: Vec::new(),
        }
    }

    /// Explores every path; the first error stops.
    pub fn run(&mut self) -> Result<(), Fail> {
        let st = self.initial();
        let first = Path {
            st,
            pc: 0,
            cp: None,
            loops: Vec::new(),
            acts: Vec::new(),
            fresh: false,
        };
        self.push(first).map_err(|r| (0, r, String::new()))?;
        while let Some(mut path) = self.pop() {
            self.close_activations();
            if self.is_stale(&path) {
                continue;
            }
            self.run_path(&mut path)?;
        }
        if self.widen {
            self.check_loops()?;
        }
        Ok(())
    }

    fn end_path(&mut self, cp: Option<usize>) {
        let mut cur = cp;
        while let Some(i) = cur {
            let c = &mut self.checkpoints[i];
            c.branches -= 1;
            if c.branches > 0 {
                break;
            }
            cur = c.parent;
            let pc = c.pc;
            if let Some(n) = self.in_progress.get_mut(&pc) {
                *n = n.saturating_sub(1);
            }
        }
    }

    /// Queues `st` at `pc` as a new path sharing `path`'s history.
    fn fork(&mut self, st: State, pc: usize, path: &Path) -> Result<(), Reason> {
        if let Some(i) = path.cp {
            self.checkpoints[i].branches += 1;
        }
        self.push(Path {
            st,
            pc,
            cp: path.cp,
            loops: path.loops.clone(),
            acts: path.acts.clone(),
            fresh: false,
        })?;
        // The path going on is held too (its loop-head states grow without forks).
        self.check_memory(path.bytes())
    }

    /// Marks done the activations whose every descendant path has been explored: a
    /// path queued before one began was just taken from the stack, so everything
    /// queued above it (the activation's whole exploration, restarts included) is
    /// finished, and the path that began it (which ran on) has ended.
    fn close_activations(&mut self) {
        let height = self.work.len();
        while let Some(&id) = self.open.last() {
            let a = &self.acts[id as usize];
            if a.mark <= height {
                break;
            }
            self.done.entry((a.head, a.depth)).or_default().push(id);
            self.open.pop();
        }
    }

    /// A path descending from a widened invariant that was widened again since.
    fn is_stale(&self, path: &Path) -> bool {
        path.acts
            .iter()
            .any(|&(id, gen)| self.acts[id as usize].gen != gen)
    }

    fn run_path(&mut self, path: &mut Path) -> Result<(), Fail> {
        loop {
            let pc = path.pc;
            if self.widen {
                self.leave_loops(path);
                if self.env.cfg.loop_at(pc).is_some() {
                    match self.loop_head(path)? {
                        Head::Continue => {}
                        Head::End => {
                            self.end_path(path.cp);
                            return Ok(());
                        }
                        Head::Drop => return Ok(()),
                    }
                }
            }
            if self.env.cfg.prune_points.get(pc).copied().unwrap_or(false) && self.visit(path)? {
                self.stats.pruned += 1;
                self.end_path(path.cp);
                return Ok(());
            }
            self.stats.insns_processed += 1;
            if self.stats.insns_processed > self.budget {
                return Err((
                    pc,
                    Reason::TooComplex(self.stats.insns_processed),
                    path.st.describe(),
                ));
            }
            let insn = self.env.insns[pc];
            if self.log.level >= 2 {
                self.log.insn(pc, &insn, &path.st);
            }
            if let Some(t) = &mut self.trace {
                t.record(pc, &path.st);
            }
            let pre = (!path.st.ghosts.is_empty()).then(|| path.st.clone());
            let result = self.step(path, &insn);
            if let (Some(pre), Ok(_)) = (&pre, &result) {
                let defs = use_def(&insn, &self.env.config.helpers).1;
                let acts = &self.acts;
                ghost::step(pre, &mut path.st, &insn, defs, &|id| {
                    acts.get(id as usize).map(|a| a.depth)
                });
            }
            match result {
                Ok(Next::Goto(next)) => path.pc = next,
                Ok(Next::End) => {
                    self.end_path(path.cp);
                    return Ok(());
                }
                Err(reason) => {
                    let desc = path.st.describe();
                    self.log.error(pc, &reason, &desc);
                    return Err((pc, reason, desc));
                }
            }
            let depth = path.st.cur().stack.len() * 8;
            let entry = path.st.cur().entry;
            let d = self.stack_depth.entry(entry).or_insert(0);
            *d = (*d).max(depth);
        }
    }

    /// Whether register `r` of frame `depth` may still be read, on a path at `pc`.
    fn live(&self, st: &State, pc: usize, depth: usize, r: u8) -> bool {
        let at = if depth + 1 == st.frames.len() {
            pc
        } else {
            st.frames[depth + 1].return_pc
        };
        let set = self.env.live.get(at).copied().unwrap_or(u16::MAX);
        let callee_clobbered = depth + 1 < st.frames.len() && r <= 5;
        set & (1 << r) != 0 && !callee_clobbered
    }

    fn is_ancestor(&self, cp: Option<usize>, target: usize) -> bool {
        let mut cur = cp;
        while let Some(i) = cur {
            if i == target {
                return true;
            }
            cur = self.checkpoints[i].parent;
        }
        false
    }

    /// At a pruning point: true if the path is covered by an explored state; otherwise
    /// maybe stores the state.
    fn visit(&mut self, path: &mut Path) -> Result<bool, Fail> {
        let pc = path.pc;
        let mut looping = false;
        let mut loop_checks = 0;
        let mut evict = Vec::new();
        if let Some(list) = self.at.get(&pc) {
            // Most recent first: the likeliest to match, and the loop iteration just
            // before this one.
            for &ci in list.iter().rev() {
                let c = &self.checkpoints[ci];
                let live = |d: usize, r: u8| self.live(&path.st, pc, d, r);
                let same_acts = path.acts.is_empty() || c.acts == path.acts;
                if c.branches == 0 {
                    if same_acts
                        && contains(&c.st, &path.st, live)
                        && ghost::contained(&c.st.ghosts, &path.st.ghosts, None)
                    {
                        self.checkpoints[ci].hits += 1;
                        return Ok(true);
                    }
                    let c = &mut self.checkpoints[ci];
                    c.misses += 1;
                    // A stored state that keeps failing to prune is dropped (the
                    // kernel's heuristic): it only costs comparisons.
                    if c.misses > c.hits * 3 + 3 {
                        evict.push(ci);
                    }
                } else if loop_checks < LOOP_CHECKS {
                    loop_checks += 1;
                    looping = true;
                    if !self.widen
                        && contains(&c.st, &path.st, live)
                        && contains(&path.st, &c.st, live)
                        && self.is_ancestor(path.cp, ci)
                    {
                        return Err((pc, Reason::InfiniteLoop(pc), path.st.describe()));
                    }
                }
            }
        }
        if !evict.is_empty() {
            if let Some(list) = self.at.get_mut(&pc) {
                list.retain(|i| !evict.contains(i));
            }
            for ci in evict {
                let c = &mut self.checkpoints[ci];
                let before = c.heap();
                c.st = State {
                    frames: Vec::new(),
                    refs: Vec::new(),
                    ghosts: Vec::new(),
                };
                c.acts = Vec::new();
                self.stored_bytes = self.stored_bytes.saturating_sub(before);
                self.live_states -= 1;
            }
        }
        let (insns, jumps) = self.last_add;
        let since_insns = self.stats.insns_processed - insns;
        let since_jumps = self.jumps - jumps;
        let mut add = since_jumps >= 2 && since_insns >= 8 || path.cp.is_none();
        if looping && since_jumps < 20 && since_insns < 100 {
            add = false;
        }
        if self.in_progress.get(&pc).copied().unwrap_or(0) >= MAX_IN_PROGRESS {
            add = false;
        }
        if add {
            let max = self.env.config.max_states;
            if self.live_states >= max {
                let reason = Reason::Limit {
                    limit: Limit::StoredStates,
                    max,
                };
                return Err((pc, reason, path.st.describe()));
            }
            let idx = self.checkpoints.len();
            *self.in_progress.entry(pc).or_insert(0) += 1;
            self.checkpoints.push(Checkpoint {
                pc,
                hits: 0,
                misses: 0,
                acts: path.acts.clone(),
                st: path.st.clone(),
                parent: path.cp,
                branches: 1,
            });
            self.at.entry(pc).or_default().push(idx);
            path.cp = Some(idx);
            self.stats.states_stored += 1;
            self.stored_bytes += self.checkpoints[idx].heap();
            self.live_states += 1;
            self.check_memory(path.bytes())
                .map_err(|r| (pc, r, path.st.describe()))?;
            self.stats.peak_states = self.stats.peak_states.max(self.live_states);
            self.last_add = (self.stats.insns_processed, self.jumps);
        }
        Ok(false)
    }

    /// Forgets widened loops (and head visits) the path has left.
    fn leave_loops(&mut self, path: &mut Path) {
        let pc = path.pc;
        let depth = path.st.depth();
        let cfg = &self.env.cfg;
        let inside = |head: usize, d: usize| {
            d < depth
                || (d == depth
                    && cfg
                        .loop_at(head)
                        .is_some_and(|l| l.body.binary_search(&pc).is_ok()))
        };
        path.loops.retain(|(h, d, _, _)| inside(*h, *d));
        while let Some(&(id, _)) = path.acts.last() {
            let a = &self.acts[id as usize];
            if inside(a.head, a.depth) {
                break;
            }
            path.acts.pop();
            ghost::stop(&mut path.st, id);
        }
    }

    /// Constants a widened bound may stop at: the loop's jump immediates and the
    /// bounds of the numbers of the frame that did not change between two visits.
    fn thresholds(&self, head: usize, prev: &State, st: &State) -> Thresholds {
        let mut c: Vec<i128> = Vec::new();
        if let Some(l) = self.env.cfg.loop_at(head) {
            for &pc in &l.body {
                let insn = &self.env.insns[pc];
                if let Semantics::Jcond(_, _, ferrobpf_vm::isa::Source::Imm) = insn.spec().semantics
                {
                    c.push(i128::from(insn.imm));
                    c.push(i128::from(insn.imm as u32));
                }
            }
        }
        let (f, g) = (st.cur(), prev.cur());
        let slots = f
            .stack
            .slots()
            .iter()
            .zip(g.stack.slots())
            .map(|(a, b)| (&a.spilled, &b.spilled));
        for (r, q) in f.regs.iter().zip(&g.regs).chain(slots) {
            if let (RegState::Scalar(x), true) = (r, r == q) {
                c.extend([
                    i128::from(x.umin),
                    i128::from(x.umax),
                    i128::from(x.smin),
                    i128::from(x.smax),
                ]);
            }
        }
        Thresholds::new(c)
    }

    /// At a loop head in the widening pass: count visits, widen after a few, and
    /// end paths that come back inside the invariant.
    fn loop_head(&mut self, path: &mut Path) -> Result<Head, Fail> {
        let pc = path.pc;
        let depth = path.st.depth();
        let body = || {
            self.env
                .cfg
                .loop_at(pc)
                .map(|l| l.body.clone())
                .unwrap_or_default()
        };
        let fail = |st: &State| {
            (
                pc,
                Reason::UnprovenLoop {
                    head: pc,
                    body: body(),
                },
                st.describe(),
            )
        };
        if std::mem::take(&mut path.fresh) {
            return Ok(Head::Continue);
        }
        let member = path.acts.iter().rposition(|&(id, _)| {
            self.acts[id as usize].head == pc && self.acts[id as usize].depth == depth
        });
        if member.is_none() {
            match self.join(path) {
                Join::Covered => {
                    self.stats.joined += 1;
                    return Ok(Head::End);
                }
                Join::Widen(w, th) => {
                    path.loops.retain(|(h, d, _, _)| !(*h == pc && *d == depth));
                    return self.activate(path, w, th);
                }
                Join::None => {}
            }
        }
        if let Some(pos) = member {
            let (id, _) = path.acts[pos];
            let a = &self.acts[id as usize];
            let all = |_: usize, _: u8| true;
            if contains(&a.w, &path.st, all)
                && ghost::contained(&a.w.ghosts, &path.st.ghosts, Some(id))
            {
                let ranks = ghost::ranks(&path.st, id);
                let a = &mut self.acts[id as usize];
                a.arrivals += 1;
                a.cands = Some(match a.cands.take() {
                    None => ranks,
                    Some(c) => c.into_iter().filter(|x| ranks.contains(x)).collect(),
                });
                return Ok(Head::End);
            }
            // Not inside: widen further and start over from the larger invariant.
            let mut w = widen_state(&a.w, &path.st, &a.th).ok_or_else(|| fail(&path.st))?;
            let a = &mut self.acts[id as usize];
            let before = a.bytes();
            a.gen += 1;
            a.cands = None;
            a.arrivals = 0;
            ghost::stop(&mut w, id);
            a.w = w.clone();
            ghost::start(&mut w, id, depth);
            let mut acts = a.outer.clone();
            acts.push((id, a.gen));
            let loops = a.loops.clone();
            let cp = a.parent_cp;
            self.loop_bytes = (self.loop_bytes + a.bytes()).saturating_sub(before);
            if let Some(i) = cp {
                self.checkpoints[i].branches += 1;
            }
            let restart = Path {
                st: w,
                pc,
                cp,
                loops,
                acts,
                fresh: true,
            };
            self.push(restart)
                .map_err(|r| (pc, r, path.st.describe()))?;
            return Ok(Head::Drop);
        }
        let entry = match path
            .loops
            .iter_mut()
            .find(|(h, d, _, _)| *h == pc && *d == depth)
        {
            Some(e) => e,
            None => {
                path.loops.push((pc, depth, 0, None));
                path.loops.last_mut().ok_or_else(|| fail(&path.st))?
            }
        };
        entry.2 += 1;
        let outer = self.env.cfg.loop_at(pc).is_some_and(|l| {
            self.env
                .cfg
                .loops
                .iter()
                .any(|m| m.head != pc && l.body.binary_search(&m.head).is_ok())
        });
        let after = if outer {
            WIDEN_OUTER_AFTER
        } else {
            WIDEN_AFTER
        };
        if entry.2 < after || entry.3.is_none() {
            entry.3 = Some(path.st.clone());
            self.check_memory(path.bytes())
                .map_err(|r| (pc, r, path.st.describe()))?;
            return Ok(Head::Continue);
        }
        let prev = entry.3.take().ok_or_else(|| fail(&path.st))?;
        path.loops.retain(|(h, d, _, _)| !(*h == pc && *d == depth));
        let th = self.thresholds(pc, &prev, &path.st);
        let Some(w) = widen_state(&prev, &path.st, &th) else {
            return Ok(Head::Continue);
        };
        self.activate(path, w, th)
    }

    /// Starts exploring loop head `path.pc` from the invariant `w` (which holds the
    /// path's state), as a new activation the path goes on in.
    fn activate(&mut self, path: &mut Path, mut w: State, th: Thresholds) -> Result<Head, Fail> {
        let (pc, depth) = (path.pc, path.st.depth());
        let id = self.acts.len() as u32;
        let act = Activation {
            head: pc,
            depth,
            gen: 0,
            w: w.clone(),
            cands: None,
            arrivals: 0,
            th,
            parent_cp: path.cp,
            outer: path.acts.clone(),
            loops: path.loops.clone(),
            mark: self.work.len(),
        };
        self.open.push(id);
        self.loop_bytes += act.bytes();
        self.acts.push(act);
        self.check_memory(path.bytes())
            .map_err(|r| (pc, r, path.st.describe()))?;
        ghost::start(&mut w, id, depth);
        path.st = w;
        path.acts.push((id, 0));
        Ok(Head::Continue)
    }

    /// Whether a path at a loop head, not exploring an activation of that loop, is
    /// covered by a finished activation of it: then its future was explored already
    /// and it ends here. At most [`JOIN_CHECKS`] activations are tried, newest first.
    /// A path not covered that came back to the head around the loop itself (it has
    /// not left the loop since it last was there) is explored from the newest one's
    /// invariant widened with its state, as a new activation: sound as any activation
    /// (its invariant holds the path's state), and the loop is not iterated once more
    /// for each path still pending from before the first widening.
    ///
    /// Why this is sound. An activation `A` of loop `L` explores every path from its
    /// invariant `w` at `L`'s head: safety on each, and for termination, every way back
    /// to the head inside `L` (an arrival) must move one counter towards its bound
    /// ([`Explorer::check_loops`], which rejects the program otherwise); paths leaving
    /// `L` go on as ordinary paths, in the enclosing activations `A` began in, whose
    /// arrivals are checked the same way. So once every path descending from `A`'s
    /// start has ended (it is done), each of them ended for a reason established before:
    /// an exit, an arrival (ranked), a stored state whose exploration had finished, or a
    /// join into an activation already done. A path `P` whose state (ghost changes of
    /// the enclosing activations included) lies in `w`, in the same enclosing
    /// activations of the same generations, has each of its executions from here among
    /// those from `w`: safe, and finite by the checks above. `P`'s stored ancestors
    /// were unfinished while `A` was explored (`P` held them open), so no path of `A`
    /// was pruned by a state whose proof now rests on `P`'s join: the reasoning is not
    /// circular. It is the join into an unfinished activation that would be circular: a
    /// path of `A`'s own exploration that left `L` and came back around an enclosing
    /// cycle (an outer loop not proven to end, e.g. `rej_outer_loop_always_taken`)
    /// would be ended by the very exploration it is part of, and that outer cycle would
    /// never be checked. Such a path is `A`'s descendant, so `A` is not done while it
    /// runs: it goes on as a new entry into `L`, counting its own visits.
    fn join(&self, path: &Path) -> Join {
        let (pc, depth) = (path.pc, path.st.depth());
        let all = |_: usize, _: u8| true;
        let mut done = self
            .done
            .get(&(pc, depth))
            .into_iter()
            .flatten()
            .rev()
            .map(|&id| &self.acts[id as usize])
            .filter(|a| a.outer == path.acts)
            .take(JOIN_CHECKS)
            .peekable();
        let newest = done.peek().copied();
        if done.any(|a| {
            contains(&a.w, &path.st, all) && ghost::contained(&a.w.ghosts, &path.st.ghosts, None)
        }) {
            return Join::Covered;
        }
        let iterating = path.loops.iter().any(|l| l.0 == pc && l.1 == depth);
        match newest {
            Some(a) if iterating => widen_state(&a.w, &path.st, &a.th)
                .map_or(Join::None, |w| Join::Widen(w, a.th.clone())),
            _ => Join::None,
        }
    }

    /// After the widening pass: every widened loop that came back to its head must have
    /// a counter moving towards a bound on every way back.
    fn check_loops(&mut self) -> Result<(), Fail> {
        let max = self.env.config.max_loop_iterations;
        for a in &self.acts {
            if a.arrivals == 0 {
                continue;
            }
            let proven = a.cands.iter().flatten().any(|&(loc, rank)| {
                ghost::bound(&a.w, a.depth, loc, rank).is_some_and(|n| n <= u128::from(max))
            });
            if !proven {
                let body = self
                    .env
                    .cfg
                    .loop_at(a.head)
                    .map(|l| l.body.clone())
                    .unwrap_or_default();
                return Err((
                    a.head,
                    Reason::UnprovenLoop { head: a.head, body },
                    a.w.describe(),
                ));
            }
        }
        let mut heads: Vec<usize> = self
            .acts
            .iter()
            .filter(|a| a.arrivals > 0)
            .map(|a| a.head)
            .collect();
        heads.sort_unstable();
        heads.dedup();
        self.stats.widened_loops = heads.len();
        Ok(())
    }

    fn step(&mut self, path: &mut Path, insn: &Insn) -> Result<Next, Reason> {
        let pc = path.pc;
        let next = pc + insn.slots();
        let env = &self.env;
        let st = &mut path.st;
        match insn.spec().semantics {
            Semantics::Alu(..) | Semantics::End(..) => {
                exec_alu::exec(env, st, insn, &mut self.ids)?;
                Ok(Next::Goto(next))
            }
            Semantics::Load(size, signed) => {
                let v = exec_mem::access(
                    env,
                    st,
                    insn.src,
                    i64::from(insn.off),
                    size.bytes(),
                    None,
                    signed,
                )?;
                st.set_reg(insn.dst, v);
                Ok(Next::Goto(next))
            }
            Semantics::StoreImm(size) => {
                let v = Value::Imm(insn.imm as u64 & mask(size.bytes()));
                exec_mem::access(
                    env,
                    st,
                    insn.dst,
                    i64::from(insn.off),
                    size.bytes(),
                    Some(v),
                    false,
                )?;
                Ok(Next::Goto(next))
            }
            Semantics::StoreReg(size) => {
                let v = read(st, insn.src)?;
                exec_mem::access(
                    env,
                    st,
                    insn.dst,
                    i64::from(insn.off),
                    size.bytes(),
                    Some(Value::Reg(insn.src, v)),
                    false,
                )?;
                Ok(Next::Goto(next))
            }
            Semantics::Atomic(op, size, fetch) => {
                self.atomic(pc, insn, op, size.bytes(), fetch, &mut path.st)?;
                Ok(Next::Goto(next))
            }
            Semantics::Lddw(pseudo) => {
                let v = match pseudo {
                    Pseudo::Imm64 => RegState::constant(insn.imm as u64),
                    Pseudo::MapFd | Pseudo::MapIdx => {
                        let m = insn.imm as i32;
                        if m < 0 || env.map(m as u32).is_none() {
                            return Err(Reason::BadMap(i64::from(m)));
                        }
                        RegState::ptr(PtrKind::MapPtr { map: m as u32 })
                    }
                    Pseudo::MapValue | Pseudo::MapIdxValue => {
                        let m = insn.imm as i32;
                        let info = (m >= 0)
                            .then(|| env.map(m as u32))
                            .flatten()
                            .ok_or(Reason::BadMap(i64::from(m)))?;
                        let off = insn.imm >> 32;
                        if off < 0
                            || off >= i64::from(info.value_size)
                            || !info.map_type.is_some_and(MapType::has_values)
                        {
                            return Err(Reason::BadMap(i64::from(m)));
                        }
                        let mut p = crate::reg::Ptr::new(PtrKind::MapValue { map: m as u32 });
                        p.off = off as i32;
                        RegState::Ptr(p)
                    }
                    Pseudo::Func => {
                        let t = insn.target(pc).unwrap_or(0) as u32;
                        RegState::ptr(PtrKind::Func { target: t })
                    }
                    Pseudo::BtfId => return Err(Reason::Unsupported("lddw btf_id")),
                };
                st.set_reg(insn.dst, v);
                Ok(Next::Goto(next))
            }
            Semantics::LddwHigh => Ok(Next::Goto(next)),
            Semantics::LdAbs(size) | Semantics::LdInd(size) => {
                if !env.config.prog_type.allows_ld_abs() {
                    return Err(Reason::LdAbsNotAllowed);
                }
                if !matches!(st.reg(6), RegState::Ptr(p) if p.kind == PtrKind::Ctx && p.off == 0) {
                    return Err(Reason::LdAbsNoCtx);
                }
                if matches!(insn.spec().semantics, Semantics::LdInd(_)) {
                    match read(st, insn.src)? {
                        RegState::Scalar(_) => {}
                        other => {
                            return Err(Reason::BadArg {
                                reg: insn.src,
                                got: other.type_name(),
                                expected: "scalar",
                            })
                        }
                    }
                }
                for r in 1..=5 {
                    st.set_reg(r, RegState::NotInit);
                }
                st.set_reg(0, RegState::Scalar(sized_unknown(size.bytes(), false)));
                Ok(Next::Goto(next))
            }
            Semantics::Ja | Semantics::Gotol => {
                self.jumps += 1;
                Ok(Next::Goto(insn.target(pc).unwrap_or(0) as usize))
            }
            Semantics::Jcond(..) => {
                self.jumps += 1;
                let target = insn.target(pc).unwrap_or(0) as usize;
                match exec_jmp::exec(env, st, insn)? {
                    Branch::Fall => Ok(Next::Goto(next)),
                    Branch::Taken => Ok(Next::Goto(target)),
                    Branch::Both(other) => {
                        if self.log.level >= 1 {
                            self.log.branch(pc, target, &other);
                        }
                        self.fork(*other, target, path)?;
                        Ok(Next::Goto(next))
                    }
                }
            }
            Semantics::CallHelper => {
                let cb = exec_call::helper(env, st, insn.imm32() as u32, &mut self.ids, pc)?;
                if let Some(cb) = cb {
                    let mut callee = path.st.clone();
                    self.enter_callback(&mut callee, cb.target, cb.ctx, cb.map, next)?;
                    // Every state stored here has its return and its next callback
                    // call explored (this one by this path and the fork).
                    self.set_callback_seen(pc, path.st.clone());
                    self.fork(callee, cb.target, path)?;
                }
                Ok(Next::Goto(next))
            }
            Semantics::CallLocal => {
                let target = insn.target(pc).unwrap_or(0) as usize;
                if st.frames.len() >= MAX_CALL_FRAMES {
                    return Err(Reason::CallTooDeep(st.frames.len() + 1));
                }
                let mut f = Frame::new(target, next, st.frames.len() as u8);
                for r in 1..=5u8 {
                    f.regs[r as usize] = st.reg(r);
                }
                st.frames.push(f);
                Ok(Next::Goto(target))
            }
            Semantics::Callx => Err(Reason::Unsupported("callx")),
            Semantics::Exit => self.exit(path),
        }
    }

    /// Records the states a helper with a callback may return in, for the call at `pc`.
    fn set_callback_seen(&mut self, pc: usize, st: State) {
        self.loop_bytes += state_heap(&st) + size_of::<(usize, State)>();
        if let Some(old) = self.callback_seen.insert(pc, st) {
            let freed = state_heap(&old) + size_of::<(usize, State)>();
            self.loop_bytes = self.loop_bytes.saturating_sub(freed);
        }
    }

    /// Calls a helper's callback: `bpf_loop`'s gets (index, ctx),
    /// `bpf_for_each_map_elem`'s (map, key, value, ctx).
    fn enter_callback(
        &self,
        st: &mut State,
        target: usize,
        ctx: RegState,
        map: Option<u32>,
        return_pc: usize,
    ) -> Result<(), Reason> {
        if st.frames.len() >= MAX_CALL_FRAMES {
            return Err(Reason::CallTooDeep(st.frames.len() + 1));
        }
        let mut f = Frame::new(target, return_pc, st.frames.len() as u8);
        f.callback = true;
        f.cb_arg = ctx;
        f.cb_map = map;
        if let Some(map) = map {
            f.regs[1] = RegState::ptr(PtrKind::MapPtr { map });
            f.regs[2] = RegState::ptr(PtrKind::MapKey { map });
            f.regs[3] = RegState::ptr(PtrKind::MapValue { map });
            f.regs[4] = ctx;
        } else {
            f.regs[1] = RegState::Scalar(Scalar::urange(0, MAX_LOOP_ITERATIONS - 1));
            f.regs[2] = ctx;
        }
        st.frames.push(f);
        Ok(())
    }

    fn exit(&mut self, path: &mut Path) -> Result<Next, Reason> {
        let st = &mut path.st;
        // A function may leave r0 unset when its caller ignores the result (as the
        // kernel allows); the caller then cannot read it.
        let r0 = if st.frames.len() > 1 && !st.cur().callback {
            st.reg(0)
        } else {
            read(st, 0)?
        };
        if st.frames.len() == 1 {
            if let RegState::Ptr(_) = r0 {
                if !self.env.config.allow_ptr_leaks {
                    return Err(Reason::ReturnLeak);
                }
            }
            if let Some((lo, hi)) = self.env.config.prog_type.return_range() {
                let ok = matches!(r0, RegState::Scalar(s) if s.umin >= lo && s.umax <= hi);
                if !ok {
                    return Err(Reason::ReturnRange {
                        got: r0.to_string(),
                        lo,
                        hi,
                    });
                }
            }
            if let Some(&r) = st.refs.first() {
                return Err(Reason::UnreleasedRef(r));
            }
            return Ok(Next::End);
        }
        let depth = st.frames.len() - 1;
        if matches!(r0, RegState::Ptr(p) if p.kind == PtrKind::Stack { frame: depth as u8 }) {
            return Err(Reason::ReturnStackPtr);
        }
        let frame = st.frames.pop().unwrap_or_else(|| Frame::new(0, 0, 0));
        let ret = frame.return_pc;
        if frame.callback {
            let ok = matches!(r0, RegState::Scalar(s) if s.umax <= 1);
            if !ok {
                return Err(Reason::ReturnRange {
                    got: r0.to_string(),
                    lo: 0,
                    hi: 1,
                });
            }
            st.set_reg(0, RegState::UNKNOWN);
            // The helper may call the callback again, or return. Both are explored
            // from the widened union of the states seen here, until it stops growing.
            let call_pc = ret - 1;
            let Some(seen) = self.callback_seen.get(&call_pc) else {
                return Err(Reason::Unsupported("callback without its call"));
            };
            if contains(seen, st, |_, _| true) {
                return Ok(Next::End);
            }
            let w = widen_state(seen, st, &Thresholds::new([]))
                .ok_or(Reason::Unsupported("callback changes the call stack"))?;
            self.set_callback_seen(call_pc, w.clone());
            *st = w;
            let mut again = st.clone();
            self.enter_callback(&mut again, frame.entry, frame.cb_arg, frame.cb_map, ret)?;
            self.fork(again, frame.entry, path)?;
            return Ok(Next::Goto(ret));
        }
        for r in 1..=5 {
            st.set_reg(r, RegState::NotInit);
        }
        st.set_reg(0, r0);
        Ok(Next::Goto(ret))
    }

    fn atomic(
        &mut self,
        _pc: usize,
        insn: &Insn,
        op: AtomicOp,
        size: u32,
        fetch: bool,
        st: &mut State,
    ) -> Result<(), Reason> {
        let env = &self.env;
        let src = read(st, insn.src)?;
        if let RegState::Ptr(_) = src {
            if !env.config.allow_ptr_leaks {
                return Err(Reason::Leak {
                    reg: insn.src,
                    into: "mem",
                });
            }
        }
        if op == AtomicOp::Cmpxchg {
            read(st, 0)?;
        }
        match st.reg(insn.dst) {
            RegState::Ptr(p)
                if matches!(
                    p.kind,
                    PtrKind::Stack { .. } | PtrKind::MapValue { .. } | PtrKind::Mem { .. }
                ) => {}
            RegState::Ptr(p) => {
                return Err(Reason::StoreKind {
                    what: "BPF_ATOMIC stores",
                    reg: insn.dst,
                    ty: RegState::Ptr(p).type_name(),
                })
            }
            _ => {}
        }
        let off = i64::from(insn.off);
        let old = exec_mem::access(env, st, insn.dst, off, size, None, false)?;
        exec_mem::access(env, st, insn.dst, off, size, Some(Value::Unknown), false)?;
        let old = match old {
            RegState::Ptr(_) if !env.config.allow_ptr_leaks => return Err(Reason::CorruptSpill),
            _ => RegState::Scalar(sized_unknown(size, false)),
        };
        if op == AtomicOp::Cmpxchg {
            st.set_reg(0, old);
        } else if fetch {
            st.set_reg(insn.src, old);
        }
        Ok(())
    }
}

fn mask(bytes: u32) -> u64 {
    if bytes >= 8 {
        u64::MAX
    } else {
        (1u64 << (bytes * 8)) - 1
    }
}
