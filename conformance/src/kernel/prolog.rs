//! The XDP program the kernel engine loads: a prolog that calls the test program as a
//! bpf-to-bpf subprogram with r1 = test memory (a map value) and r2 = its length, then
//! stores the full 64-bit r0 into a result map (XDP return values are 32-bit).
//!
//! ```text
//!   0: lddw r1, map_value(memory map, 0)
//!   2: mov r2, <memory length>
//!   3: call local <test program>
//!   4: lddw r1, map_value(result map, 0)
//!   6: stxdw [r1+0], r0
//!   7: mov r0, XDP_PASS
//!   8: exit
//!   9: <test program>
//! ```

use ferrobpf_vm::{encode_program, Insn, Op};

/// `XDP_PASS`, the value the prolog returns.
pub const XDP_PASS: u32 = 2;

/// Builds the instructions of the prolog for map descriptors `memory_fd`, `result_fd`
/// and memory length `len`.
fn prolog(memory_fd: i32, len: i32, result_fd: i32) -> Vec<Insn> {
    let map_value = |fd: i32| Insn::new(Op::LddwMapValue, 1, 0, 0, i64::from(fd as u32));
    let mut tail = vec![
        map_value(result_fd),
        Insn::new(Op::LddwHigh, 0, 0, 0, 0),
        Insn::new(Op::StxDw, 1, 0, 0, 0),
        Insn::new(Op::Mov64Imm, 0, 0, 0, i64::from(XDP_PASS)),
        Insn::new(Op::Exit, 0, 0, 0, 0),
    ];
    // The call's target is the first slot after the tail.
    let after_call = tail.len() as i64;
    let mut insns = vec![
        map_value(memory_fd),
        Insn::new(Op::LddwHigh, 0, 0, 0, 0),
        Insn::new(Op::Mov64Imm, 2, 0, 0, i64::from(len)),
        Insn::new(Op::CallLocal, 0, 0, 0, after_call),
    ];
    insns.append(&mut tail);
    insns
}

/// Number of 8-byte slots before the test program (kernel verifier logs count them).
pub fn prolog_slots() -> usize {
    prolog(0, 0, 0).len()
}

/// The whole program: prolog followed by the test program's bytes.
pub fn wrap(test: &[u8], memory_fd: i32, len: i32, result_fd: i32) -> Vec<u8> {
    let mut bytes = encode_program(&prolog(memory_fd, len, result_fd));
    bytes.extend_from_slice(test);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobpf_vm::decode_program;

    #[test]
    fn prolog_calls_the_slot_after_it() {
        let exit = encode_program(&[Insn::new(Op::Exit, 0, 0, 0, 0)]);
        let insns = decode_program(&wrap(&exit, 3, 16, 4)).unwrap();
        assert_eq!(prolog_slots(), 9);
        let call = insns.iter().position(|i| i.op == Op::CallLocal).unwrap();
        assert_eq!(insns[call].target(call), Some(9));
        assert_eq!(insns[0].op, Op::LddwMapValue);
        assert_eq!(insns[0].imm, 3);
        assert_eq!(insns[2].imm, 16);
        assert_eq!(insns[4].imm, 4);
        assert_eq!(insns[9].op, Op::Exit);
    }
}
