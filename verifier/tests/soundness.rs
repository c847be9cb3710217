//! Soundness against the interpreter: random programs the verifier accepts must run
//! without any runtime fault, and their result must lie in the abstract r0 the
//! verifier recorded at an exit. (Per-instruction checking needs an interpreter hook;
//! see `trace::Trace::admits`.) Set PROPTEST_CASES for longer runs.

use ferrobpf_verifier::ctx::{Access, CtxField, CtxLayout, FieldKind};
use ferrobpf_verifier::reg::RegState;
use ferrobpf_verifier::{verify, Config, ProgType};
use ferrobpf_vm::asm::assemble;
use ferrobpf_vm::interp::{Config as VmConfig, RunInput, Vm};
use ferrobpf_vm::isa::Semantics;
use ferrobpf_vm::memory::RegionKind;
use ferrobpf_vm::program::Program;
use proptest::prelude::*;

const REGS: [u8; 5] = [0, 2, 3, 4, 5];
const ALU: [&str; 12] = [
    "add", "sub", "mul", "div", "mod", "or", "and", "xor", "lsh", "rsh", "arsh", "mov",
];
const JMP: [&str; 11] = [
    "jeq", "jne", "jgt", "jge", "jlt", "jle", "jsgt", "jsge", "jslt", "jsle", "jset",
];
const IMMS: [i64; 10] = [0, 1, 2, 7, 8, 63, 64, 255, -1, -64];

/// One random line (or a few) of the program body; `left` lines follow it.
fn line(kind: u8, a: u8, b: u8, c: u8, imm: usize, wide: bool, left: usize) -> String {
    let w = if wide { "" } else { "32" };
    let (d, s) = (REGS[a as usize % 5], REGS[b as usize % 5]);
    let k = IMMS[imm % IMMS.len()];
    let slot = 8 * (1 + (c as i64 % 4));
    match kind % 8 {
        0 | 1 => format!("{}{w} %r{d}, {k}", ALU[c as usize % ALU.len()]),
        2 => format!("{}{w} %r{d}, %r{s}", ALU[c as usize % ALU.len()]),
        3 => format!("stxdw [%r10-{slot}], %r{s}"),
        4 => match c % 3 {
            0 => format!("ldxdw %r{d}, [%r10-{slot}]"),
            1 => format!("ldxw %r{d}, [%r10-{}]", slot - 4),
            _ => format!("stb [%r10-{}], {}", slot - 1, k & 0x7f),
        },
        5 => {
            // A variable offset into the stack, sometimes masked.
            let mask = if imm.is_multiple_of(2) {
                format!("and %r{s}, 31\n")
            } else {
                String::new()
            };
            format!("{mask}mov %r6, %r10\nadd %r6, -32\nadd %r6, %r{s}\nldxb %r{d}, [%r6+0]")
        }
        6 => format!(
            "ldx{} %r{d}, [%r1+{}]",
            ["b", "h", "w", "dw"][c as usize % 4],
            8 * (c as i64 % 8)
        ),
        _ => {
            let off = 1 + (imm % left.max(1));
            if a.is_multiple_of(2) {
                format!("{}{w} %r{d}, {k}, +{off}", JMP[c as usize % JMP.len()])
            } else {
                format!("{}{w} %r{d}, %r{s}, +{off}", JMP[c as usize % JMP.len()])
            }
        }
    }
}

fn host() -> ProgType {
    ProgType::Host(CtxLayout {
        size: 64,
        fields: vec![CtxField {
            off: 0,
            size: 64,
            read: true,
            write: true,
            access: Access::Aligned,
            kind: FieldKind::Scalar,
        }],
    })
}

fn build(body: &[(u8, u8, u8, u8, usize, bool)]) -> String {
    let mut text = String::from(
        "ldxdw %r2, [%r1+0]\nldxw %r3, [%r1+8]\nldxh %r4, [%r1+16]\nldxb %r5, [%r1+24]\nmov %r0, 0\n",
    );
    let n = body.len();
    for (i, &(kind, a, b, c, imm, wide)) in body.iter().enumerate() {
        // Jumps may only land on lines (not inside multi-line templates): keep the
        // templates jump-free and count lines after expansion below.
        let _ = i;
        text.push_str(&line(kind, a, b, c, imm, wide, n));
        text.push('\n');
    }
    text.push_str("exit\n");
    text
}

/// Jump offsets are in lines; make them land inside the program by clamping to the
/// lines actually left after expansion.
fn fix_jumps(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let n = lines.len();
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| match l.rsplit_once(", +") {
            Some((head, off)) if l.starts_with('j') => {
                let off: usize = off.parse().unwrap_or(0);
                let max = n - i - 2; // the exit is the last line
                format!("{head}, +{}", off.min(max))
            }
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn accepted_programs_run_safely(
        body in proptest::collection::vec((any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>(), any::<usize>(), any::<bool>()), 1..24),
        input in proptest::collection::vec(any::<u8>(), 64),
    ) {
        let text = fix_jumps(&build(&body));
        let insns = assemble(&text).expect("generated text assembles");
        let mut config = Config::new(host());
        config.record_states = true;
        let Ok(report) = verify(&insns, &[], &config) else {
            return Ok(());
        };
        // The vm's load-time checks are path-insensitive (e.g. definite assignment) and
        // may refuse what the verifier proved on every feasible path.
        let Ok(program) = Program::from_insns(insns.clone()) else {
            return Ok(());
        };
        let vm = Vm::new(VmConfig {
            instruction_budget: Some(1_000_000),
            ..VmConfig::default()
        });
        let mut mem = input.clone();
        let mut run = RunInput::default();
        let addr = mem.as_ptr() as u64;
        run.memory.add_writable(RegionKind::Input, &mut mem);
        run.args[0] = addr;
        let value = vm.run_with(&program, run);
        let value = match value {
            Ok(v) => v.value,
            Err(e) => panic!("accepted program faulted: {e}\n{text}"),
        };
        let trace = report.trace.expect("trace requested");
        let exits: Vec<usize> = insns
            .iter()
            .enumerate()
            .filter(|(_, i)| i.spec().semantics == Semantics::Exit)
            .map(|(pc, _)| pc)
            .collect();
        let ok = exits.iter().any(|&pc| {
            trace.at(pc).iter().any(|s| s.depth == 0 && match s.regs[0] {
                RegState::Scalar(sc) => sc.contains(value),
                _ => false,
            })
        });
        prop_assert!(ok, "r0 = {value:#x} is outside every abstract exit state\n{text}");
    }
}
