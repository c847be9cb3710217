//! What runs a test program: the [`Engine`] trait and the outcome of one run.

use std::error::Error;
use std::fmt;

/// The step at which a test ended without a value.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Reading or parsing the test file (including "no program").
    Parse,
    /// Assembling `-- asm` text.
    Assemble,
    /// Decoding instruction bytes.
    Decode,
    /// Loading: load-time checks, or a verifier (the kernel's).
    Load,
    /// Running.
    Run,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::Parse => "parse",
            Stage::Assemble => "assemble",
            Stage::Decode => "decode",
            Stage::Load => "load",
            Stage::Run => "run",
        })
    }
}

/// A test program that was refused or failed: the stage and the typed error (callers
/// may downcast it to the engine's own error type).
#[derive(Debug)]
pub struct Failure {
    /// Where it stopped.
    pub stage: Stage,
    /// Why.
    pub error: Box<dyn Error + Send + Sync + 'static>,
}

impl Failure {
    /// A failure at `stage` caused by `error`.
    pub fn new(stage: Stage, error: impl Into<Box<dyn Error + Send + Sync + 'static>>) -> Failure {
        Failure {
            stage,
            error: error.into(),
        }
    }

    /// The error's message (the text `-- error` sections are matched against).
    pub fn message(&self) -> String {
        self.error.to_string()
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} error: {}", self.stage, self.error)
    }
}

/// A run that reached `exit` of the program's entry function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    /// r0 at exit.
    pub r0: u64,
    /// The input memory after the run.
    pub memory: Vec<u8>,
}

/// The result of running one program.
pub type Outcome = Result<Completion, Failure>;

/// Per-run limits a test may set.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Instruction budget (`-- budget`); `None` leaves the engine's default.
    pub budget: Option<u64>,
}

/// Something that runs eBPF programs: the interpreter, a JIT, the Linux kernel.
///
/// A run gets the program as instruction bytes (little-endian 8-byte slots, as
/// `-- raw` or the assembler give them) and the test memory; the program starts with
/// r1 = a pointer to a copy of the memory and r2 = its length. Engines register the
/// conformance helper set (see [`crate::helpers`]) where they support helpers.
pub trait Engine {
    /// Short name (`interp`, `kernel`, `jit`, ...).
    fn name(&self) -> &str;

    /// Why this engine cannot run here (then every test is skipped with this reason),
    /// or `None` when it can.
    fn unavailable(&self) -> Option<&str>;

    /// Whether the engine enforces an instruction budget; tests with `-- budget` are
    /// skipped on engines that do not.
    fn enforces_budget(&self) -> bool;

    /// Runs `program` over a copy of `memory`.
    fn run(&self, program: &[u8], memory: &[u8], options: &RunOptions) -> Outcome;
}
