//! Structured programs (drawn from the ISA table: every form, loops, local calls,
//! helper calls, accesses in and out of bounds of several regions) run in the
//! interpreter and in the JIT in both modes, with and without blinding: r0, the
//! error (kind and instruction) and the writable memory must be identical.
#![no_main]

use arbitrary::Arbitrary;
use ferrobpf_fuzz::compare::{interpret, jit, listing};
use ferrobpf_fuzz::gen::{build, Profile, Recipe, Target};
use ferrobpf_fuzz::helpers;
use ferrobpf_fuzz::memory::{Buffers, Contents};
use ferrobpf_jit::{JitConfig, Mode};
use ferrobpf_vm::interp::Config;
use ferrobpf_vm::program::Program;
use libfuzzer_sys::fuzz_target;

/// Frame sizes tried (the kernel's 512, none, odd, small, large).
const FRAME_SIZES: [usize; 6] = [512, 0, 13, 64, 256, 4096];

#[derive(Arbitrary, Debug)]
struct Case {
    recipe: Recipe,
    input: Vec<u8>,
    readonly: Vec<u8>,
    extra: Vec<u8>,
    budget: u16,
    frame: u8,
    depth: u8,
    blind_checked: bool,
    blind_verified: bool,
}

fuzz_target!(|case: Case| {
    let limit = |mut v: Vec<u8>, n: usize| {
        v.truncate(n);
        v
    };
    let mut buffers = Buffers::new(Contents {
        input: limit(case.input, 256),
        readonly: limit(case.readonly, 64),
        extra: limit(case.extra, 64),
    });
    let limits = Config {
        instruction_budget: Some(u64::from(case.budget % 4096)),
        max_call_depth: usize::from(case.depth % 10),
        stack_frame_size: FRAME_SIZES[usize::from(case.frame) % FRAME_SIZES.len()],
    };
    let target = Target {
        profile: Profile::Wild,
        input_addr: buffers.input_addr(),
        input_len: buffers.input_len(),
        input_in_context: false,
        helpers: helpers::IDS.collect(),
        regions: buffers.regions(),
        frame_size: limits.stack_frame_size,
    };
    let bytes = build(&case.recipe, &target);
    let program = match Program::from_bytes(&bytes) {
        Ok(p) => p,
        Err(e) => panic!("generated program refused: {e}"),
    };
    let helpers = helpers::registry();
    let want = interpret(&program, limits, &helpers, &mut buffers);
    let configs = [
        (Mode::Checked, case.blind_checked),
        (Mode::Verified, case.blind_verified),
    ];
    for (mode, blinding) in configs {
        let config = JitConfig {
            mode,
            blinding,
            limits,
        };
        let got = match jit(&program, &config, &helpers, &mut buffers) {
            Ok(got) => got,
            Err(e) => panic!(
                "JIT refused a loaded program ({config:?}): {e}\n{}",
                listing(&program)
            ),
        };
        assert_eq!(
            got,
            want,
            "JIT ({config:?}) differs from the interpreter\n{}",
            listing(&program)
        );
    }
});
