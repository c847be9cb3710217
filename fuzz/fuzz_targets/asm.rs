//! Arbitrary text -> assembler: never a panic, only typed errors. What assembles
//! and decodes is the program the text says: decoding its encoding gives the same
//! instructions, and its disassembly assembles to the same bytes.
#![no_main]

use ferrobpf_vm::disasm::{disassemble, Syntax};
use ferrobpf_vm::{assemble, decode_program, encode_program};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(insns) = assemble(text) else {
        return;
    };
    let bytes = encode_program(&insns);
    let Ok(decoded) = decode_program(&bytes) else {
        return;
    };
    assert_eq!(
        decoded, insns,
        "assembled instructions change through their encoding"
    );
    let again = assemble(&disassemble(&decoded, Syntax::Conformance))
        .expect("disassembler output must reassemble");
    assert_eq!(
        encode_program(&again),
        bytes,
        "text round trip changed the program"
    );
});
