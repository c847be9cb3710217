//! Arbitrary bytes (seeded with real clang objects) -> ELF loader: never a panic,
//! only typed errors. What it loads must hold together: instructions that decode back
//! to themselves, relocations and functions inside the program, and a program the
//! VM loads (map references resolved to stand-in addresses) and runs under a budget.
#![no_main]

use ferrobpf_elf::Object;
use ferrobpf_vm::decode_program;
use ferrobpf_vm::interp::{Config, Vm};
use ferrobpf_vm::program::{Program, PseudoRequest, PseudoResolver, ResolveError};
use libfuzzer_sys::fuzz_target;

/// Resolves map references of an object with `maps` maps to stand-in addresses.
struct StandIns {
    maps: usize,
}

impl PseudoResolver for StandIns {
    fn resolve(&mut self, request: &PseudoRequest) -> Result<u64, ResolveError> {
        let index = usize::try_from(request.imm).ok().filter(|i| *i < self.maps);
        let index = index.ok_or(ResolveError::UnknownMap { id: request.imm })?;
        let base = 0x1000_0000u64 * (index as u64 + 1);
        Ok(base.wrapping_add(request.next_imm as u32 as u64))
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(object) = Object::parse(data) else {
        return;
    };
    let _ = (object.license(), object.kernel_version(), object.maps());
    for p in object.programs() {
        let bytes = p.bytes();
        assert_eq!(
            decode_program(&bytes).as_ref(),
            Ok(&p.insns),
            "program {} does not decode back to itself",
            p.name
        );
        for r in &p.relocations {
            assert!(r.pc < p.insns.len(), "relocation outside {}: {r:?}", p.name);
        }
        for f in &p.functions {
            assert!(
                f.start < p.insns.len(),
                "function outside {}: {f:?}",
                p.name
            );
        }
        let mut maps = StandIns {
            maps: object.maps().len(),
        };
        if let Ok(program) = Program::with_resolver(&bytes, &mut maps) {
            let vm = Vm::new(Config {
                instruction_budget: Some(10_000),
                ..Config::default()
            });
            let _ = vm.run(&program, &mut [0u8; 64]);
        }
    }
});
