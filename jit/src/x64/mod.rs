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
mod emitter;
mod encode;
mod glue;
mod jumps;
mod memory;
mod miss;
mod pool;
pub mod regs;
mod stubs;

use crate::code::CodeBuffer;
use crate::fault::FaultCode;
use crate::lower::masm::MacroAssembler;
use dynasmrt::DynamicLabel;
use emitter::Emitter;
use ferrobpf_vm::isa::AtomicOp;

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
#[derive(Copy, Clone)]
enum OutOfLine {
    /// A window miss of a checked access: look the address up, then resume. Code
    /// positions rather than labels: the inline check's two rel32 fields that jump
    /// here, and where the access resumes.
    Miss {
        fields: [u32; 2],
        resume: u32,
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
    ops: Emitter,
    pc: u32,
    runtime: Runtime,
    features: Features,
    out_of_line: Vec<OutOfLine>,
    /// The window-miss template and its frame size (kept across compilations).
    miss: Option<(i32, miss::MissTemplate)>,
    /// The inline window checks (kept across compilations; empty until needed).
    checks: Vec<miss::WindowCheck>,
    fault_exit: DynamicLabel,
    lookup_stub: Option<DynamicLabel>,
}

impl X64 {
    /// An emitter, its buffers sized for about `insns` instructions (or those the
    /// last compilation on this thread left).
    pub fn new(runtime: Runtime, features: Features, insns: usize) -> X64 {
        // Code is position-independent (relative branches, absolute host addresses),
        // so it is assembled at base 0 and copied into executable memory at the end.
        let pool::Buffers {
            mut ops,
            out_of_line,
            miss,
            checks,
        } = pool::Buffers::take(insns);
        let fault_exit = ops.new_dynamic_label();
        X64 {
            ops,
            pc: 0,
            runtime,
            features,
            out_of_line,
            miss,
            checks,
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
    delegate_macro_assembler!(CodeBuffer);
}
