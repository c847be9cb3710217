//! The entry glue and the fault exit, the same bytes for every program: assembled
//! once per process as a template, then copied after each program with the call
//! into the program patched and the fault exit bound.
//!
//! The glue saves the host's callee-saved registers, keeps the stack pointer in the
//! context block, loads r0-r10 from it and calls the program; the fault exit
//! restores the stack pointer, returns 0 and leaves through the same epilogue.

use super::emitter::Emitter;
use super::regs::{host, CTX};
use crate::context::offsets;
use crate::error::JitError;
use dynasmrt::{AssemblyOffset, DynamicLabel, DynasmApi, DynasmLabelApi};
use std::sync::OnceLock;

/// Host callee-saved registers the entry glue preserves for its Rust caller.
const CALLEE_SAVED: [u8; 6] = [5, 3, 12, 13, 14, 15];

/// The assembled glue and where its variable parts sit.
#[derive(Debug)]
pub struct Glue {
    code: Vec<u8>,
    /// rel32 of the `call` into the program.
    call_at: usize,
    /// Start of the fault exit.
    fault_exit_at: usize,
}

/// The process's template (assembled on first use).
static GLUE: OnceLock<Option<Glue>> = OnceLock::new();

impl Glue {
    /// Assembles the glue at offset 0.
    fn new() -> Result<Glue, JitError> {
        let mut t = Emitter::default();
        for r in CALLEE_SAVED {
            x64!(t, push Rq(r));
        }
        x64!(t,
            mov Rq(CTX), rdi
            ; mov QWORD [Rq(CTX) + offsets::SAVED_SP], rsp
        );
        for r in 0..11u8 {
            x64!(t, mov Rq(host(r)), QWORD [Rq(CTX) + offsets::reg(usize::from(r))]);
        }
        x64!(t, sub rsp, BYTE 8);
        t.append(&[0xe8, 0, 0, 0, 0]);
        let call_at = t.len() - 4;
        let epilogue = t.new_dynamic_label();
        x64!(t, add rsp, BYTE 8 ; =>epilogue);
        for r in CALLEE_SAVED.iter().rev() {
            x64!(t, pop Rq(*r));
        }
        x64!(t, ret);
        let fault_exit_at = t.len();
        x64!(t,
            mov rsp, QWORD [Rq(CTX) + offsets::SAVED_SP]
            ; xor eax, eax
            ; jmp =>epilogue
        );
        let mut code = vec![0; t.len()];
        t.write_to(&mut code)?;
        Ok(Glue {
            code,
            call_at,
            fault_exit_at,
        })
    }

    /// Appends the glue, calling the program at `entry` (a bound label) and binding
    /// `fault_exit`; returns where the glue starts.
    pub fn emit(
        ops: &mut Emitter,
        entry: DynamicLabel,
        fault_exit: DynamicLabel,
    ) -> Result<AssemblyOffset, JitError> {
        let glue = GLUE
            .get_or_init(|| Glue::new().ok())
            .as_ref()
            .ok_or_else(|| JitError::Emit("entry glue does not assemble".into()))?;
        let entry = ops
            .bound(entry)
            .ok_or_else(|| JitError::Emit("program entry not bound".into()))?;
        let at = ops.len();
        ops.append(&glue.code);
        ops.rel32_to(at + glue.call_at, entry);
        ops.bind_at(fault_exit, at + glue.fault_exit_at);
        Ok(AssemblyOffset(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_resolves_like_assembling_in_place() {
        let mut ours = Emitter::default();
        let (entry, exit) = (ours.new_dynamic_label(), ours.new_dynamic_label());
        ours.dynamic_label(entry);
        x64!(ours, ret ; jmp =>exit);
        let start = Glue::emit(&mut ours, entry, exit).unwrap();
        let mut got = vec![0; ours.len()];
        ours.write_to(&mut got).unwrap();

        let mut theirs = dynasmrt::VecAssembler::<dynasmrt::x64::X64Relocation>::new(0);
        let (entry, exit, epilogue) = (
            theirs.new_dynamic_label(),
            theirs.new_dynamic_label(),
            theirs.new_dynamic_label(),
        );
        dynasmrt::dynasm!(theirs ; .arch x64 ; =>entry ; ret ; jmp =>exit);
        assert_eq!(start.0, theirs.offset().0);
        for r in CALLEE_SAVED {
            dynasmrt::dynasm!(theirs ; .arch x64 ; push Rq(r));
        }
        dynasmrt::dynasm!(theirs ; .arch x64
            ; mov Rq(CTX), rdi
            ; mov QWORD [Rq(CTX) + offsets::SAVED_SP], rsp
        );
        for r in 0..11u8 {
            dynasmrt::dynasm!(theirs ; .arch x64
                ; mov Rq(host(r)), QWORD [Rq(CTX) + offsets::reg(usize::from(r))]);
        }
        dynasmrt::dynasm!(theirs ; .arch x64
            ; sub rsp, BYTE 8 ; call =>entry ; add rsp, BYTE 8 ; =>epilogue);
        for r in CALLEE_SAVED.iter().rev() {
            dynasmrt::dynasm!(theirs ; .arch x64 ; pop Rq(*r));
        }
        dynasmrt::dynasm!(theirs ; .arch x64
            ; ret
            ; =>exit
            ; mov rsp, QWORD [Rq(CTX) + offsets::SAVED_SP]
            ; xor eax, eax
            ; jmp =>epilogue
        );
        assert_eq!(got, theirs.finalize().unwrap());
    }
}
