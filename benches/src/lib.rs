//! The shared benchmark workloads (`../shared/bench`: `work.h` through
//! `mem_entry.c`), compiled by `workloads/build.sh` into the committed `.bin` files,
//! with the buffer every harness runs them on and the results they must return.

use ferrobpf_vm::program::{LoadError, Program};

/// Size of the buffer the workloads read (`BUF_SIZE` in `common.h`).
pub const BUF_SIZE: usize = 65536;

/// One workload: a BPF entry `entry(buf, len)` and the r0 it must return on
/// [`fill_buffer`]'s contents.
#[derive(Copy, Clone, Debug)]
pub struct Workload {
    /// Short name (`arith`, `fnv`, `sieve`).
    pub name: &'static str,
    /// The program's `.text` section.
    pub code: &'static [u8],
    /// The expected result.
    pub expected: u64,
}

impl Workload {
    /// Loads the workload's program.
    pub fn program(&self) -> Result<Program, LoadError> {
        Program::from_bytes(self.code)
    }
}

/// The three workloads: xorshift arithmetic, FNV-1a over the buffer, a sieve.
pub const WORKLOADS: [Workload; 3] = [
    Workload {
        name: "arith",
        code: include_bytes!("../workloads/arith.bin"),
        expected: 0x8b42_6b26_a848_c555,
    },
    Workload {
        name: "fnv",
        code: include_bytes!("../workloads/fnv.bin"),
        expected: 0x69a2_07b5,
    },
    Workload {
        name: "sieve",
        code: include_bytes!("../workloads/sieve.bin"),
        expected: 0x404,
    },
];

/// The buffer every harness uses: `common.h`'s LCG seeded with 12345, one byte per
/// step (bits 16-23 of the state).
pub fn fill_buffer() -> Vec<u8> {
    let mut state: u32 = 12345;
    (0..BUF_SIZE)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (state >> 16) as u8
        })
        .collect()
}

// Imports inside the test: this file is also included by `#[path]` in the JIT's
// bench and example, whose builds keep the module but drop the test.
#[cfg(test)]
mod tests {
    #[test]
    /// Also checks the buffer fill: FNV-1a over it must give common.h's result.
    fn every_workload_returns_its_expected_result() {
        use super::*;
        use ferrobpf_vm::interp::{Config, Vm};
        let vm = Vm::new(Config::default());
        for w in WORKLOADS {
            let program = w.program().unwrap();
            let mut buf = fill_buffer();
            let out = vm.run_counted(&program, &mut buf).unwrap();
            assert_eq!(out.value, w.expected, "{}", w.name);
            assert!(out.instructions > 100_000, "{}", w.name);
        }
    }
}
