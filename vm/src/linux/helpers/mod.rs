//! Linux helpers by their kernel ids: one table ([`HELPERS`]) gives each helper's
//! id, name, prototype and implementation, and [`registry`] turns it into a
//! [`HelperRegistry`] for an environment (maps and host hooks).
//!
//! `bpf_tail_call`, `bpf_loop` and `bpf_for_each_map_elem` call back into the
//! program; they are implemented by code the loader adds to the program (see
//! [`prepare`](mod@crate::linux::prepare)), with the two internal helpers of
//! [`internal`] doing the map side. Their registry entries only report a program
//! that was not prepared.

mod common;
pub mod internal;
mod maps;
mod net;
mod output;
mod packet;
mod protos;
mod task;
mod time;
mod trace;
mod tracing;

pub use protos::{linux_prototype, prototype, LinuxHelper, Prototype, HELPERS, PROTOTYPES};
pub use trace::format_trace;

use crate::helpers::{Helper, HelperContext, HelperError, HelperRegistry, HelperSignature};
use crate::linux::hooks::HostHooks;
use crate::maps::MapTable;
use std::sync::Arc;
use std::time::Instant;

/// What helpers act on: the environment's maps and the host's hooks.
#[derive(Debug)]
pub struct HelperEnv {
    /// The maps programs' handles name.
    pub maps: Arc<MapTable>,
    /// The host's hooks.
    pub hooks: HostHooks,
    /// Origin of the default monotonic clock.
    epoch: Instant,
}

impl HelperEnv {
    /// The CPU the current run is on ([`cpu::current`](crate::maps::cpu::current)),
    /// as one of the environment's CPUs.
    pub fn cpu(&self) -> u32 {
        crate::maps::cpu::current() % self.maps.cpus()
    }

    /// An environment over `maps` with `hooks`.
    pub fn new(maps: Arc<MapTable>, hooks: HostHooks) -> HelperEnv {
        HelperEnv {
            maps,
            hooks,
            epoch: Instant::now(),
        }
    }
}

/// A helper's host function.
pub(crate) type Impl =
    fn(&HelperEnv, &mut HelperContext<'_, '_>, [u64; 5]) -> Result<u64, HelperError>;

/// Every Linux helper of [`HELPERS`] and the internal helpers, bound to `env`.
pub fn registry(env: &Arc<HelperEnv>) -> HelperRegistry {
    let mut reg = HelperRegistry::new();
    let entries = HELPERS
        .iter()
        .map(|h| (h.id, h.name, h.signature(), h.imp))
        .chain(
            internal::HELPERS
                .iter()
                .map(|h| (h.id, h.name, h.signature(), h.imp)),
        );
    for (id, name, signature, imp) in entries {
        // Every signature of the tables is well-formed (a unit test checks it).
        if let Ok(signature) = signature {
            let env = Arc::clone(env);
            reg.register(
                id,
                Helper::new(name, signature, move |ctx, args| imp(&env, ctx, args)),
            );
        }
    }
    reg
}

/// The signature of a table entry.
pub(crate) fn signature(
    args: &[crate::helpers::ArgKind],
    ret: crate::helpers::ReturnKind,
) -> Result<HelperSignature, crate::helpers::SignatureError> {
    HelperSignature::new(args, ret)
}

#[cfg(test)]
mod tests;
