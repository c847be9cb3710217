//! Replays a `diff_jit` or `verifier_sound` input outside libFuzzer, step by step,
//! printing the program, each step's result and how long it took (for hangs and
//! crashes):
//!
//! ```text
//! cargo run --release --example replay -- TARGET FILE
//! ```

use arbitrary::{Arbitrary, Unstructured};
use ferrobpf_fuzz::cases::{verifier_config, DiffJit, DiffJitRun, VerifierSound};
use ferrobpf_fuzz::compare::{interpret, jit, listing};
use ferrobpf_fuzz::helpers;
use ferrobpf_fuzz::memory::Buffers;
use ferrobpf_verifier::verify;
use ferrobpf_vm::decode_program;
use ferrobpf_vm::disasm::{disassemble, Syntax};
use ferrobpf_vm::interp::Config;
use ferrobpf_vm::program::Program;
use std::time::Instant;

fn diff_jit(data: &[u8]) {
    let case = DiffJit::arbitrary_take_rest(Unstructured::new(data)).expect("a diff_jit input");
    let DiffJitRun {
        mut buffers,
        limits,
        bytes,
        configs,
    } = case.prepare();
    let program = Program::from_bytes(&bytes).expect("generated programs load");
    println!("limits: {limits:?}\n{}", listing(&program));
    let helpers = helpers::registry();
    let start = Instant::now();
    let want = interpret(&program, limits, &helpers, &mut buffers);
    println!("interpreter ({:.2?}): {:?}", start.elapsed(), want.result);
    for config in configs {
        let start = Instant::now();
        match jit(&program, &config, &helpers, &mut buffers) {
            Ok(got) => println!(
                "JIT {:?} blinding {} ({:.2?}): {:?}{}",
                config.mode,
                config.blinding,
                start.elapsed(),
                got.result,
                if got == want { "" } else { "  DIFFERS" }
            ),
            Err(e) => println!("JIT {:?}: compile error {e}", config.mode),
        }
    }
}

fn verifier_sound(data: &[u8]) {
    let case = VerifierSound::arbitrary_take_rest(Unstructured::new(data))
        .expect("a verifier_sound input");
    let (bytes, memory) = case.prepare();
    let Ok(insns) = decode_program(&bytes) else {
        println!("not a program");
        return;
    };
    println!("{}", disassemble(&insns, Syntax::Conformance));
    let start = Instant::now();
    let verdict = verify(&insns, &[], &verifier_config());
    let time = start.elapsed();
    let stats = match &verdict {
        Ok(r) => r.stats.clone(),
        Err(r) => r.stats.clone(),
    };
    println!(
        "verifier ({time:.2?}): {}; {stats:?}",
        verdict
            .as_ref()
            .map_or_else(|r| format!("rejected: {}", r.reason), |_| "accepted".into())
    );
    let mut untraced = verifier_config();
    untraced.record_states = false;
    let start = Instant::now();
    let again = verify(&insns, &[], &untraced);
    println!(
        "verifier without recorded states ({:.2?}): {}",
        start.elapsed(),
        if again.is_ok() {
            "accepted"
        } else {
            "rejected"
        }
    );
    let (Ok(_), Ok(program)) = (verdict, Program::from_bytes(&bytes)) else {
        return;
    };
    let limits = Config {
        instruction_budget: Some(1 << 24),
        ..Config::default()
    };
    let mut buffers = Buffers::with_context(memory.to_vec());
    let start = Instant::now();
    let ran = interpret(&program, limits, &helpers::registry(), &mut buffers);
    println!("interpreter ({:.2?}): {:?}", start.elapsed(), ran.result);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(target), Some(path)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: replay diff_jit|verifier_sound FILE");
        std::process::exit(2);
    };
    let data = std::fs::read(path).expect("readable input");
    match target.as_str() {
        "diff_jit" => diff_jit(&data),
        "verifier_sound" => verifier_sound(&data),
        other => eprintln!("no replay for {other}"),
    }
}
