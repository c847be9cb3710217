//! Safety switches of the JIT, in one place, with secure defaults.

use ferrobpf_vm::interp::Config as Limits;

/// How much the generated code trusts the program.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// For programs nobody verified: every load and store is bounds-checked inline
    /// against the region table, call depth is enforced, faults come back as the
    /// interpreter's errors.
    Checked,
    /// For programs the verifier accepted. Until the verifier exists this keeps every
    /// check of [`Mode::Checked`]; only checks it proves unnecessary will be dropped.
    Verified,
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
}

impl JitConfig {
    /// Checked mode with blinding: the defaults for untrusted programs.
    pub fn checked() -> JitConfig {
        JitConfig {
            mode: Mode::Checked,
            blinding: true,
            limits: Limits::default(),
        }
    }

    /// Verified mode without blinding.
    pub fn verified() -> JitConfig {
        JitConfig {
            mode: Mode::Verified,
            blinding: false,
            limits: Limits::default(),
        }
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
