//! The call into generated code, and the calls back out of it (the trampolines).
//!
//! Generated code holds a raw pointer to the [`JitContext`], whose `env` field points
//! at the run's [`Env`]. Both live on the stack frame of [`enter`] for the whole run,
//! and only one thread touches them: the one running the program.

use crate::code::CodeBuffer;
use crate::context::JitContext;
use crate::env::Env;
use crate::fault::FaultCode;
use crate::trap::{Trap, TrapKind};
use ferrobpf_vm::helpers::HelperError;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `code` with `ctx` and `env`; returns r0, or the trap that stopped the run.
pub(crate) fn enter(
    code: &CodeBuffer,
    ctx: &mut JitContext,
    env: &mut Env<'_, '_>,
) -> Result<u64, Trap> {
    ctx.env = (env as *mut Env<'_, '_>).cast();
    let entry = code.entry();
    // SAFETY: `entry` is the entry glue of `code`, which outlives the call. The glue
    // follows the System V ABI (it saves every callee-saved register it uses and
    // restores the stack pointer on every exit path). `ctx` is a valid, exclusive
    // context block for the duration of the call, and its `env` points at `env`,
    // which also outlives it. The generated code only touches memory through the
    // region checks (or, in verified mode, what the verifier proved in bounds), the
    // context block and its own stack frames.
    let r0 = unsafe { entry(ctx as *mut JitContext) };
    ctx.env = std::ptr::null_mut();
    match FaultCode::from_raw(ctx.outcome.fault) {
        Some(FaultCode::None) => Ok(r0),
        Some(FaultCode::CallDepth) => Err(code_trap(ctx, TrapKind::CallDepth)),
        Some(FaultCode::Budget) => Err(code_trap(ctx, TrapKind::Budget)),
        Some(FaultCode::Host) | None => Err(env.trap.take().unwrap_or(Trap {
            pc: ctx.outcome.pc as usize,
            kind: TrapKind::Helper {
                id: 0,
                error: HelperError::Failed("lost trap".into()),
            },
        })),
    }
}

fn code_trap(ctx: &JitContext, kind: TrapKind) -> Trap {
    Trap {
        pc: ctx.outcome.pc as usize,
        kind,
    }
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
            env.trap = Some(Trap {
                pc: ctx.outcome.pc as usize,
                kind: TrapKind::Helper {
                    id: 0,
                    error: HelperError::Failed("host function panicked".into()),
                },
            });
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
