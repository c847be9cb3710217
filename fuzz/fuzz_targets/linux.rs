//! Structured programs calling the Linux helpers with chosen arguments (numbers,
//! sizes, pointers into the stack and around the context, map handles) over a table
//! of maps of every common type, run in XDP, socket-buffer, blob and plain-memory
//! contexts on the interpreter and on the JIT (checked mode): never a panic, only
//! typed errors, and no access outside the run's memory (AddressSanitizer). This is
//! where helper arguments from programs meet host code.
#![no_main]

use arbitrary::Arbitrary;
use ferrobpf_fuzz::gen::{build, Profile, Recipe, Target};
use ferrobpf_jit::{JitConfig, JitProgram};
use ferrobpf_vm::decode_program;
use ferrobpf_vm::encode_program;
use ferrobpf_vm::helpers::HelperRegistry;
use ferrobpf_vm::interp::{Config, RunInput, Vm};
use ferrobpf_vm::linux::context::{ContextKind, Packet, SkbMeta, XdpMeta};
use ferrobpf_vm::linux::helpers::HelperEnv;
use ferrobpf_vm::linux::{
    prepare, registry, run_blob, run_memory, run_skb, run_xdp, Engine, HostHooks, MapResolver,
    RunError, HELPERS,
};
use ferrobpf_vm::maps::{MapId, MapSpec, MapTable, MapType};
use ferrobpf_vm::program::Program;
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

/// Instruction budget of every run.
const BUDGET: u64 = 10_000;

/// The maps every program sees, by index: (type, key size, value size, entries, flags).
const MAPS: [(MapType, u32, u32, u32, u32); 10] = [
    (MapType::Array, 4, 16, 4, 0),
    (MapType::Hash, 8, 8, 8, 0),
    (MapType::PercpuArray, 4, 8, 2, 0),
    (MapType::ProgArray, 4, 4, 2, 0),
    (MapType::Queue, 0, 8, 4, 0),
    (MapType::Stack, 0, 8, 4, 0),
    (MapType::RingBuf, 0, 0, 4096, 0),
    (MapType::LpmTrie, 8, 8, 4, 1),
    (MapType::LruHash, 4, 8, 4, 0),
    (MapType::PerfEventArray, 4, 4, 2, 0),
];

#[derive(Arbitrary, Debug)]
struct Case {
    recipe: Recipe,
    packet: Vec<u8>,
    context: u8,
}

/// Runs the program (tail calls may only name it again, as index 0).
struct Runner<'a> {
    program: &'a Program,
    vm: &'a Vm,
    jit: Option<(&'a JitProgram, &'a HelperRegistry)>,
}

impl Engine for Runner<'_> {
    fn run(&mut self, target: Option<u32>, input: RunInput<'_>) -> Result<u64, RunError> {
        if let Some(t @ 1..) = target {
            return Err(RunError::NoProgram(t));
        }
        match self.jit {
            Some((jit, helpers)) => Ok(jit.run_with(helpers, input)?),
            None => Ok(self.vm.run_with(self.program, input)?.value),
        }
    }
}

fn run(
    kind: ContextKind,
    memory_abi: bool,
    maps: &MapTable,
    runner: &mut Runner<'_>,
    bytes: &[u8],
) {
    let _ = match kind {
        ContextKind::Xdp => run_xdp(maps, runner, &mut Packet::xdp(bytes), &XdpMeta::default()),
        ContextKind::Skb => run_skb(
            maps,
            runner,
            &mut Packet::skb(bytes),
            &mut SkbMeta::default(),
        ),
        ContextKind::Blob if memory_abi => run_memory(maps, runner, &mut bytes.to_vec()),
        ContextKind::Blob => {
            let mut ctx = bytes.to_vec();
            ctx.resize(256, 0);
            run_blob(maps, runner, &mut ctx, true, None)
        }
    };
}

fuzz_target!(|case: Case| {
    let maps = Arc::new(MapTable::new(2));
    let ids: Vec<MapId> = MAPS
        .iter()
        .map(|&(t, key, value, entries, flags)| {
            let mut spec = MapSpec::new(t, key, value, entries);
            spec.flags = flags;
            maps.create(spec).unwrap_or(MapId(u32::MAX))
        })
        .collect();
    let env = Arc::new(HelperEnv::new(maps.clone(), HostHooks::default()));
    let helpers = registry(&env);
    let target = Target {
        profile: Profile::Wild,
        input_addr: 0,
        input_len: 64,
        input_in_context: false,
        helpers: HELPERS.iter().map(|h| h.id).collect(),
        regions: Vec::new(),
        frame_size: 512,
        align_atomics: false,
        maps: ids.len(),
        stack_args: true,
    };
    let bytes = build(&case.recipe, &target);
    let Ok(insns) = decode_program(&bytes) else {
        panic!("generated program does not decode");
    };
    let (kind, memory_abi) = match case.context % 4 {
        0 => (ContextKind::Xdp, false),
        1 => (ContextKind::Skb, false),
        2 => (ContextKind::Blob, false),
        _ => (ContextKind::Blob, true),
    };
    let Ok(prepared) = prepare(&insns, kind.rewrites(), &helpers) else {
        return;
    };
    let mut resolver = MapResolver {
        maps: &maps,
        ids: &ids,
    };
    let Ok(program) = Program::with_resolver(&encode_program(&prepared), &mut resolver) else {
        return;
    };
    let mut packet = case.packet;
    packet.truncate(256);
    let vm = Vm::with_helpers(
        Config {
            instruction_budget: Some(BUDGET),
            ..Config::default()
        },
        helpers.clone(),
    );
    let mut runner = Runner {
        program: &program,
        vm: &vm,
        jit: None,
    };
    run(kind, memory_abi, &maps, &mut runner, &packet);
    let config = JitConfig::checked().with_budget(Some(BUDGET));
    if let Ok(jit) = JitProgram::compile(&program, &config) {
        runner.jit = Some((&jit, &helpers));
        run(kind, memory_abi, &maps, &mut runner, &packet);
    }
});
