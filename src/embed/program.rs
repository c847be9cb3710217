//! A program of an object, and its runs.

use super::error::EmbedError;
use super::object::{Object, ProgramSlot};
use super::options::EngineKind;
use ferrobpf_elf::ProgramType;
use ferrobpf_jit::{JitConfig, JitProgram};
use ferrobpf_verifier::stats::Stats;
use ferrobpf_vm::interp::{Config, RunInput, Vm};
use ferrobpf_vm::linux::context::{ContextKind, Packet, SkbMeta, XdpMeta};
use ferrobpf_vm::linux::run_state::{ClonedPacket, Redirect};
use ferrobpf_vm::linux::{run_blob, run_memory, run_skb, run_xdp, Engine, Outcome, RunError};
use ferrobpf_vm::maps::perf::CounterValue;
use std::sync::Arc;

/// What a run produced besides r0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunReport {
    /// r0 of the last program that ran (the XDP action, tc verdict, ...).
    pub value: u64,
    /// Where a redirect helper sent the packet.
    pub redirect: Option<Redirect>,
    /// Packets `bpf_clone_redirect` sent elsewhere.
    pub clones: Vec<ClonedPacket>,
    /// Tail calls taken.
    pub tail_calls: u32,
    /// The return value `bpf_override_return` set.
    pub override_return: Option<u64>,
}

impl From<Outcome> for RunReport {
    fn from(o: Outcome) -> RunReport {
        RunReport {
            value: o.value,
            redirect: o.state.redirect,
            clones: o.state.clones,
            tail_calls: o.state.tail_calls,
            override_return: o.state.override_return,
        }
    }
}

/// A program ready to run, on the interpreter or the JIT, with an instruction
/// budget. Cheap to clone; `Send + Sync`: threads may run it at once.
#[derive(Clone, Debug)]
pub struct Program {
    pub(super) obj: Object,
    pub(super) index: usize,
    vm: Arc<Vm>,
    budget: Option<u64>,
    /// Compiled programs of the object by index, when running on the JIT.
    jit: Option<Arc<Vec<Option<JitProgram>>>>,
    /// What the verifier reported, once it accepted the program.
    pub(super) verified: Option<Arc<Stats>>,
}

impl Program {
    pub(crate) fn new(obj: Object, index: usize) -> Result<Program, EmbedError> {
        let slot = obj
            .inner
            .programs
            .get(index)
            .ok_or_else(|| EmbedError::NoSuchProgram(index.to_string()))?;
        slot.program()?;
        let (vm, budget, engine) = (obj.inner.vm.clone(), obj.inner.budget, obj.inner.engine);
        let program = Program {
            obj,
            index,
            vm,
            budget,
            jit: None,
            verified: None,
        };
        match engine {
            EngineKind::Interpreter => Ok(program),
            EngineKind::Jit => program.jit(),
        }
    }

    pub(super) fn slot(&self) -> &ProgramSlot {
        // `new` checked the index.
        &self.obj.inner.programs[self.index]
    }

    /// The same program, marked accepted by the verifier with `stats`.
    pub(super) fn verified_with(self, stats: Stats) -> Program {
        Program {
            verified: Some(Arc::new(stats)),
            ..self
        }
    }

    /// The object the program belongs to.
    pub fn object(&self) -> &Object {
        &self.obj
    }

    /// The program's index in its object (its id in program arrays).
    pub fn index(&self) -> usize {
        self.index
    }

    /// Its function name.
    pub fn name(&self) -> &str {
        &self.slot().name
    }

    /// Its section.
    pub fn section(&self) -> &str {
        &self.slot().section
    }

    /// Its type.
    pub fn program_type(&self) -> ProgramType {
        self.slot().program_type
    }

    /// The instructions as loaded (prepared, map references resolved).
    pub fn loaded(&self) -> Result<&ferrobpf_vm::program::Program, EmbedError> {
        self.slot().program().map(|p| &**p)
    }

    /// The same program with another instruction budget (`None`: no limit). A
    /// JIT-compiled program is compiled again for it.
    pub fn with_budget(self, budget: Option<u64>) -> Result<Program, EmbedError> {
        let config = Config {
            instruction_budget: budget,
            ..Config::default()
        };
        let vm = Arc::new(Vm::with_helpers(config, self.obj.inner.helpers.clone()));
        let jitted = self.jit.is_some();
        let program = Program {
            vm,
            budget,
            jit: None,
            ..self
        };
        if jitted {
            program.jit()
        } else {
            Ok(program)
        }
    }

    /// The same program compiled by the x86-64 JIT (checked mode: every memory
    /// access checked like the interpreter's). Every program of the object is
    /// compiled, for tail calls; one the JIT cannot compile other than this one
    /// runs on the interpreter.
    pub fn jit(self) -> Result<Program, EmbedError> {
        let config = JitConfig::checked().with_budget(self.budget);
        let mut compiled = Vec::new();
        for (i, slot) in self.obj.inner.programs.iter().enumerate() {
            let jit = match slot.loaded.as_ref() {
                Ok(p) => match JitProgram::compile(p, &config) {
                    Ok(j) => Some(j),
                    Err(error) if i == self.index => {
                        return Err(EmbedError::Jit {
                            program: slot.name.clone(),
                            error,
                        })
                    }
                    Err(_) => None,
                },
                Err(_) => None,
            };
            compiled.push(jit);
        }
        Ok(Program {
            jit: Some(Arc::new(compiled)),
            ..self
        })
    }

    /// Whether the program runs on the JIT.
    pub fn is_jit(&self) -> bool {
        self.jit.is_some()
    }

    fn check(&self, wanted: ContextKind, name: &'static str) -> Result<(), EmbedError> {
        if self.slot().context == wanted {
            Ok(())
        } else {
            Err(EmbedError::WrongContext {
                program: self.name().to_string(),
                program_type: self.program_type().name(),
                wanted: name,
            })
        }
    }

    fn failed(&self, error: RunError) -> EmbedError {
        EmbedError::Run {
            program: self.name().to_string(),
            error,
        }
    }

    /// Runs an XDP program over `packet` (see [`Packet::xdp`]); returns the
    /// action (`XDP_ABORTED` 0, `DROP` 1, `PASS` 2, `TX` 3, `REDIRECT` 4).
    pub fn run_xdp(&self, packet: &mut Packet) -> Result<u32, EmbedError> {
        self.run_xdp_with(packet, &XdpMeta::default())
            .map(|r| r.value as u32)
    }

    /// [`run_xdp`](Self::run_xdp) with the receive queue's details, returning
    /// everything the run produced.
    pub fn run_xdp_with(
        &self,
        packet: &mut Packet,
        meta: &XdpMeta,
    ) -> Result<RunReport, EmbedError> {
        self.check(ContextKind::Xdp, "xdp")?;
        let maps = &self.obj.inner.maps;
        run_xdp(maps, &mut self.engine(), packet, meta)
            .map(RunReport::from)
            .map_err(|e| self.failed(e))
    }

    /// Runs a socket-buffer program (socket filter, tc, cgroup skb) over `packet`
    /// (see [`Packet::skb`]) with default fields; returns r0 as 32 bits.
    pub fn run_skb(&self, packet: &mut Packet) -> Result<u32, EmbedError> {
        self.run_skb_with(packet, &mut SkbMeta::default())
            .map(|r| r.value as u32)
    }

    /// [`run_skb`](Self::run_skb) with the socket buffer's fields, which receive
    /// what the program changed.
    pub fn run_skb_with(
        &self,
        packet: &mut Packet,
        meta: &mut SkbMeta,
    ) -> Result<RunReport, EmbedError> {
        self.check(ContextKind::Skb, "a socket buffer")?;
        let maps = &self.obj.inner.maps;
        run_skb(maps, &mut self.engine(), packet, meta)
            .map(RunReport::from)
            .map_err(|e| self.failed(e))
    }

    /// Runs a tracing or host-defined program over its context `ctx` (kprobe:
    /// `struct pt_regs`; tracepoint: the event record; perf event:
    /// `struct bpf_perf_event_data`), which the program may write when
    /// `writable`. Returns r0.
    pub fn run_context(&self, ctx: &mut [u8], writable: bool) -> Result<u64, EmbedError> {
        self.run_context_with(ctx, writable, None).map(|r| r.value)
    }

    /// [`run_context`](Self::run_context) for a perf-event program, with the
    /// triggering event's counter.
    pub fn run_context_with(
        &self,
        ctx: &mut [u8],
        writable: bool,
        perf_value: Option<CounterValue>,
    ) -> Result<RunReport, EmbedError> {
        self.check(ContextKind::Blob, "a context blob")?;
        let maps = &self.obj.inner.maps;
        run_blob(maps, &mut self.engine(), ctx, writable, perf_value)
            .map(RunReport::from)
            .map_err(|e| self.failed(e))
    }

    /// Runs the program over plain memory (r1 = its address, r2 = its length),
    /// whatever its type. Returns r0.
    pub fn run_memory(&self, mem: &mut [u8]) -> Result<u64, EmbedError> {
        let maps = &self.obj.inner.maps;
        run_memory(maps, &mut self.engine(), mem)
            .map(|o| o.value)
            .map_err(|e| self.failed(e))
    }

    fn engine(&self) -> Runner<'_> {
        Runner { program: self }
    }
}

/// Runs the program and its tail-call targets on the program's engine.
struct Runner<'p> {
    program: &'p Program,
}

impl Engine for Runner<'_> {
    fn run(&mut self, target: Option<u32>, input: RunInput<'_>) -> Result<u64, RunError> {
        let p = self.program;
        let index = target.map_or(p.index, |t| t as usize);
        let inner = &p.obj.inner;
        let loaded = inner
            .programs
            .get(index)
            .and_then(|s| s.loaded.as_ref().ok())
            .ok_or(RunError::NoProgram(index as u32))?;
        if let Some(jit) = p
            .jit
            .as_ref()
            .and_then(|j| j.get(index))
            .and_then(Option::as_ref)
        {
            return Ok(jit.run_with(&inner.helpers, input)?);
        }
        Ok(p.vm.run_with(loaded, input)?.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Program>();
        check::<Object>();
        check::<super::super::maps::MapRef>();
    }
}
