//! Helper prototypes: what each helper's arguments must be, what it returns, and which
//! program types may call it. Linux helpers come from the vm's one table
//! ([`ferrobpf_vm::linux::helpers::PROTOTYPES`]); host helpers from the signatures
//! registered with the vm.

use crate::ctx::ProgType;
use ferrobpf_vm::helpers::{ArgKind, HelperRegistry, HelperSignature, Offered, ReturnKind};
use ferrobpf_vm::linux::helpers::PROTOTYPES;
use std::collections::BTreeMap;

/// One helper's prototype.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Proto {
    /// Name for logs.
    pub name: String,
    /// Argument kinds, r1 first.
    pub args: Vec<ArgKind>,
    /// Result kind.
    pub ret: ReturnKind,
    /// Who may call it.
    pub offered: Offered,
    /// Whether it may move the packet (every packet pointer is invalidated).
    pub changes_packet: bool,
}

impl Proto {
    /// Whether a program of type `t` may call it.
    pub fn allows(&self, t: &ProgType) -> bool {
        self.offered.allows(t.class())
    }
}

/// Ids of the Linux helpers the verifier treats specially.
pub mod id {
    /// `bpf_tail_call`
    pub const TAIL_CALL: u32 = 12;
    /// `bpf_for_each_map_elem`
    pub const FOR_EACH_MAP_ELEM: u32 = 164;
    /// `bpf_loop`
    pub const LOOP: u32 = 181;
}

/// The helpers a program may call: Linux's by default, plus host-defined ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Helpers {
    protos: BTreeMap<u32, Proto>,
}

impl Default for Helpers {
    fn default() -> Self {
        Helpers::linux()
    }
}

impl Helpers {
    /// No helpers at all.
    pub fn empty() -> Helpers {
        Helpers {
            protos: BTreeMap::new(),
        }
    }

    /// The Linux helpers, with the kernel's ids and program-type availability.
    pub fn linux() -> Helpers {
        let protos = PROTOTYPES
            .iter()
            .map(|p| {
                (
                    p.id,
                    Proto {
                        name: format!("bpf_{}", p.name),
                        args: p.args.to_vec(),
                        ret: p.ret,
                        offered: p.offered,
                        changes_packet: p.changes_packet,
                    },
                )
            })
            .collect();
        Helpers { protos }
    }

    /// Adds (or replaces) a host helper from its vm signature; every program type
    /// may call it.
    pub fn add_host(&mut self, id: u32, name: &str, sig: &HelperSignature) {
        self.protos.insert(
            id,
            Proto {
                name: name.to_string(),
                args: sig.args().to_vec(),
                ret: sig.ret(),
                offered: Offered::ALL,
                changes_packet: false,
            },
        );
    }

    /// Adds (or replaces) every helper of a vm registry as a host helper.
    pub fn add_registry(&mut self, registry: &HelperRegistry) {
        for (id, helper) in registry.iter() {
            self.add_host(id, helper.name(), helper.signature());
        }
    }

    /// The prototype for `id`, if known.
    pub fn get(&self, id: u32) -> Option<&Proto> {
        self.protos.get(&id)
    }

    /// The name of helper `id` for messages (`#id` when unknown).
    pub fn name(&self, id: u32) -> String {
        self.get(id)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| format!("unknown#{id}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_prototypes_come_from_the_vm_table() {
        let h = Helpers::linux();
        assert_eq!(h.protos.len(), PROTOTYPES.len());
        assert_eq!(h.name(1), "bpf_map_lookup_elem");
        assert_eq!(h.name(9999), "unknown#9999");
        assert!(h.get(44).is_some_and(|p| p.changes_packet));
        assert_eq!(
            h.get(131).map(|p| p.ret),
            Some(ReturnKind::ReservedMemOrNull)
        );
    }

    #[test]
    fn availability() {
        let h = Helpers::linux();
        let allows = |id: u32, t: ProgType| h.get(id).is_some_and(|p| p.allows(&t));
        assert!(allows(14, ProgType::Kprobe));
        assert!(!allows(16, ProgType::Xdp));
        assert!(allows(44, ProgType::Xdp));
        assert!(allows(25, ProgType::SocketFilter));
        assert!(allows(1, ProgType::Tracepoint));
        assert!(allows(1, ProgType::Memory { size: 8 }));
        assert!(!allows(26, ProgType::Memory { size: 8 }));
    }

    #[test]
    fn host_signatures_convert() {
        let mut h = Helpers::empty();
        let sig = HelperSignature::new(
            &[ArgKind::ReadableMem, ArgKind::ConstSize],
            ReturnKind::Scalar,
        )
        .unwrap();
        h.add_host(0x1000, "host_log", &sig);
        let p = h.get(0x1000).unwrap();
        assert_eq!(p.args[1], ArgKind::ConstSize);
        assert!(p.allows(&ProgType::Xdp));
    }
}
