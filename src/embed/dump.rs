//! Text reports for tools: a map dump, and running one program of an object as
//! `ferrobpf run OBJ.o` does.

use super::error::EmbedError;
use super::object::Object;
use super::options::{EngineKind, Options};
use ferrobpf_verifier::{Config, ProgType};
use ferrobpf_vm::linux::context::{ContextKind, Packet};
use ferrobpf_vm::maps::MapType;
use std::fmt::Write;

/// Most elements printed per map.
const MAX_ELEMENTS: usize = 64;

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every map of `obj`: a header line per map, then its elements as
/// `key => value` in hex (at most 64 per map; for arrays, the non-zero ones).
pub fn dump_maps(obj: &Object) -> String {
    let mut out = String::new();
    for (name, map) in obj.maps() {
        let map = match map {
            Ok(m) => m,
            Err(e) => {
                let _ = writeln!(out, "map {name}: not created: {e}");
                continue;
            }
        };
        let s = map.spec();
        let _ = writeln!(
            out,
            "map {name}: {} key {} value {} max_entries {}, {} elements",
            s.map_type.name(),
            s.key_size,
            s.value_size,
            s.max_entries,
            map.len()
        );
        match s.map_type {
            MapType::RingBuf => {
                if let Some(rb) = map.ring_buf() {
                    let _ = writeln!(out, "  {} bytes not consumed", rb.query(0));
                }
            }
            MapType::Queue | MapType::Stack | MapType::PerfEventArray => {}
            _ => {
                // Arrays hold every index: only non-zero values are shown.
                let array = matches!(s.map_type, MapType::Array | MapType::PercpuArray);
                let mut shown = 0;
                for key in map.keys() {
                    let Ok(v) = map.get(&key) else {
                        continue;
                    };
                    if array && v.iter().all(|&b| b == 0) {
                        continue;
                    }
                    if shown == MAX_ELEMENTS {
                        let _ = writeln!(out, "  ...");
                        break;
                    }
                    shown += 1;
                    let _ = writeln!(out, "  {} => {}", hex(&key), hex(&v));
                }
            }
        }
    }
    out
}

/// What `ferrobpf run OBJ.o` asks for.
#[derive(Clone, Debug, Default)]
pub struct RunRequest {
    /// The program (function or section name); `None`: the first that loads.
    pub section: Option<String>,
    /// The packet, for XDP and socket-buffer programs (empty when `None`).
    pub packet: Option<Vec<u8>>,
    /// The context or memory, for other programs (empty when `None`).
    pub memory: Option<Vec<u8>>,
    /// How many times to run (at least once); maps keep their contents between
    /// runs.
    pub repeat: u32,
    /// The engine.
    pub engine: EngineKind,
    /// Instruction budget per run.
    pub budget: Option<u64>,
    /// Whether to print every map after the runs.
    pub dump_maps: bool,
    /// Whether to verify the program first (and refuse to run it when rejected).
    pub verify: bool,
    /// The type to verify it as; `None`: from its section name.
    pub verify_type: Option<ProgType>,
    /// Whether to verify with the kernel's settings for root rather than as an
    /// untrusted program.
    pub privileged: bool,
}

/// XDP action names.
const XDP_ACTIONS: [&str; 5] = [
    "XDP_ABORTED",
    "XDP_DROP",
    "XDP_PASS",
    "XDP_TX",
    "XDP_REDIRECT",
];

/// Loads `bytes`, runs the requested program `repeat` times over its input and
/// reports r0 (the last run's), the packet afterwards, and the maps if asked.
pub fn run_elf(bytes: &[u8], req: &RunRequest) -> Result<String, EmbedError> {
    let mut options = Options::default().engine(req.engine);
    options.budget = req.budget;
    let obj = Object::load(bytes, options)?;
    let mut program = match &req.section {
        Some(s) => obj.program(s)?,
        None => obj.first_program()?,
    };
    if req.verify {
        let prog_type = match &req.verify_type {
            Some(t) => t.clone(),
            None => program.verifier_type()?,
        };
        program = program.verify_with(if req.privileged {
            Config::privileged(prog_type)
        } else {
            Config::new(prog_type)
        })?;
    }
    let mut out = String::new();
    let context = super::object::context_kind(program.program_type());
    let mut value = 0;
    let mut packet_after = None;
    for _ in 0..req.repeat.max(1) {
        let bytes = req.packet.clone().unwrap_or_default();
        match context {
            ContextKind::Xdp => {
                let mut p = Packet::xdp(&bytes);
                value = u64::from(program.run_xdp(&mut p)?);
                packet_after = Some(p.data().to_vec());
            }
            ContextKind::Skb => {
                let mut p = Packet::skb(&bytes);
                value = u64::from(program.run_skb(&mut p)?);
                packet_after = Some(p.data().to_vec());
            }
            ContextKind::Blob => {
                let mut mem = req.memory.clone().unwrap_or_default();
                value = program.run_context(&mut mem, true)?;
            }
        }
    }
    let _ = write!(
        out,
        "{} ({}): {value:#x}",
        program.name(),
        program.program_type().name()
    );
    if context == ContextKind::Xdp {
        if let Some(name) = XDP_ACTIONS.get(value as usize) {
            let _ = write!(out, " {name}");
        }
    }
    out.push('\n');
    if let Some(p) = packet_after {
        let _ = writeln!(out, "packet: {}", hex(&p));
    }
    if req.dump_maps {
        out.push_str(&dump_maps(&obj));
    }
    Ok(out)
}
