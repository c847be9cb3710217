//! Safety switches of the JIT, in one place, with secure defaults.

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
    /// Emit budget metering at back-edges and calls. The budget itself is given per run.
    pub metering: bool,
    /// Blind immediates so program constants never appear verbatim in executable memory.
    pub blinding: bool,
}

impl JitConfig {
    /// Checked mode with blinding and metering: the defaults for untrusted programs.
    pub const fn checked() -> JitConfig {
        JitConfig {
            mode: Mode::Checked,
            metering: true,
            blinding: true,
        }
    }

    /// Verified mode, no blinding, no metering (the verifier proved termination).
    pub const fn verified() -> JitConfig {
        JitConfig {
            mode: Mode::Verified,
            metering: false,
            blinding: false,
        }
    }
}

impl Default for JitConfig {
    fn default() -> Self {
        JitConfig::checked()
    }
}
