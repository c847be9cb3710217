//! The memory of a differential run: the input (r1, writable, also the packet), a
//! read-only region and a further writable region, at addresses that stay the same
//! for every engine so pointers the program computes agree. With a context
//! ([`Buffers::with_context`]) r1 points at the read-only region instead, which holds
//! the address of the further region.

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
    context: bool,
}

impl Buffers {
    /// Allocates the working copies.
    pub fn new(initial: Contents) -> Buffers {
        Buffers {
            work: initial.clone(),
            initial,
            context: false,
        }
    }

    /// No input; `data` as the further writable region, and r1 = the address of an
    /// eight-byte read-only context holding its address.
    pub fn with_context(data: Vec<u8>) -> Buffers {
        let mut b = Buffers::new(Contents {
            input: Vec::new(),
            readonly: vec![0; 8],
            extra: data,
        });
        b.context = true;
        let addr = b.extra_addr().to_le_bytes();
        b.initial.readonly.copy_from_slice(&addr);
        b.work.readonly.copy_from_slice(&addr);
        b
    }

    /// With a context ([`Buffers::with_context`]): its address and size.
    pub fn context(&self) -> Option<(u64, u64)> {
        self.context.then(|| {
            (
                address(&self.work.readonly),
                self.work.readonly.len() as u64,
            )
        })
    }

    /// Address of the further writable region (0 when it is empty).
    pub fn extra_addr(&self) -> u64 {
        address(&self.work.extra)
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
        address(&self.work.input)
    }

    /// Length of the input.
    pub fn input_len(&self) -> usize {
        self.work.input.len()
    }

    /// Restores the initial contents and returns the run's input: the regions, r1 =
    /// the input's address, r2 = its length (or r1 = the context), the input as the
    /// packet.
    pub fn fresh(&mut self) -> RunInput<'_> {
        let args = if self.context {
            [address(&self.work.readonly), 0, 0, 0, 0]
        } else {
            [self.input_addr(), self.work.input.len() as u64, 0, 0, 0]
        };
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
        run.args = args;
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

/// Address of a buffer's bytes (0 when it is empty).
fn address(b: &[u8]) -> u64 {
    if b.is_empty() {
        0
    } else {
        b.as_ptr() as u64
    }
}
