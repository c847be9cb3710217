//! The inputs of the structured targets, shared with `examples/replay.rs` so a
//! crashing input can be replayed engine by engine outside libFuzzer.

use crate::gen::{build, Profile, Recipe, Target};
use crate::helpers;
use crate::memory::{Buffers, Contents};
use arbitrary::Arbitrary;
use ferrobpf_jit::{JitConfig, Mode};
use ferrobpf_verifier::ctx::{Access, CtxField, CtxLayout, FieldKind};
use ferrobpf_verifier::helpers::Helpers;
use ferrobpf_verifier::ProgType;
use ferrobpf_vm::interp::Config;

/// Frame sizes `diff_jit` tries (the kernel's 512, none, odd, small, large).
pub const FRAME_SIZES: [usize; 6] = [512, 0, 13, 64, 256, 4096];

/// An input of `diff_jit`.
#[derive(Arbitrary, Debug)]
pub struct DiffJit {
    /// The program.
    pub recipe: Recipe,
    /// The input region (cut to 256 bytes).
    pub input: Vec<u8>,
    /// A read-only region (cut to 64 bytes).
    pub readonly: Vec<u8>,
    /// A further writable region (cut to 64 bytes).
    pub extra: Vec<u8>,
    /// Instruction budget, reduced below 4096.
    pub budget: u16,
    /// Index into [`FRAME_SIZES`].
    pub frame: u8,
    /// Most frames, reduced below 10.
    pub depth: u8,
    /// Blinding in checked mode.
    pub blind_checked: bool,
    /// Blinding in verified mode.
    pub blind_verified: bool,
}

/// A `diff_jit` input made ready to run: its memory, limits, program bytes and the
/// JIT configurations to compare.
#[derive(Debug)]
pub struct DiffJitRun {
    /// The regions, at fixed addresses.
    pub buffers: Buffers,
    /// Limits of every engine.
    pub limits: Config,
    /// The program's wire form.
    pub bytes: Vec<u8>,
    /// The JIT configurations compared with the interpreter.
    pub configs: [JitConfig; 2],
}

impl DiffJit {
    /// Allocates the regions and builds the program for them.
    pub fn prepare(self) -> DiffJitRun {
        let limit = |mut v: Vec<u8>, n: usize| {
            v.truncate(n);
            v
        };
        let buffers = Buffers::new(Contents {
            input: limit(self.input, 256),
            readonly: limit(self.readonly, 64),
            extra: limit(self.extra, 64),
        });
        let limits = Config {
            instruction_budget: Some(u64::from(self.budget % 4096)),
            max_call_depth: usize::from(self.depth % 10),
            stack_frame_size: FRAME_SIZES[usize::from(self.frame) % FRAME_SIZES.len()],
        };
        let target = Target {
            profile: Profile::Wild,
            input_addr: buffers.input_addr(),
            input_len: buffers.input_len(),
            input_in_context: false,
            helpers: helpers::IDS.collect(),
            regions: buffers.regions(),
            frame_size: limits.stack_frame_size,
            align_atomics: false,
            maps: 0,
            stack_args: false,
        };
        let bytes = build(&self.recipe, &target);
        let config = |mode, blinding| JitConfig {
            mode,
            blinding,
            limits,
            ..JitConfig::checked()
        };
        DiffJitRun {
            buffers,
            limits,
            bytes,
            configs: [
                config(Mode::Checked, self.blind_checked),
                config(Mode::Verified, self.blind_verified),
            ],
        }
    }
}

/// Bytes of memory behind the `verifier_sound` context's pointer.
pub const VERIFIER_DATA: usize = 64;
/// Processed instructions before the verifier gives up in `verifier_sound`: a
/// twentieth of the kernel's, so hopeless programs are refused quickly (soundness
/// does not depend on it). At 100,000 the slowest inputs found took 12-15 s under
/// AddressSanitizer (two passes, then again with recorded states), near the 20 s
/// timeout of the runs.
pub const VERIFIER_MAX_INSNS: usize = 50_000;

/// An input of `verifier_sound`.
#[derive(Arbitrary, Debug)]
pub enum VerifierSound {
    /// A generated program: kernel-like or wild, and the memory behind the context.
    Structured {
        /// The program.
        recipe: Recipe,
        /// Wild (mostly refused) rather than kernel-like (mostly accepted).
        wild: bool,
        /// The memory.
        data: [u8; VERIFIER_DATA],
    },
    /// Any bytes (zeroed memory).
    Raw(Vec<u8>),
}

impl VerifierSound {
    /// The program bytes and the memory behind the context.
    pub fn prepare(self) -> (Vec<u8>, [u8; VERIFIER_DATA]) {
        match self {
            VerifierSound::Raw(bytes) => (bytes, [0; VERIFIER_DATA]),
            VerifierSound::Structured { recipe, wild, data } => {
                let target = Target {
                    profile: if wild { Profile::Wild } else { Profile::Kernel },
                    input_addr: 0,
                    input_len: if wild { 8 } else { VERIFIER_DATA },
                    input_in_context: true,
                    helpers: helpers::TYPED.collect(),
                    regions: Vec::new(),
                    frame_size: 512,
                    align_atomics: true,
                    maps: 0,
                    stack_args: false,
                };
                (build(&recipe, &target), data)
            }
        }
    }
}

/// The verifier settings of `verifier_sound`: a host program type whose context
/// holds one pointer to [`VERIFIER_DATA`] writable bytes, helpers 1-3 of the fuzzing
/// set with their exact signatures, states recorded for the soundness mode.
pub fn verifier_config() -> ferrobpf_verifier::Config {
    let program_type = ProgType::Host(CtxLayout {
        size: 8,
        fields: vec![CtxField {
            off: 0,
            size: 8,
            read: true,
            write: false,
            access: Access::Exact,
            kind: FieldKind::Mem {
                size: VERIFIER_DATA as u32,
                writable: true,
                nullable: false,
            },
        }],
    });
    let registry = helpers::registry();
    let mut declared = Helpers::empty();
    for (id, h) in registry
        .iter()
        .filter(|(id, _)| helpers::TYPED.contains(id))
    {
        declared.add_host(id, h.name(), h.signature());
    }
    let mut config = ferrobpf_verifier::Config::new(program_type);
    config.helpers = declared;
    config.record_states = true;
    config.max_insns = VERIFIER_MAX_INSNS;
    config
}
