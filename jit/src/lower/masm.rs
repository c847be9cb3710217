//! The interface between the target-neutral lowering walk and a back end. Every method
//! is stated in eBPF terms (registers r0-r10, RFC 9669 semantics); a back end only emits.

use ferrobpf_vm::isa::{AluOp, AtomicOp, JmpCond, Size, Width};

/// An eBPF register number, 0-10.
pub type Reg = u8;

/// The second operand of an ALU operation, a comparison or a store.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Operand {
    /// An eBPF register.
    Reg(Reg),
    /// A 32-bit immediate, sign-extended to 64 bits for 64-bit operations.
    Imm(i32),
    /// The back end's scratch register, filled by [`MacroAssembler::load_blinded`].
    Scratch,
}

/// Whether a memory access needs a run-time bounds check.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// Proven in bounds at compile time (e.g. inside the current stack frame).
    None,
    /// Checked against the region table; a miss faults at this instruction.
    Bounds,
}

/// A memory operand: `base + off`, `size` bytes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Access {
    /// Register holding the base address.
    pub base: Reg,
    /// Signed displacement.
    pub off: i16,
    /// Access size.
    pub size: Size,
    /// Checking policy.
    pub check: Check,
}

/// Division and modulo with RFC 9669 semantics.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DivOp {
    /// Unsigned quotient; divisor zero gives 0.
    Div,
    /// Signed quotient; divisor zero gives 0; `MIN / -1` is `MIN`.
    Sdiv,
    /// Unsigned remainder; divisor zero leaves the dividend.
    Mod,
    /// Signed remainder (sign of the dividend); divisor zero leaves the dividend, `-1` gives 0.
    Smod,
}

/// Which helper a call targets.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum HelperId {
    /// Known at compile time (CALL imm).
    Imm(u32),
    /// Read from a register at run time (CALLX).
    Reg(Reg),
    /// Known at compile time but blinded: the id is the low 32 bits of the scratch
    /// register, filled by [`MacroAssembler::load_blinded`].
    Scratch,
}

/// Where a legacy packet load reads its offset.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct PacketLoad {
    /// Access size.
    pub size: Size,
    /// Register added to the offset (LD_IND), none for LD_ABS.
    pub index: Option<Reg>,
    /// The immediate offset; `None` when blinded: the scratch register holds it,
    /// sign-extended (filled by [`MacroAssembler::load_blinded`]).
    pub offset: Option<i32>,
}

/// The first argument, after the context, of a call into the host.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum HostArg {
    /// An eBPF register.
    Reg(Reg),
    /// A constant.
    Imm(u64),
    /// The low 32 bits of the scratch register, zero-extended.
    Scratch32,
    /// The scratch register plus an eBPF register (or nothing), modulo 2^64.
    ScratchPlus(Option<Reg>),
}

impl HelperId {
    /// The helper id argument of the host call.
    pub fn host_arg(self) -> HostArg {
        match self {
            HelperId::Imm(n) => HostArg::Imm(u64::from(n)),
            HelperId::Reg(r) => HostArg::Reg(r),
            HelperId::Scratch => HostArg::Scratch32,
        }
    }
}

impl PacketLoad {
    /// The index argument of the host call and the immediate packed with the size:
    /// a verbatim offset travels packed, a blinded one is added to the index in the
    /// scratch register (the host adds modulo 2^64 and truncates to 32 bits either
    /// way).
    pub fn host_arg(&self) -> (HostArg, i32) {
        match (self.offset, self.index) {
            (Some(imm), Some(r)) => (HostArg::Reg(r), imm),
            (Some(imm), None) => (HostArg::Imm(0), imm),
            (None, index) => (HostArg::ScratchPlus(index), 0),
        }
    }
}

/// What a back end implements. The lowering walk calls [`MacroAssembler::begin_insn`]
/// before each instruction; faults raised by the code of that instruction report its
/// index.
pub trait MacroAssembler {
    /// A position in the code, bound once.
    type Label: Copy;
    /// The finished code.
    type Output;
    /// Error raised by the emitter.
    type Error;

    /// A new unbound label.
    fn new_label(&mut self) -> Self::Label;
    /// Binds `label` to the current position.
    fn bind(&mut self, label: Self::Label);
    /// Marks the start of instruction `pc`.
    fn begin_insn(&mut self, pc: usize);

    /// scratch = `masked ^ key` without the plain value ever appearing in the code.
    fn load_blinded(&mut self, masked: i64, key: i64);
    /// dst = `value`, 64 bits.
    fn load_imm64(&mut self, dst: Reg, value: i64);
    /// Arithmetic other than division: Add, Sub, Mul, Or, And, Xor, Lsh, Rsh, Arsh, Neg,
    /// Mov and the Movsx forms. Shift counts are masked to the width.
    fn alu(&mut self, op: AluOp, width: Width, dst: Reg, src: Operand);
    /// Division or modulo. An immediate divisor is never 0 or -1 (the walk folds those).
    fn div_mod(&mut self, op: DivOp, width: Width, dst: Reg, src: Operand);
    /// dst = low `bits` of dst, zero-extended (bits: 16, 32 or 64).
    fn zero_extend(&mut self, dst: Reg, bits: u8);
    /// dst = byte-swapped low `bits` of dst, zero-extended (bits: 16, 32 or 64).
    fn byte_swap(&mut self, dst: Reg, bits: u8);

    /// Unconditional jump.
    fn jump(&mut self, target: Self::Label);
    /// Jump to `target` when `dst cond src` holds at `width`.
    fn branch(&mut self, cond: JmpCond, width: Width, dst: Reg, src: Operand, target: Self::Label);

    /// dst = *(size *)(base + off), zero- or sign-extended.
    fn load(&mut self, access: Access, dst: Reg, signed: bool);
    /// *(size *)(base + off) = src.
    fn store(&mut self, access: Access, src: Operand);
    /// Atomic read-modify-write of `*(base + off)` with `src` (r0 as comparand for Cmpxchg).
    fn atomic(&mut self, op: AtomicOp, fetch: bool, access: Access, src: Reg);
    /// r0 = big-endian packet load (LD_ABS / LD_IND), through the host.
    fn packet_load(&mut self, load: PacketLoad);

    /// Calls a host helper with r1-r5; the result lands in r0.
    fn call_helper(&mut self, id: HelperId);
    /// Calls the program-local function at `target` in a new stack frame.
    fn call_local(&mut self, target: Self::Label);
    /// Returns from the current function, or ends the program in the entry function.
    fn exit(&mut self);
    /// Charges the `count` instructions of the metering segment starting at the
    /// current instruction; when the budget cannot cover them, faults at the
    /// instruction where it runs out.
    fn meter(&mut self, count: u32);

    /// Bytes of code emitted so far (out-of-line code and stubs come at the end).
    fn code_len(&self) -> usize;

    /// Emits the entry glue and shared stubs and returns the code.
    fn finish(self, entry: Self::Label) -> Result<Self::Output, Self::Error>;
}
