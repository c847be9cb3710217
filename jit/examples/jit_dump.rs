//! Writes the machine code the JIT generates for a raw eBPF file, for disassembly:
//! `cargo run -p ferrobpf-jit --example jit_dump -- prog.bin out.bin [checked|unchecked]`,
//! then
//! `objdump -D -b binary -mi386:x86-64 out.bin`.

use ferrobpf_jit::{JitConfig, JitProgram};
use ferrobpf_vm::program::Program;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(input), Some(output)) = (args.get(1), args.get(2)) else {
        return Err("usage: jit_dump PROG.bin OUT.bin [checked|unchecked]".into());
    };
    let config = match args.get(3).map(String::as_str) {
        Some("checked") => JitConfig::checked(),
        // SAFETY: only the code is written, never run.
        Some("unchecked") => unsafe { JitConfig::verified_unchecked() },
        _ => JitConfig::verified(),
    };
    let program = Program::from_bytes(&std::fs::read(input)?)?;
    let jit = JitProgram::compile(&program, &config)?;
    std::fs::write(output, jit.code().bytes())?;
    Ok(())
}
