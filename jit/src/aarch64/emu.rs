//! Runs AArch64 code on any host under the Unicorn CPU emulator (feature
//! `emulator`).
//!
//! Guest addresses equal host addresses for everything the program may touch: the
//! pages holding the context block and every region of the run are mapped into the
//! emulator over the host's own memory, so the region table, the windows and the
//! helpers work unchanged. The code, a host stack for it and a page of *traps* live
//! at fixed low addresses. The code calls host functions at the trap addresses; a
//! hook there runs the same Rust trampolines as native code, and the entry glue
//! returns to the exit trap, where emulation stops.

use super::{compile_with, A64Code, HostFns, NEAR_LIMIT};
use crate::call;
use crate::config::JitConfig;
use crate::context::JitContext;
use crate::error::JitError;
use crate::program::execute;
use ferrobpf_vm::helpers::HelperRegistry;
use ferrobpf_vm::interp::{ExecError, RunInput};
use ferrobpf_vm::memory::{RegionTable, StackLayout};
use ferrobpf_vm::program::Program;
use unicorn_engine::{Arch, Mode, Prot, RegisterARM64, Unicorn};

const PAGE: u64 = 4096;
/// The trap page: lookup, helper, packet load, exit (one `ret` each).
const TRAPS: u64 = 0x1_0000;
const LOOKUP_TRAP: u64 = TRAPS;
const HELPER_TRAP: u64 = TRAPS + 4;
const PACKET_TRAP: u64 = TRAPS + 8;
const EXIT_TRAP: u64 = TRAPS + 12;
/// The host stack of the generated code.
const STACK: u64 = 0x10_0000;
const STACK_SIZE: u64 = 0x10_0000;
/// Where the code is loaded.
const CODE: u64 = 0x1000_0000;
/// `ret`.
const RET: [u8; 4] = 0xd65f_03c0u32.to_le_bytes();

/// Why an emulated run failed.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum EmuError {
    /// The program faulted, as the interpreter would have.
    #[error(transparent)]
    Exec(#[from] ExecError),
    /// The emulator itself failed (a mapping, or the code touched unmapped memory).
    #[error("AArch64 emulator: {what}: {error:?}")]
    Emulator {
        /// What it was doing.
        what: &'static str,
        /// Unicorn's error.
        error: unicorn_engine::uc_error,
    },
}

/// A program compiled for AArch64, run under emulation.
#[derive(Debug)]
pub struct EmulatedProgram {
    code: A64Code,
    config: JitConfig,
}

impl EmulatedProgram {
    /// Compiles `program` with `config`.
    pub fn compile(program: &Program, config: &JitConfig) -> Result<EmulatedProgram, JitError> {
        EmulatedProgram::compile_with(program, config, program.len() > NEAR_LIMIT)
    }

    /// Compiles `program`, with far conditional branches or not.
    pub fn compile_with(
        program: &Program,
        config: &JitConfig,
        far: bool,
    ) -> Result<EmulatedProgram, JitError> {
        let host = HostFns {
            lookup: LOOKUP_TRAP,
            helper: HELPER_TRAP,
            packet: PACKET_TRAP,
        };
        Ok(EmulatedProgram {
            code: compile_with(program, config, host, far)?,
            config: *config,
        })
    }

    /// The generated code.
    pub fn code(&self) -> &A64Code {
        &self.code
    }

    /// Runs over `mem` with the plain-memory ABI, like `JitProgram::run`.
    pub fn run(&self, helpers: &HelperRegistry, mem: &mut [u8]) -> Result<u64, EmuError> {
        self.run_with(helpers, RunInput::for_memory(mem))
    }

    /// Runs from explicit regions and arguments, like `JitProgram::run_with`.
    pub fn run_with(&self, helpers: &HelperRegistry, input: RunInput<'_>) -> Result<u64, EmuError> {
        execute(&self.config, helpers, input, data_pages, |ctx, data| {
            emulate(&self.code, ctx, &data)
        })
    }
}

/// The page-aligned, merged address ranges of the context block, the whole stack
/// (the table holds only its live part) and every region. Empty ones (a region of
/// no bytes, the stack with frames of 0 bytes) hold nothing the code may touch and
/// are left out: the emulator refuses to map an empty range.
fn data_pages(memory: &RegionTable<'_>, stack: &StackLayout, ctx: &JitContext) -> Vec<(u64, u64)> {
    let ctx_addr = ctx as *const JitContext as u64;
    let top = stack.frame_pointer(0);
    let bottom = top.saturating_sub(stack.frame_size().saturating_mul(stack.frames() as u64));
    let mut ranges: Vec<(u64, u64)> = memory
        .regions()
        .iter()
        .map(|r| (r.addr(), r.addr().saturating_add(r.len())))
        .chain([
            (
                ctx_addr,
                ctx_addr + std::mem::size_of::<JitContext>() as u64,
            ),
            (bottom, top),
        ])
        .filter(|(s, e)| s < e)
        .map(|(s, e)| (s & !(PAGE - 1), e.div_ceil(PAGE) * PAGE))
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::new();
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// Runs the entry glue of `code` with `ctx` under the emulator; returns r0.
fn emulate(code: &A64Code, ctx: &mut JitContext, data: &[(u64, u64)]) -> Result<u64, EmuError> {
    let fail = |what| move |error| EmuError::Emulator { what, error };
    let mut uc = Unicorn::new(Arch::ARM64, Mode::LITTLE_ENDIAN).map_err(fail("create"))?;
    for &(start, end) in data {
        // SAFETY: the range covers whole host pages holding the context block or a
        // region of the run, all mapped in this process and alive until `uc` is
        // dropped at the end of this function. The emulated code reaches them only
        // through the region checks and the context block, as native code would.
        unsafe {
            uc.mem_map_ptr(
                start,
                end - start,
                Prot::READ | Prot::WRITE,
                start as *mut _,
            )
        }
        .map_err(fail("map data"))?;
    }
    let code_len = (code.bytes.len() as u64).div_ceil(PAGE) * PAGE;
    uc.mem_map(TRAPS, PAGE, Prot::READ | Prot::EXEC)
        .map_err(fail("map traps"))?;
    for trap in [LOOKUP_TRAP, HELPER_TRAP, PACKET_TRAP, EXIT_TRAP] {
        uc.mem_write(trap, &RET).map_err(fail("write traps"))?;
    }
    uc.mem_map(STACK, STACK_SIZE, Prot::READ | Prot::WRITE)
        .map_err(fail("map stack"))?;
    uc.mem_map(CODE, code_len.max(PAGE), Prot::READ | Prot::EXEC)
        .map_err(fail("map code"))?;
    uc.mem_write(CODE, &code.bytes)
        .map_err(fail("write code"))?;
    uc.add_code_hook(LOOKUP_TRAP, PACKET_TRAP, |uc, addr, _| {
        let arg = |r| uc.reg_read(r).unwrap_or(0);
        let (ctx, a, b) = (
            arg(RegisterARM64::X0) as *mut JitContext,
            arg(RegisterARM64::X1),
            arg(RegisterARM64::X2),
        );
        let r0 = match addr {
            LOOKUP_TRAP => call::lookup(ctx, a, b),
            HELPER_TRAP => call::helper(ctx, a, b),
            _ => call::packet(ctx, a, b),
        };
        // Writing x0 cannot fail for a valid register.
        let _ = uc.reg_write(RegisterARM64::X0, r0);
    })
    .map_err(fail("hook traps"))?;
    let ctx_addr = ctx as *mut JitContext as u64;
    uc.reg_write(RegisterARM64::X0, ctx_addr)
        .and_then(|()| uc.reg_write(RegisterARM64::SP, STACK + STACK_SIZE))
        .and_then(|()| uc.reg_write(RegisterARM64::X30, EXIT_TRAP))
        .map_err(fail("set registers"))?;
    uc.emu_start(CODE + code.entry as u64, EXIT_TRAP, 0, 0)
        .map_err(fail("run"))?;
    uc.reg_read(RegisterARM64::X0).map_err(fail("read r0"))
}
