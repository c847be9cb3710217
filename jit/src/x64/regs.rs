//! Host register assignment: every eBPF register lives in its own x86-64 register for
//! the whole run. r1-r5 sit in the System V argument registers, r6-r9 in callee-saved
//! ones (they survive helper calls for free), r0 in rax (return value, cmpxchg
//! comparand).

/// x86-64 register numbers as the instruction encoding uses them.
pub mod host {
    /// rax
    pub const RAX: u8 = 0;
    /// rcx
    pub const RCX: u8 = 1;
    /// rdx
    pub const RDX: u8 = 2;
    /// rbx
    pub const RBX: u8 = 3;
    /// rbp
    pub const RBP: u8 = 5;
    /// rsi
    pub const RSI: u8 = 6;
    /// rdi
    pub const RDI: u8 = 7;
    /// r8
    pub const R8: u8 = 8;
    /// r9
    pub const R9: u8 = 9;
    /// r10
    pub const R10: u8 = 10;
    /// r11
    pub const R11: u8 = 11;
    /// r12
    pub const R12: u8 = 12;
    /// r13
    pub const R13: u8 = 13;
    /// r14
    pub const R14: u8 = 14;
    /// r15
    pub const R15: u8 = 15;
}

use host::*;

/// Host register of eBPF r0-r10.
const MAP: [u8; 11] = [RAX, RDI, RSI, RDX, RCX, R8, RBX, R13, R14, R15, RBP];

/// Holds the context block pointer for the whole run.
pub const CTX: u8 = R12;
/// The scratch operand ([`crate::lower::masm::Operand::Scratch`]), also a temporary of
/// division and the atomic loops.
pub const SCRATCH: u8 = R9;
/// Temporaries of single operations.
pub const TMP: u8 = R10;
/// Address of a checked memory access.
pub const ADDR: u8 = R11;

// The memory checks name r11 and r12 directly (shorter encodings than dynamic
// registers); keep the roles and the names in step.
const _: () = assert!(ADDR == R11 && CTX == R12);

/// eBPF registers r1-r5, the helper arguments.
pub const ARGS: [u8; 5] = [RDI, RSI, RDX, RCX, R8];
/// eBPF registers r6-r9 and r10, saved around a local call.
pub const FRAME_SAVED: [u8; 5] = [RBX, R13, R14, R15, RBP];

/// The host register of eBPF register `r` (0-10; decode guarantees the range).
pub fn host(r: u8) -> u8 {
    MAP.get(usize::from(r)).copied().unwrap_or(RAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignment_is_injective_and_avoids_reserved() {
        for (i, a) in MAP.iter().enumerate() {
            for b in &MAP[i + 1..] {
                assert_ne!(a, b);
            }
            assert!(![CTX, SCRATCH, TMP, ADDR, 4].contains(a));
        }
    }
}
