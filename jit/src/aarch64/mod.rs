//! The AArch64 back end: implements [`MacroAssembler`] with dynasm-rs's aarch64
//! support, behind the same lowering walk as x86-64.
//!
//! The output is position-independent machine code plus the offset of its entry glue
//! ([`A64Code`]); host functions are reached through absolute addresses given in
//! [`Runtime`]. On other hosts the code runs under emulation (feature `emulator`,
//! module [`emu`]).
//!
//! Conditional branches reach +-1 MiB. Programs whose code could be larger than that
//! (more than [`NEAR_LIMIT`] slots) get every conditional branch as an inverted
//! branch over an unconditional `b`, which reaches +-128 MiB.

/// `dynasm!` for AArch64.
macro_rules! a64 {
    ($ops:expr, $($t:tt)*) => {
        dynasmrt::dynasm!($ops ; .arch aarch64 ; $($t)*)
    };
}

mod alu;
mod control;
#[cfg(feature = "emulator")]
pub mod emu;
pub mod exec;
mod memory;
pub mod regs;
mod stubs;

use crate::error::JitError;
use crate::fault::FaultCode;
use crate::lower::masm::{MacroAssembler, Operand};
use dynasmrt::aarch64::Aarch64Relocation;
use dynasmrt::VecAssembler;
use dynasmrt::{DynamicLabel, DynasmApi, DynasmLabelApi};
use ferrobpf_vm::isa::Width;

/// Programs with more slots than this use far conditional branches: no slot emits
/// more than 256 bytes (body and out-of-line paths together), so below it the body,
/// the out-of-line paths and the stubs fit well within 1 MiB.
pub const NEAR_LIMIT: usize = 3072;

/// Addresses of the host functions generated code calls (AAPCS64), with the same
/// arguments as the x86-64 back end's trampolines.
#[derive(Copy, Clone, Debug)]
pub struct Runtime {
    /// `fn(ctx, addr, packed_miss)`: region lookup after a window miss.
    pub lookup: u64,
    /// `fn(ctx, id, pc) -> u64`: helper call; r1-r5 are in `ctx.args`.
    pub helper: u64,
    /// `fn(ctx, offset, packed_size_pc) -> u64`: legacy packet load.
    pub packet: u64,
    /// Deepest local-call nesting allowed (frames beyond the entry one).
    pub max_depth: u64,
    /// Bytes between the r10 of a frame and the r10 of the frame it calls.
    pub frame_size: u32,
}

/// Finished AArch64 code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct A64Code {
    /// The machine code, little-endian 32-bit words.
    pub bytes: Vec<u8>,
    /// Byte offset of the entry glue: `fn(ctx: *mut JitContext) -> u64` (AAPCS64).
    pub entry: usize,
}

impl A64Code {
    /// Number of machine instructions.
    pub fn instructions(&self) -> usize {
        self.bytes.len() / 4
    }
}

/// A condition of `b.cond`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Cond {
    Eq,
    Ne,
    Hs,
    Lo,
    Hi,
    Ls,
    Ge,
    Lt,
    Gt,
    Le,
}

impl Cond {
    fn invert(self) -> Cond {
        match self {
            Cond::Eq => Cond::Ne,
            Cond::Ne => Cond::Eq,
            Cond::Hs => Cond::Lo,
            Cond::Lo => Cond::Hs,
            Cond::Hi => Cond::Ls,
            Cond::Ls => Cond::Hi,
            Cond::Ge => Cond::Lt,
            Cond::Lt => Cond::Ge,
            Cond::Gt => Cond::Le,
            Cond::Le => Cond::Gt,
        }
    }
}

/// Code placed after the program body.
enum OutOfLine {
    /// A window miss of a checked access: the miss stub checks the live stack or
    /// looks the address up, then the access resumes.
    Miss {
        entry: DynamicLabel,
        resume: DynamicLabel,
        packed: u64,
    },
    /// The budget could not cover the segment that ends before slot `end`.
    Budget { entry: DynamicLabel, end: u32 },
    /// A fault raised by generated code itself.
    Fault {
        entry: DynamicLabel,
        pc: u32,
        code: FaultCode,
    },
}

/// The AArch64 emitter.
pub struct A64 {
    ops: VecAssembler<Aarch64Relocation>,
    pc: u32,
    runtime: Runtime,
    far: bool,
    out_of_line: Vec<OutOfLine>,
    fault_exit: DynamicLabel,
    miss_stub: Option<DynamicLabel>,
}

impl A64 {
    /// A fresh emitter for a program of `insns` slots.
    pub fn new(runtime: Runtime, insns: usize) -> A64 {
        A64::with_far_branches(runtime, insns, insns > NEAR_LIMIT)
    }

    /// A fresh emitter, with far conditional branches or not (tests force them).
    pub fn with_far_branches(runtime: Runtime, insns: usize, far: bool) -> A64 {
        let mut ops = VecAssembler::new_with_capacity(
            0,
            insns.saturating_mul(24).saturating_add(512),
            0,
            0,
            insns.saturating_mul(2),
            0,
            insns.saturating_mul(2),
        );
        let fault_exit = ops.new_dynamic_label();
        A64 {
            ops,
            pc: 0,
            runtime,
            far,
            out_of_line: Vec::new(),
            fault_exit,
            miss_stub: None,
        }
    }

    /// A label jumping to code that reports `code` at the current instruction.
    fn fault_label(&mut self, code: FaultCode) -> DynamicLabel {
        let entry = self.ops.new_dynamic_label();
        self.out_of_line.push(OutOfLine::Fault {
            entry,
            pc: self.pc,
            code,
        });
        entry
    }

    /// `b.cond target`, or in far mode the inverted condition over a `b`.
    fn branch_if(&mut self, cond: Cond, target: DynamicLabel) {
        if self.far {
            let skip = self.ops.new_dynamic_label();
            self.bcond(cond.invert(), skip);
            a64!(self.ops, b =>target ; =>skip);
        } else {
            self.bcond(cond, target);
        }
    }

    fn bcond(&mut self, cond: Cond, target: DynamicLabel) {
        match cond {
            Cond::Eq => a64!(self.ops, b.eq =>target),
            Cond::Ne => a64!(self.ops, b.ne =>target),
            Cond::Hs => a64!(self.ops, b.hs =>target),
            Cond::Lo => a64!(self.ops, b.lo =>target),
            Cond::Hi => a64!(self.ops, b.hi =>target),
            Cond::Ls => a64!(self.ops, b.ls =>target),
            Cond::Ge => a64!(self.ops, b.ge =>target),
            Cond::Lt => a64!(self.ops, b.lt =>target),
            Cond::Gt => a64!(self.ops, b.gt =>target),
            Cond::Le => a64!(self.ops, b.le =>target),
        }
    }

    /// `reg = value` (64 bits) with the fewest movz/movn/movk.
    fn mov_imm(&mut self, reg: u32, value: u64) {
        let chunks: [u32; 4] = std::array::from_fn(|i| (value >> (16 * i)) as u32 & 0xffff);
        let ones = chunks.iter().filter(|c| **c == 0xffff).count();
        let zeros = chunks.iter().filter(|c| **c == 0).count();
        let (fill, inverted) = if ones > zeros {
            (0xffff, true)
        } else {
            (0, false)
        };
        let mut first = true;
        for (i, &c) in chunks.iter().enumerate() {
            if c == fill {
                continue;
            }
            match (first, inverted) {
                (true, false) => self.movz(reg, c, i),
                (true, true) => self.movn(reg, c ^ 0xffff, i),
                (false, _) => self.movk(reg, c, i),
            }
            first = false;
        }
        if first {
            match inverted {
                false => a64!(self.ops, movz X(reg), 0),
                true => a64!(self.ops, movn X(reg), 0),
            }
        }
    }

    /// `movz reg, c, lsl 16 * chunk` (the shift is a literal of the encoding).
    fn movz(&mut self, reg: u32, c: u32, chunk: usize) {
        match chunk {
            0 => a64!(self.ops, movz X(reg), c),
            1 => a64!(self.ops, movz X(reg), c, lsl 16),
            2 => a64!(self.ops, movz X(reg), c, lsl 32),
            _ => a64!(self.ops, movz X(reg), c, lsl 48),
        }
    }

    /// `movn reg, c, lsl 16 * chunk`.
    fn movn(&mut self, reg: u32, c: u32, chunk: usize) {
        match chunk {
            0 => a64!(self.ops, movn X(reg), c),
            1 => a64!(self.ops, movn X(reg), c, lsl 16),
            2 => a64!(self.ops, movn X(reg), c, lsl 32),
            _ => a64!(self.ops, movn X(reg), c, lsl 48),
        }
    }

    /// `movk reg, c, lsl 16 * chunk`.
    fn movk(&mut self, reg: u32, c: u32, chunk: usize) {
        match chunk {
            0 => a64!(self.ops, movk X(reg), c),
            1 => a64!(self.ops, movk X(reg), c, lsl 16),
            2 => a64!(self.ops, movk X(reg), c, lsl 32),
            _ => a64!(self.ops, movk X(reg), c, lsl 48),
        }
    }

    /// `reg = value` in the low 32 bits, the high ones cleared.
    fn mov_imm32(&mut self, reg: u32, value: u32) {
        let (lo, hi) = (value & 0xffff, value >> 16);
        if hi == 0xffff && lo != 0 {
            a64!(self.ops, movn W(reg), lo ^ 0xffff);
        } else if hi == 0 {
            a64!(self.ops, movz W(reg), lo);
        } else if lo == 0 {
            a64!(self.ops, movz W(reg), hi, lsl 16);
        } else {
            a64!(self.ops, movz W(reg), lo ; movk W(reg), hi, lsl 16);
        }
    }

    fn emit_load_blinded(&mut self, masked: i64, key: i64) {
        self.mov_imm(regs::SCRATCH, masked as u64);
        self.mov_imm(regs::TMP, key as u64);
        a64!(self.ops, eor X(regs::SCRATCH), X(regs::SCRATCH), X(regs::TMP));
    }

    fn emit_load_imm64(&mut self, reg: u32, value: i64) {
        self.mov_imm(reg, value as u64);
    }

    fn emit_jump(&mut self, target: DynamicLabel) {
        a64!(self.ops, b =>target);
    }

    fn emit_exit(&mut self) {
        a64!(self.ops, ret);
    }

    /// The register holding `src` at `width`; immediates are materialised in `tmp`.
    fn operand_reg(&mut self, src: Operand, width: Width, tmp: u32) -> u32 {
        match src {
            Operand::Reg(r) => regs::host(r),
            Operand::Scratch => regs::SCRATCH,
            Operand::Imm(0) => regs::ZR,
            Operand::Imm(i) if width == Width::W64 => {
                self.mov_imm(tmp, i64::from(i) as u64);
                tmp
            }
            Operand::Imm(i) => {
                self.mov_imm32(tmp, i as u32);
                tmp
            }
        }
    }
}

impl MacroAssembler for A64 {
    delegate_macro_assembler!(A64Code);
}

/// Compiles `program` for AArch64, calling the host functions at `host`.
pub fn compile(
    program: &ferrobpf_vm::program::Program,
    config: &crate::config::JitConfig,
    host: HostFns,
) -> Result<A64Code, JitError> {
    compile_with(program, config, host, program.len() > NEAR_LIMIT)
}

/// [`compile`], with far conditional branches or not (tests force them on small
/// programs).
pub fn compile_with(
    program: &ferrobpf_vm::program::Program,
    config: &crate::config::JitConfig,
    host: HostFns,
    far: bool,
) -> Result<A64Code, JitError> {
    let runtime = Runtime {
        lookup: host.lookup,
        helper: host.helper,
        packet: host.packet,
        max_depth: (config.limits.frames().saturating_sub(1)) as u64,
        frame_size: u32::try_from(config.frame_size()).map_err(|_| JitError::Unsupported {
            pc: 0,
            what: "a stack frame of 4 GiB or more",
        })?,
    };
    let masm = A64::with_far_branches(runtime, program.len(), far);
    let code = crate::lower::lower(program.insns(), config, masm)?;
    config.check_code_size(code.bytes.len(), program.len().saturating_sub(1))?;
    Ok(code)
}

/// Addresses of the three host functions generated code calls.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct HostFns {
    /// Region lookup after a window miss.
    pub lookup: u64,
    /// Helper call.
    pub helper: u64,
    /// Legacy packet load.
    pub packet: u64,
}
