//! Helpers by id.

use super::context::HelperContext;
use super::error::HelperError;
use super::signature::HelperSignature;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// The host side of a helper: gets the context and r1-r5, returns r0.
pub type HelperFn =
    Arc<dyn Fn(&mut HelperContext<'_, '_>, [u64; 5]) -> Result<u64, HelperError> + Send + Sync>;

/// A host function callable from programs.
#[derive(Clone)]
pub struct Helper {
    name: String,
    signature: HelperSignature,
    func: HelperFn,
}

impl Helper {
    /// A helper called `name` with prototype `signature`, running `func`.
    pub fn new<F>(name: impl Into<String>, signature: HelperSignature, func: F) -> Helper
    where
        F: Fn(&mut HelperContext<'_, '_>, [u64; 5]) -> Result<u64, HelperError>
            + Send
            + Sync
            + 'static,
    {
        Helper {
            name: name.into(),
            signature,
            func: Arc::new(func),
        }
    }

    /// The helper's name (as in logs and disassembly).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The helper's prototype.
    pub fn signature(&self) -> &HelperSignature {
        &self.signature
    }

    /// Runs the host function.
    pub fn call(
        &self,
        ctx: &mut HelperContext<'_, '_>,
        args: [u64; 5],
    ) -> Result<u64, HelperError> {
        (self.func)(ctx, args)
    }
}

impl fmt::Debug for Helper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Helper")
            .field("name", &self.name)
            .field("signature", &self.signature)
            .finish_non_exhaustive()
    }
}

/// The helpers a program may call, keyed by the id in the call instruction.
#[derive(Clone, Debug, Default)]
pub struct HelperRegistry {
    helpers: BTreeMap<u32, Helper>,
}

impl HelperRegistry {
    /// An empty registry.
    pub fn new() -> HelperRegistry {
        HelperRegistry::default()
    }

    /// Registers `helper` under `id`; returns the helper it replaces, if any.
    pub fn register(&mut self, id: u32, helper: Helper) -> Option<Helper> {
        self.helpers.insert(id, helper)
    }

    /// The helper with `id`.
    #[inline]
    pub fn get(&self, id: u32) -> Option<&Helper> {
        self.helpers.get(&id)
    }

    /// Every helper, by ascending id.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &Helper)> {
        self.helpers.iter().map(|(id, h)| (*id, h))
    }

    /// Number of helpers.
    pub fn len(&self) -> usize {
        self.helpers.len()
    }

    /// Whether no helper is registered.
    pub fn is_empty(&self) -> bool {
        self.helpers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::{RegionKind, RegionTable};

    #[test]
    fn register_look_up_and_call() {
        let mut reg = HelperRegistry::new();
        let sum = Helper::new("sum", HelperSignature::anything(5).unwrap(), |_, a| {
            Ok(a.iter().sum())
        });
        assert!(reg.register(7, sum).is_none());
        let h = reg.get(7).unwrap();
        assert_eq!(h.name(), "sum");
        let mut table = RegionTable::new();
        assert_eq!(
            h.call(&mut HelperContext::new(&mut table), [1, 2, 3, 4, 5]),
            Ok(15)
        );
        assert!(reg.get(8).is_none());
        assert_eq!(reg.iter().map(|(id, _)| id).collect::<Vec<_>>(), [7]);
    }

    #[test]
    fn helpers_reach_memory_only_through_checks() {
        let mut buf = [0u8; 4];
        let addr = buf.as_ptr() as u64;
        let mut table = RegionTable::new();
        table.add_writable(RegionKind::Input, &mut buf);
        let fill = Helper::new("fill", HelperSignature::anything(2).unwrap(), |ctx, a| {
            ctx.bytes_mut(a[0], a[1])?.fill(0x5a);
            Ok(0)
        });
        let mut ctx = HelperContext::new(&mut table);
        assert_eq!(fill.call(&mut ctx, [addr, 4, 0, 0, 0]), Ok(0));
        assert_eq!(ctx.read::<u32>(addr), Ok(0x5a5a_5a5a));
        assert!(matches!(
            fill.call(&mut ctx, [addr, 5, 0, 0, 0]),
            Err(HelperError::Memory(_))
        ));
    }
}
