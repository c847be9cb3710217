//! Safety switches of the JIT, in one place, with secure defaults.

use crate::error::JitError;
use ferrobpf_vm::interp::Config as Limits;

/// How much the generated code trusts the program.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// For programs nobody verified: every load and store is bounds-checked inline
    /// against the region table, call depth is enforced, faults come back as the
    /// interpreter's errors.
    Checked,
    /// For programs the verifier accepted. Keeps every check of [`Mode::Checked`]
    /// (nothing tells the JIT what the verifier proved) unless the configuration
    /// also carries [`VerifiedAccesses`]; no blinding by default.
    Verified,
}

/// The caller's promise that every memory access of the program stays inside memory
/// it may access, which lets the JIT drop its bounds checks (see
/// [`JitConfig::unchecked_accesses`]). Only `unsafe` code can make one, as the
/// promise is what keeps generated code inside the host's memory.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct VerifiedAccesses(());

impl VerifiedAccesses {
    /// The promise.
    ///
    /// # Safety
    /// Every program compiled with it must have been accepted by a verifier (such as
    /// `ferrobpf-verifier`) for the memory layout of every run: the same regions
    /// (input, packet, context, read-only data, map values) with at least the sizes
    /// and permissions the verifier assumed, and the same stack frame size and
    /// number of frames. The generated code then performs loads, stores and atomics
    /// without any check; an access the verifier did not actually bound reads or
    /// writes arbitrary host memory.
    pub unsafe fn assume() -> VerifiedAccesses {
        VerifiedAccesses(())
    }
}

/// Options of one compilation.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct JitConfig {
    /// Safety mode.
    pub mode: Mode,
    /// Blind immediates so program constants never appear verbatim in executable memory.
    pub blinding: bool,
    /// The interpreter's limits: frames, frame size and instruction budget. They are
    /// baked into the code (a budget of `Some(_)` compiles metering in).
    pub limits: Limits,
    /// With the caller's promise, loads, stores and atomics run without bounds
    /// checks, in either mode; everything else stays as checked (division by zero,
    /// call depth, budget, helper ids, atomics at misaligned addresses). `None`:
    /// every access not provably inside the current stack frame is checked.
    pub unchecked_accesses: Option<VerifiedAccesses>,
    /// Most bytes of machine code one program may take (the JIT's counterpart of
    /// the kernel's `bpf_jit_limit`): compilation stops with
    /// [`JitError::CodeTooLarge`] at the first instruction whose code passes it.
    pub max_code_bytes: usize,
}

/// Default [`JitConfig::max_code_bytes`]: 64 MiB, room for the largest program
/// (1,000,000 slots) at 67 bytes per slot.
pub const DEFAULT_MAX_CODE_BYTES: usize = 64 << 20;

impl JitConfig {
    /// Checked mode with blinding: the defaults for untrusted programs.
    pub fn checked() -> JitConfig {
        JitConfig {
            mode: Mode::Checked,
            blinding: true,
            limits: Limits::default(),
            unchecked_accesses: None,
            max_code_bytes: DEFAULT_MAX_CODE_BYTES,
        }
    }

    /// Verified mode without blinding.
    pub fn verified() -> JitConfig {
        JitConfig {
            mode: Mode::Verified,
            blinding: false,
            limits: Limits::default(),
            unchecked_accesses: None,
            max_code_bytes: DEFAULT_MAX_CODE_BYTES,
        }
    }

    /// Verified mode without blinding and without bounds checks on memory accesses:
    /// the fastest code, for programs a verifier accepted.
    ///
    /// # Safety
    /// As for [`VerifiedAccesses::assume`]: every program compiled with this
    /// configuration was accepted by a verifier for the memory layout of every run.
    pub unsafe fn verified_unchecked() -> JitConfig {
        JitConfig {
            // SAFETY: the caller makes the promise (this function's contract).
            unchecked_accesses: Some(unsafe { VerifiedAccesses::assume() }),
            ..JitConfig::verified()
        }
    }

    /// The same options with another cap on the code's size.
    pub fn with_max_code_bytes(mut self, max: usize) -> JitConfig {
        self.max_code_bytes = max;
        self
    }

    /// [`JitError::CodeTooLarge`] at `pc` when `len` bytes of code pass the cap.
    pub(crate) fn check_code_size(&self, len: usize, pc: usize) -> Result<(), JitError> {
        if len > self.max_code_bytes {
            return Err(JitError::CodeTooLarge {
                pc,
                limit: self.max_code_bytes,
            });
        }
        Ok(())
    }

    /// The same options with an instruction budget (`None`: unlimited, no metering).
    pub fn with_budget(mut self, budget: Option<u64>) -> JitConfig {
        self.limits.instruction_budget = budget;
        self
    }

    /// Whether the code meters an instruction budget.
    pub fn metering(&self) -> bool {
        self.limits.instruction_budget.is_some()
    }

    /// Bytes per stack frame, as the interpreter's stack rounds it (a multiple of 8).
    pub fn frame_size(&self) -> u64 {
        (self.limits.stack_frame_size as u64).div_ceil(8) * 8
    }
}

impl Default for JitConfig {
    fn default() -> Self {
        JitConfig::checked()
    }
}
