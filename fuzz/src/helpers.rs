//! The helpers generated programs call: pure ones, ones that read and write guest
//! memory through the checked context, and ones that fail.

use ferrobpf_vm::helpers::{
    ArgKind, Helper, HelperContext, HelperError, HelperRegistry, HelperSignature, ReturnKind,
};

/// A helper's host function.
type HostFn = fn(&mut HelperContext<'_, '_>, [u64; 5]) -> Result<u64, HelperError>;

/// Ids registered by [`registry`]; calls of other ids fail as unknown.
pub const IDS: std::ops::RangeInclusive<u32> = 1..=5;

/// Ids whose signature says exactly what the helper touches (a verifier that accepts
/// a call of one of them guarantees the call cannot fault).
pub const TYPED: std::ops::RangeInclusive<u32> = 1..=3;

/// The fuzzing helper set:
/// - 1 `mix` (any five arguments): a hash of them;
/// - 2 `sum` (readable memory, size > 0): the sum of the bytes;
/// - 3 `fill` (writable memory, size >= 0, number): fills the bytes with r3, returns 0;
/// - 4 `poke` (any two): writes the 32-bit r2 at address r1;
/// - 5 `halve` (any one): refuses an odd r1, else returns r1 / 2.
pub fn registry() -> HelperRegistry {
    use ArgKind::{Anything, ConstSize, ConstSizeOrZero, ReadableMem, Scalar, WritableMem};
    let mut reg = HelperRegistry::new();
    let mut add = |id, name: &str, args: &[ArgKind], f: HostFn| {
        if let Ok(sig) = HelperSignature::new(args, ReturnKind::Scalar) {
            reg.register(id, Helper::new(name, sig, f));
        }
    };
    add(1, "mix", &[Anything; 5], |_, a| {
        Ok(a[0].wrapping_mul(31).rotate_left(7) ^ a[1] ^ a[2].wrapping_add(a[3]) ^ a[4])
    });
    add(2, "sum", &[ReadableMem, ConstSize], |ctx, a| {
        Ok(ctx.bytes(a[0], a[1])?.iter().map(|b| u64::from(*b)).sum())
    });
    add(
        3,
        "fill",
        &[WritableMem, ConstSizeOrZero, Scalar],
        |ctx, a| {
            ctx.bytes_mut(a[0], a[1])?.fill(a[2] as u8);
            Ok(0)
        },
    );
    add(4, "poke", &[Anything; 2], |ctx, a| {
        ctx.write::<u32>(a[0], a[1] as u32)?;
        Ok(0)
    });
    add(5, "halve", &[Anything], |_, a| {
        if a[0] & 1 == 1 {
            Err(HelperError::InvalidArgument {
                index: 1,
                value: a[0],
            })
        } else {
            Ok(a[0] / 2)
        }
    });
    reg
}
