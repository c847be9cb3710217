//! The entry point: settings, the verification of one program, and its report.

use crate::cfg::Cfg;
use crate::ctx::ProgType;
use crate::env::Env;
use crate::error::{Reason, Rejection};
use crate::explore::Explorer;
use crate::helpers::Helpers;
use crate::liveness::live_in;
use crate::maps::MapInfo;
use crate::stack::STACK_SIZE;
use crate::stats::Stats;
use crate::trace::Trace;
use ferrobpf_vm::isa::Semantics;
use ferrobpf_vm::{decode_program, DecodeError, Insn};
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

/// The kernel's budget of processed instructions.
pub const KERNEL_INSN_BUDGET: usize = 1_000_000;
/// The kernel's cap on pending branches (`BPF_COMPLEXITY_LIMIT_JMP_SEQ`).
pub const KERNEL_PENDING_LIMIT: usize = 8_192;
/// Default cap on stored states kept at once: 64 (the kernel's
/// `BPF_COMPLEXITY_LIMIT_STATES` per instruction) for each of 1,024 pruning points.
pub const DEFAULT_MAX_STATES: usize = 65_536;
/// Default budget for the verifier's state memory: 256 MiB.
pub const DEFAULT_MAX_MEMORY: usize = 256 << 20;
/// The kernel's historical cap on the log buffer (`UINT_MAX >> 8`, 16 MiB).
pub const KERNEL_LOG_LIMIT: usize = (u32::MAX >> 8) as usize;

/// Verification settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// The program's type (context layout, helpers, return values).
    pub prog_type: ProgType,
    /// Callable helpers.
    pub helpers: Helpers,
    /// Allow pointers to escape into maps, packets, the context and the return value,
    /// and pointer comparisons (the kernel's privileged `allow_ptr_leaks`). Off by
    /// default: untrusted programs must not learn host addresses.
    pub allow_ptr_leaks: bool,
    /// Allow reads of stack bytes never written (the kernel's privileged
    /// `allow_uninit_stack`); they read as unknown data.
    pub allow_uninit_stack: bool,
    /// 0 = no log, 1 = branches and errors, 2 = every instruction.
    pub log_level: u8,
    /// Budget of processed instructions for the kernel-style exploration.
    pub max_insns: usize,
    /// Record per-instruction abstract states for the soundness mode.
    pub record_states: bool,
    /// When exploration exceeds its budget or finds a repeating loop state, verify
    /// again widening loop heads, proving termination from counters (beyond the
    /// kernel). Off gives the kernel's verdicts.
    pub widen_loops: bool,
    /// Most iterations a widened loop may run for its termination proof to count.
    pub max_loop_iterations: u64,
    /// Most paths waiting to be explored at once (undecided branches whose other
    /// side is not followed yet); beyond it the program is rejected with
    /// [`crate::Limit::PendingBranches`].
    pub max_pending: usize,
    /// Most states stored for pruning and kept at once; beyond it the program is
    /// rejected with [`crate::Limit::StoredStates`].
    pub max_states: usize,
    /// Budget in bytes for what the exploration keeps: stored states, pending paths,
    /// loop invariants and (with `record_states`) recorded snapshots, as
    /// [`crate::footprint`] estimates them; beyond it the program is rejected with
    /// [`crate::Limit::MemoryBytes`].
    pub max_memory: usize,
    /// Most bytes of log text; a longer log is cut, its last line saying so.
    pub max_log_bytes: usize,
    /// For each map of maps (array or hash of maps, by its index in the maps passed
    /// to [`verify`]): the description every map it holds matches (the kernel's
    /// inner map template; an ELF object's `__array(values, ...)` or legacy
    /// `inner_map_idx`). A lookup in such a map gives a map of this description, or
    /// null; without one, the map it gives cannot be used.
    pub inner_maps: BTreeMap<u32, MapInfo>,
}

impl Config {
    /// Default settings for a program type: Linux helpers, no pointer leaks, no log.
    pub fn new(prog_type: ProgType) -> Config {
        Config {
            prog_type,
            helpers: Helpers::linux(),
            allow_ptr_leaks: false,
            allow_uninit_stack: false,
            log_level: 0,
            max_insns: KERNEL_INSN_BUDGET,
            record_states: false,
            widen_loops: true,
            max_loop_iterations: 1 << 24,
            max_pending: KERNEL_PENDING_LIMIT,
            max_states: DEFAULT_MAX_STATES,
            max_memory: DEFAULT_MAX_MEMORY,
            max_log_bytes: KERNEL_LOG_LIMIT,
            inner_maps: BTreeMap::new(),
        }
    }

    /// The settings matching the kernel as root (pointer leaks and uninitialised
    /// stack reads allowed).
    pub fn privileged(prog_type: ProgType) -> Config {
        Config {
            allow_ptr_leaks: true,
            allow_uninit_stack: true,
            ..Config::new(prog_type)
        }
    }
}

/// An accepted program's report.
#[derive(Clone, Debug)]
pub struct Report {
    /// Work done.
    pub stats: Stats,
    /// The log (empty at level 0).
    pub log: String,
    /// Per-instruction abstract states, if requested.
    pub trace: Option<Trace>,
}

/// Why verifying bytes failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The bytes are not a valid program.
    #[error("{0}")]
    Decode(#[from] DecodeError),
    /// The program is unsafe, or its safety could not be proven.
    #[error("{0}")]
    Rejected(Box<Rejection>),
}

/// Decodes and verifies a program given as bytes.
pub fn verify_bytes(
    bytes: &[u8],
    maps: &[MapInfo],
    config: &Config,
) -> Result<Report, VerifyError> {
    let insns = decode_program(bytes)?;
    verify(&insns, maps, config).map_err(VerifyError::Rejected)
}

/// Stack bytes a function's frame takes, as the kernel's x86-64 JIT rounds them.
fn frame_size(depth: usize) -> usize {
    depth.div_ceil(16) * 16
}

/// The deepest combined stack over call chains from the entry, with its chain length.
fn deepest_chain(insns: &[Insn], cfg: &Cfg, depth: &HashMap<usize, usize>) -> (usize, usize) {
    fn walk(
        f: usize,
        insns: &[Insn],
        cfg: &Cfg,
        depth: &HashMap<usize, usize>,
        seen: &mut Vec<usize>,
    ) -> (usize, usize) {
        let own = frame_size(depth.get(&f).copied().unwrap_or(0));
        if seen.contains(&f) || seen.len() > 8 {
            return (own, 1);
        }
        seen.push(f);
        let func = cfg.function_of(f);
        let mut best = (0, 0);
        for pc in func.entry..func.end {
            let insn = &insns[pc];
            let callee = match insn.spec().semantics {
                Semantics::CallLocal | Semantics::Lddw(ferrobpf_vm::isa::Pseudo::Func) => {
                    insn.target(pc)
                }
                _ => None,
            };
            if let Some(t) = callee {
                let r = walk(t as usize, insns, cfg, depth, seen);
                if r.0 > best.0 {
                    best = r;
                }
            }
        }
        seen.pop();
        (own + best.0, best.1 + 1)
    }
    walk(0, insns, cfg, depth, &mut Vec::new())
}

/// Verifies a decoded program (one entry per slot, as [`decode_program`] returns)
/// whose pseudo LDDWs name maps by their index in `maps`.
pub fn verify(insns: &[Insn], maps: &[MapInfo], config: &Config) -> Result<Report, Box<Rejection>> {
    let start = Instant::now();
    let reject = |pc, reason, state: String, stats: Stats, log: String| {
        Box::new(Rejection {
            pc,
            reason,
            state,
            stats,
            log,
        })
    };
    let cfg = Cfg::build(insns).map_err(|(pc, reason)| {
        let stats = Stats {
            time: start.elapsed(),
            ..Stats::default()
        };
        reject(pc, reason, String::new(), stats, String::new())
    })?;
    let live = live_in(insns, &config.helpers);
    let env = || Env {
        insns,
        maps,
        config,
        ctx: config.prog_type.ctx_layout(),
        live: live.clone(),
        cfg: cfg.clone(),
    };
    let mut ex = Explorer::new(env(), config.max_insns);
    let mut result = ex.run();
    if config.widen_loops
        && matches!(
            result,
            Err((
                _,
                Reason::TooComplex(_) | Reason::InfiniteLoop(_) | Reason::Limit { .. },
                _
            ))
        )
    {
        let first = ex.stats.clone();
        // The first pass's states are freed before the second starts.
        drop(ex);
        let mut wide = Explorer::new(env(), config.max_insns).with_widening();
        let second = wide.run();
        wide.stats.insns_processed += first.insns_processed;
        wide.stats.peak_pending = wide.stats.peak_pending.max(first.peak_pending);
        wide.stats.peak_memory = wide.stats.peak_memory.max(first.peak_memory);
        wide.log.note(&format!(
            "exploration gave up ({}); widened loops instead",
            result
                .as_ref()
                .err()
                .map(|e| e.1.to_string())
                .unwrap_or_default()
        ));
        result = match second {
            Ok(()) => Ok(()),
            // An unproven loop, or a cap that stopped the widening pass, says more
            // than the first pass's reason (which only triggered widening).
            Err(e @ (_, Reason::UnprovenLoop { .. } | Reason::Limit { .. }, _)) => Err(e),
            Err(_) => result,
        };
        ex = wide;
    }
    ex.stats.time = start.elapsed();
    if let Err((pc, reason, state)) = result {
        let stats = ex.stats.clone();
        return Err(reject(pc, reason, state, stats, ex.log.into_text()));
    }
    let (size, calls) = deepest_chain(insns, &cfg, &ex.stack_depth);
    if size > STACK_SIZE {
        let stats = ex.stats.clone();
        return Err(reject(
            0,
            Reason::StackTooLarge { calls, size },
            String::new(),
            stats,
            ex.log.into_text(),
        ));
    }
    ex.log.note(&format!(
        "processed {} insns, stored {} states (peak {}), pruned {}, peak pending {}, \
         peak memory {} bytes",
        ex.stats.insns_processed,
        ex.stats.states_stored,
        ex.stats.peak_states,
        ex.stats.pruned,
        ex.stats.peak_pending,
        ex.stats.peak_memory
    ));
    ex.stats.time = start.elapsed();
    Ok(Report {
        stats: ex.stats.clone(),
        trace: ex.trace.take(),
        log: ex.log.into_text(),
    })
}
