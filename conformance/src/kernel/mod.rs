//! The `kernel` engine: runs test programs in the Linux kernel (its verifier and JIT or
//! interpreter) through the `bpf()` system call.
//!
//! Per test it creates a one-entry array map whose value holds the test memory
//! (value size `max(len, 1)`), and a one-entry array map for the 64-bit result; loads an
//! XDP program made of a [`prolog`] and the test program as a subprogram; runs it once
//! with `BPF_PROG_TEST_RUN` over a small zeroed packet; then reads r0 from the result map
//! and the memory back from its map. A load failure is reported as
//! "refused by the kernel verifier: ..." with the last lines of the verifier log.

pub mod prolog;
pub mod sys;

use crate::engine::{Completion, Engine, Failure, Outcome, RunOptions, Stage};
use std::ffi::CStr;
use std::io;
use std::os::fd::AsRawFd;
use sys::{ArrayMap, LoadedProgram, ProgType, VerifierLog};

/// Skip reason when `bpf()` cannot be used here.
pub const NO_BPF: &str = "no bpf() syscall";

/// Size of the zeroed packet handed to the XDP program (at least an Ethernet header).
const PACKET_LEN: usize = 64;
/// Size of the verifier log buffer read on a refusal.
const LOG_SIZE: usize = 1 << 20;
/// How many lines at the end of the verifier log go into the error.
const LOG_TAIL_LINES: usize = 2;
/// Statistics lines the verifier appends after its verdict.
const LOG_STATS: [&str; 2] = ["processed ", "verification time"];

/// Why the kernel engine could not produce a value.
#[derive(Debug, thiserror::Error)]
pub enum KernelError {
    /// The program is not a whole number of 8-byte instructions.
    #[error("program length {len} is not a multiple of 8 bytes")]
    PartialInsn {
        /// Length in bytes.
        len: usize,
    },
    /// The test memory is larger than a map value or an immediate can describe.
    #[error("test memory of {len} bytes is too large for the kernel engine")]
    MemoryTooLarge {
        /// Length in bytes.
        len: usize,
    },
    /// Creating or filling a map failed.
    #[error("{what} failed: {source}")]
    Setup {
        /// The operation.
        what: &'static str,
        /// The system error.
        source: io::Error,
    },
    /// `BPF_PROG_LOAD` failed.
    #[error("refused by the kernel verifier: {reason}")]
    Refused {
        /// The last lines of the verifier log (or the system error when there is no log).
        reason: String,
        /// The system error.
        source: io::Error,
    },
    /// `BPF_PROG_TEST_RUN` failed.
    #[error("BPF_PROG_TEST_RUN failed: {0}")]
    TestRun(io::Error),
    /// The prolog's return value did not come back.
    #[error("the XDP wrapper returned {0} instead of XDP_PASS")]
    UnexpectedReturn(u32),
}

/// Runs programs in the Linux kernel.
#[derive(Debug)]
pub struct KernelEngine {
    unavailable: Option<&'static str>,
}

impl Default for KernelEngine {
    fn default() -> Self {
        KernelEngine::new()
    }
}

impl KernelEngine {
    /// Probes for `bpf()` by creating (and closing) a small array map.
    pub fn new() -> KernelEngine {
        let unavailable = ArrayMap::create(8, 1).err().map(|_| NO_BPF);
        KernelEngine { unavailable }
    }

    fn try_run(&self, program: &[u8], memory: &[u8]) -> Result<Completion, Failure> {
        if !program.len().is_multiple_of(8) {
            return Err(Failure::new(
                Stage::Decode,
                KernelError::PartialInsn { len: program.len() },
            ));
        }
        let setup =
            |what| move |source| Failure::new(Stage::Load, KernelError::Setup { what, source });
        let len = i32::try_from(memory.len()).map_err(|_| {
            Failure::new(
                Stage::Load,
                KernelError::MemoryTooLarge { len: memory.len() },
            )
        })?;
        let memory_map =
            ArrayMap::create(memory.len().max(1), 1).map_err(setup("creating the memory map"))?;
        let mut value = memory.to_vec();
        value.resize(memory_map.value_size(), 0);
        memory_map
            .update(0, &value)
            .map_err(setup("filling the memory map"))?;
        let result_map = ArrayMap::create(8, 1).map_err(setup("creating the result map"))?;
        let insns = prolog::wrap(
            program,
            memory_map.fd().as_raw_fd(),
            len,
            result_map.fd().as_raw_fd(),
        );
        let loaded = load(&insns)?;
        let mut out = [0u8; PACKET_LEN];
        let report = loaded
            .test_run(&[0u8; PACKET_LEN], &mut out, 1)
            .map_err(|e| Failure::new(Stage::Run, KernelError::TestRun(e)))?;
        if report.retval != prolog::XDP_PASS {
            return Err(Failure::new(
                Stage::Run,
                KernelError::UnexpectedReturn(report.retval),
            ));
        }
        let r0 = result_map
            .lookup(0)
            .map_err(setup("reading the result map"))?;
        let r0 = r0.try_into().map(u64::from_ne_bytes).unwrap_or_default();
        let mut memory = memory_map
            .lookup(0)
            .map_err(setup("reading the memory map"))?;
        memory.truncate(len as usize);
        Ok(Completion { r0, memory })
    }
}

const LICENSE: &CStr = c"GPL";
const PROG_NAME: &str = "ferrobpf_conf";

/// Loads the wrapped program; on refusal, loads it again with a verifier log.
fn load(insns: &[u8]) -> Result<LoadedProgram, Failure> {
    let first = LoadedProgram::load(ProgType::Xdp, insns, LICENSE, PROG_NAME, VerifierLog::None);
    let source = match first {
        Ok(program) => return Ok(program),
        Err(e) => e,
    };
    let mut log = vec![0u8; LOG_SIZE];
    let reason = match LoadedProgram::load(
        ProgType::Xdp,
        insns,
        LICENSE,
        PROG_NAME,
        VerifierLog::Into(&mut log),
    ) {
        // Accepted the second time (should not happen): report the first error.
        Ok(_) => source.to_string(),
        Err(e) => log_tail(&log).unwrap_or_else(|| e.to_string()),
    };
    Err(Failure::new(
        Stage::Load,
        KernelError::Refused { reason, source },
    ))
}

/// The last non-empty lines of a NUL-terminated verifier log (statistics left out),
/// joined by " | ", with a note on instruction numbering.
fn log_tail(log: &[u8]) -> Option<String> {
    let end = log.iter().position(|&b| b == 0).unwrap_or(log.len());
    let text = String::from_utf8_lossy(log.get(..end)?);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !LOG_STATS.iter().any(|s| l.starts_with(s)))
        .collect();
    if lines.is_empty() {
        return None;
    }
    let tail = lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join(" | ");
    Some(format!(
        "{tail} (kernel instruction numbers include a {}-slot prolog)",
        prolog::prolog_slots()
    ))
}

impl Engine for KernelEngine {
    fn name(&self) -> &str {
        "kernel"
    }

    fn unavailable(&self) -> Option<&str> {
        self.unavailable
    }

    fn enforces_budget(&self) -> bool {
        false
    }

    fn run(&self, program: &[u8], memory: &[u8], _options: &RunOptions) -> Outcome {
        self.try_run(program, memory)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobpf_vm::{encode_program, Insn, Op};

    fn engine() -> Option<KernelEngine> {
        let engine = KernelEngine::new();
        if engine.unavailable().is_some() {
            println!("skipped: {NO_BPF}");
            return None;
        }
        Some(engine)
    }

    fn run(engine: &KernelEngine, insns: &[Insn], memory: &[u8]) -> Outcome {
        engine.run(&encode_program(insns), memory, &RunOptions::default())
    }

    #[test]
    fn returns_full_64_bit_r0_and_memory() {
        let Some(engine) = engine() else { return };
        let prog = [
            Insn::new(Op::LdxDw, 0, 1, 0, 0),
            Insn::new(Op::StDw, 1, 0, 0, -1),
            Insn::new(Op::Exit, 0, 0, 0, 0),
        ];
        let mem = 0x1122_3344_5566_7788u64.to_le_bytes();
        let done = run(&engine, &prog, &mem).unwrap();
        assert_eq!(done.r0, 0x1122_3344_5566_7788);
        assert_eq!(done.memory, vec![0xff; 8]);
        let len = [
            Insn::new(Op::Mov64Reg, 0, 2, 0, 0),
            Insn::new(Op::Exit, 0, 0, 0, 0),
        ];
        assert_eq!(run(&engine, &len, &[]).unwrap().r0, 0);
        assert_eq!(run(&engine, &len, &[1, 2, 3]).unwrap().r0, 3);
    }

    #[test]
    fn refusals_carry_the_verifier_log() {
        let Some(engine) = engine() else { return };
        // Reads past the end of the 4-byte memory.
        let prog = [
            Insn::new(Op::LdxDw, 0, 1, 0, 0),
            Insn::new(Op::Exit, 0, 0, 0, 0),
        ];
        let failure = run(&engine, &prog, &[0; 4]).unwrap_err();
        assert_eq!(failure.stage, Stage::Load);
        let message = failure.message();
        assert!(
            message.starts_with("refused by the kernel verifier: "),
            "{message}"
        );
        assert!(message.contains("invalid access to map value"), "{message}");
        let partial = engine
            .run(&[0x95, 0, 0], &[], &RunOptions::default())
            .unwrap_err();
        assert_eq!(partial.stage, Stage::Decode);
    }
}
