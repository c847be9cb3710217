//! Test-only access to the Linux kernel's verifier, through the conformance crate's
//! bpf() wrapper: create the maps, load the program, read the verdict.

use ferrobpf_conformance::kernel::map_refs::resolve_map_indices;
use ferrobpf_conformance::kernel::program::KernelProgram;
use ferrobpf_conformance::kernel::sys::{KernelMap, MapAttrs, ProgAttrs};
use ferrobpf_verifier::{MapInfo, ProgType};
use ferrobpf_vm::isa::{Pseudo, Semantics};
use ferrobpf_vm::{encode_program, Insn, Op};

/// `BPF_F_RDONLY_PROG`: the map is read-only for programs.
const BPF_F_RDONLY_PROG: u32 = 1 << 7;
/// Verifier log buffer of a refused load.
const LOG_SIZE: usize = 1 << 24;

/// The kernel's answer for one program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelVerdict {
    /// Whether the program loaded.
    pub accepted: bool,
    /// The last line of the verifier log that is not statistics (empty if accepted).
    pub reason: String,
}

fn create_map(m: &MapInfo) -> Result<KernelMap, String> {
    let map_type = m.map_type.ok_or("unimplemented map type")?.kernel_id();
    let attrs = MapAttrs {
        flags: if m.read_only { BPF_F_RDONLY_PROG } else { 0 },
        ..MapAttrs::new(map_type, m.key_size, m.value_size, m.max_entries)
    };
    KernelMap::create(&attrs).map_err(|e| format!("map create failed: {e}"))
}

/// Loads `insns` (map references by index into `maps`) into the kernel as root.
pub fn load(
    insns: &[Insn],
    maps: &[MapInfo],
    prog_type: &ProgType,
) -> Result<KernelVerdict, String> {
    let created = maps.iter().map(create_map).collect::<Result<Vec<_>, _>>()?;
    let fds: Vec<_> = created.iter().map(KernelMap::fd).collect();
    // The hand-written corpus writes `map_fd(N)` / `map_value(N)` with N an index
    // into `maps`, as the ELF loader's `map_idx` does.
    let by_index: Vec<Insn> = insns
        .iter()
        .map(|insn| match insn.spec().semantics {
            Semantics::Lddw(Pseudo::MapFd) => Insn {
                op: Op::LddwMapIdx,
                ..*insn
            },
            Semantics::Lddw(Pseudo::MapValue) => Insn {
                op: Op::LddwMapIdxValue,
                ..*insn
            },
            _ => *insn,
        })
        .collect();
    let patched = resolve_map_indices(&by_index, &fds).map_err(|e| e.to_string())?;
    let bytes = encode_program(&patched);
    let kernel_type = prog_type.kernel_id().ok_or("host type")?;
    Ok(
        match KernelProgram::load(&ProgAttrs::new(kernel_type, &bytes), LOG_SIZE) {
            Ok(_) => KernelVerdict {
                accepted: true,
                reason: String::new(),
            },
            Err(refusal) => KernelVerdict {
                accepted: false,
                reason: refusal.reason(),
            },
        },
    )
}
