//! The call into generated code, and the calls back out of it (the trampolines).
//!
//! Generated code holds a raw pointer to the [`JitContext`], whose `env` field points
//! at the run's [`Env`]. Both live on the stack frame of [`enter`] for the whole run,
//! and only one thread touches them: the one running the program.

use crate::code::CodeBuffer;
use crate::context::JitContext;
use crate::env::Env;
use crate::fault::FaultCode;
use ferrobpf_vm::helpers::HelperError;
use ferrobpf_vm::interp::{ExecError, ExecErrorKind};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// How a run ended when it did not return r0: the kinds generated code raises itself
/// need the run's limits to be spelt like the interpreter's.
pub(crate) struct Limits {
    /// The instruction budget the run started with.
    pub budget: u64,
    /// Most frames alive at once.
    pub max_frames: usize,
}

/// Runs `code` with `ctx` and `env`; returns r0, or the error that stopped the run.
pub(crate) fn enter(
    code: &CodeBuffer,
    ctx: &mut JitContext,
    env: &mut Env<'_, '_>,
    limits: &Limits,
) -> Result<u64, ExecError> {
    ctx.env = (env as *mut Env<'_, '_>).cast();
    let entry = code.entry();
    // SAFETY: `entry` is the entry glue of `code`, which outlives the call. The glue
    // follows the System V ABI (it saves every callee-saved register it uses and
    // restores the stack pointer on every exit path). `ctx` is a valid, exclusive
    // context block for the duration of the call, and its `env` points at `env`,
    // which also outlives it. The generated code only touches memory through the
    // region checks, the context block and its own host stack frames.
    let r0 = unsafe { entry(ctx as *mut JitContext) };
    ctx.env = std::ptr::null_mut();
    let pc = ctx.outcome.pc as usize;
    let kind = match FaultCode::from_raw(ctx.outcome.fault) {
        Some(FaultCode::None) => return Ok(r0),
        Some(FaultCode::Ended) => return Ok(0),
        Some(FaultCode::CallDepth) => ExecErrorKind::CallDepthExceeded {
            max_frames: limits.max_frames,
        },
        Some(FaultCode::Budget) => ExecErrorKind::BudgetExhausted {
            budget: limits.budget,
        },
        Some(FaultCode::Host) | None => match env.trap.take() {
            Some(e) => return Err(e),
            None => ExecErrorKind::InvalidProgramCounter,
        },
    };
    Err(ExecError::new(pc, kind))
}

/// Turns the raw pointers generated code passes back into references and runs `f`,
/// never letting a panic unwind into generated code.
fn with_env<R: Default>(
    ctx: *mut JitContext,
    f: impl FnOnce(&mut Env<'_, '_>, &mut JitContext) -> R,
) -> R {
    // SAFETY: generated code passes the context pointer `enter` gave it, unchanged;
    // `enter` keeps the block and the `Env` its `env` field points at alive and
    // unaliased while generated code runs, and generated code is suspended (inside
    // this call) while the references exist.
    let (env, ctx) = unsafe {
        let ctx = &mut *ctx;
        let env = &mut *ctx.env.cast::<Env<'_, '_>>();
        (env, ctx)
    };
    match catch_unwind(AssertUnwindSafe(|| f(&mut *env, &mut *ctx))) {
        Ok(r) => r,
        Err(_) => {
            let error = HelperError::Failed("host function panicked".into());
            env.trap = Some(ExecError::new(
                ctx.outcome.pc as usize,
                ExecErrorKind::HelperFailed { id: 0, error },
            ));
            ctx.outcome.fault = FaultCode::Host as u64;
            R::default()
        }
    }
}

/// Window miss of a checked access.
pub(crate) extern "sysv64" fn lookup(ctx: *mut JitContext, addr: u64, packed: u64) -> u64 {
    with_env(ctx, |env, ctx| env.lookup(ctx, addr, packed));
    0
}

/// Helper call (CALL imm and CALLX).
pub(crate) extern "sysv64" fn helper(ctx: *mut JitContext, id: u64, pc: u64) -> u64 {
    with_env(ctx, |env, ctx| env.call_helper(ctx, id, pc))
}

/// Legacy packet load.
pub(crate) extern "sysv64" fn packet(ctx: *mut JitContext, index: u64, packed: u64) -> u64 {
    with_env(ctx, |env, ctx| env.packet_load(ctx, index, packed))
}
