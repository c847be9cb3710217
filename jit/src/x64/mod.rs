//! The x86-64 back end: implements [`MacroAssembler`] with dynasm-rs. Code is
//! assembled into a private buffer and mapped executable only once complete (W^X).

/// `dynasm!` for x86-64.
macro_rules! x64 {
    ($ops:expr, $($t:tt)*) => {
        dynasmrt::dynasm!($ops ; .arch x64 ; $($t)*)
    };
}

mod alu;
mod control;
mod memory;
pub mod regs;
mod stubs;

use crate::code::CodeBuffer;
use crate::error::JitError;
use crate::fault::FaultCode;
use crate::lower::masm::{
    Access, DivOp, HelperId, MacroAssembler, Operand, PacketLoad, Reg as BpfReg,
};
use dynasmrt::x64::X64Relocation;
use dynasmrt::VecAssembler;
use dynasmrt::{DynamicLabel, DynasmLabelApi};
use ferrobpf_vm::isa::{AluOp, AtomicOp, JmpCond, Width};

/// Addresses of the Rust functions generated code calls (see `crate::call`).
#[derive(Copy, Clone, Debug)]
pub struct Runtime {
    /// `extern "sysv64" fn(ctx, addr, packed_miss) -> u64`: region lookup after a window miss.
    pub lookup: u64,
    /// `extern "sysv64" fn(ctx, id, pc) -> u64`: helper call; r1-r5 are in `ctx.args`.
    pub helper: u64,
    /// `extern "sysv64" fn(ctx, offset, packed_size_pc) -> u64`: legacy packet load.
    pub packet: u64,
    /// Deepest local-call nesting allowed (frames beyond the entry one).
    pub max_depth: u64,
    /// Bytes between the r10 of a frame and the r10 of the frame it calls.
    pub frame_size: i32,
}

/// Code placed after the program body.
enum OutOfLine {
    /// A window miss of a checked access: look the address up, then resume.
    Miss {
        entry: DynamicLabel,
        resume: DynamicLabel,
        packed: u64,
        size: i32,
    },
    /// An atomic at a misaligned address: a plain read-modify-write (as the
    /// interpreter does), never a split lock, which the host may trap and throttle.
    PlainAtomic {
        entry: DynamicLabel,
        resume: DynamicLabel,
        op: AtomicOp,
        fetch: bool,
        w64: bool,
        src: u8,
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

/// Host CPU features the back end uses when present.
#[derive(Copy, Clone, Debug, Default)]
pub struct Features {
    /// BMI2 (`shlx`/`shrx`/`sarx`): shifts by a register without tying up rcx.
    pub bmi2: bool,
}

impl Features {
    /// What the running CPU has.
    pub fn detect() -> Features {
        Features {
            bmi2: std::arch::is_x86_feature_detected!("bmi2"),
        }
    }
}

/// The x86-64 emitter.
pub struct X64 {
    ops: VecAssembler<X64Relocation>,
    pc: u32,
    runtime: Runtime,
    features: Features,
    out_of_line: Vec<OutOfLine>,
    fault_exit: DynamicLabel,
    lookup_stub: Option<DynamicLabel>,
}

impl X64 {
    /// A fresh emitter, its buffers sized for about `insns` instructions.
    pub fn new(runtime: Runtime, features: Features, insns: usize) -> X64 {
        // Code is position-independent (relative branches, absolute host addresses),
        // so it is assembled at base 0 and copied into executable memory at the end.
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
        X64 {
            ops,
            pc: 0,
            runtime,
            features,
            out_of_line: Vec::new(),
            fault_exit,
            lookup_stub: None,
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
}

impl MacroAssembler for X64 {
    type Label = DynamicLabel;
    type Output = CodeBuffer;
    type Error = JitError;

    fn new_label(&mut self) -> DynamicLabel {
        self.ops.new_dynamic_label()
    }

    fn bind(&mut self, label: DynamicLabel) {
        self.ops.dynamic_label(label);
    }

    fn begin_insn(&mut self, pc: usize) {
        self.pc = u32::try_from(pc).unwrap_or(u32::MAX);
    }

    fn load_blinded(&mut self, masked: i64, key: i64) {
        self.emit_load_blinded(masked, key);
    }

    fn load_imm64(&mut self, dst: BpfReg, value: i64) {
        self.emit_load_imm64(regs::host(dst), value);
    }

    fn alu(&mut self, op: AluOp, width: Width, dst: BpfReg, src: Operand) {
        self.emit_alu(op, width, dst, src);
    }

    fn div_mod(&mut self, op: DivOp, width: Width, dst: BpfReg, src: Operand) {
        self.emit_div_mod(op, width, dst, src);
    }

    fn zero_extend(&mut self, dst: BpfReg, bits: u8) {
        self.emit_zero_extend(regs::host(dst), bits);
    }

    fn byte_swap(&mut self, dst: BpfReg, bits: u8) {
        self.emit_byte_swap(regs::host(dst), bits);
    }

    fn jump(&mut self, target: DynamicLabel) {
        self.emit_jump(target);
    }

    fn branch(
        &mut self,
        cond: JmpCond,
        width: Width,
        dst: BpfReg,
        src: Operand,
        target: DynamicLabel,
    ) {
        self.emit_branch(cond, width, dst, src, target);
    }

    fn load(&mut self, access: Access, dst: BpfReg, signed: bool) {
        self.emit_load(access, dst, signed);
    }

    fn store(&mut self, access: Access, src: Operand) {
        self.emit_store(access, src);
    }

    fn atomic(&mut self, op: AtomicOp, fetch: bool, access: Access, src: BpfReg) {
        self.emit_atomic(op, fetch, access, src);
    }

    fn packet_load(&mut self, load: PacketLoad) {
        self.emit_packet_load(load);
    }

    fn call_helper(&mut self, id: HelperId) {
        self.emit_call_helper(id);
    }

    fn call_local(&mut self, target: DynamicLabel) {
        self.emit_call_local(target);
    }

    fn exit(&mut self) {
        self.emit_exit();
    }

    fn meter(&mut self, count: u32) {
        self.emit_meter(count);
    }

    fn finish(self, entry: DynamicLabel) -> Result<CodeBuffer, JitError> {
        self.emit_finish(entry)
    }
}
