//! The memory of a differential run: the input (r1, writable, also the packet), a
//! read-only region and a further writable region, at addresses that stay the same
//! for every engine so pointers the program computes agree.

use ferrobpf_vm::interp::RunInput;
use ferrobpf_vm::memory::RegionKind;

/// Initial contents of the regions (an empty one is left out of the run).
#[derive(Clone, Debug, Default)]
pub struct Contents {
    /// The input, passed in r1 (address) and r2 (length).
    pub input: Vec<u8>,
    /// A read-only region.
    pub readonly: Vec<u8>,
    /// A further writable region.
    pub extra: Vec<u8>,
}

/// What a run leaves in the writable regions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// The input afterwards.
    pub input: Vec<u8>,
    /// The further writable region afterwards.
    pub extra: Vec<u8>,
}

/// Working copies of [`Contents`], allocated once.
#[derive(Debug)]
pub struct Buffers {
    initial: Contents,
    work: Contents,
}

impl Buffers {
    /// Allocates the working copies.
    pub fn new(initial: Contents) -> Buffers {
        Buffers {
            work: initial.clone(),
            initial,
        }
    }

    /// Address and length of the non-empty regions besides the input, in the order
    /// the generator's prologue loads them (r3, r4).
    pub fn regions(&self) -> Vec<(u64, usize)> {
        [&self.work.readonly, &self.work.extra]
            .into_iter()
            .filter(|b| !b.is_empty())
            .map(|b| (b.as_ptr() as u64, b.len()))
            .collect()
    }

    /// Address of the input (0 when it is empty).
    pub fn input_addr(&self) -> u64 {
        if self.work.input.is_empty() {
            0
        } else {
            self.work.input.as_ptr() as u64
        }
    }

    /// Length of the input.
    pub fn input_len(&self) -> usize {
        self.work.input.len()
    }

    /// Restores the initial contents and returns the run's input: the regions, r1 =
    /// the input's address, r2 = its length, the input as the packet.
    pub fn fresh(&mut self) -> RunInput<'_> {
        let (addr, len) = (self.input_addr(), self.work.input.len() as u64);
        let Contents {
            input,
            readonly,
            extra,
        } = &mut self.work;
        input.copy_from_slice(&self.initial.input);
        extra.copy_from_slice(&self.initial.extra);
        let mut run = RunInput::default();
        if !input.is_empty() {
            run.packet = Some(run.memory.add_writable(RegionKind::Input, input));
        }
        if !readonly.is_empty() {
            run.memory.add_readonly(RegionKind::ReadOnly, readonly);
        }
        if !extra.is_empty() {
            run.memory.add_writable(RegionKind::MapValue, extra);
        }
        run.args = [addr, len, 0, 0, 0];
        run
    }

    /// The writable regions now.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            input: self.work.input.clone(),
            extra: self.work.extra.clone(),
        }
    }
}
