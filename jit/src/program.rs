//! A compiled program and its runs, with the interpreter's inputs and errors.

use crate::call::{self, Limits};
use crate::code::CodeBuffer;
use crate::config::JitConfig;
use crate::context::{JitContext, Outcome, RegionWindow};
use crate::env::Env;
use crate::error::JitError;
use ferrobpf_vm::helpers::HelperRegistry;
use ferrobpf_vm::interp::{ExecError, RunInput};
use ferrobpf_vm::memory::{RegionTable, Stack, StackLayout};
use ferrobpf_vm::program::Program;

/// A program compiled to host code. Runs take the same inputs as the interpreter's
/// [`Vm`](ferrobpf_vm::interp::Vm) and fail with the same [`ExecError`]s.
///
/// The host's back end compiles it: [`crate::x64`] on x86-64, [`crate::aarch64`] on
/// AArch64; other hosts get [`JitError::UnsupportedHost`].
#[derive(Debug)]
pub struct JitProgram {
    code: CodeBuffer,
    config: JitConfig,
}

impl JitProgram {
    /// Compiles `program` with `config` for the host.
    pub fn compile(program: &Program, config: &JitConfig) -> Result<JitProgram, JitError> {
        #[cfg(target_arch = "x86_64")]
        {
            JitProgram::compile_for(program, config, crate::x64::Features::detect())
        }
        #[cfg(target_arch = "aarch64")]
        {
            let far = program.len() > crate::aarch64::NEAR_LIMIT;
            JitProgram::compile_a64(program, config, far)
        }
        #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
        {
            let _ = (program, config);
            Err(JitError::UnsupportedHost)
        }
    }

    /// Compiles `program` using only the CPU `features` given.
    #[cfg(target_arch = "x86_64")]
    fn compile_for(
        program: &Program,
        config: &JitConfig,
        features: crate::x64::Features,
    ) -> Result<JitProgram, JitError> {
        let frames = config.limits.frames();
        let host = call::host_fns();
        let runtime = crate::x64::Runtime {
            lookup: host.lookup,
            helper: host.helper,
            packet: host.packet,
            max_depth: (frames - 1) as u64,
            frame_size: i32::try_from(config.frame_size()).map_err(|_| JitError::Unsupported {
                pc: 0,
                what: "a stack frame of 2 GiB or more",
            })?,
        };
        let masm = crate::x64::X64::new(runtime, features, program.len());
        let code = crate::lower::lower(program.insns(), config, masm)?;
        config.check_code_size(code.len(), program.len().saturating_sub(1))?;
        Ok(JitProgram {
            code,
            config: *config,
        })
    }

    /// Compiles `program` with the AArch64 back end for this AArch64 host, with far
    /// conditional branches or not.
    #[cfg(target_arch = "aarch64")]
    pub(crate) fn compile_a64(
        program: &Program,
        config: &JitConfig,
        far: bool,
    ) -> Result<JitProgram, JitError> {
        let code = crate::aarch64::compile_with(program, config, call::host_fns(), far)?;
        let entry = dynasmrt::AssemblyOffset(code.entry);
        Ok(JitProgram {
            code: CodeBuffer::new(&code.bytes, entry)?,
            config: *config,
        })
    }

    /// The options it was compiled with.
    pub fn config(&self) -> &JitConfig {
        &self.config
    }

    /// The generated code.
    pub fn code(&self) -> &CodeBuffer {
        &self.code
    }

    /// Runs over `mem` with the plain-memory ABI (r1 = its address, r2 = its length,
    /// also the packet), like [`Vm::run`](ferrobpf_vm::interp::Vm::run); returns r0.
    pub fn run(&self, helpers: &HelperRegistry, mem: &mut [u8]) -> Result<u64, ExecError> {
        self.run_with(helpers, RunInput::for_memory(mem))
    }

    /// Runs from explicit regions and arguments, like
    /// [`Vm::run_with`](ferrobpf_vm::interp::Vm::run_with): a fresh zeroed stack is
    /// added as one more region. Returns r0.
    pub fn run_with(
        &self,
        helpers: &HelperRegistry,
        input: RunInput<'_>,
    ) -> Result<u64, ExecError> {
        execute(
            &self.config,
            helpers,
            input,
            |_, _, _| (),
            |ctx, ()| Ok(call::enter(&self.code, ctx)),
        )
    }
}

/// One run of compiled code, whatever executes it (the host CPU, or an emulator):
/// the stack and the context block are set up from `input` as the interpreter sets
/// up its state; `prepare` sees the run's memory and the context block before the
/// trampolines' environment takes the memory over; `exec` runs the code with the
/// context block (its `env` set) and returns r0 as the code left it; the outcome is
/// then read back as the interpreter would report it.
pub(crate) fn execute<P, E: From<ExecError>>(
    config: &JitConfig,
    helpers: &HelperRegistry,
    input: RunInput<'_>,
    prepare: impl FnOnce(&RegionTable<'_>, &StackLayout, &JitContext) -> P,
    exec: impl FnOnce(&mut JitContext, P) -> Result<u64, E>,
) -> Result<u64, E> {
    let limits = &config.limits;
    let mut stack = Stack::new(limits.frames(), limits.stack_frame_size);
    let RunInput {
        mut memory,
        args,
        packet,
    } = input;
    let layout = stack.attach(&mut memory);
    memory.set_stack_depth(0);
    let mut ctx = context(&memory, &layout, args, limits.instruction_budget);
    let prepared = prepare(&memory, &layout, &ctx);
    let mut env = Env {
        memory: &mut memory,
        helpers,
        packet,
        trap: None,
    };
    let limits = Limits {
        budget: limits.instruction_budget.unwrap_or(u64::MAX),
        max_frames: limits.frames(),
    };
    ctx.env = (&mut env as *mut Env<'_, '_>).cast();
    let r0 = exec(&mut ctx, prepared);
    ctx.env = std::ptr::null_mut();
    Ok(call::outcome(&ctx, &mut env, &limits, r0?)?)
}

/// The context block a run starts with: registers as the interpreter sets them, and
/// every window on the first region (usually the input) when it fits, else empty.
fn context(
    memory: &RegionTable<'_>,
    stack: &StackLayout,
    args: [u64; 5],
    budget: Option<u64>,
) -> JitContext {
    let mut regs = [0u64; 11];
    regs[1..6].copy_from_slice(&args);
    regs[10] = stack.frame_pointer(0);
    let first = memory
        .regions()
        .first()
        .filter(|_| stack.region().0 != 0)
        .map(|r| (r.addr(), r.len(), r.writable()));
    let window = |size: u64, store: bool| {
        first
            .filter(|(_, _, w)| *w || !store)
            .and_then(|(s, l, _)| RegionWindow::new(s, l, size))
            .unwrap_or(RegionWindow::EMPTY)
    };
    JitContext {
        regs,
        args: [0; 5],
        saved_sp: 0,
        depth: 0,
        budget: budget.unwrap_or(u64::MAX),
        stack_top: stack.frame_pointer(0),
        load_window: std::array::from_fn(|i| window(1 << i, false)),
        store_window: std::array::from_fn(|i| window(1 << i, true)),
        outcome: Outcome::default(),
        env: std::ptr::null_mut(),
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use crate::x64::Features;
    use ferrobpf_vm::asm::assemble;
    use ferrobpf_vm::interp::Vm;

    /// Shifts by a register without BMI2 go through cl; every register combination
    /// must give the interpreter's result.
    #[test]
    fn shifts_without_bmi2_match_the_interpreter() {
        let ops = ["lsh", "rsh", "arsh", "lsh32", "rsh32", "arsh32"];
        let regs = [0, 1, 3, 4, 5, 6];
        for op in ops {
            for d in regs {
                for s in regs {
                    let text = format!(
                        "mov %r0, -12345\nmov %r1, 33\nmov %r3, -7\nmov %r4, 4\nmov %r5, 63\n\
                         mov %r6, 0x40\n{op} %r{d}, %r{s}\n\
                         xor %r0, %r1\nxor %r0, %r3\nxor %r0, %r4\nxor %r0, %r5\nxor %r0, %r6\nexit"
                    );
                    let program = Program::from_insns(assemble(&text).unwrap()).unwrap();
                    let want = Vm::default().run(&program, &mut []);
                    for bmi2 in [false, true] {
                        let features = Features { bmi2 };
                        let jit =
                            JitProgram::compile_for(&program, &JitConfig::verified(), features)
                                .unwrap();
                        let got = jit.run(&HelperRegistry::new(), &mut []);
                        assert_eq!(got, want, "{op} r{d}, r{s} bmi2={bmi2}");
                    }
                }
            }
        }
    }
}
