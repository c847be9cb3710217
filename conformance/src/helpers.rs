//! The helper set conformance tests may call, registered by the `interp` engine (and
//! meant for JIT engines too).
//!
//! The shared bpf_conformance tests call helper 5 directly (`call 5` in
//! `call_unwind_fail.data`) and through a register (`call %r2` with r2 = 5 in
//! `callx.data`), and only check that execution continues after the call. Here helper 5
//! returns its first argument. (In the Linux kernel id 5 is `bpf_ktime_get_ns`, which
//! these tests accept too, since they overwrite r0 after the call.)

use ferrobpf_vm::helpers::{Helper, HelperRegistry, HelperSignature};

/// Id of the helper that returns its first argument.
pub const IDENTITY_HELPER_ID: u32 = 5;

/// The conformance helper set: [`IDENTITY_HELPER_ID`] returning r1.
pub fn conformance_helpers() -> HelperRegistry {
    let mut registry = HelperRegistry::new();
    // One argument of any kind always makes a valid signature.
    if let Ok(signature) = HelperSignature::anything(1) {
        registry.register(
            IDENTITY_HELPER_ID,
            Helper::new("identity", signature, |_, args| Ok(args[0])),
        );
    }
    registry
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobpf_vm::helpers::HelperContext;
    use ferrobpf_vm::memory::RegionTable;

    #[test]
    fn helper_5_returns_its_first_argument() {
        let registry = conformance_helpers();
        let helper = registry.get(IDENTITY_HELPER_ID).unwrap();
        let mut table = RegionTable::new();
        let mut ctx = HelperContext::new(&mut table);
        assert_eq!(helper.call(&mut ctx, [u64::MAX, 1, 2, 3, 4]), Ok(u64::MAX));
        assert_eq!(registry.len(), 1);
    }
}
