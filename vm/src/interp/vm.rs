//! The interpreter's public face: a [`Vm`] with its limits and helpers, and the
//! ways to run a program.

use super::config::Config;
use super::error::{ExecError, ExecErrorKind};
use super::exec::{execute, Machine};
use super::observe::{NoObserver, Observer};
use crate::helpers::HelperRegistry;
use crate::memory::{RegionId, RegionKind, RegionTable, Stack};
use crate::program::Program;

/// What a run starts from: the regions the program may touch (the stack is added by
/// the engine), the initial r1-r5, and the region legacy packet loads read.
#[derive(Debug, Default)]
pub struct RunInput<'a> {
    /// Memory the program may access besides its stack.
    pub memory: RegionTable<'a>,
    /// Initial values of r1-r5 (r0 and r6-r9 start at 0; r10 is the frame pointer).
    pub args: [u64; 5],
    /// The region LD_ABS / LD_IND read from; `None`: every such load is out of bounds.
    pub packet: Option<RegionId>,
}

impl<'a> RunInput<'a> {
    /// The plain-memory ABI: `mem` is one writable region, r1 = its address and
    /// r2 = its length, and it is also the packet. An empty `mem` gets no region and
    /// r1 = r2 = 0.
    pub fn for_memory(mem: &'a mut [u8]) -> RunInput<'a> {
        let mut input = RunInput::default();
        if !mem.is_empty() {
            let (addr, len) = (mem.as_ptr() as u64, mem.len() as u64);
            let id = input.memory.add_writable(RegionKind::Input, mem);
            input.args[0] = addr;
            input.args[1] = len;
            input.packet = Some(id);
        }
        input
    }
}

/// How a run ended.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RunOutcome {
    /// r0 at the final `exit` (0 when a legacy packet load ended the run).
    pub value: u64,
    /// Instructions executed, the final `exit` included (an LDDW counts once).
    pub instructions: u64,
}

/// The interpreter: limits plus helpers. Runs any number of programs, one run at a
/// time per call; `Vm` is `Send + Sync`, so threads may share it.
#[derive(Clone, Debug, Default)]
pub struct Vm {
    config: Config,
    helpers: HelperRegistry,
}

impl Vm {
    /// A VM with `config` and no helpers.
    pub fn new(config: Config) -> Vm {
        Vm::with_helpers(config, HelperRegistry::new())
    }

    /// A VM with `config` and `helpers`.
    pub fn with_helpers(config: Config, helpers: HelperRegistry) -> Vm {
        Vm { config, helpers }
    }

    /// The limits.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The helpers.
    pub fn helpers(&self) -> &HelperRegistry {
        &self.helpers
    }

    /// The helpers, to register more.
    pub fn helpers_mut(&mut self) -> &mut HelperRegistry {
        &mut self.helpers
    }

    /// Runs `program` over `mem` with the plain-memory ABI
    /// ([`RunInput::for_memory`]) and returns r0.
    pub fn run(&self, program: &Program, mem: &mut [u8]) -> Result<u64, ExecError> {
        self.run_counted(program, mem).map(|o| o.value)
    }

    /// [`run`](Vm::run), also counting executed instructions.
    pub fn run_counted(&self, program: &Program, mem: &mut [u8]) -> Result<RunOutcome, ExecError> {
        self.run_with(program, RunInput::for_memory(mem))
    }

    /// Runs `program` from explicit regions and arguments (for program types with a
    /// context, packets, map values, read-only data). A fresh zeroed stack of
    /// [`Config::frames`] frames is added as one more region, of which only the live
    /// frames are accessible (see the [module docs](super)).
    pub fn run_with(
        &self,
        program: &Program,
        input: RunInput<'_>,
    ) -> Result<RunOutcome, ExecError> {
        self.run_observed(program, input, &mut NoObserver)
    }

    /// [`run_with`](Vm::run_with), calling `observer` before each executed
    /// instruction (see [`Observer`]); for checks such as the verifier's soundness
    /// mode. Ordinary runs pay nothing for this hook.
    pub fn run_observed<O: Observer>(
        &self,
        program: &Program,
        input: RunInput<'_>,
        observer: &mut O,
    ) -> Result<RunOutcome, ExecError> {
        let mut stack = Stack::new(self.config.frames(), self.config.stack_frame_size);
        let RunInput {
            memory,
            args,
            packet,
        } = input;
        let mut memory = memory;
        let stack = stack.attach(&mut memory);
        // Only the entry function's frame is live at first; `execute` follows the
        // call depth from there.
        if memory.set_stack_depth(0).is_none() {
            return Err(ExecError::new(
                0,
                ExecErrorKind::CallDepthExceeded {
                    max_frames: stack.frames(),
                },
            ));
        }
        let machine = Machine {
            insns: program.insns(),
            helpers: &self.helpers,
            memory: &mut memory,
            stack,
            packet,
        };
        execute(machine, args, self.config.instruction_budget, observer)
    }
}
