//! An XDP packet counter: runs `tests/bpf/xdp_counter.o` over a list of packets
//! (a pcap file given as the first argument, else a generated list) on the JIT,
//! once the verifier has accepted it, then reads what the program counted from
//! its maps.
//!
//! ```text
//! cargo run --example xdp_counter [capture.pcap]
//! ```

use ferrobpf::embed::{Object, Options, Packet};
use std::collections::BTreeMap;

/// What the run saw.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Packets per XDP action (2 = pass, 1 = drop).
    pub actions: BTreeMap<u32, u64>,
    /// Packets per IP protocol, as the program counted them.
    pub per_protocol: BTreeMap<u32, u64>,
    /// Bytes per IPv4 source address, as the program counted them.
    pub bytes_per_source: BTreeMap<[u8; 4], u64>,
}

/// The packets of a classic pcap capture (microsecond or nanosecond, either byte
/// order); `None` when the bytes are not one.
pub fn read_pcap(bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    let magic = bytes.get(..4)?;
    let le = match magic {
        [0xd4, 0xc3, 0xb2, 0xa1] | [0x4d, 0x3c, 0xb2, 0xa1] => true,
        [0xa1, 0xb2, 0xc3, 0xd4] | [0xa1, 0xb2, 0x3c, 0x4d] => false,
        _ => return None,
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let mut packets = Vec::new();
    let mut at = 24;
    while at < bytes.len() {
        let len = u32_at(at + 8)? as usize;
        packets.push(bytes.get(at + 16..at + 16 + len)?.to_vec());
        at += 16 + len;
    }
    Some(packets)
}

/// A generated list: UDP and TCP packets from four sources, some to port 9.
pub fn generated_packets() -> Vec<Vec<u8>> {
    (0..40u8)
        .map(|i| {
            let proto = if i % 3 == 0 { 6 } else { 17 };
            let port: u16 = if i % 5 == 0 { 9 } else { 53 };
            let mut f = vec![0u8; 6];
            f.extend([2, 0, 0, 0, 0, 1, 0x08, 0x00]);
            f.extend([0x45, 0, 0, 28, 0, i, 0, 0, 64, proto, 0, 0]);
            f.extend([192, 168, 0, i % 4, 10, 0, 0, 1]);
            f.extend(1000u16.to_be_bytes());
            f.extend(port.to_be_bytes());
            f.extend([0, 8, 0, 0]);
            f.resize(f.len() + usize::from(i), 0xab);
            f
        })
        .collect()
}

/// Loads the program and counts `packets`.
pub fn run(packets: &[Vec<u8>]) -> Result<Summary, Box<dyn std::error::Error>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bpf/xdp_counter.o");
    let bytes = std::fs::read(path)?;
    let obj = Object::load(&bytes, Options::default().budget(100_000))?;
    // The program measures the packet as `data_end - data`, pointer arithmetic
    // the kernel allows only for privileged loaders: verify it as root would.
    let prog = obj.program("count_packets")?.verify_privileged()?.jit()?;
    let mut summary = Summary::default();
    for p in packets {
        let action = prog.run_xdp(&mut Packet::xdp(p))?;
        *summary.actions.entry(action).or_default() += 1;
    }
    let counts = obj.map("counts")?;
    for key in counts.keys() {
        let value = counts.get(&key)?;
        let n = u64::from_le_bytes(value[..8].try_into().unwrap_or_default());
        if n > 0 {
            let proto = u32::from_le_bytes(key[..4].try_into().unwrap_or_default());
            summary.per_protocol.insert(proto, n);
        }
    }
    for (key, value) in obj.map("bytes_by_source")?.entries() {
        let source = key[..4].try_into().unwrap_or_default();
        let n = u64::from_le_bytes(value[..8].try_into().unwrap_or_default());
        summary.bytes_per_source.insert(source, n);
    }
    Ok(summary)
}

fn main() {
    let packets = match std::env::args().nth(1) {
        Some(path) => match std::fs::read(&path).ok().and_then(|b| read_pcap(&b)) {
            Some(p) => p,
            None => {
                eprintln!("{path}: not a readable pcap file");
                std::process::exit(2);
            }
        },
        None => generated_packets(),
    };
    match run(&packets) {
        Ok(s) => {
            println!(
                "{} packets: {:?} (action: packets)",
                packets.len(),
                s.actions
            );
            for (proto, n) in &s.per_protocol {
                println!("protocol {proto}: {n} packets");
            }
            for (src, n) in &s.bytes_per_source {
                println!(
                    "source {}.{}.{}.{}: {n} bytes",
                    src[0], src[1], src[2], src[3]
                );
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
