//! Arbitrary bytes as program + memory -> interpreter with a budget and the fuzzing
//! helpers: never a panic, only typed errors.
#![no_main]

use ferrobpf_fuzz::helpers;
use ferrobpf_vm::interp::{Config, Vm};
use ferrobpf_vm::program::Program;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // First byte: how many bytes of memory follow the program (0..=255).
    let Some((&mem_len, rest)) = data.split_first() else {
        return;
    };
    let split = rest.len().saturating_sub(usize::from(mem_len));
    let (code, mem) = rest.split_at(split);
    let Ok(program) = Program::from_bytes(code) else {
        return;
    };
    let vm = Vm::with_helpers(
        Config {
            instruction_budget: Some(10_000),
            ..Config::default()
        },
        helpers::registry(),
    );
    let mut memory = mem.to_vec();
    let _ = vm.run(&program, &mut memory);
});
