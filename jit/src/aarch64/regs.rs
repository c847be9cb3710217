//! Host register assignment: every eBPF register lives in its own AArch64 register
//! for the whole run. r1-r5 sit in the AAPCS64 argument registers x0-x4, r6-r10 in
//! callee-saved ones (they survive host calls for free), r0 in x7.

/// The stack pointer / zero register number (`xzr` where a data register is expected).
pub const ZR: u32 = 31;

/// Host register of eBPF r0-r10.
const MAP: [u32; 11] = [7, 0, 1, 2, 3, 4, 19, 20, 21, 22, 23];

/// Holds the context block pointer for the whole run (callee-saved).
pub const CTX: u32 = 24;
/// The scratch operand ([`crate::lower::masm::Operand::Scratch`]).
pub const SCRATCH: u32 = 9;
/// Temporary of single operations (immediates, window bounds, the lookup's argument).
pub const TMP: u32 = 10;
/// Address of a checked memory access.
pub const ADDR: u32 = 11;
/// Second temporary (quotients, window bounds, values loaded by atomic loops).
pub const TMP2: u32 = 12;
/// Status register of store-exclusive loops.
pub const STATUS: u32 = 13;
/// Where the miss stub returns to.
pub const RESUME: u32 = 12;
/// Temporaries of the miss stub.
pub const STUB_TMP: [u32; 3] = [14, 15, 17];
/// Instructions left before the budget runs out (callee-saved; `ctx.budget` is only
/// its initial value).
pub const BUDGET: u32 = 25;
/// Holds the address of a host function while calling it.
pub const CALL: u32 = 16;
/// The link register.
pub const LR: u32 = 30;

/// eBPF registers r1-r5, the helper arguments.
pub const ARGS: [u32; 5] = [0, 1, 2, 3, 4];

/// The host register of eBPF register `r` (0-10; decode guarantees the range).
pub fn host(r: u8) -> u32 {
    MAP.get(usize::from(r)).copied().unwrap_or(7)
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
            assert!(
                ![CTX, SCRATCH, TMP, ADDR, TMP2, STATUS, CALL, LR, ZR, 18, BUDGET, 14, 15, 17]
                    .contains(a)
            );
        }
    }
}
