//! The context block shared by generated code and Rust: one `#[repr(C)]` struct whose
//! field offsets the back ends bake into the code. Generated code keeps a pointer to it
//! in a fixed host register for the whole run.

use std::mem::offset_of;

/// Number of access sizes (1, 2, 4, 8 bytes), the index being `log2(size)`.
pub const ACCESS_SIZES: usize = 4;

/// One cached region bound for a given access size: an access of that size at `addr`
/// is inside the region when `start <= addr <= last`.
#[repr(C)]
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct RegionWindow {
    /// First address of the region.
    pub start: u64,
    /// Last address an access of the window's size may start at.
    pub last: u64,
}

impl RegionWindow {
    /// A window no address is inside of.
    pub const EMPTY: RegionWindow = RegionWindow {
        start: u64::MAX,
        last: 0,
    };

    /// The window for accesses of `size` bytes into `[start, start + len)`, if one fits.
    pub fn new(start: u64, len: u64, size: u64) -> Option<RegionWindow> {
        let last = start.checked_add(len.checked_sub(size)?)?;
        Some(RegionWindow { start, last })
    }

    /// Whether an access at `addr` falls inside the window.
    pub fn contains(&self, addr: u64) -> bool {
        self.start <= addr && addr <= self.last
    }
}

/// What the generated code reports when it stops.
#[repr(C)]
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Zero when the program exited normally, else a [`crate::fault::FaultCode`] value.
    pub fault: u64,
    /// Instruction index of the fault.
    pub pc: u64,
    /// Extra datum of the fault (an address, a helper id).
    pub arg: u64,
}

/// The block generated code works on. Rust fills it before the run and reads
/// [`Outcome`] and the registers after it.
#[repr(C)]
#[derive(Debug)]
pub struct JitContext {
    /// Registers r0-r10 on entry.
    pub regs: [u64; 11],
    /// Helper arguments r1-r5, saved across a helper call.
    pub args: [u64; 5],
    /// Host stack pointer at entry, restored by the fault exit.
    pub saved_sp: u64,
    /// Current local-call depth (0 in the entry function).
    pub depth: u64,
    /// Instructions left before the budget runs out.
    pub budget: u64,
    /// One past the entry frame's highest byte: the top of the live stack, whose
    /// bottom is one frame below the current r10.
    pub stack_top: u64,
    /// Region of the last load window miss, per access size.
    pub load_window: [RegionWindow; ACCESS_SIZES],
    /// Writable region of the last store window miss, per access size.
    pub store_window: [RegionWindow; ACCESS_SIZES],
    /// How the run ended.
    pub outcome: Outcome,
    /// Opaque pointer to the Rust environment the trampolines use.
    pub env: *mut core::ffi::c_void,
}

/// Byte offsets of [`JitContext`] fields, for the back ends.
pub mod offsets {
    use super::*;

    /// `regs[i]`.
    pub const fn reg(i: usize) -> i32 {
        (offset_of!(JitContext, regs) + 8 * i) as i32
    }
    /// `args[i]`.
    pub const fn arg(i: usize) -> i32 {
        (offset_of!(JitContext, args) + 8 * i) as i32
    }
    /// `saved_sp`.
    pub const SAVED_SP: i32 = offset_of!(JitContext, saved_sp) as i32;
    /// `depth`.
    pub const DEPTH: i32 = offset_of!(JitContext, depth) as i32;
    /// `budget`.
    pub const BUDGET: i32 = offset_of!(JitContext, budget) as i32;
    /// `stack_top`.
    pub const STACK_TOP: i32 = offset_of!(JitContext, stack_top) as i32;
    /// `outcome.fault`.
    pub const FAULT: i32 = (offset_of!(JitContext, outcome) + offset_of!(Outcome, fault)) as i32;
    /// `outcome.pc`.
    pub const FAULT_PC: i32 = (offset_of!(JitContext, outcome) + offset_of!(Outcome, pc)) as i32;
    /// `outcome.arg`.
    pub const FAULT_ARG: i32 = (offset_of!(JitContext, outcome) + offset_of!(Outcome, arg)) as i32;

    /// The window of loads (`store == false`) or stores of `1 << log2` bytes.
    pub const fn window(store: bool, log2: usize) -> (i32, i32) {
        let base = if store {
            offset_of!(JitContext, store_window)
        } else {
            offset_of!(JitContext, load_window)
        } + log2 * core::mem::size_of::<RegionWindow>();
        (
            (base + offset_of!(RegionWindow, start)) as i32,
            (base + offset_of!(RegionWindow, last)) as i32,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_bounds_are_exact() {
        let w = RegionWindow::new(100, 16, 8).unwrap();
        assert!(w.contains(100));
        assert!(w.contains(108));
        assert!(!w.contains(109));
        assert!(!w.contains(99));
        assert!(RegionWindow::new(0, 4, 8).is_none());
    }

    #[test]
    fn offsets_fit_a_disp32() {
        assert_eq!(offsets::reg(0), 0);
        const { assert!(offsets::FAULT_ARG > offsets::FAULT) };
        let (s, l) = offsets::window(true, 3);
        assert_eq!(l, s + 8);
    }
}
