//! Abstract states exported per instruction, for the interpreter's soundness mode:
//! every concrete register file reaching an instruction must lie in one of the states
//! recorded there (for the registers live at that point).

use crate::reg::{PtrKind, RegState};
use crate::state::State;
use ferrobpf_vm::insn::NUM_REGS;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// One recorded register file: the innermost frame's registers and the call depth.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Snapshot {
    /// Call depth (0 = main function).
    pub depth: usize,
    /// r0-r10.
    pub regs: [RegState; NUM_REGS],
}

/// What a concrete register holds, as the interpreter knows it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Concrete {
    /// A number.
    Number(u64),
    /// An address `offset` bytes into an object of this kind (for the stack: the
    /// offset from the frame's top, negative).
    Pointer(PtrKind, i64),
}

/// Where a concrete run keeps the objects the verifier reasons about, to read raw
/// register values (as an interpreter observer sees them) against abstract pointers.
/// Objects not described here (maps, packets, memory from helpers) are not checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Regions {
    /// The context's address and size in bytes, when the program has one.
    pub ctx: Option<(u64, u64)>,
    /// r10 at each call depth (index 0 = the main function's frame).
    pub frame_pointers: Vec<u64>,
    /// Bytes per stack frame (a frame spans `[r10 - frame_size, r10)`).
    pub frame_size: u64,
}

impl Regions {
    /// Whether `v` is an address inside (or one past) the context or a stack frame,
    /// i.e. a value no scalar may hold without leaking a pointer.
    fn is_pointer(&self, v: u64) -> bool {
        let in_ctx = self
            .ctx
            .is_some_and(|(base, size)| v.wrapping_sub(base) <= size);
        in_ctx
            || self
                .frame_pointers
                .iter()
                .any(|&fp| fp.wrapping_sub(v) <= self.frame_size)
    }

    /// Whether raw value `v` lies in the abstract register `abs`: a scalar must be
    /// a number in its range that is no context or stack address; a context or
    /// stack pointer must be null (if it may be) or its object's base plus an
    /// offset it allows; other pointers are not checked.
    pub fn admits(&self, abs: &RegState, v: u64) -> bool {
        match abs {
            RegState::NotInit => true,
            RegState::Scalar(s) => s.contains(v) && !self.is_pointer(v),
            RegState::Ptr(p) if v == 0 && p.maybe_null => true,
            RegState::Ptr(p) => {
                let base = match p.kind {
                    PtrKind::Ctx => self.ctx.map(|(base, _)| base),
                    PtrKind::Stack { frame } => {
                        self.frame_pointers.get(usize::from(frame)).copied()
                    }
                    _ => return true,
                };
                base.is_some_and(|base| {
                    let off = v.wrapping_sub(base).wrapping_sub(i64::from(p.off) as u64);
                    p.var.contains(off)
                })
            }
        }
    }
}

/// Per slot, the snapshots recorded there (deduplicated).
#[derive(Clone, Debug, Default)]
pub struct Trace {
    per_pc: Vec<Vec<Snapshot>>,
    /// (slot, hash of a snapshot) -> index of the latest snapshot of the slot with
    /// that hash; `older` chains each to the previous one with the same hash, so
    /// recording stays linear however many distinct snapshots a slot collects.
    latest: HashMap<(usize, u64), usize, BuildHasherDefault<Fingerprint>>,
    /// Per slot and snapshot: the previous snapshot of the slot with the same hash.
    older: Vec<Vec<Option<usize>>>,
    /// Snapshots recorded.
    count: usize,
}

/// A multiply-rotate hash of a snapshot's fields: cheap (snapshots are hashed at
/// every processed instruction) and good enough to spread bounds and offsets.
#[derive(Clone, Debug, Default)]
struct Fingerprint(u64);

impl Hasher for Fingerprint {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_u32(&mut self, v: u32) {
        self.write_u64(u64::from(v));
    }

    fn write_i64(&mut self, v: i64) {
        self.write_u64(v as u64);
    }

    fn write_i32(&mut self, v: i32) {
        self.write_u64(u64::from(v as u32));
    }

    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
}

fn fingerprint(snap: &Snapshot) -> u64 {
    let mut h = Fingerprint::default();
    snap.hash(&mut h);
    h.finish()
}

fn reg_admits(abs: &RegState, c: Concrete) -> bool {
    match (abs, c) {
        (RegState::NotInit, _) => true,
        (RegState::Scalar(s), Concrete::Number(v)) => s.contains(v),
        (RegState::Ptr(p), Concrete::Number(0)) => p.maybe_null,
        (RegState::Ptr(p), Concrete::Pointer(kind, off)) => {
            let same = std::mem::discriminant(&p.kind) == std::mem::discriminant(&kind);
            same && p.var.contains((off - i64::from(p.off)) as u64)
        }
        // The interpreter may not know a pointer's region (e.g. a map pointer).
        (RegState::Ptr(_), Concrete::Number(_)) => true,
        (RegState::Scalar(_), Concrete::Pointer(..)) => false,
    }
}

impl Trace {
    /// An empty trace for `n` slots.
    pub fn new(n: usize) -> Trace {
        Trace {
            per_pc: vec![Vec::new(); n],
            latest: HashMap::default(),
            older: vec![Vec::new(); n],
            count: 0,
        }
    }

    /// Records the state before the instruction at `pc`.
    pub fn record(&mut self, pc: usize, st: &State) {
        let snap = Snapshot {
            depth: st.depth(),
            regs: st.cur().regs,
        };
        let (Some(list), Some(older)) = (self.per_pc.get_mut(pc), self.older.get_mut(pc)) else {
            return;
        };
        let key = (pc, fingerprint(&snap));
        let head = self.latest.get(&key).copied();
        let mut at = head;
        while let Some(i) = at {
            if list.get(i) == Some(&snap) {
                return;
            }
            at = older.get(i).copied().flatten();
        }
        older.push(head);
        self.latest.insert(key, list.len());
        list.push(snap);
        self.count += 1;
    }

    /// Estimated bytes the recorded snapshots take (with their index entries; the
    /// per-instruction lists grow by doubling, hence twice the snapshot).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let per = 2 * (size_of::<Snapshot>() + size_of::<Option<usize>>())
            + 2 * size_of::<((usize, u64), usize)>();
        self.count * per
    }

    /// The snapshots at `pc`.
    pub fn at(&self, pc: usize) -> &[Snapshot] {
        self.per_pc.get(pc).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether the concrete registers at `pc` (call depth `depth`) lie in a recorded
    /// snapshot, for the registers in `live` (bit `r` for register `r`).
    pub fn admits(&self, pc: usize, depth: usize, regs: &[Concrete; NUM_REGS], live: u16) -> bool {
        self.admits_by(pc, depth, live, |r, abs| reg_admits(abs, regs[r]))
    }

    /// [`admits`](Trace::admits) for raw register values, read against the
    /// objects' addresses in `regions` ([`Regions::admits`]).
    pub fn admits_raw(
        &self,
        pc: usize,
        depth: usize,
        regs: &[u64; NUM_REGS],
        live: u16,
        regions: &Regions,
    ) -> bool {
        self.admits_by(pc, depth, live, |r, abs| regions.admits(abs, regs[r]))
    }

    /// Whether some snapshot at `pc` and `depth` has `ok(r, state)` for every
    /// register `r` in `live`.
    fn admits_by(
        &self,
        pc: usize,
        depth: usize,
        live: u16,
        ok: impl Fn(usize, &RegState) -> bool,
    ) -> bool {
        self.at(pc).iter().any(|s| {
            s.depth == depth
                && (0..NUM_REGS)
                    .all(|r| live & (1 << r) == 0 || s.regs.get(r).is_some_and(|a| ok(r, a)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::Scalar;
    use crate::state::Frame;

    /// A trace of `n` slots with one state recorded at `pc`: the main frame with
    /// r0 in [0, 10] and `regs` set on top.
    fn trace_with(n: usize, pc: usize, regs: &[(usize, RegState)]) -> Trace {
        let mut f = Frame::new(0, 0, 0);
        f.regs[0] = RegState::Scalar(Scalar::urange(0, 10));
        for &(r, st) in regs {
            f.regs[r] = st;
        }
        let st = State {
            frames: vec![f],
            refs: vec![],
            ghosts: vec![],
        };
        let mut t = Trace::new(n);
        t.record(pc, &st);
        t
    }

    #[test]
    fn record_keeps_each_snapshot_once() {
        let mut t = trace_with(2, 1, &[]);
        let mut f = Frame::new(0, 0, 0);
        for v in [3, 4, 3, 4, 5] {
            f.regs[2] = RegState::Scalar(Scalar::constant(v));
            let st = State {
                frames: vec![f.clone()],
                refs: vec![],
                ghosts: vec![],
            };
            t.record(1, &st);
            t.record(7, &st);
        }
        assert_eq!(t.at(1).len(), 4);
        assert!(t.at(0).is_empty() && t.at(7).is_empty());
    }

    #[test]
    fn admits_values_in_range() {
        let t = trace_with(2, 1, &[]);
        let mut regs = [Concrete::Number(0); NUM_REGS];
        regs[10] = Concrete::Pointer(PtrKind::Stack { frame: 0 }, 0);
        assert!(t.admits(1, 0, &regs, 0b100_0000_0001));
        regs[0] = Concrete::Number(11);
        assert!(!t.admits(1, 0, &regs, 1));
        assert!(t.admits(1, 0, &regs, 0));
        assert!(!t.admits(0, 0, &regs, 0));
    }

    #[test]
    fn raw_values_are_read_against_region_addresses() {
        let t = trace_with(
            1,
            0,
            &[
                (1, RegState::Ptr(crate::reg::Ptr::new(PtrKind::Ctx))),
                (2, RegState::Scalar(Scalar::urange(0, u64::MAX))),
            ],
        );
        let regions = Regions {
            ctx: Some((0x1000, 64)),
            frame_pointers: vec![0x9000],
            frame_size: 512,
        };
        let mut regs = [0u64; NUM_REGS];
        regs[1] = 0x1000;
        regs[10] = 0x9000;
        assert!(t.admits_raw(0, 0, &regs, 0b111_1111_1111, &regions));
        // r1 off the context's base, r0 out of range, r2 holding an address.
        for (r, v) in [(1, 0x1008), (0, 11), (2, 0x8ff8), (2, 0x1004)] {
            let mut bad = regs;
            bad[r] = v;
            assert!(!t.admits_raw(0, 0, &bad, 0b111, &regions), "r{r} = {v:#x}");
            assert!(t.admits_raw(0, 0, &bad, 0, &regions));
        }
        assert!(!t.admits_raw(0, 1, &regs, 0, &regions));
    }
}
