//! The shared benchmark workloads (`../shared/bench`: `work.h` through
//! `mem_entry.c`), compiled by `workloads/build.sh` into the committed `.bin` files,
//! with the buffer every harness runs them on and the results they must return.

use ferrobpf_vm::insn::Insn;
use ferrobpf_vm::isa::{Op, Operands, Pseudo, Semantics, TABLE};
use ferrobpf_vm::program::{LoadError, Program};

/// Size of the buffer the workloads read (`BUF_SIZE` in `common.h`).
pub const BUF_SIZE: usize = 65536;

/// One workload: a BPF entry `entry(buf, len)` and the r0 it must return on
/// [`fill_buffer`]'s contents.
#[derive(Copy, Clone, Debug)]
pub struct Workload {
    /// Short name (`arith`, `fnv`, `sieve`).
    pub name: &'static str,
    /// The program's `.text` section.
    pub code: &'static [u8],
    /// The expected result.
    pub expected: u64,
}

impl Workload {
    /// Loads the workload's program.
    pub fn program(&self) -> Result<Program, LoadError> {
        Program::from_bytes(self.code)
    }
}

/// The three workloads: xorshift arithmetic, FNV-1a over the buffer, a sieve.
pub const WORKLOADS: [Workload; 3] = [
    Workload {
        name: "arith",
        code: include_bytes!("../workloads/arith.bin"),
        expected: 0x8b42_6b26_a848_c555,
    },
    Workload {
        name: "fnv",
        code: include_bytes!("../workloads/fnv.bin"),
        expected: 0x69a2_07b5,
    },
    Workload {
        name: "sieve",
        code: include_bytes!("../workloads/sieve.bin"),
        expected: 0x404,
    },
];

/// The buffer every harness uses: `common.h`'s LCG seeded with 12345, one byte per
/// step (bits 16-23 of the state).
pub fn fill_buffer() -> Vec<u8> {
    let mut state: u32 = 12345;
    (0..BUF_SIZE)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (state >> 16) as u8
        })
        .collect()
}

/// A program of `slots` random valid instructions (about; an LDDW takes two slots)
/// drawn from the ISA table, for compile-time measurements: every register written
/// first, then any form but local calls and exit with random operands, forward
/// jumps of up to 64 instructions, and a final exit. The same `seed` gives the same
/// program.
pub fn random_program(slots: usize, seed: u64) -> Result<Program, LoadError> {
    let mut state = seed | 1;
    let mut next = move || {
        // xorshift64*
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let forms: Vec<Op> = TABLE
        .iter()
        .filter(|s| match s.semantics {
            Semantics::LddwHigh | Semantics::CallLocal | Semantics::Exit => false,
            Semantics::Lddw(p) => p == Pseudo::Imm64,
            _ => true,
        })
        .map(|s| s.op)
        .collect();
    // Items: (op, dst, src, off, imm, forward jump distance in items).
    let mut items: Vec<(Op, u8, u8, i16, i64, Option<usize>)> = (0..10)
        .map(|r| (Op::Mov64Imm, r, 0, 0, i64::from(r) * 7, None))
        .collect();
    let body = slots.saturating_sub(items.len() + 1);
    for i in 0..body {
        let r = next();
        let op = forms[(r % forms.len() as u64) as usize];
        // r10 is only ever read.
        let src_regs = if op.spec().semantics.writes_src() {
            10
        } else {
            11
        };
        let (dst, src) = ((r >> 8) as u8 % 10, (r >> 16) as u8 % src_regs);
        let (off, imm) = ((r >> 24) as i16, (r >> 40) as i32);
        let left = body - i;
        let jump = match op.spec().semantics {
            Semantics::Ja | Semantics::Gotol | Semantics::Jcond(..) => {
                Some((r >> 56) as usize % 64 % left)
            }
            _ => None,
        };
        let imm = match op.spec().semantics {
            Semantics::CallHelper => i64::from(imm & 0xff),
            Semantics::Lddw(_) => next() as i64,
            _ => i64::from(imm),
        };
        items.push((op, dst, src, off, imm, jump));
    }
    items.push((Op::Exit, 0, 0, 0, 0, None));
    let wide = |op: Op| op.spec().operands == Operands::Wide;
    let mut slot = Vec::with_capacity(items.len());
    let mut at = 0usize;
    for it in &items {
        slot.push(at);
        at += if wide(it.0) { 2 } else { 1 };
    }
    let mut insns = Vec::with_capacity(at);
    for (i, &(op, dst, src, mut off, mut imm, jump)) in items.iter().enumerate() {
        if let Some(d) = jump {
            let rel = slot.get(i + 1 + d).map_or(0, |t| t - slot[i] - 1);
            match op.spec().semantics {
                Semantics::Gotol => imm = rel as i64,
                _ => off = rel as i16,
            }
        }
        let insn = Insn::new(op, dst, src, off, imm);
        insns.push(insn);
        if wide(op) {
            insns.push(Insn {
                op: Op::LddwHigh,
                dst: 0,
                src: 0,
                off: 0,
                imm: insn.imm >> 32,
            });
        }
    }
    Program::from_insns(insns)
}

/// A program of typical instructions in blocks of eight (a byte load from the input,
/// arithmetic, a stack store, a forward branch) and about `slots` slots, for compile
/// time per instruction without the fixed costs dominating.
pub fn typical_program(slots: usize) -> Result<Program, LoadError> {
    let mut insns = vec![
        Insn::new(Op::Mov64Imm, 0, 0, 0, 0),
        Insn::new(Op::Mov64Imm, 3, 0, 0, 1),
    ];
    for i in 0..(slots / 8) as i64 {
        insns.extend([
            Insn::new(Op::LdxB, 4, 1, (i % 60) as i16, 0),
            Insn::new(Op::Xor32Reg, 0, 4, 0, 0),
            Insn::new(Op::Mul32Imm, 0, 0, 0, 16_777_619),
            Insn::new(Op::Add64Imm, 3, 0, 0, i),
            Insn::new(Op::Lsh64Imm, 3, 0, 0, 3),
            Insn::new(Op::StxDw, 10, 3, -8, 0),
            Insn::new(Op::JgtImm, 3, 0, 1, 1000),
            Insn::new(Op::Sub64Reg, 3, 0, 0, 0),
        ]);
    }
    insns.push(Insn::new(Op::Exit, 0, 0, 0, 0));
    Program::from_insns(insns)
}

// Imports inside the test: this file is also included by `#[path]` in the JIT's
// bench and example, whose builds keep the module but drop the test.
#[cfg(test)]
mod tests {
    #[test]
    /// Also checks the buffer fill: FNV-1a over it must give common.h's result.
    fn every_workload_returns_its_expected_result() {
        use super::*;
        use ferrobpf_vm::interp::{Config, Vm};
        let vm = Vm::new(Config::default());
        for w in WORKLOADS {
            let program = w.program().unwrap();
            let mut buf = fill_buffer();
            let out = vm.run_counted(&program, &mut buf).unwrap();
            assert_eq!(out.value, w.expected, "{}", w.name);
            assert!(out.instructions > 100_000, "{}", w.name);
        }
    }

    #[test]
    fn random_programs_load() {
        for seed in 1..20 {
            let p = super::random_program(2000, seed).unwrap();
            assert!((1999..=2100).contains(&p.len()), "{}", p.len());
        }
    }
}
