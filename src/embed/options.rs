//! How an object is loaded: CPUs of per-CPU maps, the instruction budget, the
//! engine, host hooks, host helpers, and program types for sections whose name
//! says none.

use ferrobpf_elf::ProgramType;
use ferrobpf_vm::helpers::Helper;
use ferrobpf_vm::linux::HostHooks;
use std::collections::BTreeMap;

/// Which engine runs programs.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum EngineKind {
    /// The interpreter.
    #[default]
    Interpreter,
    /// The x86-64 JIT in checked mode (every access checked, like the
    /// interpreter).
    Jit,
}

/// Loading options; [`Options::default`] gives one value per CPU of the host for
/// per-CPU maps, no budget, the interpreter, no hooks.
#[derive(Clone, Debug)]
pub struct Options {
    /// CPUs of per-CPU maps (and perf event arrays sized 0 in the object).
    pub cpus: u32,
    /// Instruction budget of every run (per program of a tail-call chain); `None`:
    /// no limit (only for trusted or verified programs).
    pub budget: Option<u64>,
    /// The engine programs start on.
    pub engine: EngineKind,
    /// The host's hooks for the Linux helpers.
    pub hooks: HostHooks,
    /// Host helpers by id (they replace Linux helpers of the same id).
    pub helpers: BTreeMap<u32, Helper>,
    /// Program types by program or section name, for sections whose name says
    /// none (or says another).
    pub program_types: BTreeMap<String, ProgramType>,
    /// Most bytes the object's maps may preallocate together (an object from an
    /// untrusted source may ask for gigabytes); maps past it are not created.
    pub max_map_memory: u64,
}

/// The default of [`Options::max_map_memory`]: 1 GiB.
pub const DEFAULT_MAX_MAP_MEMORY: u64 = 1 << 30;

impl Default for Options {
    fn default() -> Options {
        let cpus = std::thread::available_parallelism()
            .map(|n| n.get() as u32)
            .unwrap_or(1);
        Options {
            cpus,
            budget: None,
            engine: EngineKind::Interpreter,
            hooks: HostHooks::default(),
            helpers: BTreeMap::new(),
            program_types: BTreeMap::new(),
            max_map_memory: DEFAULT_MAX_MAP_MEMORY,
        }
    }
}

impl Options {
    /// Sets the instruction budget.
    pub fn budget(mut self, budget: u64) -> Options {
        self.budget = Some(budget);
        self
    }

    /// Sets the number of CPUs of per-CPU maps.
    pub fn cpus(mut self, cpus: u32) -> Options {
        self.cpus = cpus.max(1);
        self
    }

    /// Runs programs on `engine`.
    pub fn engine(mut self, engine: EngineKind) -> Options {
        self.engine = engine;
        self
    }

    /// Registers a host helper under `id`.
    pub fn helper(mut self, id: u32, helper: Helper) -> Options {
        self.helpers.insert(id, helper);
        self
    }

    /// Sends `bpf_trace_printk` output to `sink`.
    pub fn trace(mut self, sink: impl Fn(&str) + Send + Sync + 'static) -> Options {
        self.hooks.trace = Some(std::sync::Arc::new(sink));
        self
    }

    /// Sets the host hooks.
    pub fn hooks(mut self, hooks: HostHooks) -> Options {
        self.hooks = hooks;
        self
    }

    /// Limits the memory the object's maps may preallocate together.
    pub fn max_map_memory(mut self, bytes: u64) -> Options {
        self.max_map_memory = bytes;
        self
    }

    /// Gives the program (or section) `name` the type `program_type`.
    pub fn program_type(mut self, name: impl Into<String>, program_type: ProgramType) -> Options {
        self.program_types.insert(name.into(), program_type);
        self
    }
}
