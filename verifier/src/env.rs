//! What stays fixed while one program is verified: the instructions, maps, settings,
//! context layout, control-flow facts and liveness; plus the id counter.

use crate::cfg::Cfg;
use crate::ctx::CtxLayout;
use crate::liveness::RegSet;
use crate::maps::MapInfo;
use crate::verify::Config;
use ferrobpf_vm::Insn;

/// Read-only inputs of the transfer functions.
pub(crate) struct Env<'a> {
    /// The program, one entry per slot.
    pub insns: &'a [Insn],
    /// Maps by the index LDDWs name.
    pub maps: &'a [MapInfo],
    /// Settings.
    pub config: &'a Config,
    /// The program type's context.
    pub ctx: CtxLayout,
    /// Control flow.
    pub cfg: Cfg,
    /// Registers live on entry to each slot.
    pub live: Vec<RegSet>,
}

impl Env<'_> {
    /// The map with index `i` (or the inner-map template [`crate::maps::inner_index`]
    /// names).
    pub fn map(&self, i: u32) -> Option<&MapInfo> {
        crate::maps::lookup(self.maps, &self.config.inner_maps, i)
    }
}

/// Source of fresh ids for nullness, packet ranges and references.
#[derive(Default)]
pub(crate) struct Ids(u32);

impl Ids {
    /// A new id, never 0.
    pub fn fresh(&mut self) -> u32 {
        self.0 += 1;
        self.0
    }
}
