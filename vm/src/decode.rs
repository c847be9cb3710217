//! Bytes to validated instructions: everything RFC 9669 calls invalid is refused here,
//! with the index of the offending slot.

use crate::insn::{Insn, FRAME_POINTER, NUM_REGS};
use crate::isa::{lookup, Disc, Op, Operands};
use crate::raw::{RawInsn, INSN_SIZE};
use std::fmt;

/// The largest program accepted, in slots (the Linux kernel's limit).
pub const MAX_INSNS: usize = 1_000_000;

/// A raw instruction field, for error messages.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Field {
    /// The destination register field.
    Dst,
    /// The source register field.
    Src,
    /// The offset field.
    Off,
    /// The immediate field.
    Imm,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Dst => "dst",
            Field::Src => "src",
            Field::Off => "offset",
            Field::Imm => "imm",
        })
    }
}

/// Why a byte string is not a valid program. `pc` is always a slot index.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// No instructions at all.
    #[error("empty program")]
    Empty,
    /// The length is not a whole number of slots.
    #[error("program length {len} is not a multiple of 8 bytes")]
    PartialInsn {
        /// Length in bytes.
        len: usize,
    },
    /// More slots than [`MAX_INSNS`].
    #[error("program has {count} instructions, over the limit of {max}")]
    TooLarge {
        /// Slots in the program.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// No row of the ISA table has this opcode.
    #[error("instruction {pc}: unknown opcode {opcode:#04x}")]
    UnknownOpcode {
        /// Slot index.
        pc: usize,
        /// The opcode byte.
        opcode: u8,
    },
    /// A field the form does not use is not zero, or a discriminating field has no row.
    #[error("instruction {pc}: opcode {opcode:#04x} does not allow {field} = {value}")]
    InvalidField {
        /// Slot index.
        pc: usize,
        /// The opcode byte.
        opcode: u8,
        /// Which field.
        field: Field,
        /// Its value.
        value: i64,
    },
    /// A register field above r10.
    #[error("instruction {pc}: register r{reg} does not exist")]
    BadRegister {
        /// Slot index.
        pc: usize,
        /// The register number.
        reg: u8,
    },
    /// The instruction would write r10.
    #[error("instruction {pc}: writes the read-only frame pointer r10")]
    FramePointerWrite {
        /// Slot index.
        pc: usize,
    },
    /// An LDDW in the last slot.
    #[error("instruction {pc}: lddw is missing its second slot")]
    LddwTruncated {
        /// Slot index of the LDDW.
        pc: usize,
    },
    /// The slot after an LDDW is not a clean continuation (opcode, registers, offset zero).
    #[error("instruction {pc}: invalid second slot of the lddw before it")]
    LddwBadHigh {
        /// Slot index of the second slot.
        pc: usize,
    },
    /// A continuation slot (opcode 0) that does not follow an LDDW.
    #[error("instruction {pc}: lddw continuation without an lddw")]
    StrayLddwHigh {
        /// Slot index.
        pc: usize,
    },
    /// A jump, local call or function pointer refers outside the program.
    #[error("instruction {pc}: target {target} is outside the program (0..{len})")]
    TargetOutOfRange {
        /// Slot index of the jump.
        pc: usize,
        /// The target slot.
        target: i64,
        /// Number of slots.
        len: usize,
    },
    /// A jump, local call or function pointer lands on the second slot of an LDDW.
    #[error("instruction {pc}: target {target} is the middle of an lddw")]
    TargetInsideLddw {
        /// Slot index of the jump.
        pc: usize,
        /// The target slot.
        target: usize,
    },
    /// The last instruction can continue past the end of the program.
    #[error("instruction {pc}: execution falls off the end of the program")]
    FallsOffEnd {
        /// Slot index of the last instruction.
        pc: usize,
    },
}

/// Decodes and validates a whole program. The result has one entry per slot; the
/// second slot of an LDDW is an [`Op::LddwHigh`] entry that is never executed.
pub fn decode_program(bytes: &[u8]) -> Result<Vec<Insn>, DecodeError> {
    let raws = RawInsn::parse_all(bytes).ok_or(DecodeError::PartialInsn { len: bytes.len() })?;
    decode_raw(&raws)
}

/// [`decode_program`] over already split slots.
pub fn decode_raw(raws: &[RawInsn]) -> Result<Vec<Insn>, DecodeError> {
    if raws.is_empty() {
        return Err(DecodeError::Empty);
    }
    if raws.len() > MAX_INSNS {
        return Err(DecodeError::TooLarge {
            count: raws.len(),
            max: MAX_INSNS,
        });
    }
    let mut insns = Vec::with_capacity(raws.len());
    let mut pc = 0;
    while pc < raws.len() {
        let raw = raws[pc];
        let mut insn = decode_one(raw, pc)?;
        if insn.op == Op::LddwHigh {
            return Err(DecodeError::StrayLddwHigh { pc });
        }
        if insn.spec().operands == Operands::Wide {
            let high = *raws.get(pc + 1).ok_or(DecodeError::LddwTruncated { pc })?;
            if high.opcode != 0 || high.dst != 0 || high.src != 0 || high.off != 0 {
                return Err(DecodeError::LddwBadHigh { pc: pc + 1 });
            }
            insn.imm = (i64::from(high.imm) << 32) | i64::from(raw.imm as u32);
            insns.push(insn);
            insns.push(Insn {
                op: Op::LddwHigh,
                dst: 0,
                src: 0,
                off: 0,
                imm: i64::from(high.imm),
            });
            pc += 2;
        } else {
            insns.push(insn);
            pc += 1;
        }
    }
    check_targets(&insns)?;
    Ok(insns)
}

/// Decodes one slot in isolation (an LDDW's immediate is only its low half here).
pub fn decode_one(raw: RawInsn, pc: usize) -> Result<Insn, DecodeError> {
    let opcode = raw.opcode;
    let mut rows = lookup::rows_for_opcode(opcode).peekable();
    let first = rows
        .peek()
        .copied()
        .ok_or(DecodeError::UnknownOpcode { pc, opcode })?;
    let op = lookup::find(opcode, raw.src, raw.off, raw.imm).ok_or_else(|| {
        // The opcode exists but the discriminating field matches no row.
        let (field, value) = match first.disc {
            Disc::Off(_) => (Field::Off, i64::from(raw.off)),
            Disc::Imm(_) => (Field::Imm, i64::from(raw.imm)),
            Disc::Src(_) => (Field::Src, i64::from(raw.src)),
            Disc::None => (Field::Imm, i64::from(raw.imm)),
        };
        DecodeError::InvalidField {
            pc,
            opcode,
            field,
            value,
        }
    })?;
    let spec = op.spec();
    let used = spec.operands.fields();
    let disc_field = match spec.disc {
        Disc::None => None,
        Disc::Off(_) => Some(Field::Off),
        Disc::Imm(_) => Some(Field::Imm),
        Disc::Src(_) => Some(Field::Src),
    };
    let checks = [
        (Field::Dst, used.dst, i64::from(raw.dst)),
        (Field::Src, used.src, i64::from(raw.src)),
        (Field::Off, used.off, i64::from(raw.off)),
        (Field::Imm, used.imm, i64::from(raw.imm)),
    ];
    for (field, is_used, value) in checks {
        if !is_used && disc_field != Some(field) && value != 0 {
            return Err(DecodeError::InvalidField {
                pc,
                opcode,
                field,
                value,
            });
        }
    }
    for reg in [raw.dst, raw.src] {
        if reg as usize >= NUM_REGS && (disc_field != Some(Field::Src) || reg == raw.dst) {
            return Err(DecodeError::BadRegister { pc, reg });
        }
    }
    let sem = spec.semantics;
    if (sem.writes_dst() && raw.dst == FRAME_POINTER)
        || (sem.writes_src() && raw.src == FRAME_POINTER)
    {
        return Err(DecodeError::FramePointerWrite { pc });
    }
    Ok(Insn {
        op,
        dst: raw.dst,
        src: raw.src,
        off: raw.off,
        imm: i64::from(raw.imm),
    })
}

/// Every jump, local call and function pointer must land on an instruction's first
/// slot, and the last instruction must not fall through.
fn check_targets(insns: &[Insn]) -> Result<(), DecodeError> {
    let len = insns.len();
    for (pc, insn) in insns.iter().enumerate() {
        if let Some(target) = insn.target(pc) {
            if target < 0 || target >= len as i64 {
                return Err(DecodeError::TargetOutOfRange { pc, target, len });
            }
            let target = target as usize;
            if insns[target].op == Op::LddwHigh {
                return Err(DecodeError::TargetInsideLddw { pc, target });
            }
        }
    }
    let last = insns
        .iter()
        .rposition(|i| i.op != Op::LddwHigh)
        .unwrap_or(0);
    if !insns[last].spec().semantics.ends_block() || last + insns[last].slots() != len {
        return Err(DecodeError::FallsOffEnd { pc: last });
    }
    Ok(())
}

/// Bytes needed for `n` slots.
pub const fn bytes_for(n: usize) -> usize {
    n * INSN_SIZE
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insn::encode_program;
    use crate::isa::TABLE;
    use proptest::prelude::*;

    fn raw(opcode: u8, dst: u8, src: u8, off: i16, imm: i32) -> RawInsn {
        RawInsn {
            opcode,
            dst,
            src,
            off,
            imm,
        }
    }
    const EXIT: RawInsn = RawInsn {
        opcode: 0x95,
        dst: 0,
        src: 0,
        off: 0,
        imm: 0,
    };

    #[test]
    fn rejects_unused_fields() {
        let e = decode_raw(&[raw(0x07, 0, 0, 1, 1), EXIT]).unwrap_err();
        assert!(matches!(
            e,
            DecodeError::InvalidField {
                pc: 0,
                field: Field::Off,
                ..
            }
        ));
        let e = decode_raw(&[EXIT, raw(0x95, 1, 0, 0, 0)]).unwrap_err();
        assert!(matches!(
            e,
            DecodeError::InvalidField {
                pc: 1,
                field: Field::Dst,
                ..
            }
        ));
    }

    #[test]
    fn rejects_bad_registers_and_fp_writes() {
        let e = decode_raw(&[raw(0xbf, 11, 0, 0, 0), EXIT]).unwrap_err();
        assert_eq!(e, DecodeError::BadRegister { pc: 0, reg: 11 });
        let e = decode_raw(&[raw(0xb7, 10, 0, 0, 0), EXIT]).unwrap_err();
        assert_eq!(e, DecodeError::FramePointerWrite { pc: 0 });
    }

    #[test]
    fn lddw_rules() {
        assert_eq!(
            decode_raw(&[EXIT, raw(0x18, 0, 0, 0, 1)]).unwrap_err(),
            DecodeError::LddwTruncated { pc: 1 }
        );
        assert_eq!(
            decode_raw(&[raw(0x18, 0, 0, 0, 1), raw(0x95, 0, 0, 0, 0), EXIT]).unwrap_err(),
            DecodeError::LddwBadHigh { pc: 1 }
        );
        assert_eq!(
            decode_raw(&[
                raw(0x05, 0, 0, 1, 0),
                raw(0x18, 0, 0, 0, 1),
                raw(0, 0, 0, 0, 2),
                EXIT
            ])
            .unwrap_err(),
            DecodeError::TargetInsideLddw { pc: 0, target: 2 }
        );
        let ok = decode_raw(&[raw(0x18, 1, 0, 0, -1), raw(0, 0, 0, 0, 0x1234), EXIT]).unwrap();
        assert_eq!(ok[0].imm, 0x1234_ffff_ffff);
    }

    #[test]
    fn targets_and_fallthrough() {
        assert_eq!(
            decode_raw(&[raw(0x05, 0, 0, 5, 0), EXIT]).unwrap_err(),
            DecodeError::TargetOutOfRange {
                pc: 0,
                target: 6,
                len: 2
            }
        );
        assert_eq!(
            decode_raw(&[raw(0xb7, 0, 0, 0, 0)]).unwrap_err(),
            DecodeError::FallsOffEnd { pc: 0 }
        );
        assert_eq!(
            decode_program(&[1, 2, 3]).unwrap_err(),
            DecodeError::PartialInsn { len: 3 }
        );
        assert_eq!(decode_program(&[]).unwrap_err(), DecodeError::Empty);
    }

    /// A valid instance of every row decodes back to that row.
    #[test]
    fn every_row_decodes() {
        for spec in TABLE {
            if spec.op == Op::LddwHigh {
                continue;
            }
            // Wide forms point one past their second slot, at the exit.
            let imm = i64::from(spec.operands == Operands::Wide);
            let insn = Insn::new(spec.op, 1, 2, 0, imm);
            let mut prog = vec![insn];
            if spec.operands == Operands::Wide {
                prog.push(Insn::new(Op::LddwHigh, 0, 0, 0, 0));
            }
            prog.push(Insn::new(Op::Exit, 0, 0, 0, 0));
            let decoded = decode_program(&encode_program(&prog)).unwrap();
            assert_eq!(decoded[0].op, spec.op);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = decode_program(&bytes);
        }

        #[test]
        fn decoded_programs_reencode_exactly(words in proptest::collection::vec(any::<u64>(), 1..32)) {
            let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
            if let Ok(insns) = decode_program(&bytes) {
                prop_assert_eq!(encode_program(&insns), bytes);
            }
        }
    }
}
