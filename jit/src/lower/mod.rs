//! The target-neutral half of the JIT: walks the decoded program, reads each row's
//! [`Semantics`] from the ISA table, folds what can be decided at compile time
//! (immediate divisors, blinding, statically safe stack accesses, byte order on a
//! little-endian host) and drives a [`MacroAssembler`].
//!
//! With a budget, instructions are metered per *segment*: a straight-line run that
//! ends at a branch, a call, an exit, an LDDW, or an instruction that may fault or
//! write memory. The whole segment is charged on entry; if the budget cannot cover
//! it, the fault names the exact instruction the interpreter would have stopped at
//! (nothing before it in the segment could fault or touch memory).

pub mod blind;
pub mod masm;

use crate::config::JitConfig;
use crate::error::JitError;
use blind::Blinder;
use ferrobpf_vm::insn::{Insn, FRAME_POINTER};
use ferrobpf_vm::isa::{AluOp, EndOp, Semantics, Size, Source, Width};
use masm::{Access, Check, DivOp, HelperId, MacroAssembler, Operand, PacketLoad};

#[cfg(not(target_endian = "little"))]
compile_error!("the lowering folds LE/BE for a little-endian host");

/// Lowers `insns` (one entry per slot, as `decode_program` returns them) into `masm`.
pub fn lower<M: MacroAssembler>(
    insns: &[Insn],
    config: &JitConfig,
    mut masm: M,
) -> Result<M::Output, JitError>
where
    JitError: From<M::Error>,
{
    let labels = branch_labels(insns, &mut masm);
    let entry = masm.new_label();
    masm.bind(entry);
    let mut walk = Walk {
        masm,
        frame_size: i64::try_from(config.frame_size()).unwrap_or(i64::MAX),
        unchecked: config.unchecked_accesses.is_some(),
        blinder: config.blinding.then(Blinder::new),
        labels,
        segments: Vec::new(),
    };
    if config.metering() {
        walk.segments = walk.segments(insns);
    }
    for (pc, insn) in insns.iter().enumerate() {
        walk.insn(pc, insn)?;
        config.check_code_size(walk.masm.code_len(), pc)?;
    }
    Ok(walk.masm.finish(entry)?)
}

/// One label per slot that some jump, local call or function pointer targets.
fn branch_labels<M: MacroAssembler>(insns: &[Insn], masm: &mut M) -> Vec<Option<M::Label>> {
    let mut labels: Vec<Option<M::Label>> = vec![None; insns.len()];
    for (pc, insn) in insns.iter().enumerate() {
        let target = insn.target(pc).and_then(|t| usize::try_from(t).ok());
        if let Some(slot) = target.and_then(|t| labels.get_mut(t)) {
            if slot.is_none() {
                *slot = Some(masm.new_label());
            }
        }
    }
    labels
}

struct Walk<M: MacroAssembler> {
    masm: M,
    frame_size: i64,
    /// The caller vouched for every access ([`crate::config::VerifiedAccesses`]).
    unchecked: bool,
    blinder: Option<Blinder>,
    labels: Vec<Option<M::Label>>,
    /// With metering: at each segment's first slot, its length in instructions.
    segments: Vec<u32>,
}

impl<M: MacroAssembler> Walk<M> {
    fn insn(&mut self, pc: usize, insn: &Insn) -> Result<(), JitError> {
        let sem = insn.spec().semantics;
        if sem == Semantics::LddwHigh {
            return Ok(());
        }
        if let Some(label) = self.labels.get(pc).copied().flatten() {
            self.masm.bind(label);
        }
        self.masm.begin_insn(pc);
        if let Some(&len) = self.segments.get(pc).filter(|l| **l > 0) {
            self.masm.meter(len);
        }
        match sem {
            Semantics::Alu(op, width, source) => self.alu(insn, op, width, source),
            Semantics::End(EndOp::Le, bits) => self.masm.zero_extend(insn.dst, bits),
            Semantics::End(EndOp::Be | EndOp::Swap, bits) => self.masm.byte_swap(insn.dst, bits),
            Semantics::Ja | Semantics::Gotol => {
                let target = self.target(pc, insn)?;
                self.masm.jump(target);
            }
            Semantics::Jcond(cond, width, source) => {
                let target = self.target(pc, insn)?;
                let src = self.operand(insn, source, false);
                self.masm.branch(cond, width, insn.dst, src, target);
            }
            Semantics::CallHelper => {
                let id = match self.operand(insn, Source::Imm, false) {
                    Operand::Imm(id) => HelperId::Imm(id as u32),
                    _ => HelperId::Scratch,
                };
                self.masm.call_helper(id);
            }
            Semantics::Callx => self.masm.call_helper(HelperId::Reg(insn.dst)),
            Semantics::CallLocal => {
                let target = self.target(pc, insn)?;
                self.masm.call_local(target);
            }
            Semantics::Exit => self.masm.exit(),
            // Program loading resolved every pseudo source: all forms load `imm`.
            Semantics::Lddw(_) => match self.blinder.as_mut() {
                Some(b) => {
                    let (masked, key) = b.split(insn.imm);
                    self.masm.load_blinded(masked, key);
                    self.masm
                        .alu(AluOp::Mov, Width::W64, insn.dst, Operand::Scratch);
                }
                None => self.masm.load_imm64(insn.dst, insn.imm),
            },
            Semantics::LddwHigh => {}
            Semantics::LdAbs(size) => self.packet_load(insn, size, None),
            Semantics::LdInd(size) => self.packet_load(insn, size, Some(insn.src)),
            Semantics::Load(size, signed) => {
                let access = self.access(insn.src, insn.off, size);
                self.masm.load(access, insn.dst, signed);
            }
            Semantics::StoreImm(size) => {
                let src = self.operand(insn, Source::Imm, false);
                let access = self.access(insn.dst, insn.off, size);
                self.masm.store(access, src);
            }
            Semantics::StoreReg(size) => {
                let access = self.access(insn.dst, insn.off, size);
                self.masm.store(access, Operand::Reg(insn.src));
            }
            Semantics::Atomic(op, size, fetch) => {
                let access = self.access(insn.dst, insn.off, size);
                self.masm.atomic(op, fetch, access, insn.src);
            }
        }
        Ok(())
    }

    fn alu(&mut self, insn: &Insn, op: AluOp, width: Width, source: Source) {
        let dst = insn.dst;
        let div = match op {
            AluOp::Div => Some(DivOp::Div),
            AluOp::Sdiv => Some(DivOp::Sdiv),
            AluOp::Mod => Some(DivOp::Mod),
            AluOp::Smod => Some(DivOp::Smod),
            _ => None,
        };
        match (div, source) {
            (Some(div), Source::Imm) => self.div_by_imm(div, width, dst, insn),
            (Some(div), Source::Reg) => {
                self.masm.div_mod(div, width, dst, Operand::Reg(insn.src));
            }
            (None, _) if op == AluOp::Neg => self.masm.alu(op, width, dst, Operand::Imm(0)),
            (None, _) => {
                let shift = matches!(op, AluOp::Lsh | AluOp::Rsh | AluOp::Arsh);
                let src = self.operand(insn, source, shift);
                self.masm.alu(op, width, dst, src);
            }
        }
    }

    /// A legacy packet load, its offset blinded like any immediate.
    fn packet_load(&mut self, insn: &Insn, size: Size, index: Option<u8>) {
        let offset = match self.operand(insn, Source::Imm, false) {
            Operand::Imm(imm) => Some(imm),
            _ => None,
        };
        self.masm.packet_load(PacketLoad {
            size,
            index,
            offset,
        });
    }

    /// Division by a constant: zero and (signed) minus one are decided here.
    fn div_by_imm(&mut self, op: DivOp, width: Width, dst: u8, insn: &Insn) {
        let imm = insn.imm32();
        let signed = matches!(op, DivOp::Sdiv | DivOp::Smod);
        match (op, imm) {
            (DivOp::Div | DivOp::Sdiv, 0) => self.masm.alu(AluOp::Mov, width, dst, Operand::Imm(0)),
            (DivOp::Mod | DivOp::Smod, 0) => {
                if width == Width::W32 {
                    self.masm.zero_extend(dst, 32);
                }
            }
            (DivOp::Sdiv, -1) => self.masm.alu(AluOp::Neg, width, dst, Operand::Imm(0)),
            (DivOp::Smod, -1) => self.masm.alu(AluOp::Mov, width, dst, Operand::Imm(0)),
            _ => {
                debug_assert!(!(signed && imm == -1));
                let src = self.operand(insn, Source::Imm, false);
                self.masm.div_mod(op, width, dst, src);
            }
        }
    }

    /// The second operand; immediates are blinded unless `plain` (shift counts).
    fn operand(&mut self, insn: &Insn, source: Source, plain: bool) -> Operand {
        match source {
            Source::Reg => Operand::Reg(insn.src),
            Source::Imm => match self.blinder.as_mut() {
                Some(b) if !plain => {
                    let (masked, key) = b.split32(insn.imm32());
                    self.masm.load_blinded(masked, key);
                    Operand::Scratch
                }
                _ => Operand::Imm(insn.imm32()),
            },
        }
    }

    /// The memory operand, with its check dropped when it provably stays inside the
    /// current stack frame (r10 is read-only and always the frame's end), or when the
    /// caller vouched for every access.
    fn access(&self, base: u8, off: i16, size: Size) -> Access {
        let off_i = i64::from(off);
        let in_frame = base == FRAME_POINTER
            && off_i >= -self.frame_size
            && off_i + i64::from(size.bytes()) <= 0;
        Access {
            base,
            off,
            size,
            check: if in_frame || self.unchecked {
                Check::None
            } else {
                Check::Bounds
            },
        }
    }

    fn target(&self, pc: usize, insn: &Insn) -> Result<M::Label, JitError> {
        insn.target(pc)
            .and_then(|t| usize::try_from(t).ok())
            .and_then(|t| self.labels.get(t).copied().flatten())
            .ok_or(JitError::Unsupported {
                pc,
                what: "a branch target outside the program",
            })
    }

    /// Segment lengths for metering (see the module docs), indexed by first slot.
    fn segments(&self, insns: &[Insn]) -> Vec<u32> {
        let mut lengths = vec![0u32; insns.len()];
        let mut start = None;
        for (pc, insn) in insns.iter().enumerate() {
            let sem = insn.spec().semantics;
            if sem == Semantics::LddwHigh {
                continue;
            }
            let labeled = self.labels.get(pc).is_some_and(Option::is_some);
            if start.is_none() || labeled {
                start = Some(pc);
            }
            if let Some(len) = start.and_then(|s| lengths.get_mut(s)) {
                *len += 1;
            }
            if self.ends_segment(insn) {
                start = None;
            }
        }
        lengths
    }

    /// Whether nothing may follow `insn` in its metering segment.
    fn ends_segment(&self, insn: &Insn) -> bool {
        match insn.spec().semantics {
            Semantics::Alu(..) | Semantics::End(..) | Semantics::LddwHigh => false,
            Semantics::Load(size, _) => self.access(insn.src, insn.off, size).check != Check::None,
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests;
