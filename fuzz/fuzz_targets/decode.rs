//! Arbitrary bytes -> decode -> disassemble -> assemble: never a panic, and a program
//! that decodes survives the text round trip unchanged.
#![no_main]

use ferrobpf_vm::disasm::{disassemble, Syntax};
use ferrobpf_vm::{assemble, decode_program, encode_program};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(insns) = decode_program(data) else {
        return;
    };
    let text = disassemble(&insns, Syntax::Conformance);
    let again = assemble(&text).expect("disassembler output must reassemble");
    assert_eq!(
        encode_program(&again),
        data,
        "round trip changed the program"
    );
    let _ = disassemble(&insns, Syntax::Llvm);
});
