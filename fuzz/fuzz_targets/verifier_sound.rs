//! Programs -> verifier: never a panic, only typed rejections. Accepted programs run
//! in the interpreter (every runtime check on) and in the JIT's verified mode:
//! a fault, a run past the budget (the verifier proves termination), an r0 outside
//! the abstract states the verifier recorded at the entry function's exits, or a JIT
//! result different from the interpreter's is a soundness bug.
//!
//! The program type is a host type whose context holds one pointer to 64 bytes of
//! writable memory; helpers 1-3 of the fuzzing set are declared with their exact
//! signatures. Structured programs are kernel-like (mostly accepted: loads through
//! the context pointer, counted loops, local and helper calls) or wild (mostly
//! refused); raw bytes go straight in too.
#![no_main]

use arbitrary::Arbitrary;
use ferrobpf_fuzz::compare::{interpret, jit, listing};
use ferrobpf_fuzz::gen::{build, Profile, Recipe, Target};
use ferrobpf_fuzz::helpers;
use ferrobpf_fuzz::memory::Buffers;
use ferrobpf_fuzz::tally::Tally;
use ferrobpf_jit::JitConfig;
use ferrobpf_verifier::ctx::{Access, CtxField, CtxLayout, FieldKind};
use ferrobpf_verifier::helpers::Helpers;
use ferrobpf_verifier::trace::{Concrete, Trace};
use ferrobpf_verifier::{verify, Config, ProgType};
use ferrobpf_vm::decode_program;
use ferrobpf_vm::insn::NUM_REGS;
use ferrobpf_vm::interp::Config as Limits;
use ferrobpf_vm::isa::Semantics;
use ferrobpf_vm::program::Program;
use libfuzzer_sys::fuzz_target;

/// Bytes of memory behind the context's pointer.
const DATA: usize = 64;
/// Budget of the runs: far above what generated loops need.
const BUDGET: u64 = 1 << 24;

#[derive(Arbitrary, Debug)]
enum Case {
    /// A generated program.
    Structured {
        recipe: Recipe,
        wild: bool,
        data: [u8; DATA],
    },
    /// Any bytes.
    Raw(Vec<u8>),
}

/// How many programs the verifier accepted.
static TALLY: Tally = Tally::new("verifier_sound");

fn program_type() -> ProgType {
    ProgType::Host(CtxLayout {
        size: 8,
        fields: vec![CtxField {
            off: 0,
            size: 8,
            read: true,
            write: false,
            access: Access::Exact,
            kind: FieldKind::Mem {
                size: DATA as u32,
                writable: true,
                nullable: false,
            },
        }],
    })
}

fn config() -> Config {
    let registry = helpers::registry();
    let mut declared = Helpers::empty();
    for (id, h) in registry
        .iter()
        .filter(|(id, _)| helpers::TYPED.contains(id))
    {
        declared.add_host(id, h.name(), h.signature());
    }
    let mut config = Config::new(program_type());
    config.helpers = declared;
    config.record_states = true;
    config
}

/// Whether `r0` lies in a state recorded at an exit of the entry function.
fn r0_admitted(trace: &Trace, program: &Program, r0: u64) -> bool {
    let mut regs = [Concrete::Number(0); NUM_REGS];
    regs[0] = Concrete::Number(r0);
    program
        .insns()
        .iter()
        .enumerate()
        .filter(|(_, i)| i.spec().semantics == Semantics::Exit)
        .any(|(pc, _)| trace.admits(pc, 0, &regs, 1))
}

fuzz_target!(|case: Case| {
    let (bytes, data) = match case {
        Case::Raw(bytes) => (bytes, [0; DATA]),
        Case::Structured { recipe, wild, data } => {
            let target = Target {
                profile: if wild { Profile::Wild } else { Profile::Kernel },
                input_addr: 0,
                input_len: if wild { 8 } else { DATA },
                input_in_context: true,
                helpers: helpers::TYPED.collect(),
                regions: Vec::new(),
                frame_size: 512,
            };
            (build(&recipe, &target), data)
        }
    };
    let Ok(insns) = decode_program(&bytes) else {
        return;
    };
    let config = config();
    let Ok(report) = verify(&insns, &[], &config) else {
        return TALLY.count(false);
    };
    TALLY.count(true);
    // The VM's load-time checks are path-insensitive (definite assignment) and may
    // refuse what the verifier proved on every feasible path.
    let Ok(program) = Program::from_bytes(&bytes) else {
        return;
    };
    let text = listing(&program);
    let limits = Limits {
        instruction_budget: Some(BUDGET),
        ..Limits::default()
    };
    let registry = helpers::registry();
    let mut buffers = Buffers::with_context(data.to_vec());
    let ours = interpret(&program, limits, &registry, &mut buffers);
    let r0 = match ours.result {
        Ok(r0) => r0,
        Err(ref e) => panic!("verified program failed at run time: {e}\n{text}"),
    };
    let trace = report.trace.as_ref().expect("states were requested");
    assert!(
        r0_admitted(trace, &program, r0),
        "r0 = {r0:#x} lies outside every abstract state at an exit\n{text}"
    );
    let jitted = JitConfig {
        limits,
        ..JitConfig::verified()
    };
    match jit(&program, &jitted, &registry, &mut buffers) {
        Ok(got) => assert_eq!(got, ours, "JIT (verified mode) differs\n{text}"),
        Err(e) => panic!("JIT refused a verified program: {e}\n{text}"),
    }
});
