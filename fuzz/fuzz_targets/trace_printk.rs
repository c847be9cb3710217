//! Arbitrary format strings and arguments -> `bpf_trace_printk`'s formatter (the
//! format comes from guest memory): never a panic, and the text stays within the
//! kernel's 1024-byte buffer, however the format asks for width.
#![no_main]

use ferrobpf_vm::linux::helpers::format_trace;
use libfuzzer_sys::fuzz_target;

/// Guest memory `%s` and the address conversions read from, at address 0x1000.
const MEMORY: &[u8] = b"guest string\0\x0a\x00\x00\x01\x20\x01\x0d\xb8\0\0\0\0\0\0\0\x01";

fuzz_target!(|data: &[u8]| {
    let (args, fmt) = data.split_at(data.len().min(24));
    let mut words = [0u64; 3];
    for (w, chunk) in words.iter_mut().zip(args.chunks(8)) {
        let mut b = [0u8; 8];
        b[..chunk.len()].copy_from_slice(chunk);
        *w = u64::from_le_bytes(b);
    }
    let mut read = |addr: u64, len: usize| {
        let start = usize::try_from(addr.checked_sub(0x1000)?).ok()?;
        MEMORY
            .get(start..start.checked_add(len)?)
            .map(<[u8]>::to_vec)
    };
    if let Some(text) = format_trace(fmt, words, &mut read) {
        assert!(text.len() < 1024, "{} bytes of trace output", text.len());
    }
});
