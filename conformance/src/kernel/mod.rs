//! The `kernel` engine: runs test programs in the Linux kernel (its verifier and JIT or
//! interpreter) through the `bpf()` system call.
//!
//! Per test it creates a one-entry array map whose value holds the test memory
//! (value size `max(len, 1)`), and a one-entry array map for the 64-bit result; loads
//! the test program wrapped by a [`harness`] (an XDP program, or a tc program over a
//! packet holding the test memory when it uses legacy packet loads); runs it once with
//! `BPF_PROG_TEST_RUN`; then reads r0 from the result map and the memory back from its
//! map. A load failure is reported as "refused by the kernel verifier: ..." with the
//! last lines of the verifier log.

//!
//! The same `bpf()` wrapper loads whole BPF objects: [`object::KernelObject`] creates
//! an object's maps, loads its programs and runs them with `BPF_PROG_TEST_RUN`, for
//! comparisons of ferrobpf with the kernel on real programs.

pub mod func_btf;
pub mod harness;
pub mod map_refs;
pub mod object;
pub mod object_error;
pub mod program;
pub mod sys;

use crate::engine::{Completion, Engine, Failure, Outcome, RunOptions, Stage};
use harness::{Harness, Mode};
use program::{KernelProgram, Refusal};
use std::io;
use std::os::fd::AsRawFd;
use sys::{KernelMap, MapAttrs, ProgAttrs};

/// Skip reason when `bpf()` cannot be used here.
pub const NO_BPF: &str = "no bpf() syscall";

/// Size of the zeroed packet handed to XDP programs (at least an Ethernet header).
const XDP_PACKET_LEN: usize = 64;
/// The kernel's smallest test packet (an Ethernet header).
const MIN_PACKET_LEN: usize = 14;
/// Size of the verifier log buffer read on a refusal.
const LOG_SIZE: usize = 1 << 20;
/// How many lines at the end of the verifier log go into the error.
const LOG_TAIL_LINES: usize = 2;
/// `BPF_MAP_TYPE_ARRAY`.
const MAP_TYPE_ARRAY: u32 = 2;

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
        /// The refusal, with the whole log.
        source: Refusal,
    },
    /// `BPF_PROG_TEST_RUN` failed.
    #[error("BPF_PROG_TEST_RUN failed: {0}")]
    TestRun(io::Error),
    /// The harness's return value did not come back.
    #[error("the program returned {got} instead of {expected}")]
    UnexpectedReturn {
        /// What it returned.
        got: u32,
        /// What the epilogue returns.
        expected: u32,
    },
    /// A program with legacy packet loads over memory shorter than the kernel's packets.
    #[error("the kernel runs legacy packet loads over packets of at least {MIN_PACKET_LEN} bytes; the test memory has {len}")]
    PacketTooShort {
        /// The memory length.
        len: usize,
    },
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
        let unavailable = array_map(8).err().map(|_| NO_BPF);
        KernelEngine { unavailable }
    }

    /// Runs `program` `repeat` times in the kernel (verifier, then the kernel JIT) with
    /// `BPF_PROG_TEST_RUN`; returns the last run's outcome and the kernel's average
    /// nanoseconds per run. The memory is reset only before the first run.
    pub fn time(
        &self,
        program: &[u8],
        memory: &[u8],
        repeat: u32,
    ) -> Result<(Completion, u32), Failure> {
        self.try_run(program, memory, repeat)
    }

    fn try_run(
        &self,
        program: &[u8],
        memory: &[u8],
        repeat: u32,
    ) -> Result<(Completion, u32), Failure> {
        let load_error = |e| Failure::new(Stage::Load, e);
        let setup = |what| move |source| load_error(KernelError::Setup { what, source });
        let len = memory.len();
        let len32 =
            i32::try_from(len).map_err(|_| load_error(KernelError::MemoryTooLarge { len }))?;
        let memory_map = u32::try_from(len.max(1))
            .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
            .and_then(array_map)
            .map_err(setup("creating the memory map"))?;
        let mut value = memory.to_vec();
        value.resize(memory_map.value_size(), 0);
        memory_map
            .update(&KEY_0, &value, sys::UPDATE_ANY)
            .map_err(setup("filling the memory map"))?;
        let result_map = array_map(8).map_err(setup("creating the result map"))?;
        let harness = Harness::build(
            program,
            memory_map.fd().as_raw_fd(),
            len32,
            result_map.fd().as_raw_fd(),
        )
        .ok_or_else(|| {
            Failure::new(
                Stage::Decode,
                KernelError::PartialInsn { len: program.len() },
            )
        })?;
        let (prog_type, packet) = match harness.mode {
            Mode::Xdp => (PROG_TYPE_XDP, vec![0u8; XDP_PACKET_LEN]),
            Mode::Packet if len < MIN_PACKET_LEN => {
                return Err(load_error(KernelError::PacketTooShort { len }))
            }
            Mode::Packet => (PROG_TYPE_SCHED_CLS, memory.to_vec()),
        };
        let loaded = load(prog_type, &harness)?;
        let report = loaded
            .test_run(&packet, None, repeat)
            .map_err(|e| Failure::new(Stage::Run, KernelError::TestRun(e)))?;
        let expected = harness.mode.return_mark();
        let r0 = if report.retval == expected {
            let r0 = result_map
                .lookup(&KEY_0)
                .map_err(setup("reading the result map"))?;
            r0.try_into().map(u64::from_ne_bytes).unwrap_or_default()
        } else if harness.mode == Mode::Packet && report.retval == 0 {
            // A legacy packet load out of the packet ended the run with r0 = 0.
            0
        } else {
            let got = report.retval;
            return Err(Failure::new(
                Stage::Run,
                KernelError::UnexpectedReturn { got, expected },
            ));
        };
        let mut memory = memory_map
            .lookup(&KEY_0)
            .map_err(setup("reading the memory map"))?;
        memory.truncate(len);
        Ok((Completion { r0, memory }, report.duration_ns))
    }
}

const PROG_NAME: &str = "ferrobpf_conf";
/// `BPF_PROG_TYPE_SCHED_CLS`.
const PROG_TYPE_SCHED_CLS: u32 = 3;
/// `BPF_PROG_TYPE_XDP`.
const PROG_TYPE_XDP: u32 = 6;
/// The key of a one-entry array.
const KEY_0: [u8; 4] = [0; 4];

/// A one-entry array map with values of `value_size` bytes.
fn array_map(value_size: u32) -> io::Result<KernelMap> {
    KernelMap::create(&MapAttrs::new(MAP_TYPE_ARRAY, 4, value_size, 1))
}

/// Loads the wrapped program (with a verifier log on refusal).
fn load(prog_type: u32, harness: &Harness) -> Result<KernelProgram, Failure> {
    let attrs = ProgAttrs {
        name: PROG_NAME,
        ..ProgAttrs::new(prog_type, &harness.bytes)
    };
    KernelProgram::load(&attrs, LOG_SIZE).map_err(|refusal| {
        let tail = refusal.last_lines(LOG_TAIL_LINES).join(" | ");
        let reason = if tail.is_empty() {
            refusal.source.to_string()
        } else {
            format!(
                "{tail} (kernel instruction numbers include a {}-slot header)",
                harness.header_slots
            )
        };
        Failure::new(
            Stage::Load,
            KernelError::Refused {
                reason,
                source: refusal,
            },
        )
    })
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
        self.try_run(program, memory, 1).map(|(done, _)| done)
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
