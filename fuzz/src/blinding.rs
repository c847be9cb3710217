//! Constant blinding checked from outside the JIT: no immediate a program chose
//! appears verbatim in code compiled with blinding on.
//!
//! Only distinctive immediates are looked for (four bytes, not a sign-extended small
//! value, at least three different bytes), since short patterns occur in any code.
//! A hit is confirmed differentially: the program is compiled again, and once with
//! that immediate replaced; the immediate leaked when its bytes occur more often with
//! it than without it (blinding keys are fresh per compilation, so a blinded
//! immediate never shows twice, while the JIT's own constants occur in both).

use ferrobpf_jit::{JitConfig, JitError, JitProgram};
use ferrobpf_vm::isa::{AluOp, Pseudo, Semantics, Source};
use ferrobpf_vm::program::Program;
use ferrobpf_vm::{decode_program, encode_program};

/// The kind of instruction an immediate came from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// An ALU operand (shift amounts excepted: masked to 6 bits, never distinctive).
    Alu,
    /// A conditional jump's operand.
    Jump,
    /// A stored immediate.
    Store,
    /// A 64-bit immediate load (its whole value or one half).
    Lddw,
    /// A legacy packet load's offset.
    PacketOffset,
    /// A helper call's id.
    HelperId,
}

/// An immediate a program planted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planted {
    /// Slot of the instruction.
    pub pc: usize,
    /// Where it came from.
    pub origin: Origin,
    /// The bytes looked for (little-endian, as x86-64 and AArch64 encode them).
    pub bytes: Vec<u8>,
}

/// A confirmed leak.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leak {
    /// The immediate.
    pub planted: Planted,
    /// Occurrences of its bytes in the code with it, and with it replaced.
    pub counts: (usize, usize),
}

/// Whether `v`'s four bytes are worth looking for.
pub fn distinctive(v: u32) -> bool {
    let b = v.to_le_bytes();
    let mut distinct = b.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    b[3] != 0 && b[3] != 0xff && distinct.len() >= 3
}

/// The distinctive immediates of `program` (its wire form, pseudo sources unresolved).
pub fn planted(bytes: &[u8]) -> Vec<Planted> {
    let Ok(insns) = decode_program(bytes) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (pc, insn) in insns.iter().enumerate() {
        let origin = match insn.spec().semantics {
            Semantics::Alu(AluOp::Lsh | AluOp::Rsh | AluOp::Arsh, ..) => continue,
            Semantics::Alu(_, _, Source::Imm) => Origin::Alu,
            Semantics::Jcond(_, _, Source::Imm) => Origin::Jump,
            Semantics::StoreImm(_) => Origin::Store,
            Semantics::LdAbs(_) | Semantics::LdInd(_) => Origin::PacketOffset,
            Semantics::CallHelper => Origin::HelperId,
            Semantics::Lddw(Pseudo::Imm64) => {
                let v = insn.imm as u64;
                let halves = [v as u32, (v >> 32) as u32];
                if halves.iter().any(|h| distinctive(*h)) {
                    out.push(Planted {
                        pc,
                        origin: Origin::Lddw,
                        bytes: v.to_le_bytes().to_vec(),
                    });
                }
                for h in halves.into_iter().filter(|h| distinctive(*h)) {
                    out.push(Planted {
                        pc,
                        origin: Origin::Lddw,
                        bytes: h.to_le_bytes().to_vec(),
                    });
                }
                continue;
            }
            _ => continue,
        };
        let v = insn.imm as u32;
        if distinctive(v) {
            out.push(Planted {
                pc,
                origin,
                bytes: v.to_le_bytes().to_vec(),
            });
        }
    }
    out
}

/// Occurrences of `pattern` in `code`.
pub fn count(code: &[u8], pattern: &[u8]) -> usize {
    code.windows(pattern.len())
        .filter(|w| *w == pattern)
        .count()
}

/// Compiles `bytes` (a loadable program) with `config` (blinding on) and returns
/// every planted immediate that leaked into the code.
pub fn check(bytes: &[u8], config: &JitConfig) -> Result<Vec<Leak>, JitError> {
    let Ok(program) = Program::from_bytes(bytes) else {
        return Ok(Vec::new());
    };
    let first = JitProgram::compile(&program, config)?;
    let mut leaks = Vec::new();
    for p in planted(bytes) {
        if count(first.code().bytes(), &p.bytes) == 0 {
            continue;
        }
        let Some(variant) = replaced(bytes, p.pc) else {
            continue;
        };
        let again = JitProgram::compile(&program, config)?;
        let other = JitProgram::compile(&variant, config)?;
        let with = count(first.code().bytes(), &p.bytes).min(count(again.code().bytes(), &p.bytes));
        let without = count(other.code().bytes(), &p.bytes);
        if with > without {
            leaks.push(Leak {
                planted: p,
                counts: (with, without),
            });
        }
    }
    Ok(leaks)
}

/// `bytes` with the immediate at `pc` replaced by another distinctive value of the
/// same encoding class, loaded.
fn replaced(bytes: &[u8], pc: usize) -> Option<Program> {
    let mut insns = decode_program(bytes).ok()?;
    let insn = insns.get_mut(pc)?;
    let v = insn.imm as u32;
    let masks = [0x3c3c_3c3cu32, 0x5a5a_5a5a, 0x0f0f_0f0f];
    let low = masks
        .iter()
        .map(|m| v ^ m)
        .find(|w| distinctive(*w) || !distinctive(v))?;
    let high = ((insn.imm as u64) >> 32) as u32 ^ 0x3c3c_3c3c;
    insn.imm = match insn.spec().semantics {
        Semantics::Lddw(_) => ((u64::from(high) << 32) | u64::from(low)) as i64,
        _ => i64::from(low as i32),
    };
    Program::from_bytes(&encode_program(&insns)).ok()
}
