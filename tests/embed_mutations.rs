//! Untrusted objects never crash the host: the test objects of tests/bpf, with
//! random bytes changed or cut off, through loading and (for what loads) runs
//! with an instruction budget on both engines. Every outcome must be a value or a
//! typed error. `FERROBPF_LONG=1` runs 50 times more mutations;
//! `FERROBPF_MUTATIONS=N` runs N per object.

mod common;

use common::object_path;
use ferrobpf::embed::{EngineKind, Object, Options, Packet};

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, bytes: &[u8]) -> Vec<u8> {
    let mut m = bytes.to_vec();
    match rng.below(4) {
        0 => m.truncate(rng.below(bytes.len())),
        _ => {
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(m.len());
                m[i] = rng.next() as u8;
            }
        }
    }
    m
}

/// Runs every program that loaded once, over the input its context takes.
fn exercise(obj: &Object) {
    for (name, _, _, status) in obj.programs() {
        if status.is_err() {
            continue;
        }
        let Ok(prog) = obj.program(&name) else {
            continue;
        };
        let frame = [0x45u8; 64];
        let _ = prog.run_xdp(&mut Packet::xdp(&frame));
        let _ = prog.run_skb(&mut Packet::skb(&frame));
        let _ = prog.run_context(&mut [0u8; 64], true);
        let _ = prog.run_memory(&mut [0u8; 64]);
    }
}

#[test]
fn mutated_objects_give_typed_errors() {
    let rounds = match std::env::var("FERROBPF_MUTATIONS") {
        Ok(n) => n.parse().unwrap_or(50),
        Err(_) if std::env::var_os("FERROBPF_LONG").is_some() => 2500,
        Err(_) => 50,
    };
    let names = [
        "xdp_counter",
        "xdp_helpers",
        "skb_helpers",
        "plugin_filter",
        "btf_maps",
        "legacy_maps",
        "global_data",
        "calls",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut loaded, mut refused) = (0, 0);
    for name in names {
        let bytes = std::fs::read(object_path(name)).unwrap();
        for round in 0..rounds {
            let m = mutate(&mut rng, &bytes);
            let engine = if round % 2 == 0 {
                EngineKind::Interpreter
            } else {
                EngineKind::Jit
            };
            let options = Options::default()
                .cpus(2)
                .budget(20_000)
                .engine(engine)
                .max_map_memory(1 << 24);
            match Object::load(&m, options) {
                Ok(obj) => {
                    loaded += 1;
                    exercise(&obj);
                }
                Err(_) => refused += 1,
            }
        }
    }
    println!("{loaded} mutated objects loaded and ran, {refused} refused");
    assert!(loaded > 0 && refused > 0);
}
