//! The call into generated code, and the calls back out of it (the trampolines).
//!
//! Generated code holds a raw pointer to the [`JitContext`], whose `env` field points
//! at the run's [`Env`]. Both live on the stack frame of
//! [`crate::program::execute`] for the whole run, and only one thread touches them:
//! the one running the program.
//!
//! Generated code calls the trampolines by the host's C convention: System V on
//! x86-64 (spelt `sysv64` so it holds on every x86-64 OS), AAPCS64 on AArch64.

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

/// Runs the native code in `code` with `ctx` (whose `env` is set); returns r0 as the
/// entry glue left it.
pub(crate) fn enter(code: &CodeBuffer, ctx: &mut JitContext) -> u64 {
    let entry = code.entry();
    // The code was made coherent with the instruction cache when it was mapped
    // (`CodeBuffer::new`); this thread must also drop instructions it may have
    // fetched before that (an `isb` on AArch64, nothing on x86-64).
    dynasmrt::cache_control::prepare_for_execution(code.bytes());
    // SAFETY: `entry` is the entry glue of `code`, which outlives the call. The glue
    // follows the host's C ABI (it saves every callee-saved register it uses and
    // restores the stack pointer on every exit path). `ctx` is a valid, exclusive
    // context block for the duration of the call, and its `env` points at the run's
    // `Env`, which also outlives it. The generated code only touches memory through
    // the region checks, the context block and its own host stack frames.
    unsafe { entry(ctx as *mut JitContext) }
}

/// The result of a run whose code returned `r0`: r0, or the error recorded in the
/// context block (generated code) or in `env` (a trampoline).
pub(crate) fn outcome(
    ctx: &JitContext,
    env: &mut Env<'_, '_>,
    limits: &Limits,
    r0: u64,
) -> Result<u64, ExecError> {
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
    Err(ExecError::new(ctx.outcome.pc as usize, kind))
}

/// Turns the raw pointers generated code passes back into references and runs `f`,
/// never letting a panic unwind into generated code.
fn with_env<R: Default>(
    ctx: *mut JitContext,
    f: impl FnOnce(&mut Env<'_, '_>, &mut JitContext) -> R,
) -> R {
    // SAFETY: generated code passes the context pointer `enter` gave it, unchanged;
    // `execute` keeps the block and the `Env` its `env` field points at alive and
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

/// Defines a trampoline with the host's C convention (see the module docs).
macro_rules! trampoline {
    ($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) -> u64 $body:block) => {
        $(#[$doc])*
        #[cfg(target_arch = "x86_64")]
        pub(crate) extern "sysv64" fn $name($($arg: $ty),*) -> u64 $body

        $(#[$doc])*
        #[cfg(not(target_arch = "x86_64"))]
        pub(crate) extern "C" fn $name($($arg: $ty),*) -> u64 $body
    };
}

trampoline! {
    /// Window miss of a checked access.
    fn lookup(ctx: *mut JitContext, addr: u64, packed: u64) -> u64 {
        with_env(ctx, |env, ctx| env.lookup(ctx, addr, packed));
        0
    }
}

trampoline! {
    /// Helper call (CALL imm and CALLX).
    fn helper(ctx: *mut JitContext, id: u64, pc: u64) -> u64 {
        with_env(ctx, |env, ctx| env.call_helper(ctx, id, pc))
    }
}

trampoline! {
    /// Legacy packet load.
    fn packet(ctx: *mut JitContext, index: u64, packed: u64) -> u64 {
        with_env(ctx, |env, ctx| env.packet_load(ctx, index, packed))
    }
}

/// The addresses of the trampolines, for generated code to call.
pub(crate) fn host_fns() -> crate::aarch64::HostFns {
    crate::aarch64::HostFns {
        lookup: lookup as *const () as u64,
        helper: helper as *const () as u64,
        packet: packet as *const () as u64,
    }
}
