//! Code quality of the AArch64 back end against the x86-64 one: machine
//! instructions emitted per eBPF instruction on the three shared workloads, for
//! both modes (whole code: body, out-of-line paths, stubs and entry glue).
//! x86-64 instructions are counted with `llvm-mc` (Debian llvm); without it only
//! the AArch64 figures are printed.
//! `cargo run --release -p ferrobpf-jit --example aarch64_density`

use ferrobpf_jit::aarch64::{compile, HostFns};
use ferrobpf_jit::{JitConfig, JitProgram};
use ferrobpf_vm::program::Program;
use std::io::Write;
use std::process::{Command, Stdio};

const WORKLOADS: [(&str, &[u8]); 3] = [
    ("arith", include_bytes!("../../benches/workloads/arith.bin")),
    ("fnv", include_bytes!("../../benches/workloads/fnv.bin")),
    ("sieve", include_bytes!("../../benches/workloads/sieve.bin")),
];

/// Number of x86-64 instructions in `code`, by llvm-mc, if it can be run.
fn x64_instructions(code: &[u8]) -> Option<usize> {
    let hex: Vec<String> = code.iter().map(|b| format!("0x{b:02x}")).collect();
    let mut child = ["llvm-mc", "llvm-mc-14"].iter().find_map(|tool| {
        Command::new(tool)
            .args(["--disassemble", "-triple=x86_64"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()
    })?;
    child
        .stdin
        .take()?
        .write_all(hex.join(" ").as_bytes())
        .ok()?;
    let out = child.wait_with_output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    Some(
        text.lines()
            .filter(|l| l.starts_with('\t') && !l.trim_start().starts_with('.'))
            .count(),
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The addresses only need to exist for the count; the code is never run here.
    let host = HostFns {
        lookup: 0x7f00_1234_5000,
        helper: 0x7f00_1234_6000,
        packet: 0x7f00_1234_7000,
    };
    println!("workload mode      eBPF  a64  a64/eBPF  x64  x64/eBPF  a64/x64");
    for (name, bytes) in WORKLOADS {
        let program = Program::from_bytes(bytes)?;
        let n = program.len() as f64;
        for (mode, config) in [
            ("verified", JitConfig::verified()),
            ("checked", JitConfig::checked()),
        ] {
            let a64 = compile(&program, &config, host)?.instructions();
            // `JitProgram` holds x86-64 code only on an x86-64 host.
            let x64 = match cfg!(target_arch = "x86_64") {
                true => x64_instructions(JitProgram::compile(&program, &config)?.code().bytes()),
                false => None,
            };
            let (xs, xr, ratio) = match x64 {
                Some(x) => (
                    x.to_string(),
                    format!("{:.2}", x as f64 / n),
                    format!("{:.2}", a64 as f64 / x as f64),
                ),
                None => ("-".into(), "-".into(), "-".into()),
            };
            println!(
                "{name:8} {mode:8} {:>5} {a64:>4} {:>9.2} {xs:>4} {xr:>9} {ratio:>8}",
                program.len(),
                a64 as f64 / n
            );
        }
    }
    Ok(())
}
