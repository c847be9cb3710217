//! Run limits.

/// Limits of a run. The defaults follow the Linux kernel: 8 frames of 512 bytes, and
/// no instruction budget (a program that never exits runs forever; set a budget when
/// running unverified code).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Config {
    /// At most this many instructions execute; the next one fails with
    /// `ExecErrorKind::BudgetExhausted`. `None`: no limit.
    pub instruction_budget: Option<u64>,
    /// Most frames alive at once, the entry function's included (a value of 0
    /// counts as 1). A local call that would exceed it fails with
    /// `ExecErrorKind::CallDepthExceeded`.
    pub max_call_depth: usize,
    /// Bytes of stack per frame (rounded up to a multiple of 8). Each run allocates
    /// `frames() * stack_frame_size` zeroed bytes, which must fit in memory.
    pub stack_frame_size: usize,
}

/// The kernel's limit on frames (`MAX_CALL_FRAMES`).
pub const DEFAULT_MAX_CALL_DEPTH: usize = 8;
/// The kernel's stack size per frame (`MAX_BPF_STACK`).
pub const DEFAULT_STACK_FRAME_SIZE: usize = 512;

impl Default for Config {
    fn default() -> Config {
        Config {
            instruction_budget: None,
            max_call_depth: DEFAULT_MAX_CALL_DEPTH,
            stack_frame_size: DEFAULT_STACK_FRAME_SIZE,
        }
    }
}

impl Config {
    /// The number of frames a run allocates.
    pub fn frames(&self) -> usize {
        self.max_call_depth.max(1)
    }
}
