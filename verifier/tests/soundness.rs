//! Soundness against the interpreter: random programs the verifier accepts must run
//! without any runtime fault, before every executed instruction the live registers
//! must lie in an abstract state the verifier recorded there (an interpreter
//! [`Observer`] checking `Trace::admits_raw`), and the result must lie in the
//! abstract r0 recorded at an exit. `FERROBPF_LONG=1` runs many more cases
//! (`FERROBPF_LONG_CASES`, default 1,000,000) and prints progress.

use ferrobpf_verifier::checker::TraceChecker;
use ferrobpf_verifier::ctx::{Access, CtxField, CtxLayout, FieldKind};
use ferrobpf_verifier::liveness::live_in;
use ferrobpf_verifier::reg::RegState;
use ferrobpf_verifier::trace::Regions;
use ferrobpf_verifier::{verify, Config, ProgType};
use ferrobpf_vm::asm::assemble;
use ferrobpf_vm::interp::{Config as VmConfig, RunInput, Vm};
use ferrobpf_vm::isa::Semantics;
use ferrobpf_vm::memory::RegionKind;
use ferrobpf_vm::program::Program;
use proptest::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

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
        // A linked copy: a later comparison on either bounds both.
        1 if c.is_multiple_of(4) && d != s => format!("mov %r{d}, %r{s}\nadd %r{d}, {k}"),
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

/// Loads of the context into r2-r5, r0 = 0.
const PROLOGUE: &str =
    "ldxdw %r2, [%r1+0]\nldxw %r3, [%r1+8]\nldxh %r4, [%r1+16]\nldxb %r5, [%r1+24]\nmov %r0, 0\n";

/// Appends the generated lines; `n` bounds their jump offsets. Jumps may only land
/// on lines (not inside multi-line templates): the templates are jump-free and
/// [`fix_jumps`] counts lines after expansion.
fn push_lines(text: &mut String, lines: &[Line], n: usize) {
    for &(kind, a, b, c, imm, wide) in lines {
        text.push_str(&line(kind, a, b, c, imm, wide, n));
        text.push('\n');
    }
}

fn build(body: &[Line]) -> String {
    let mut text = String::from(PROLOGUE);
    push_lines(&mut text, body, body.len());
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

fn long() -> bool {
    std::env::var_os("FERROBPF_LONG").is_some_and(|v| v != "0")
}

fn cases() -> u32 {
    if !long() {
        return 3000;
    }
    std::env::var("FERROBPF_LONG_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

/// Cases of the loop test (each runs up to thousands of iterations).
fn loop_cases() -> u32 {
    if long() {
        cases() / 10
    } else {
        100
    }
}

/// Cases run, programs accepted, instructions checked (for the long run's report).
static COUNTS: [AtomicU64; 3] = [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)];

fn count(accepted: bool, steps: u64) {
    let n = COUNTS[0].fetch_add(1, Ordering::Relaxed) + 1;
    COUNTS[1].fetch_add(u64::from(accepted), Ordering::Relaxed);
    COUNTS[2].fetch_add(steps, Ordering::Relaxed);
    if long() && n.is_multiple_of(50_000) {
        eprintln!(
            "soundness: {n} cases, {} accepted, {} instructions checked",
            COUNTS[1].load(Ordering::Relaxed),
            COUNTS[2].load(Ordering::Relaxed)
        );
    }
}

/// Line kinds, registers and immediates of one generated line.
type Line = (u8, u8, u8, u8, usize, bool);

/// The back edge of a loop on counter `r`: `jne %r, 0` most of the time, else (when
/// `back.0 % 8` is `which`) a random comparison of a data register, which need not
/// ever fail (the loop then only ends if a forward jump leaves it).
fn back_edge(r: u8, back: (u8, u8, u8), which: u8, off: i64) -> String {
    if back.0 % 8 != which {
        return format!("jne %r{r}, 0, {off}");
    }
    let jmp = JMP[back.1 as usize % JMP.len()];
    let d = REGS[back.2 as usize % REGS.len()];
    let k = IMMS[back.2 as usize / REGS.len() % IMMS.len()];
    let w = if back.0 & 8 == 0 { "" } else { "32" };
    format!("{jmp}{w} %r{d}, {k}, {off}")
}

/// `outer` lines, then an inner loop over `inner` lines, the whole inside an outer
/// loop; counters in r8 (outer) and r9 (inner), each a constant or a bounded number
/// from the context, so that exploration and widening both see them. Forward jumps
/// may leave a loop early; `back` sometimes makes a back edge test something else
/// than its counter (see [`back_edge`]).
fn build_loops(outer: &[Line], inner: &[Line], counts: (u8, u8), back: (u8, u8, u8)) -> String {
    let counter = |r: u8, c: u8| match c % 4 {
        0 => format!("mov %r{r}, 3"),
        1 => format!("mov %r{r}, 70"),
        2 => format!("ldxb %r{r}, [%r1+{}]\nand %r{r}, 15\nadd %r{r}, 1", 32 + r),
        _ => format!("ldxb %r{r}, [%r1+{}]\nadd %r{r}, 1", 32 + r),
    };
    let mut text = String::from(PROLOGUE);
    let lines = |t: &String| t.lines().count();
    let n = outer.len() + inner.len();
    text.push_str(&counter(8, counts.0));
    text.push('\n');
    let outer_head = lines(&text);
    push_lines(&mut text, outer, n);
    text.push_str(&counter(9, counts.1));
    text.push('\n');
    let inner_head = lines(&text);
    push_lines(&mut text, inner, n);
    text.push_str("sub %r9, 1\n");
    let offset = |t: &String, head: usize| head as i64 - lines(t) as i64 - 1;
    let off = offset(&text, inner_head);
    text.push_str(&back_edge(9, back, 1, off));
    // An outer back edge not testing r8 leaves the outer loop nothing that moves.
    text.push_str(if back.0.is_multiple_of(8) {
        "\n"
    } else {
        "\nsub %r8, 1\n"
    });
    let off = offset(&text, outer_head);
    text.push_str(&format!("{}\nexit\n", back_edge(8, back, 0, off)));
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(loop_cases()))]
    #[test]
    fn accepted_loops_run_safely(
        outer in proptest::collection::vec(any::<Line>(), 0..8),
        inner in proptest::collection::vec(any::<Line>(), 1..10),
        counts in any::<(u8, u8)>(),
        back in any::<(u8, u8, u8)>(),
        input in proptest::collection::vec(any::<u8>(), 64),
    ) {
        let text = fix_jumps(&build_loops(&outer, &inner, counts, back));
        // A small budget for the first pass, so that loops are widened often.
        check(&text, input, 4_000)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]
    #[test]
    fn accepted_programs_run_safely(
        body in proptest::collection::vec(any::<Line>(), 1..24),
        input in proptest::collection::vec(any::<u8>(), 64),
    ) {
        let text = fix_jumps(&build(&body));
        check(&text, input, ferrobpf_verifier::verify::KERNEL_INSN_BUDGET)?;
    }
}

/// Verifies `text`; if accepted, runs it on `input` in the interpreter, checking
/// every executed instruction against the recorded states and r0 at the exit.
fn check(text: &str, input: Vec<u8>, max_insns: usize) -> Result<(), TestCaseError> {
    let insns = assemble(text).expect("generated text assembles");
    let mut config = Config::new(host());
    config.max_insns = max_insns;
    config.record_states = true;
    let Ok(report) = verify(&insns, &[], &config) else {
        count(false, 0);
        return Ok(());
    };
    // The vm's load-time checks are path-insensitive (e.g. definite assignment) and
    // may refuse what the verifier proved on every feasible path.
    let Ok(program) = Program::from_insns(insns.clone()) else {
        count(false, 0);
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
    let trace = report.trace.expect("trace requested");
    let mut checker = TraceChecker::new(
        &trace,
        live_in(&insns, &config.helpers),
        Regions {
            ctx: Some((addr, input.len() as u64)),
            ..Regions::default()
        },
    );
    let value = vm.run_observed(&program, run, &mut checker);
    count(true, checker.steps());
    let value = match value {
        Ok(v) => v.value,
        Err(e) => panic!("accepted program faulted: {e}\n{text}"),
    };
    if let Some(&(pc, depth, regs)) = checker.violation() {
        let regs: Vec<String> = regs
            .iter()
            .enumerate()
            .map(|(r, v)| format!("r{r}={v:#x}"))
            .collect();
        prop_assert!(
                false,
                "registers outside every abstract state at slot {pc} (depth {depth}): {}\nstates there: {:?}\n{text}",
                regs.join(" "),
                trace.at(pc)
            );
    }
    let exits: Vec<usize> = insns
        .iter()
        .enumerate()
        .filter(|(_, i)| i.spec().semantics == Semantics::Exit)
        .map(|(pc, _)| pc)
        .collect();
    let ok = exits.iter().any(|&pc| {
        trace.at(pc).iter().any(|s| {
            s.depth == 0
                && match s.regs[0] {
                    RegState::Scalar(sc) => sc.contains(value),
                    _ => false,
                }
        })
    });
    prop_assert!(
        ok,
        "r0 = {value:#x} is outside every abstract exit state\n{text}"
    );
    Ok(())
}
