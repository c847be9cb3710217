//! Shared by the integration tests: test objects and packets. Each test crate
//! uses some of these.
#![allow(dead_code)]

use std::path::PathBuf;

/// The path of test object `name` (tests/bpf/NAME.o).
pub fn object_path(name: &str) -> PathBuf {
    PathBuf::from(format!("{}/tests/bpf/{name}.o", env!("CARGO_MANIFEST_DIR")))
}

/// An Ethernet + IPv4 + UDP frame from 10.0.0.`src` to 10.1.2.3, port 12345 ->
/// `port`, with a 4-byte payload (46 bytes).
pub fn udp_frame(port: u16, src: u8) -> Vec<u8> {
    let mut f = vec![0u8; 6];
    f.extend([2, 0, 0, 0, 0, 1, 0x08, 0x00]);
    f.extend([
        0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0xa5, 0x5a, 10, 0, 0, src, 10, 1, 2, 3,
    ]);
    f.extend(12345u16.to_be_bytes());
    f.extend(port.to_be_bytes());
    f.extend([0, 12, 0x12, 0x34]);
    f.extend(b"abcd");
    f
}
