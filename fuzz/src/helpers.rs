//! The helpers generated programs call: pure ones, ones that read and write guest
//! memory through the checked context, and ones that fail.

use ferrobpf_vm::helpers::{Helper, HelperContext, HelperError, HelperRegistry, HelperSignature};

/// A helper's host function.
type HostFn = fn(&mut HelperContext<'_, '_>, [u64; 5]) -> Result<u64, HelperError>;

/// Helper ids registered by [`registry`]; calls of other ids fail as unknown.
pub const IDS: std::ops::RangeInclusive<u32> = 1..=5;

/// The fuzzing helper set:
/// 1 mixes its five arguments; 2 reads the byte at r1; 3 writes the 32-bit r2 at r1;
/// 4 fills `r2 % 64` bytes at r1 with r3; 5 refuses an odd r1, else returns r1 / 2.
pub fn registry() -> HelperRegistry {
    let mut reg = HelperRegistry::new();
    let mut add = |id, name: &str, args, f: HostFn| {
        if let Ok(sig) = HelperSignature::anything(args) {
            reg.register(id, Helper::new(name, sig, f));
        }
    };
    add(1, "mix", 5, |_, a| {
        Ok(a[0].wrapping_mul(31).rotate_left(7) ^ a[1] ^ a[2].wrapping_add(a[3]) ^ a[4])
    });
    add(2, "peek", 1, |ctx, a| Ok(u64::from(ctx.read::<u8>(a[0])?)));
    add(3, "poke", 2, |ctx, a| {
        ctx.write::<u32>(a[0], a[1] as u32)?;
        Ok(0)
    });
    add(4, "fill", 3, |ctx, a| {
        ctx.bytes_mut(a[0], a[1] % 64)?.fill(a[2] as u8);
        Ok(a[1] % 64)
    });
    add(5, "halve", 1, |_, a| {
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
