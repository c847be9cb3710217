//! What the host provides to helpers that, in the kernel, read the state of the
//! machine: clocks, random numbers, the current task, kernel and user memory,
//! stacks, cgroups, routes, sockets, and where `bpf_trace_printk` output goes.
//!
//! Every hook is optional. Without one, the helper answers as the kernel does when
//! that state is absent (e.g. `bpf_get_current_pid_tgid` with no current task
//! returns `-EINVAL`, `bpf_get_stackid` with no stack returns `-EFAULT`); clocks and
//! random numbers fall back to the host's own.

use std::fmt;
use std::sync::Arc;

/// The task a run is on behalf of.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Task {
    /// Thread id (the kernel's `pid`).
    pub pid: u32,
    /// Process id (the kernel's `tgid`).
    pub tgid: u32,
    /// User id.
    pub uid: u32,
    /// Group id.
    pub gid: u32,
    /// Command name (at most 16 bytes are used).
    pub comm: String,
}

/// Which address space a probe reads or writes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum AddressSpace {
    /// Kernel memory (`bpf_probe_read_kernel`, and legacy `bpf_probe_read`).
    Kernel,
    /// User memory (`bpf_probe_read_user`, `bpf_probe_write_user`).
    User,
}

/// Which stack `bpf_get_stackid` asks for.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum StackKind {
    /// The kernel stack.
    Kernel,
    /// The user stack (`BPF_F_USER_STACK`).
    User,
}

/// Who a cgroup membership question is about.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CgroupSubject {
    /// The current task (`bpf_current_task_under_cgroup`).
    Task,
    /// The socket of the packet (`bpf_skb_under_cgroup`).
    Socket,
}

/// Reads `buf.len()` bytes at an address; false when it cannot.
pub type ProbeRead = Arc<dyn Fn(AddressSpace, u64, &mut [u8]) -> bool + Send + Sync>;
/// Writes bytes at a user address; false when it cannot.
pub type ProbeWrite = Arc<dyn Fn(u64, &[u8]) -> bool + Send + Sync>;
/// Receives one formatted `bpf_trace_printk` message.
pub type TraceSink = Arc<dyn Fn(&str) + Send + Sync>;
/// A clock in nanoseconds.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;
/// A source of random 32-bit numbers.
pub type Random = Arc<dyn Fn() -> u32 + Send + Sync>;
/// The current task, if any.
pub type CurrentTask = Arc<dyn Fn() -> Option<Task> + Send + Sync>;
/// The current stack (instruction pointers, innermost first), if any.
pub type StackWalker = Arc<dyn Fn(StackKind) -> Option<Vec<u64>> + Send + Sync>;
/// Whether the subject is in the cgroup with this (host-defined) id.
pub type CgroupCheck = Arc<dyn Fn(CgroupSubject, u64) -> bool + Send + Sync>;
/// `bpf_fib_lookup`: fills `struct bpf_fib_lookup` and returns the helper's result.
pub type FibLookup = Arc<dyn Fn(&mut [u8], u64) -> i64 + Send + Sync>;
/// `bpf_setsockopt` (`Some(value)`) / `bpf_getsockopt` (`None`, fill the buffer):
/// (level, optname, value buffer) -> result.
pub type SockOpt = Arc<dyn Fn(i32, i32, SockOptValue<'_>) -> i64 + Send + Sync>;

/// The option value of a socket option hook.
#[derive(Debug)]
pub enum SockOptValue<'b> {
    /// `bpf_setsockopt`: the value to set.
    Set(&'b [u8]),
    /// `bpf_getsockopt`: the buffer to fill.
    Get(&'b mut [u8]),
}

/// The host's hooks (see the module docs).
#[derive(Clone, Default)]
pub struct HostHooks {
    /// `bpf_trace_printk` output; without it, messages are formatted and dropped.
    pub trace: Option<TraceSink>,
    /// `bpf_ktime_get_ns` (monotonic); default: nanoseconds since the first call
    /// on any thread.
    pub monotonic_ns: Option<Clock>,
    /// `bpf_ktime_get_boot_ns`; default: the monotonic clock.
    pub boot_ns: Option<Clock>,
    /// `bpf_get_prandom_u32`; default: a per-thread xorshift generator seeded
    /// from the host's hasher randomness.
    pub random: Option<Random>,
    /// The current task for `bpf_get_current_*`.
    pub task: Option<CurrentTask>,
    /// Kernel and user memory for the probe-read helpers (tried when the address
    /// is not in the run's own memory).
    pub probe_read: Option<ProbeRead>,
    /// User memory for `bpf_probe_write_user`.
    pub probe_write: Option<ProbeWrite>,
    /// Stacks for `bpf_get_stackid`.
    pub stack: Option<StackWalker>,
    /// Cgroup membership for the cgroup helpers.
    pub cgroup: Option<CgroupCheck>,
    /// Routing for `bpf_fib_lookup`.
    pub fib_lookup: Option<FibLookup>,
    /// Socket options for `bpf_setsockopt` / `bpf_getsockopt`.
    pub sockopt: Option<SockOpt>,
}

impl fmt::Debug for HostHooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |o: bool| if o { "set" } else { "-" };
        f.debug_struct("HostHooks")
            .field("trace", &set(self.trace.is_some()))
            .field("monotonic_ns", &set(self.monotonic_ns.is_some()))
            .field("boot_ns", &set(self.boot_ns.is_some()))
            .field("random", &set(self.random.is_some()))
            .field("task", &set(self.task.is_some()))
            .field("probe_read", &set(self.probe_read.is_some()))
            .field("probe_write", &set(self.probe_write.is_some()))
            .field("stack", &set(self.stack.is_some()))
            .field("cgroup", &set(self.cgroup.is_some()))
            .field("fib_lookup", &set(self.fib_lookup.is_some()))
            .field("sockopt", &set(self.sockopt.is_some()))
            .finish()
    }
}
