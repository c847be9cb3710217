//! Verifying a program of an object before it runs: `obj.program("xdp")?.verify()?`
//! runs ferrobpf's verifier over the program as the loader linked it, with the
//! program type from its section name (or the host's override) and the object's
//! maps and host helpers. A program the verifier accepts never faults, never
//! reads uninitialised data and terminates, whatever its input; a rejected one
//! gives [`EmbedError::Rejected`] with the instruction and the reason.

use super::error::EmbedError;
use super::program::Program;
use ferrobpf_elf::{MapDef, ProgramType};
use ferrobpf_verifier::stats::Stats;
use ferrobpf_verifier::{verify, Config, MapInfo, MapType, ProgType};
use std::collections::BTreeMap;

/// The verifier's view of a map the object defines.
pub fn map_info(def: &MapDef) -> MapInfo {
    MapInfo {
        map_type: MapType::from_kernel_id(def.map_type),
        key_size: def.key_size,
        value_size: def.value_size,
        max_entries: def.max_entries,
        read_only: def.read_only,
    }
}

/// The verifier's view of the inner maps of the object's maps of maps, by the
/// index of the outer map (what a lookup in that map returns).
pub fn inner_map_infos(defs: &[MapDef]) -> BTreeMap<u32, MapInfo> {
    (0u32..)
        .zip(defs)
        .filter_map(|(i, def)| Some((i, map_info(def.inner.as_deref()?))))
        .collect()
}

/// The verifier's program type for a loader's type; `None` for the types the
/// verifier has no context model of (and for [`ProgramType::Unspec`]).
pub fn verifier_type(t: ProgramType) -> Option<ProgType> {
    ProgType::from_name(&t.name().to_ascii_lowercase())
        .filter(|p| p.kernel_id() == Some(t.linux_id()))
}

impl Program {
    /// Verifies the program as an untrusted one (no pointer leaks, no reads of
    /// uninitialised stack) of the type its section names (or the one
    /// [`Options::program_type`](super::Options::program_type) gave it).
    /// Returns the same program, marked verified; runs go on as before.
    pub fn verify(self) -> Result<Program, EmbedError> {
        let prog_type = self.verifier_type()?;
        self.verify_with(Config::new(prog_type))
    }

    /// [`verify`](Self::verify) with the kernel's settings for root: pointer
    /// arithmetic that exposes addresses (e.g. `data_end - data` on packet
    /// pointers) and reads of uninitialised stack allowed. For trusted programs.
    pub fn verify_privileged(self) -> Result<Program, EmbedError> {
        let prog_type = self.verifier_type()?;
        self.verify_with(Config::privileged(prog_type))
    }

    /// The type [`verify`](Self::verify) checks the program as: its own type's
    /// counterpart in the verifier.
    pub fn verifier_type(&self) -> Result<ProgType, EmbedError> {
        let t = self.program_type();
        verifier_type(t).ok_or_else(|| EmbedError::UnverifiableType {
            program: self.name().to_string(),
            program_type: t.name(),
        })
    }

    /// [`verify`](Self::verify) as a program of type `prog_type`, e.g. a
    /// host-defined type ([`ProgType::Host`]) with its context layout.
    pub fn verify_as(self, prog_type: ProgType) -> Result<Program, EmbedError> {
        self.verify_with(Config::new(prog_type))
    }

    /// Verifies the program with the verifier's settings `config` (program type,
    /// privileges, log, budgets); the object's host helpers are added to its
    /// helpers, and its inner-map definitions where `config` gives none.
    pub fn verify_with(self, mut config: Config) -> Result<Program, EmbedError> {
        let inner = &self.obj.inner;
        if config.inner_maps.is_empty() {
            config.inner_maps = inner.inner_map_infos.clone();
        }
        for (id, helper) in &inner.host_helpers {
            config
                .helpers
                .add_host(*id, helper.name(), helper.signature());
        }
        match verify(&self.slot().linked, &inner.map_infos, &config) {
            Ok(report) => Ok(self.verified_with(report.stats)),
            Err(rejection) => Err(EmbedError::Rejected {
                program: self.name().to_string(),
                rejection,
            }),
        }
    }

    /// Whether the verifier accepted the program.
    pub fn is_verified(&self) -> bool {
        self.verified.is_some()
    }

    /// The verifier's statistics, once it accepted the program.
    pub fn verification(&self) -> Option<&Stats> {
        self.verified.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_map_by_kernel_number() {
        assert_eq!(verifier_type(ProgramType::Xdp), Some(ProgType::Xdp));
        assert_eq!(
            verifier_type(ProgramType::SocketFilter),
            Some(ProgType::SocketFilter)
        );
        assert_eq!(
            verifier_type(ProgramType::SchedCls),
            Some(ProgType::SchedCls)
        );
        assert_eq!(verifier_type(ProgramType::SockOps), Some(ProgType::SockOps));
        assert_eq!(verifier_type(ProgramType::Unspec), None);
        assert_eq!(verifier_type(ProgramType::Lsm), None);
    }
}
