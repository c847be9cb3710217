//! Structured programs compiled with constant blinding: no distinctive immediate the
//! program chose may appear verbatim in the executable code.
#![no_main]

use arbitrary::Arbitrary;
use ferrobpf_fuzz::blinding::check;
use ferrobpf_fuzz::gen::{build, Profile, Recipe, Target};
use ferrobpf_fuzz::helpers;
use ferrobpf_jit::{JitConfig, Mode};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Case {
    recipe: Recipe,
    verified: bool,
    metering: bool,
}

fuzz_target!(|case: Case| {
    let target = Target {
        profile: Profile::Wild,
        input_addr: 0,
        input_len: 64,
        input_in_context: false,
        helpers: helpers::IDS.collect(),
        regions: Vec::new(),
        frame_size: 512,
        align_atomics: true,
        maps: 0,
        stack_args: false,
    };
    let bytes = build(&case.recipe, &target);
    let mode = if case.verified {
        Mode::Verified
    } else {
        Mode::Checked
    };
    let config = JitConfig {
        mode,
        blinding: true,
        ..JitConfig::checked()
    }
    .with_budget(case.metering.then_some(1000));
    let leaks = check(&bytes, &config).expect("the JIT compiles every loaded program");
    assert!(leaks.is_empty(), "immediates in the code: {leaks:?}");
});
