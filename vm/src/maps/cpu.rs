//! The CPU a run is on, for per-CPU maps and `bpf_get_smp_processor_id`.
//!
//! A run is "on" CPU `n` when the host says so with [`on_cpu`] (for the duration of
//! the returned guard); otherwise each host thread has its own number, handed out
//! in the order threads first ask (0, 1, 2, ...). Maps with fewer CPUs use the
//! number modulo their CPU count, so two threads may share a per-CPU slot when
//! there are more threads than CPUs.

use std::cell::Cell;
use std::sync::atomic::{AtomicU32, Ordering};

static NEXT_THREAD: AtomicU32 = AtomicU32::new(0);

thread_local! {
    static THREAD_CPU: u32 = NEXT_THREAD.fetch_add(1, Ordering::Relaxed);
    static CURRENT: Cell<Option<u32>> = const { Cell::new(None) };
}

/// The CPU the current run is on.
pub fn current() -> u32 {
    CURRENT
        .with(Cell::get)
        .unwrap_or_else(|| THREAD_CPU.with(|n| *n))
}

/// Puts this thread on CPU `cpu` until the guard is dropped (guards nest).
pub fn on_cpu(cpu: u32) -> CpuGuard {
    let previous = CURRENT.with(|c| c.replace(Some(cpu)));
    CpuGuard { previous }
}

/// Restores the previous CPU when dropped.
#[derive(Debug)]
#[must_use = "the CPU is only set while the guard lives"]
pub struct CpuGuard {
    previous: Option<u32>,
}

impl Drop for CpuGuard {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.previous));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_nest_and_threads_differ() {
        let base = current();
        {
            let _a = on_cpu(5);
            assert_eq!(current(), 5);
            {
                let _b = on_cpu(7);
                assert_eq!(current(), 7);
            }
            assert_eq!(current(), 5);
        }
        assert_eq!(current(), base);
        let other = std::thread::spawn(current).join().unwrap();
        assert_ne!(other, base);
    }
}
