//! Running one program in several engines and comparing what they observed.

use crate::memory::{Buffers, Snapshot};
use ferrobpf_jit::{JitConfig, JitError, JitProgram};
use ferrobpf_vm::disasm::{disassemble, Syntax};
use ferrobpf_vm::helpers::HelperRegistry;
use ferrobpf_vm::insn::FRAME_POINTER;
use ferrobpf_vm::interp::{Config, ExecError, ExecErrorKind, NoObserver, Observer, Vm};
use ferrobpf_vm::isa::Semantics;
use ferrobpf_vm::program::Program;

/// What one engine observed: r0 or the error (kind and instruction), and the
/// writable memory afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observed {
    /// r0, or the error with stack addresses normalised ([`normalize`]).
    pub result: Result<u64, ExecError>,
    /// The writable regions afterwards.
    pub memory: Snapshot,
}

/// Runs `program` in the interpreter.
pub fn interpret(
    program: &Program,
    limits: Config,
    helpers: &HelperRegistry,
    buffers: &mut Buffers,
) -> Observed {
    interpret_observed(program, limits, helpers, buffers, &mut NoObserver)
}

/// Runs `program` in the interpreter, calling `observer` before every instruction.
pub fn interpret_observed<O: Observer>(
    program: &Program,
    limits: Config,
    helpers: &HelperRegistry,
    buffers: &mut Buffers,
    observer: &mut O,
) -> Observed {
    let vm = Vm::with_helpers(limits, helpers.clone());
    let result = vm
        .run_observed(program, buffers.fresh(), observer)
        .map(|o| o.value);
    Observed {
        result: normalize(result, program),
        memory: buffers.snapshot(),
    }
}

/// Compiles `program` with `config` and runs it.
pub fn jit(
    program: &Program,
    config: &JitConfig,
    helpers: &HelperRegistry,
    buffers: &mut Buffers,
) -> Result<Observed, JitError> {
    let compiled = JitProgram::compile(program, config)?;
    let result = compiled.run_with(helpers, buffers.fresh());
    Ok(Observed {
        result: normalize(result, program),
        memory: buffers.snapshot(),
    })
}

/// Compiles `program` with `config` for AArch64 and runs it under the emulator. An
/// emulator failure (the code touched memory that is not mapped, or faulted on an
/// unaligned access) is returned as its message: on real hardware it would have
/// been a wild access or a crash.
#[cfg(feature = "aarch64")]
pub fn emulated(
    program: &Program,
    config: &JitConfig,
    helpers: &HelperRegistry,
    buffers: &mut Buffers,
) -> Result<Observed, String> {
    use ferrobpf_jit::aarch64::emu::{EmuError, EmulatedProgram};
    let compiled = EmulatedProgram::compile(program, config).map_err(|e| e.to_string())?;
    let result = match compiled.run_with(helpers, buffers.fresh()) {
        Ok(r0) => Ok(r0),
        Err(EmuError::Exec(e)) => Err(e),
        Err(other) => return Err(other.to_string()),
    };
    Ok(Observed {
        result: normalize(result, program),
        memory: buffers.snapshot(),
    })
}

/// Each engine allocates its own stack, so the address in a fault of an access
/// based on r10 is replaced by 0. Every other address comes from registers, which
/// never hold a stack address in generated programs, and must agree exactly.
pub fn normalize(result: Result<u64, ExecError>, program: &Program) -> Result<u64, ExecError> {
    result.map_err(|mut e| {
        let stack_based = program.insns().get(e.pc).is_some_and(|insn| {
            let base = match insn.spec().semantics {
                Semantics::Load(..) => insn.src,
                Semantics::StoreImm(_) | Semantics::StoreReg(_) | Semantics::Atomic(..) => insn.dst,
                _ => return false,
            };
            base == FRAME_POINTER
        });
        if stack_based {
            match &mut e.kind {
                ExecErrorKind::OutOfBounds { addr, .. }
                | ExecErrorKind::ReadOnlyWrite { addr, .. } => *addr = 0,
                _ => {}
            }
        }
        e
    })
}

/// The program as text, for failure messages.
pub fn listing(program: &Program) -> String {
    disassemble(program.insns(), Syntax::Conformance)
}
