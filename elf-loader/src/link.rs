//! Linking one program: its function first, then every function it calls or
//! takes the address of (transitively, each once), from any code section, as
//! libbpf appends `.text` subprograms. Calls and function pointers are rewritten
//! relative to the new layout; map and data references become `map_idx` /
//! `map_idx_value` LDDWs.

use crate::elf_file::ElfFile;
use crate::error::{LoadError, RelocError};
use crate::functions::{Function, Functions};
use crate::program::{LinkedFunction, Program, Relocation, RelocationKind};
use crate::program_type::ProgramType;
use crate::relocations::{CodeRelocs, Target};
use ferrobpf_vm::decode::decode_one;
use ferrobpf_vm::isa::{Pseudo, Semantics};
use ferrobpf_vm::raw::{RawInsn, INSN_SIZE};
use ferrobpf_vm::{decode_program, Insn, Op};

/// What links a program: the object's functions and resolved relocations.
pub(crate) struct Linker<'e, 'a> {
    /// The file.
    pub elf: &'e ElfFile<'a>,
    /// Functions by section.
    pub functions: &'e Functions,
    /// Resolved relocations.
    pub relocs: &'e CodeRelocs,
}

/// A program being built.
struct Build<'f> {
    out: Vec<RawInsn>,
    placed: Vec<(&'f Function, usize)>,
    relocations: Vec<Relocation>,
}

impl<'f> Build<'f> {
    /// The program index of `f`, appending it on first use.
    fn place(&mut self, f: &'f Function, code: &[u8]) -> usize {
        if let Some(&(_, start)) = self.placed.iter().find(|(g, _)| *g == f) {
            return start;
        }
        let start = self.out.len();
        let bytes = code
            .get(f.start * INSN_SIZE..f.end * INSN_SIZE)
            .unwrap_or(&[]);
        self.out.extend(bytes.chunks_exact(INSN_SIZE).map(|c| {
            let mut b = [0u8; INSN_SIZE];
            b.copy_from_slice(c);
            RawInsn::from_bytes(b)
        }));
        self.placed.push((f, start));
        start
    }

    /// Writes a two-slot LDDW at `pc`; an error if its second slot is not before
    /// `end`, the end of the function being patched.
    fn write_lddw(&mut self, pc: usize, end: usize, op: Op, imm: i64) -> Result<(), RelocError> {
        let encoded = Insn::new(op, self.out[pc].dst, 0, 0, imm).encode();
        match self.out.get_mut(pc..pc + encoded.len()) {
            Some(slots) if pc + encoded.len() <= end => {
                slots.copy_from_slice(&encoded);
                Ok(())
            }
            _ => Err(RelocError::BadOffset),
        }
    }
}

impl Linker<'_, '_> {
    /// Links `main` into a program.
    pub fn link(&self, main: &Function) -> Result<Program, LoadError> {
        let section = self.elf.section_name(main.section);
        let mut build = Build {
            out: Vec::new(),
            placed: Vec::new(),
            relocations: Vec::new(),
        };
        build.place(main, self.elf.sections[main.section].data);
        let mut next = 0;
        while let Some(&(f, base)) = build.placed.get(next) {
            for slot in f.start..f.end {
                self.patch(&mut build, f, base, slot).map_err(|reason| {
                    self.elf
                        .reloc_err(f.section, (slot * INSN_SIZE) as u64, reason)
                })?;
            }
            next += 1;
        }
        let bytes: Vec<u8> = build.out.iter().flat_map(|r| r.to_bytes()).collect();
        let insns = decode_program(&bytes).map_err(|error| LoadError::Decode {
            program: main.name.clone(),
            section: section.clone(),
            error,
        })?;
        let functions = build
            .placed
            .iter()
            .map(|(f, start)| LinkedFunction {
                name: f.name.clone(),
                section: self.elf.section_name(f.section),
                start: *start,
            })
            .collect();
        Ok(Program {
            name: main.name.clone(),
            prog_type: ProgramType::from_section(&section),
            section,
            insns,
            relocations: build.relocations,
            functions,
        })
    }

    /// Resolves slot `slot` of `f`, placed at `base`.
    fn patch<'f>(
        &'f self,
        build: &mut Build<'f>,
        f: &'f Function,
        base: usize,
        slot: usize,
    ) -> Result<(), RelocError> {
        let pc = base + (slot - f.start);
        let end = base + (f.end - f.start);
        let raw = build.out[pc];
        let kind = match self.relocs.get(f.section, slot) {
            Some(Target::Map(map)) => {
                build.write_lddw(pc, end, Op::LddwMapIdx, map as i64)?;
                RelocationKind::Map { map }
            }
            Some(Target::MapValue { map, offset }) => {
                build.write_lddw(
                    pc,
                    end,
                    Op::LddwMapIdxValue,
                    (i64::from(offset) << 32) | map as i64,
                )?;
                RelocationKind::MapValue { map, offset }
            }
            Some(Target::Code {
                section,
                slot: target,
            }) => self.code_ref(build, (pc, end), raw, section, target)?,
            None => {
                // An unrelocated call or function pointer is relative to its own section.
                let Some(target) =
                    decode_one(raw, slot)
                        .ok()
                        .and_then(|i| match i.spec().semantics {
                            Semantics::CallLocal | Semantics::Lddw(Pseudo::Func) => i.target(slot),
                            _ => None,
                        })
                else {
                    return Ok(());
                };
                if (f.start as i64..f.end as i64).contains(&target) {
                    return Ok(());
                }
                self.code_ref(build, (pc, end), raw, f.section, target)?
            }
        };
        build.relocations.push(Relocation { pc, kind });
        Ok(())
    }

    /// Points the call or function-pointer LDDW at `pc` (in a function ending
    /// at `end`) to slot `target` of `section`.
    fn code_ref<'f>(
        &'f self,
        build: &mut Build<'f>,
        (pc, end): (usize, usize),
        raw: RawInsn,
        section: usize,
        target: i64,
    ) -> Result<RelocationKind, RelocError> {
        let callee =
            self.functions
                .containing(section, target)
                .ok_or_else(|| RelocError::NoFunction {
                    section: self.elf.section_name(section),
                    target,
                })?;
        let start = build.place(callee, self.elf.sections[section].data);
        let target_pc = start + (target as usize - callee.start);
        let rel = i32::try_from(target_pc as i64 - pc as i64 - 1).map_err(|_| {
            RelocError::NoFunction {
                section: self.elf.section_name(section),
                target,
            }
        })?;
        let function = callee.name.clone();
        let is_call = decode_one(raw, 0).is_ok_and(|i| i.spec().semantics == Semantics::CallLocal);
        if is_call {
            build.out[pc].imm = rel;
            Ok(RelocationKind::Call {
                function,
                target: target_pc,
            })
        } else {
            // The offset sits in the low half; the second slot's immediate stays 0.
            build.write_lddw(pc, end, Op::LddwFunc, i64::from(rel as u32))?;
            Ok(RelocationKind::FunctionPointer {
                function,
                target: target_pc,
            })
        }
    }
}
