//! Why a program is rejected, in plain words, and the rejection as a whole.

use crate::stats::Stats;
use std::fmt;

/// The reason for a rejection. The messages follow the kernel's wording where one exists.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    /// No path reaches the instruction.
    #[error("unreachable insn")]
    Unreachable,
    /// A function's last instruction can fall through.
    #[error("last insn is not an exit or jmp")]
    NoExit,
    /// A jump leaves its function.
    #[error("jump out of range to insn {to}")]
    JumpOutOfFunction {
        /// Target slot.
        to: usize,
    },
    /// An instruction form the verifier does not accept.
    #[error("unsupported instruction: {0}")]
    Unsupported(&'static str),
    /// A register read before any write.
    #[error("R{reg} !read_ok")]
    UninitReg {
        /// Register.
        reg: u8,
    },
    /// A load or store through a register that is not a usable pointer.
    #[error("R{reg} invalid mem access '{ty}'")]
    InvalidMemAccess {
        /// Register.
        reg: u8,
        /// Its type.
        ty: String,
    },
    /// A stack access outside the frame.
    #[error("invalid {access} stack R{reg} off={off} size={size}")]
    StackBounds {
        /// "read from" / "write to".
        access: &'static str,
        /// Register.
        reg: u8,
        /// Offset from the frame pointer.
        off: i64,
        /// Access size.
        size: u64,
    },
    /// A stack read of bytes never written.
    #[error("invalid read from stack R{reg} off {off}+{size}")]
    UninitStack {
        /// Register.
        reg: u8,
        /// Offset from the frame pointer.
        off: i64,
        /// Access size.
        size: u64,
    },
    /// A context access the program type does not allow.
    #[error("invalid bpf_context access off={off} size={size}")]
    CtxAccess {
        /// Offset.
        off: i64,
        /// Size.
        size: u32,
    },
    /// A context access through a pointer that was moved.
    #[error("dereference of modified ctx ptr R{reg} off={off} disallowed")]
    ModifiedCtx {
        /// Register.
        reg: u8,
        /// Its offset.
        off: i32,
    },
    /// A packet access beyond what comparisons with the packet end proved.
    #[error("invalid access to packet, off={off} size={size}, R{reg}(r={range})")]
    PacketBounds {
        /// Register.
        reg: u8,
        /// Offset.
        off: i64,
        /// Size.
        size: u64,
        /// Proven range.
        range: u32,
    },
    /// An access outside a map value, ring buffer sample or other sized memory.
    #[error("invalid access to {what}, size={mem_size} off={off} size={size}")]
    MemBounds {
        /// "map value", "memory", ...
        what: &'static str,
        /// Size of the object.
        mem_size: u32,
        /// Smallest offset possible.
        off: i64,
        /// Access size.
        size: u64,
    },
    /// A variable offset or size that may be negative.
    #[error(
        "R{reg} min value is negative, either use unsigned index or do a if (index >=0) check."
    )]
    NegativeMin {
        /// Register.
        reg: u8,
    },
    /// A variable offset or size with no useful upper bound.
    #[error("R{reg} unbounded memory access, make sure to bounds check any such access")]
    Unbounded {
        /// Register.
        reg: u8,
    },
    /// A dereference of a pointer that may be null.
    #[error("R{reg} invalid mem access '{ty}' (check it against null first)")]
    MaybeNull {
        /// Register.
        reg: u8,
        /// Its type.
        ty: String,
    },
    /// Arithmetic the pointer's type does not allow.
    #[error("R{reg} {what}")]
    PointerArith {
        /// Register.
        reg: u8,
        /// The kernel-style description.
        what: String,
    },
    /// A division or modulo by the immediate zero.
    #[error("div by zero")]
    DivByZero,
    /// A shift by an immediate not below the width.
    #[error("invalid shift {0}")]
    InvalidShift(i64),
    /// A store into memory that is read-only for the program.
    #[error("R{reg} cannot write into {what}")]
    ReadOnly {
        /// Register.
        reg: u8,
        /// What it points to.
        what: String,
    },
    /// A pointer value escaping where only numbers may go.
    #[error("R{reg} leaks addr into {into}")]
    Leak {
        /// Register.
        reg: u8,
        /// Where to.
        into: &'static str,
    },
    /// An immediate store or atomic into memory that forbids it.
    #[error("{what} into R{reg} {ty} is not allowed")]
    StoreKind {
        /// "BPF_ST stores" / "BPF_ATOMIC stores".
        what: &'static str,
        /// Register.
        reg: u8,
        /// Its type.
        ty: String,
    },
    /// A stack access not aligned to its size.
    #[error("misaligned stack access R{reg} off {off} size {size}")]
    Misaligned {
        /// Register.
        reg: u8,
        /// Offset from the frame pointer.
        off: i64,
        /// Access size.
        size: u32,
    },
    /// A partial overwrite of a spilled pointer (its remaining bytes would leak).
    #[error("attempt to corrupt spilled pointer on stack")]
    CorruptSpill,
    /// A pointer stored to the stack with fewer than 8 bytes.
    #[error("invalid size of register spill")]
    BadSpill,
    /// A narrow load of a spilled pointer.
    #[error("invalid size of register fill")]
    BadFill,
    /// A helper id not offered to programs.
    #[error("invalid func unknown#{0}")]
    UnknownHelper(u32),
    /// A helper the program type may not call.
    #[error("program of this type cannot use helper {name}#{id}")]
    HelperNotAllowed {
        /// Helper name.
        name: String,
        /// Helper id.
        id: u32,
    },
    /// A helper argument of the wrong kind.
    #[error("R{reg} type={got} expected={expected}")]
    BadArg {
        /// Argument register.
        reg: u8,
        /// What it holds.
        got: String,
        /// What the prototype wants.
        expected: &'static str,
    },
    /// A size argument that is not a bounded number of the right sign.
    #[error("R{reg} {what}")]
    BadSize {
        /// Size register.
        reg: u8,
        /// What is wrong with it.
        what: &'static str,
    },
    /// A map passed to a helper that cannot use its type.
    #[error("cannot pass map_type {map_type} into func {helper}")]
    MapIncompatible {
        /// The map type's kernel name (`unimplemented` for a type ferrobpf lacks).
        map_type: &'static str,
        /// Helper name.
        helper: String,
    },
    /// A pseudo LDDW naming no known map.
    #[error("fd {0} is not pointing to valid bpf_map")]
    BadMap(i64),
    /// A map taken out of a map of maps whose inner-map template is not known
    /// ([`crate::Config::inner_maps`]).
    #[error("map {outer} holds maps, but no description of them was given")]
    NoInnerMap {
        /// Index of the map of maps.
        outer: u32,
    },
    /// Too many nested local calls.
    #[error("the call stack of {0} frames is too deep")]
    CallTooDeep(usize),
    /// The stacks of a call chain exceed the limit.
    #[error("combined stack size of {calls} calls is {size}. Too large")]
    StackTooLarge {
        /// Frames in the chain.
        calls: usize,
        /// Combined size.
        size: usize,
    },
    /// Exploration exceeded its budget.
    #[error("BPF program is too large. Processed {0} insn")]
    TooComplex(usize),
    /// A cap on the verifier's own resources was reached: the program is too complex
    /// to verify within the configured limits.
    #[error("verifier limit reached: more than {max} {limit}")]
    Limit {
        /// Which cap.
        limit: Limit,
        /// Its configured value.
        max: usize,
    },
    /// A loop state repeats exactly: the loop may never end.
    #[error("infinite loop detected at insn {0}")]
    InfiniteLoop(usize),
    /// A loop whose termination could not be proven.
    #[error(
        "loop at insn {head} (insns {body:?}) may not terminate: no counter moves towards a bound"
    )]
    UnprovenLoop {
        /// Loop head.
        head: usize,
        /// Slots of the loop.
        body: Vec<usize>,
    },
    /// A return value outside the program type's range.
    #[error("At program exit the register R0 has {got} should have been in [{lo}, {hi}]")]
    ReturnRange {
        /// R0's state.
        got: String,
        /// Allowed minimum.
        lo: u64,
        /// Allowed maximum.
        hi: u64,
    },
    /// A pointer returned where only numbers may be.
    #[error("R0 leaks addr as return value")]
    ReturnLeak,
    /// A function returning a pointer into its own stack.
    #[error("cannot return stack pointer to the caller")]
    ReturnStackPtr,
    /// A reservation never submitted or discarded.
    #[error("Unreleased reference id={0}")]
    UnreleasedRef(u32),
    /// Legacy packet loads in a program type without them.
    #[error("BPF_LD_[ABS|IND] instructions not allowed for this program type")]
    LdAbsNotAllowed,
    /// Legacy packet loads need the context in r6.
    #[error("at the time of BPF_LD_ABS|IND R6 != pointer to skb")]
    LdAbsNoCtx,
}

/// A cap on what the verifier keeps while exploring (see [`crate::Config`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Limit {
    /// Paths waiting to be explored, i.e. undecided branches not yet followed
    /// ([`crate::Config::max_pending`], the kernel's `BPF_COMPLEXITY_LIMIT_JMP_SEQ`:
    /// "The sequence of 8193 jumps is too complex").
    PendingBranches,
    /// States stored for pruning and kept at once ([`crate::Config::max_states`]).
    StoredStates,
    /// Estimated bytes of stored states, pending paths, loop invariants and recorded
    /// snapshots ([`crate::Config::max_memory`]).
    MemoryBytes,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limit::PendingBranches => "pending branches (max_pending)",
            Limit::StoredStates => "stored states (max_states)",
            Limit::MemoryBytes => "bytes of verifier state (max_memory)",
        })
    }
}

/// A rejected program: where, why, and the abstract state that led there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// Slot index of the offending instruction.
    pub pc: usize,
    /// Why.
    pub reason: Reason,
    /// The innermost frame's registers and stack at that point, kernel style.
    pub state: String,
    /// Work done until the rejection.
    pub stats: Stats,
    /// The log (empty unless requested).
    pub log: String,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "insn {}: {}", self.pc, self.reason)?;
        if !self.state.is_empty() {
            write!(f, " [{}]", self.state)?;
        }
        Ok(())
    }
}

impl std::error::Error for Rejection {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_instruction_and_state() {
        let r = Rejection {
            pc: 7,
            reason: Reason::UninitReg { reg: 3 },
            state: "R1=ctx()".into(),
            stats: Stats::default(),
            log: String::new(),
        };
        assert_eq!(r.to_string(), "insn 7: R3 !read_ok [R1=ctx()]");
        assert_eq!(
            Reason::TooComplex(1_000_001).to_string(),
            "BPF program is too large. Processed 1000001 insn"
        );
        let limit = Reason::Limit {
            limit: Limit::PendingBranches,
            max: 8192,
        };
        assert_eq!(
            limit.to_string(),
            "verifier limit reached: more than 8192 pending branches (max_pending)"
        );
    }
}
