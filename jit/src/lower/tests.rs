//! The lowering walk against a back end that only records what it is asked to emit.

use super::lower;
use super::masm::{Access, DivOp, HelperId, MacroAssembler, Operand, PacketLoad, Reg};
use crate::config::JitConfig;
use crate::error::JitError;
use ferrobpf_vm::asm::assemble;
use ferrobpf_vm::isa::{AluOp, AtomicOp, JmpCond, Width};

/// Records every call as a line of text.
#[derive(Default)]
struct Recorder {
    labels: usize,
    log: Vec<String>,
}

impl MacroAssembler for Recorder {
    type Label = usize;
    type Output = Vec<String>;
    type Error = JitError;

    fn new_label(&mut self) -> usize {
        self.labels += 1;
        self.labels
    }
    fn bind(&mut self, label: usize) {
        self.log.push(format!("L{label}:"));
    }
    fn begin_insn(&mut self, pc: usize) {
        self.log.push(format!("pc {pc}"));
    }
    fn load_blinded(&mut self, _: i64, _: i64) {
        self.log.push("blinded".into());
    }
    fn load_imm64(&mut self, dst: Reg, value: i64) {
        self.log.push(format!("imm64 r{dst} {value}"));
    }
    fn alu(&mut self, op: AluOp, width: Width, dst: Reg, src: Operand) {
        self.log.push(format!("{op:?} {width:?} r{dst} {src:?}"));
    }
    fn div_mod(&mut self, op: DivOp, width: Width, dst: Reg, src: Operand) {
        self.log.push(format!("{op:?} {width:?} r{dst} {src:?}"));
    }
    fn zero_extend(&mut self, dst: Reg, bits: u8) {
        self.log.push(format!("zext r{dst} {bits}"));
    }
    fn byte_swap(&mut self, dst: Reg, bits: u8) {
        self.log.push(format!("swap r{dst} {bits}"));
    }
    fn jump(&mut self, target: usize) {
        self.log.push(format!("jump L{target}"));
    }
    fn branch(&mut self, cond: JmpCond, width: Width, dst: Reg, src: Operand, target: usize) {
        self.log
            .push(format!("{cond:?} {width:?} r{dst} {src:?} L{target}"));
    }
    fn load(&mut self, access: Access, dst: Reg, _: bool) {
        self.log.push(format!("load r{dst} {:?}", access.check));
    }
    fn store(&mut self, access: Access, src: Operand) {
        self.log.push(format!("store {src:?} {:?}", access.check));
    }
    fn atomic(&mut self, op: AtomicOp, _: bool, access: Access, src: Reg) {
        self.log
            .push(format!("atomic {op:?} r{src} {:?}", access.check));
    }
    fn packet_load(&mut self, load: PacketLoad) {
        self.log
            .push(format!("packet {:?} {:?}", load.index, load.offset));
    }
    fn call_helper(&mut self, id: HelperId) {
        self.log.push(format!("helper {id:?}"));
    }
    fn call_local(&mut self, target: usize) {
        self.log.push(format!("call L{target}"));
    }
    fn exit(&mut self) {
        self.log.push("exit".into());
    }
    fn meter(&mut self, count: u32) {
        self.log.push(format!("meter {count}"));
    }
    /// One byte per recorded line.
    fn code_len(&self) -> usize {
        self.log.len()
    }
    fn finish(self, entry: usize) -> Result<Vec<String>, JitError> {
        let mut log = self.log;
        log.push(format!("entry L{entry}"));
        Ok(log)
    }
}

fn record(text: &str, config: &JitConfig) -> Vec<String> {
    let insns = assemble(text).expect("assembles");
    lower(&insns, config, Recorder::default()).expect("lowers")
}

fn has(log: &[String], line: &str) -> bool {
    log.iter().any(|l| l == line)
}

#[test]
fn immediate_divisors_are_folded() {
    let log = record(
        "div %r1, 0\nmod32 %r2, 0\nsdiv %r3, -1\nsmod %r4, -1\ndiv %r5, -1\nexit",
        &JitConfig::verified(),
    );
    assert!(has(&log, "Mov W64 r1 Imm(0)"));
    assert!(has(&log, "zext r2 32"));
    assert!(has(&log, "Neg W64 r3 Imm(0)"));
    assert!(has(&log, "Mov W64 r4 Imm(0)"));
    assert!(has(&log, "Div W64 r5 Imm(-1)"), "{log:?}");
}

#[test]
fn byte_order_on_a_little_endian_host() {
    let log = record(
        "le16 %r1\nbe32 %r2\nbswap64 %r3\nexit",
        &JitConfig::verified(),
    );
    assert!(has(&log, "zext r1 16"));
    assert!(has(&log, "swap r2 32"));
    assert!(has(&log, "swap r3 64"));
}

#[test]
fn blinding_hides_immediates_but_not_shift_counts() {
    let log = record(
        "add %r1, 77\nlsh %r1, 3\njeq %r1, 5, +0\nstw [%r10-4], 9\nexit",
        &JitConfig::checked(),
    );
    assert!(has(&log, "Add W64 r1 Scratch"));
    assert!(has(&log, "Lsh W64 r1 Imm(3)"));
    assert!(log.iter().any(|l| l.starts_with("Eq W64 r1 Scratch")));
    assert!(has(&log, "store Scratch None"));
    assert!(!log
        .iter()
        .any(|l| l.contains("Imm(77)") || l.contains("Imm(5)")));
}

#[test]
fn blinding_hides_helper_ids_and_packet_offsets() {
    let text = "call 0x12345678\nldabsw 0x1a2b3c4d\nldindh %r3, 0x5e6f7a8b\nexit";
    let log = record(text, &JitConfig::checked());
    assert!(has(&log, "helper Scratch"), "{log:?}");
    assert!(has(&log, "packet None None"), "{log:?}");
    assert!(has(&log, "packet Some(3) None"), "{log:?}");
    let plain = record(text, &JitConfig::verified());
    assert!(has(&plain, "helper Imm(305419896)"), "{plain:?}");
    assert!(has(&plain, "packet None Some(439041101)"), "{plain:?}");
}

#[test]
fn stack_accesses_inside_the_frame_are_not_checked() {
    let log = record(
        "ldxdw %r1, [%r10-512]\nldxdw %r2, [%r10-513]\nldxb %r3, [%r10+0]\nldxb %r4, [%r1]\nexit",
        &JitConfig::checked(),
    );
    let loads: Vec<&String> = log.iter().filter(|l| l.starts_with("load")).collect();
    assert_eq!(
        loads,
        [
            "load r1 None",
            "load r2 Bounds",
            "load r3 Bounds",
            "load r4 Bounds"
        ]
    );
}

#[test]
fn segments_end_at_branches_calls_and_faulting_instructions() {
    let text = "mov %r0, 1\nl:\nadd %r0, 1\nldxb %r1, [%r10-1]\nldxb %r2, [%r1]\nmov %r3, 2\njne %r0, 5, l\nexit";
    let config = JitConfig::verified().with_budget(Some(100));
    let log = record(text, &config);
    let meters: Vec<&String> = log.iter().filter(|l| l.starts_with("meter")).collect();
    // pc 0 alone (pc 1 is a branch target); 1-3 (the stack load cannot fault, the
    // checked load ends it); 4-5 (the branch ends it); 6.
    assert_eq!(
        meters,
        ["meter 1", "meter 3", "meter 2", "meter 1"],
        "{log:?}"
    );
    assert!(!record(text, &JitConfig::verified())
        .iter()
        .any(|l| l.starts_with("meter")));
}

#[test]
fn lddw_counts_as_one_instruction_and_ends_its_segment() {
    let config = JitConfig::verified().with_budget(Some(100));
    let log = record("lddw %r0, 5\nadd %r0, 1\nexit", &config);
    let meters: Vec<&String> = log.iter().filter(|l| l.starts_with("meter")).collect();
    assert_eq!(meters, ["meter 1", "meter 2"]);
    assert!(has(&log, "imm64 r0 5"));
}

#[test]
fn vouched_accesses_are_not_checked() {
    // SAFETY: the program is only lowered into a recorder, never run.
    let config = unsafe { JitConfig::verified_unchecked() };
    let log = record(
        "ldxb %r0, [%r2+9]\nstxw [%r1+2], %r3\nlock add [%r1], %r2\nexit",
        &config.with_budget(Some(100)),
    );
    assert!(has(&log, "load r0 None"));
    assert!(has(&log, "store Reg(3) None"));
    assert!(has(&log, "atomic Add r2 None"));
    // An unchecked load cannot fault: it no longer ends its metering segment.
    assert!(has(&log, "meter 2"), "{log:?}");
}

#[test]
fn verified_mode_keeps_the_checks_without_the_callers_promise() {
    let log = record(
        "stxw [%r1+2], %r3\nlock add [%r1], %r2\nexit",
        &JitConfig::verified(),
    );
    assert!(has(&log, "store Reg(3) Bounds"));
    assert!(has(&log, "atomic Add r2 Bounds"));
}
