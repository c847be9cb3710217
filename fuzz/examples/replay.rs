//! Replays a `diff_jit` or `verifier_sound` input outside libFuzzer, step by step,
//! printing the program, each step's result and how long it took (for hangs and
//! crashes); `asm` runs an assembler file over 64 zero bytes on every engine:
//!
//! ```text
//! cargo run --release --example replay -- diff_jit|verifier_sound|asm FILE
//! ```
//!
//! With `--features aarch64` the AArch64 back end (under Unicorn) runs too.

use arbitrary::{Arbitrary, Unstructured};
use ferrobpf_fuzz::cases::{verifier_config, DiffJit, DiffJitRun, VerifierSound};
use ferrobpf_fuzz::compare::{interpret, jit, listing};
use ferrobpf_fuzz::helpers;
use ferrobpf_fuzz::memory::{Buffers, Contents};
use ferrobpf_jit::JitConfig;
use ferrobpf_verifier::verify;
use ferrobpf_vm::decode_program;
use ferrobpf_vm::disasm::{disassemble, Syntax};
use ferrobpf_vm::interp::Config;
use ferrobpf_vm::program::Program;
use std::time::Instant;

/// Every engine over `buffers`: the interpreter, then each JIT configuration.
fn engines(program: &Program, limits: Config, configs: &[JitConfig], buffers: &mut Buffers) {
    let helpers = helpers::registry();
    let start = Instant::now();
    let want = interpret(program, limits, &helpers, buffers);
    println!("interpreter ({:.2?}): {:?}", start.elapsed(), want.result);
    let verdict = |same: bool| if same { "" } else { "  DIFFERS" };
    for config in configs {
        let start = Instant::now();
        match jit(program, config, &helpers, buffers) {
            Ok(got) => println!(
                "JIT {:?} blinding {} ({:.2?}): {:?}{}",
                config.mode,
                config.blinding,
                start.elapsed(),
                got.result,
                verdict(got == want)
            ),
            Err(e) => println!("JIT {:?}: compile error {e}", config.mode),
        }
        #[cfg(feature = "aarch64")]
        match ferrobpf_fuzz::compare::emulated(program, config, &helpers, buffers) {
            Ok(got) => println!(
                "AArch64 JIT {:?}: {:?}{}",
                config.mode,
                got.result,
                verdict(got == want)
            ),
            Err(e) => println!("AArch64 JIT {:?}: {e}", config.mode),
        }
    }
}

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
    engines(&program, limits, &configs, &mut buffers);
}

fn asm(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let insns = ferrobpf_vm::assemble(&text).expect("assembles");
    let program = Program::from_insns(insns).expect("loads");
    let limits = Config {
        instruction_budget: Some(1 << 20),
        ..Config::default()
    };
    let configs = [JitConfig::checked(), JitConfig::verified()].map(|c| JitConfig { limits, ..c });
    let mut buffers = Buffers::new(Contents {
        input: vec![0; 64],
        ..Contents::default()
    });
    engines(&program, limits, &configs, &mut buffers);
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
        eprintln!("usage: replay diff_jit|verifier_sound|asm FILE");
        std::process::exit(2);
    };
    let data = std::fs::read(path).expect("readable input");
    match target.as_str() {
        "diff_jit" => diff_jit(&data),
        "verifier_sound" => verifier_sound(&data),
        "asm" => asm(&data),
        other => eprintln!("no replay for {other}"),
    }
}
