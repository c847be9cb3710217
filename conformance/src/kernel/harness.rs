//! The program the kernel engine loads: the test program inline, as the kernel's main
//! function, between a header that sets up the test's registers and an epilogue that
//! stores the full 64-bit r0 into a result map (program return values are 32-bit).
//!
//! ```text
//!      [mov r6, r1]                        packet mode only: LD_ABS/LD_IND need r6 = ctx
//!      lddw r1, map_value(memory map, 0)   r1 = the test memory
//!      mov r2, <memory length>             r2 = its length
//!      ja +5                               over the epilogue
//!  epilogue:
//!      lddw r1, map_value(result map, 0)
//!      stxdw [r1+0], r0
//!      mov r0, <return mark>
//!      exit
//!  test program, where each valid `exit` of its entry function is now `ja epilogue`
//! ```
//!
//! The test's entry function stays the kernel's main function (so it keeps all eight call
//! frames and the whole stack), its subprograms stay subprograms, and every relative
//! jump, call and function pointer keeps its offset. An `exit` with non-zero unused
//! fields is left alone for the verifier to refuse.
//!
//! Programs with legacy packet loads run in *packet mode*: as `BPF_PROG_TYPE_SCHED_CLS`
//! over a packet holding the test memory (the kernel allows these loads only there, with
//! r6 = the context); the others as XDP programs.

use ferrobpf_vm::decode::decode_one;
use ferrobpf_vm::isa::{Group, Operands, Pseudo, Semantics};
use ferrobpf_vm::raw::RawInsn;
use ferrobpf_vm::{encode_program, Insn, Op};

/// How the program is loaded.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// An XDP program over a dummy packet.
    Xdp,
    /// A tc (`sched_cls`) program whose packet is the test memory.
    Packet,
}

impl Mode {
    /// What the epilogue returns, so a run that reached it is told apart from a run the
    /// kernel ended early (a failed legacy packet load returns 0).
    pub fn return_mark(self) -> u32 {
        match self {
            // XDP_PASS: XDP return values are range-checked.
            Mode::Xdp => 2,
            Mode::Packet => 0x600d,
        }
    }
}

/// The kernel-ready program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Harness {
    /// How to load it.
    pub mode: Mode,
    /// Its instruction bytes.
    pub bytes: Vec<u8>,
    /// Slots before the test program (kernel verifier logs count them).
    pub header_slots: usize,
}

/// What the harness needs to know about the test program's slots.
struct Scan {
    /// Slots of the entry function's valid `exit` instructions.
    exits: Vec<usize>,
    /// Whether a legacy packet load occurs.
    packet: bool,
}

/// Decodes slot by slot, tolerating invalid slots (the kernel judges those).
fn scan(slots: &[RawInsn]) -> Scan {
    let mut exits = Vec::new();
    let mut entry_end = slots.len();
    let mut packet = false;
    let mut pc = 0;
    while let Some(raw) = slots.get(pc) {
        let Ok(insn) = decode_one(*raw, pc) else {
            pc += 1;
            continue;
        };
        let spec = insn.spec();
        packet |= spec.group == Group::Packet;
        match spec.semantics {
            Semantics::Exit => exits.push(pc),
            Semantics::CallLocal | Semantics::Lddw(Pseudo::Func) => {
                if let Some(t) = insn.target(pc).and_then(|t| usize::try_from(t).ok()) {
                    if t > 0 {
                        entry_end = entry_end.min(t);
                    }
                }
            }
            _ => {}
        }
        pc += if spec.operands == Operands::Wide {
            2
        } else {
            1
        };
    }
    // The entry function ends where the first subprogram starts.
    exits.retain(|&pc| pc < entry_end);
    Scan { exits, packet }
}

/// A jump from slot `from` to slot `to`: `ja` when the distance fits 16 bits, else `ja32`.
fn jump(from: usize, to: usize) -> Insn {
    let distance = to as i64 - (from as i64 + 1);
    match i16::try_from(distance) {
        Ok(off) => Insn::new(Op::Ja, 0, 0, off, 0),
        Err(_) => Insn::new(Op::Gotol, 0, 0, 0, distance),
    }
}

impl Harness {
    /// Wraps `test` (whole 8-byte slots; `None` otherwise) for map descriptors
    /// `memory_fd` and `result_fd` and memory length `len`.
    pub fn build(test: &[u8], memory_fd: i32, len: i32, result_fd: i32) -> Option<Harness> {
        let slots = RawInsn::parse_all(test)?;
        let found = scan(&slots);
        let mode = if found.packet {
            Mode::Packet
        } else {
            Mode::Xdp
        };
        let map_value = |fd: i32| {
            [
                Insn::new(Op::LddwMapValue, 1, 0, 0, i64::from(fd as u32)),
                Insn::new(Op::LddwHigh, 0, 0, 0, 0),
            ]
        };
        let epilogue: Vec<Insn> = map_value(result_fd)
            .into_iter()
            .chain([
                Insn::new(Op::StxDw, 1, 0, 0, 0),
                Insn::new(Op::Mov64Imm, 0, 0, 0, i64::from(mode.return_mark())),
                Insn::new(Op::Exit, 0, 0, 0, 0),
            ])
            .collect();
        let mut header = Vec::new();
        if mode == Mode::Packet {
            header.push(Insn::new(Op::Mov64Reg, 6, 1, 0, 0));
        }
        header.extend(map_value(memory_fd));
        header.push(Insn::new(Op::Mov64Imm, 2, 0, 0, i64::from(len)));
        header.push(Insn::new(Op::Ja, 0, 0, epilogue.len() as i16, 0));
        let epilogue_start = header.len();
        header.extend(epilogue);
        let header_slots = header.len();
        let mut bytes = encode_program(&header);
        for (pc, raw) in slots.iter().enumerate() {
            if found.exits.contains(&pc) {
                bytes.extend(encode_program(&[jump(header_slots + pc, epilogue_start)]));
            } else {
                bytes.extend(raw.to_bytes());
            }
        }
        Some(Harness {
            mode,
            bytes,
            header_slots,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobpf_vm::decode_program;

    fn wrap(insns: &[Insn]) -> (Harness, Vec<Insn>) {
        let harness = Harness::build(&encode_program(insns), 3, 16, 4).unwrap();
        let decoded = decode_program(&harness.bytes).unwrap();
        (harness, decoded)
    }

    #[test]
    fn entry_exits_jump_to_the_epilogue() {
        let exit = Insn::new(Op::Exit, 0, 0, 0, 0);
        let prog = [
            Insn::new(Op::Mov64Imm, 0, 0, 0, 1),
            Insn::new(Op::CallLocal, 0, 0, 0, 1),
            exit,
            Insn::new(Op::Mov64Imm, 0, 0, 0, 2),
            exit,
        ];
        let (harness, insns) = wrap(&prog);
        assert_eq!(harness.mode, Mode::Xdp);
        assert_eq!(harness.header_slots, 9);
        assert_eq!(insns[0].op, Op::LddwMapValue);
        assert_eq!(insns[0].imm, 3);
        assert_eq!(insns[2].imm, 16);
        assert_eq!(insns[3].target(3), Some(9));
        assert_eq!(insns[4].imm, 4);
        // The entry function's exit (test slot 2) jumps to the epilogue at slot 4 ...
        assert_eq!(insns[11].target(11), Some(4));
        // ... the call keeps its target, and the subprogram's exit stays.
        assert_eq!(insns[10].target(10), Some(12));
        assert_eq!(insns[13].op, Op::Exit);
    }

    #[test]
    fn packet_mode_saves_the_context_and_keeps_invalid_exits() {
        let prog = [
            Insn::new(Op::LdAbsB, 0, 0, 0, 1),
            Insn::new(Op::Exit, 0, 0, 0, 0),
        ];
        let (harness, insns) = wrap(&prog);
        assert_eq!(harness.mode, Mode::Packet);
        assert_eq!(harness.header_slots, 10);
        assert_eq!(insns[0].op, Op::Mov64Reg);
        assert_eq!((insns[0].dst, insns[0].src), (6, 1));
        assert_eq!(insns[11].target(11), Some(5));
        // An exit with a non-zero immediate is passed through untouched.
        let bad = [0x95, 0, 0, 0, 1, 0, 0, 0];
        let harness = Harness::build(&bad, 3, 0, 4).unwrap();
        assert!(harness.bytes.ends_with(&bad));
        assert!(Harness::build(&bad[..5], 3, 0, 4).is_none());
    }

    #[test]
    fn far_exits_use_ja32() {
        assert_eq!(jump(40_000, 4).op, Op::Gotol);
        assert_eq!(jump(40_000, 4).target(40_000), Some(4));
        assert_eq!(jump(10, 4).op, Op::Ja);
    }
}
