//! A decoded instruction: its table row plus the fields it reads.

use crate::isa::{Disc, Op, Operands, Semantics, Spec};
use crate::raw::RawInsn;

/// Number of general registers (r0-r10).
pub const NUM_REGS: usize = 11;
/// The read-only frame pointer.
pub const FRAME_POINTER: u8 = 10;

/// One decoded instruction. For an LDDW, `imm` holds the whole 64-bit immediate
/// (`next_imm << 32 | imm as u32`) and the second slot decodes to [`Op::LddwHigh`]
/// carrying the upper half; every other form keeps `imm` sign-extended from 32 bits.
/// `dst`, `src` and `off` are the raw fields, discriminator values included.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Insn {
    /// Which form this is.
    pub op: Op,
    /// Destination register.
    pub dst: u8,
    /// Source register.
    pub src: u8,
    /// Offset.
    pub off: i16,
    /// Immediate (see the type's docs).
    pub imm: i64,
}

impl Insn {
    /// Builds an instruction of form `op`, forcing the row's discriminator into its
    /// field and clearing fields the form does not read.
    pub fn new(op: Op, dst: u8, src: u8, off: i16, imm: i64) -> Insn {
        let spec = op.spec();
        let f = spec.operands.fields();
        let mut insn = Insn {
            op,
            dst: if f.dst { dst } else { 0 },
            src: if f.src { src } else { 0 },
            off: if f.off { off } else { 0 },
            imm: if f.imm { imm } else { 0 },
        };
        match spec.disc {
            Disc::None => {}
            Disc::Off(v) => insn.off = v,
            Disc::Imm(v) => insn.imm = i64::from(v),
            Disc::Src(v) => insn.src = v,
        }
        if spec.operands != Operands::Wide && spec.operands != Operands::WideHigh {
            insn.imm = i64::from(insn.imm as i32);
        }
        insn
    }

    /// The instruction's table row.
    #[inline]
    pub fn spec(&self) -> &'static Spec {
        self.op.spec()
    }

    /// Number of 8-byte slots the instruction occupies (2 for LDDW).
    #[inline]
    pub fn slots(&self) -> usize {
        if self.spec().operands == Operands::Wide {
            2
        } else {
            1
        }
    }

    /// The immediate as the 32-bit field holds it.
    #[inline]
    pub fn imm32(&self) -> i32 {
        self.imm as i32
    }

    /// For jumps, local calls and function-pointer LDDWs at slot `pc`: the slot they
    /// refer to (may be out of range; decode checks it).
    pub fn target(&self, pc: usize) -> Option<i64> {
        let next = pc as i64 + 1;
        match self.spec().semantics {
            Semantics::Ja | Semantics::Jcond(..) => Some(next + i64::from(self.off)),
            Semantics::Gotol | Semantics::CallLocal => Some(next + i64::from(self.imm32())),
            Semantics::Lddw(crate::isa::Pseudo::Func) => Some(next + i64::from(self.imm32())),
            _ => None,
        }
    }

    /// The wire form: one slot, or two for LDDW.
    pub fn encode(&self) -> Vec<RawInsn> {
        let spec = self.spec();
        let first = RawInsn {
            opcode: spec.opcode,
            dst: self.dst,
            src: self.src,
            off: self.off,
            imm: self.imm as i32,
        };
        if spec.operands == Operands::Wide {
            let high = RawInsn {
                imm: (self.imm >> 32) as i32,
                ..RawInsn::default()
            };
            vec![first, high]
        } else {
            vec![first]
        }
    }
}

/// Encodes instructions (LDDW's second slot included once, from the LDDW itself:
/// [`Op::LddwHigh`] entries are skipped) into bytes.
pub fn encode_program(insns: &[Insn]) -> Vec<u8> {
    insns
        .iter()
        .filter(|i| i.op != Op::LddwHigh)
        .flat_map(|i| i.encode())
        .flat_map(|r| r.to_bytes())
        .collect()
}
