//! Arbitrary bytes (seeded with our clang objects) -> the embedding facade: load the
//! object (maps created within a small memory limit), then run every program on the
//! interpreter and on the JIT, under a budget, in every context (XDP and socket
//! buffer packets, a context blob, plain memory), with the Linux helpers, and dump
//! the maps: never a panic, only typed errors.
#![no_main]

use ferrobpf::embed::{dump_maps, Object, Options, Packet, Program};
use libfuzzer_sys::fuzz_target;

/// An Ethernet + IPv4 + UDP frame, for packet contexts.
const FRAME: [u8; 42] = [
    0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00, // Ethernet, IPv4
    0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, // IPv4, UDP
    0x30, 0x39, 0x00, 0x35, 0, 8, 0, 0, // UDP 12345 -> 53
];

fn run_everywhere(program: &Program) {
    let _ = program.run_xdp(&mut Packet::xdp(&FRAME));
    let _ = program.run_skb(&mut Packet::skb(&FRAME));
    let _ = program.run_context(&mut [0u8; 256], true);
    let _ = program.run_memory(&mut FRAME.to_vec());
}

fuzz_target!(|data: &[u8]| {
    let options = Options::default()
        .budget(10_000)
        .cpus(2)
        .max_map_memory(1 << 24)
        .trace(|_| {});
    let Ok(object) = Object::load(data, options) else {
        return;
    };
    for (name, ..) in object.programs() {
        let Ok(program) = object.program(&name) else {
            continue;
        };
        run_everywhere(&program);
        if let Ok(jitted) = program.jit() {
            run_everywhere(&jitted);
        }
    }
    let _ = dump_maps(&object);
});
