//! The dispatch loop: one `match` on [`Op`] per executed instruction.
//!
//! The loop is sensitive to register allocation: small changes to rare arms (an
//! extra `?` or `let ... else` in the local call and exit arms, say) have made LLVM
//! keep the instruction array or the region table on the stack, which cost 8-15%
//! per instruction. Check `ns_per_insn` (benches) before and after changing it.

use super::alu::{alu32, alu64, cond32, cond64, end};
use super::error::{ExecError, ExecErrorKind};
use super::observe::{Observer, OBSERVED_REGS};
use super::vm::RunOutcome;
use crate::helpers::{HelperContext, HelperRegistry};
use crate::insn::Insn;
use crate::isa::{AluOp, AtomicOp, EndOp, JmpCond, Op};
use crate::memory::{RegionId, RegionTable, StackLayout, Word};

/// Everything a run needs besides its registers.
pub(super) struct Machine<'r, 'a> {
    /// The program's executable instructions.
    pub insns: &'r [Insn],
    /// Helpers by id.
    pub helpers: &'r HelperRegistry,
    /// Every region the run may access, the stack included (its region is resized
    /// in place on local calls and returns; `run_with` set it to the entry frame).
    pub memory: &'r mut RegionTable<'a>,
    /// Where the stack frames are.
    pub stack: StackLayout,
    /// The region legacy packet loads read.
    pub packet: Option<RegionId>,
}

/// A caller's state saved by a local call.
struct Frame {
    /// Slot to continue at after the callee exits.
    return_pc: usize,
    /// The caller's r6-r9.
    saved: [u64; 4],
}

/// Runs from slot 0 with r1-r5 = `args` until the entry function exits, calling
/// `observer` before each executed instruction (monomorphized: with
/// [`NoObserver`](super::observe::NoObserver) the calls vanish).
pub(super) fn execute<O: Observer>(
    m: Machine<'_, '_>,
    args: [u64; 5],
    budget: Option<u64>,
    observer: &mut O,
) -> Result<RunOutcome, ExecError> {
    let Machine {
        insns,
        helpers,
        memory,
        stack,
        packet,
    } = m;
    let max_frames = stack.frames();
    let mut frames: Vec<Frame> = Vec::with_capacity(max_frames);
    // Sixteen slots so that a 4-bit register field never needs a bounds check.
    let mut r = [0u64; 16];
    r[1..6].copy_from_slice(&args);
    r[10] = stack.frame_pointer(0);
    let start = budget.unwrap_or(u64::MAX);
    let mut left = start;
    let mut pc = 0usize;
    observer.start(&stack);
    loop {
        let Some(insn) = insns.get(pc) else {
            return Err(ExecError::new(pc, ExecErrorKind::InvalidProgramCounter));
        };
        if left == 0 {
            return Err(ExecError::new(
                pc,
                ExecErrorKind::BudgetExhausted { budget: start },
            ));
        }
        left -= 1;
        if let Some(regs) = r.first_chunk::<OBSERVED_REGS>() {
            observer.before(pc, frames.len(), regs);
        }
        let at = pc;
        pc += 1;
        let d = usize::from(insn.dst & 15);
        let s = usize::from(insn.src & 15);
        // 64-bit forms use the immediate sign-extended, 32-bit forms its low half.
        let imm = insn.imm as u64;
        let imm32 = insn.imm as u32;
        let off = insn.off as i64 as u64;
        let fault = |e| ExecError::new(at, ExecErrorKind::from(e));
        macro_rules! a64 {
            ($op:ident, $src:expr) => {
                r[d] = alu64(AluOp::$op, r[d], $src)
            };
        }
        macro_rules! a32 {
            ($op:ident, $src:expr) => {
                r[d] = u64::from(alu32(AluOp::$op, r[d] as u32, $src))
            };
        }
        macro_rules! j64 {
            ($c:ident, $b:expr) => {
                if cond64(JmpCond::$c, r[d], $b) {
                    pc = pc.wrapping_add_signed(isize::from(insn.off));
                }
            };
        }
        macro_rules! j32 {
            ($c:ident, $b:expr) => {
                if cond32(JmpCond::$c, r[d] as u32, $b) {
                    pc = pc.wrapping_add_signed(isize::from(insn.off));
                }
            };
        }
        macro_rules! load {
            ($t:ty) => {
                r[d] = memory
                    .read::<$t>(r[s].wrapping_add(off))
                    .map_err(fault)?
                    .to_u64()
            };
            ($t:ty, $signed:ty) => {
                r[d] = memory.read::<$t>(r[s].wrapping_add(off)).map_err(fault)? as $signed as i64
                    as u64
            };
        }
        macro_rules! store {
            ($t:ty, $v:expr) => {
                memory
                    .write::<$t>(r[d].wrapping_add(off), <$t>::from_u64($v))
                    .map_err(fault)?
            };
        }
        macro_rules! atomic {
            ($f:ident, $t:ty, $op:ident, $fetch:expr) => {{
                let old = memory
                    .$f(
                        r[d].wrapping_add(off),
                        AtomicOp::$op,
                        r[s] as $t,
                        r[0] as $t,
                    )
                    .map_err(fault)?;
                if AtomicOp::$op == AtomicOp::Cmpxchg {
                    r[0] = u64::from(old);
                } else if $fetch {
                    r[s] = u64::from(old);
                }
            }};
        }
        macro_rules! packet {
            ($t:ty, $offset:expr) => {
                match packet_load::<$t>(memory, packet, $offset) {
                    Some(v) => r[0] = v,
                    None => {
                        return Ok(RunOutcome {
                            value: 0,
                            instructions: start - left,
                        })
                    }
                }
            };
        }
        match insn.op {
            Op::Add32Imm => a32!(Add, imm32),
            Op::Add32Reg => a32!(Add, r[s] as u32),
            Op::Add64Imm => a64!(Add, imm),
            Op::Add64Reg => a64!(Add, r[s]),
            Op::Sub32Imm => a32!(Sub, imm32),
            Op::Sub32Reg => a32!(Sub, r[s] as u32),
            Op::Sub64Imm => a64!(Sub, imm),
            Op::Sub64Reg => a64!(Sub, r[s]),
            Op::Mul32Imm => a32!(Mul, imm32),
            Op::Mul32Reg => a32!(Mul, r[s] as u32),
            Op::Mul64Imm => a64!(Mul, imm),
            Op::Mul64Reg => a64!(Mul, r[s]),
            Op::Div32Imm => a32!(Div, imm32),
            Op::Div32Reg => a32!(Div, r[s] as u32),
            Op::Div64Imm => a64!(Div, imm),
            Op::Div64Reg => a64!(Div, r[s]),
            Op::Sdiv32Imm => a32!(Sdiv, imm32),
            Op::Sdiv32Reg => a32!(Sdiv, r[s] as u32),
            Op::Sdiv64Imm => a64!(Sdiv, imm),
            Op::Sdiv64Reg => a64!(Sdiv, r[s]),
            Op::Or32Imm => a32!(Or, imm32),
            Op::Or32Reg => a32!(Or, r[s] as u32),
            Op::Or64Imm => a64!(Or, imm),
            Op::Or64Reg => a64!(Or, r[s]),
            Op::And32Imm => a32!(And, imm32),
            Op::And32Reg => a32!(And, r[s] as u32),
            Op::And64Imm => a64!(And, imm),
            Op::And64Reg => a64!(And, r[s]),
            Op::Lsh32Imm => a32!(Lsh, imm32),
            Op::Lsh32Reg => a32!(Lsh, r[s] as u32),
            Op::Lsh64Imm => a64!(Lsh, imm),
            Op::Lsh64Reg => a64!(Lsh, r[s]),
            Op::Rsh32Imm => a32!(Rsh, imm32),
            Op::Rsh32Reg => a32!(Rsh, r[s] as u32),
            Op::Rsh64Imm => a64!(Rsh, imm),
            Op::Rsh64Reg => a64!(Rsh, r[s]),
            Op::Mod32Imm => a32!(Mod, imm32),
            Op::Mod32Reg => a32!(Mod, r[s] as u32),
            Op::Mod64Imm => a64!(Mod, imm),
            Op::Mod64Reg => a64!(Mod, r[s]),
            Op::Smod32Imm => a32!(Smod, imm32),
            Op::Smod32Reg => a32!(Smod, r[s] as u32),
            Op::Smod64Imm => a64!(Smod, imm),
            Op::Smod64Reg => a64!(Smod, r[s]),
            Op::Xor32Imm => a32!(Xor, imm32),
            Op::Xor32Reg => a32!(Xor, r[s] as u32),
            Op::Xor64Imm => a64!(Xor, imm),
            Op::Xor64Reg => a64!(Xor, r[s]),
            Op::Mov32Imm => a32!(Mov, imm32),
            Op::Mov32Reg => a32!(Mov, r[s] as u32),
            Op::Mov64Imm => a64!(Mov, imm),
            Op::Mov64Reg => a64!(Mov, r[s]),
            Op::Arsh32Imm => a32!(Arsh, imm32),
            Op::Arsh32Reg => a32!(Arsh, r[s] as u32),
            Op::Arsh64Imm => a64!(Arsh, imm),
            Op::Arsh64Reg => a64!(Arsh, r[s]),
            Op::Neg32 => a32!(Neg, 0),
            Op::Neg64 => a64!(Neg, 0),
            Op::Movsx8To32 => a32!(Movsx8, r[s] as u32),
            Op::Movsx16To32 => a32!(Movsx16, r[s] as u32),
            Op::Movsx8To64 => a64!(Movsx8, r[s]),
            Op::Movsx16To64 => a64!(Movsx16, r[s]),
            Op::Movsx32To64 => a64!(Movsx32, r[s]),
            Op::Le16 => r[d] = end(EndOp::Le, 16, r[d]),
            Op::Le32 => r[d] = end(EndOp::Le, 32, r[d]),
            Op::Le64 => r[d] = end(EndOp::Le, 64, r[d]),
            Op::Be16 => r[d] = end(EndOp::Be, 16, r[d]),
            Op::Be32 => r[d] = end(EndOp::Be, 32, r[d]),
            Op::Be64 => r[d] = end(EndOp::Be, 64, r[d]),
            Op::Bswap16 => r[d] = end(EndOp::Swap, 16, r[d]),
            Op::Bswap32 => r[d] = end(EndOp::Swap, 32, r[d]),
            Op::Bswap64 => r[d] = end(EndOp::Swap, 64, r[d]),
            Op::JeqImm => j64!(Eq, imm),
            Op::JeqReg => j64!(Eq, r[s]),
            Op::Jeq32Imm => j32!(Eq, imm32),
            Op::Jeq32Reg => j32!(Eq, r[s] as u32),
            Op::JgtImm => j64!(Gt, imm),
            Op::JgtReg => j64!(Gt, r[s]),
            Op::Jgt32Imm => j32!(Gt, imm32),
            Op::Jgt32Reg => j32!(Gt, r[s] as u32),
            Op::JgeImm => j64!(Ge, imm),
            Op::JgeReg => j64!(Ge, r[s]),
            Op::Jge32Imm => j32!(Ge, imm32),
            Op::Jge32Reg => j32!(Ge, r[s] as u32),
            Op::JsetImm => j64!(Set, imm),
            Op::JsetReg => j64!(Set, r[s]),
            Op::Jset32Imm => j32!(Set, imm32),
            Op::Jset32Reg => j32!(Set, r[s] as u32),
            Op::JneImm => j64!(Ne, imm),
            Op::JneReg => j64!(Ne, r[s]),
            Op::Jne32Imm => j32!(Ne, imm32),
            Op::Jne32Reg => j32!(Ne, r[s] as u32),
            Op::JsgtImm => j64!(Sgt, imm),
            Op::JsgtReg => j64!(Sgt, r[s]),
            Op::Jsgt32Imm => j32!(Sgt, imm32),
            Op::Jsgt32Reg => j32!(Sgt, r[s] as u32),
            Op::JsgeImm => j64!(Sge, imm),
            Op::JsgeReg => j64!(Sge, r[s]),
            Op::Jsge32Imm => j32!(Sge, imm32),
            Op::Jsge32Reg => j32!(Sge, r[s] as u32),
            Op::JltImm => j64!(Lt, imm),
            Op::JltReg => j64!(Lt, r[s]),
            Op::Jlt32Imm => j32!(Lt, imm32),
            Op::Jlt32Reg => j32!(Lt, r[s] as u32),
            Op::JleImm => j64!(Le, imm),
            Op::JleReg => j64!(Le, r[s]),
            Op::Jle32Imm => j32!(Le, imm32),
            Op::Jle32Reg => j32!(Le, r[s] as u32),
            Op::JsltImm => j64!(Slt, imm),
            Op::JsltReg => j64!(Slt, r[s]),
            Op::Jslt32Imm => j32!(Slt, imm32),
            Op::Jslt32Reg => j32!(Slt, r[s] as u32),
            Op::JsleImm => j64!(Sle, imm),
            Op::JsleReg => j64!(Sle, r[s]),
            Op::Jsle32Imm => j32!(Sle, imm32),
            Op::Jsle32Reg => j32!(Sle, r[s] as u32),
            Op::AtomicAdd32 => atomic!(atomic32, u32, Add, false),
            Op::AtomicFetchAdd32 => atomic!(atomic32, u32, Add, true),
            Op::AtomicAdd64 => atomic!(atomic64, u64, Add, false),
            Op::AtomicFetchAdd64 => atomic!(atomic64, u64, Add, true),
            Op::AtomicOr32 => atomic!(atomic32, u32, Or, false),
            Op::AtomicFetchOr32 => atomic!(atomic32, u32, Or, true),
            Op::AtomicOr64 => atomic!(atomic64, u64, Or, false),
            Op::AtomicFetchOr64 => atomic!(atomic64, u64, Or, true),
            Op::AtomicAnd32 => atomic!(atomic32, u32, And, false),
            Op::AtomicFetchAnd32 => atomic!(atomic32, u32, And, true),
            Op::AtomicAnd64 => atomic!(atomic64, u64, And, false),
            Op::AtomicFetchAnd64 => atomic!(atomic64, u64, And, true),
            Op::AtomicXor32 => atomic!(atomic32, u32, Xor, false),
            Op::AtomicFetchXor32 => atomic!(atomic32, u32, Xor, true),
            Op::AtomicXor64 => atomic!(atomic64, u64, Xor, false),
            Op::AtomicFetchXor64 => atomic!(atomic64, u64, Xor, true),
            Op::AtomicXchg32 => atomic!(atomic32, u32, Xchg, true),
            Op::AtomicXchg64 => atomic!(atomic64, u64, Xchg, true),
            Op::AtomicCmpxchg32 => atomic!(atomic32, u32, Cmpxchg, true),
            Op::AtomicCmpxchg64 => atomic!(atomic64, u64, Cmpxchg, true),
            Op::Ja => pc = pc.wrapping_add_signed(isize::from(insn.off)),
            Op::Gotol => pc = pc.wrapping_add_signed(insn.imm as i32 as isize),
            Op::Call => {
                r[0] = call_helper(helpers, memory, u64::from(imm32), &r)
                    .map_err(|k| ExecError::new(at, k))?
            }
            Op::Callx => {
                r[0] = call_helper(helpers, memory, r[d], &r).map_err(|k| ExecError::new(at, k))?
            }
            Op::CallLocal => {
                // Makes the callee's frame live (the region grows down by one frame),
                // unless every frame is in use.
                if memory.set_stack_depth(frames.len() + 1).is_none() {
                    return Err(ExecError::new(
                        at,
                        ExecErrorKind::CallDepthExceeded { max_frames },
                    ));
                }
                frames.push(Frame {
                    return_pc: pc,
                    saved: [r[6], r[7], r[8], r[9]],
                });
                r[10] = stack.frame_pointer(frames.len());
                pc = pc.wrapping_add_signed(insn.imm as i32 as isize);
            }
            Op::Exit => match frames.pop() {
                Some(frame) => {
                    r[6..10].copy_from_slice(&frame.saved);
                    r[10] = stack.frame_pointer(frames.len());
                    // The callee's frame is no longer accessible. (A depth below one
                    // that was set is always valid: nothing to check.)
                    memory.set_stack_depth(frames.len());
                    pc = frame.return_pc;
                }
                None => {
                    return Ok(RunOutcome {
                        value: r[0],
                        instructions: start - left,
                    })
                }
            },
            Op::Lddw
            | Op::LddwMapFd
            | Op::LddwMapValue
            | Op::LddwBtfId
            | Op::LddwFunc
            | Op::LddwMapIdx
            | Op::LddwMapIdxValue => {
                r[d] = imm;
                pc += 1;
            }
            Op::LddwHigh => {
                return Err(ExecError::new(at, ExecErrorKind::InvalidProgramCounter));
            }
            Op::LdAbsW => packet!(u32, i64::from(insn.imm as i32)),
            Op::LdAbsH => packet!(u16, i64::from(insn.imm as i32)),
            Op::LdAbsB => packet!(u8, i64::from(insn.imm as i32)),
            Op::LdAbsDw => packet!(u64, i64::from(insn.imm as i32)),
            Op::LdIndW => packet!(u32, i64::from(r[s].wrapping_add(imm) as i32)),
            Op::LdIndH => packet!(u16, i64::from(r[s].wrapping_add(imm) as i32)),
            Op::LdIndB => packet!(u8, i64::from(r[s].wrapping_add(imm) as i32)),
            Op::LdIndDw => packet!(u64, i64::from(r[s].wrapping_add(imm) as i32)),
            Op::LdxW => load!(u32),
            Op::LdxH => load!(u16),
            Op::LdxB => load!(u8),
            Op::LdxDw => load!(u64),
            Op::LdxSw => load!(u32, i32),
            Op::LdxSh => load!(u16, i16),
            Op::LdxSb => load!(u8, i8),
            Op::StW => store!(u32, imm),
            Op::StH => store!(u16, imm),
            Op::StB => store!(u8, imm),
            Op::StDw => store!(u64, imm),
            Op::StxW => store!(u32, r[s]),
            Op::StxH => store!(u16, r[s]),
            Op::StxB => store!(u8, r[s]),
            Op::StxDw => store!(u64, r[s]),
        }
    }
}

/// Calls helper `id` with r1-r5 and returns its r0.
#[inline(never)]
fn call_helper(
    helpers: &HelperRegistry,
    memory: &mut RegionTable<'_>,
    id: u64,
    r: &[u64; 16],
) -> Result<u64, ExecErrorKind> {
    let helper = u32::try_from(id)
        .ok()
        .and_then(|id32| helpers.get(id32).map(|h| (id32, h)));
    let Some((id32, helper)) = helper else {
        return Err(ExecErrorKind::UnknownHelper { id });
    };
    let args = [r[1], r[2], r[3], r[4], r[5]];
    helper
        .call(&mut HelperContext::new(memory), args)
        .map_err(|error| ExecErrorKind::HelperFailed { id: id32, error })
}

/// A legacy packet load: the big-endian `T` at `offset` into the packet region,
/// zero-extended; `None` when it is not inside the packet (negative offsets
/// included), which ends the run with r0 = 0 as in the Linux kernel.
#[inline(never)]
fn packet_load<T: Word>(
    memory: &RegionTable<'_>,
    packet: Option<RegionId>,
    offset: i64,
) -> Option<u64> {
    let offset = u64::try_from(offset).ok()?;
    let v = memory.read_in::<T>(packet?, offset)?.to_u64();
    if cfg!(target_endian = "big") {
        return Some(v);
    }
    // Read in host (little-endian) order: reverse the low `size` bytes.
    let size = u64::from(T::SIZE.bytes());
    Some(v.swap_bytes() >> (64 - 8 * size))
}
