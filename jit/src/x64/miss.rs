//! The out-of-line code of a checked access's window miss, assembled once per
//! compilation as a template (its stack bounds depend only on the frame size) and
//! then copied per access with the access's size, packed miss and jumps patched in:
//! a copy and five patches instead of ten instructions assembled one by one.
//!
//! The inline half of the check (the address against the window of its kind and
//! size, in the context block) is a template too, one per kind and size
//! ([`WindowCheck`]).
//!
//! The code: if the address is in the live stack (at or above one frame below r10,
//! and its last byte at or below the stack top) resume at once; else load the packed
//! miss into TMP and call the lookup stub, then resume.

use super::emitter::Emitter;
use super::regs::TMP;
use crate::context::offsets;
use crate::error::JitError;
use dynasmrt::DynasmApi;

/// Placeholder of the access size in the template (a value no access has).
const SIZE_MARK: i32 = 0x7eee_eeee;
/// Placeholder of the packed miss in the template.
const PACKED_MARK: i64 = 0x7ddd_dddd_dddd_dddd;

/// The template and where its variable fields sit.
#[derive(Clone, Debug)]
pub struct MissTemplate {
    code: Vec<u8>,
    /// imm32 of `sub TMP, size`.
    size_at: usize,
    /// imm64 of `mov TMP, packed`.
    packed_at: usize,
    /// rel32 fields jumping back to the access (`jbe`, `jmp`).
    resume_at: [usize; 2],
    /// rel32 of `call` to the lookup stub.
    stub_at: usize,
}

impl MissTemplate {
    /// The template for frames of `frame` bytes.
    pub fn new(frame: i32) -> Result<MissTemplate, JitError> {
        let mut t = Emitter::default();
        x64!(t, lea Rq(TMP), [rbp - frame] ; cmp r11, Rq(TMP));
        // jb slow: short, its displacement set once the slow path's place is known.
        let jb = t.len();
        t.append(&[0x72, 0]);
        x64!(t,
            mov Rq(TMP), QWORD [r12 + offsets::STACK_TOP]
            ; sub Rq(TMP), DWORD SIZE_MARK
        );
        let size_at = t.len() - 4;
        x64!(t, cmp r11, Rq(TMP));
        t.append(&[0x0f, 0x86, 0, 0, 0, 0]);
        let jbe_at = t.len() - 4;
        let slow = t.len();
        x64!(t, mov Rq(TMP), QWORD PACKED_MARK);
        let packed_at = t.len() - 8;
        t.append(&[0xe8, 0, 0, 0, 0]);
        let stub_at = t.len() - 4;
        t.append(&[0xe9, 0, 0, 0, 0]);
        let jmp_at = t.len() - 4;
        let mut code = vec![0; t.len()];
        t.write_to(&mut code)?;
        let short = u8::try_from(slow - (jb + 2))
            .map_err(|_| JitError::Emit("miss template too long".into()))?;
        if let Some(rel) = code.get_mut(jb + 1) {
            *rel = short;
        }
        Ok(MissTemplate {
            code,
            size_at,
            packed_at,
            resume_at: [jbe_at, jmp_at],
            stub_at,
        })
    }

    /// Appends the miss code of one access at the emitter's position.
    pub fn emit(&self, ops: &mut Emitter, size: i32, packed: u64, resume: usize, stub: usize) {
        let at = ops.len();
        ops.append(&self.code);
        ops.patch(at + self.size_at, &size.to_le_bytes());
        ops.patch(at + self.packed_at, &packed.to_le_bytes());
        for field in self.resume_at {
            ops.rel32_to(at + field, resume);
        }
        ops.rel32_to(at + self.stub_at, stub);
    }
}

/// The inline window check of one access kind and size, after the address is in
/// ADDR: `cmp r11, [r12 + start]; jb miss; cmp r11, [r12 + last]; ja miss`.
#[derive(Clone, Debug)]
pub struct WindowCheck {
    code: Vec<u8>,
    /// rel32 fields of the two jumps to the miss path.
    miss_at: [usize; 2],
}

impl WindowCheck {
    /// The checks of every kind and size, indexed by `4 * store + log2(size)`.
    pub fn all() -> Vec<WindowCheck> {
        (0..8)
            .map(|kind| {
                let (start, last) = offsets::window(kind >= 4, kind % 4);
                WindowCheck::new(start, last)
            })
            .collect()
    }

    /// The check against the window whose bounds are at `start` and `last` in the
    /// context block.
    pub fn new(start: i32, last: i32) -> WindowCheck {
        let mut t = Emitter::default();
        x64!(t, cmp r11, QWORD [r12 + start]);
        t.append(&[0x0f, 0x82, 0, 0, 0, 0]);
        let first = t.len() - 4;
        x64!(t, cmp r11, QWORD [r12 + last]);
        t.append(&[0x0f, 0x87, 0, 0, 0, 0]);
        let second = t.len() - 4;
        WindowCheck {
            code: t.unresolved().to_vec(),
            miss_at: [first, second],
        }
    }

    /// Appends the check; returns where its two rel32 fields are, to be pointed at
    /// the miss path once it is placed ([`Emitter::rel32_to`]).
    pub fn emit(&self, ops: &mut Emitter) -> [usize; 2] {
        let at = ops.len();
        ops.append(&self.code);
        self.miss_at.map(|field| at + field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dynasmrt::DynasmLabelApi;

    #[test]
    fn window_check_matches_the_assembled_sequence() {
        let check = WindowCheck::new(0x40, 0x48);
        let mut ops = Emitter::default();
        let fields = check.emit(&mut ops);
        for field in fields {
            ops.rel32_to(field, ops.len());
        }
        let mut ours = vec![0; ops.len()];
        ops.write_to(&mut ours).unwrap();
        let mut theirs = dynasmrt::VecAssembler::<dynasmrt::x64::X64Relocation>::new(0);
        let l = theirs.new_dynamic_label();
        // Run-time displacements, as the back end has them (dynasm-rs then keeps disp32).
        let (start, last) = (0x40i32, 0x48i32);
        dynasmrt::dynasm!(theirs ; .arch x64
            ; cmp r11, QWORD [r12 + start] ; jb =>l
            ; cmp r11, QWORD [r12 + last] ; ja =>l ; =>l
        );
        assert_eq!(ours, theirs.finalize().unwrap());
    }

    #[test]
    fn fields_sit_where_the_template_says() {
        let t = MissTemplate::new(512).unwrap();
        assert_eq!(t.code[t.size_at..t.size_at + 4], SIZE_MARK.to_le_bytes());
        assert_eq!(
            t.code[t.packed_at..t.packed_at + 8],
            PACKED_MARK.to_le_bytes()
        );
        assert_eq!(t.code[t.stub_at - 1], 0xe8);
        assert_eq!(t.code[t.resume_at[1] - 1], 0xe9);
        assert_eq!(t.code[t.resume_at[0] - 2..t.resume_at[0]], [0x0f, 0x86]);
        assert_eq!(t.code.len(), t.resume_at[1] + 4);
    }

    #[test]
    fn copies_resolve_like_assembled_code() {
        let t = MissTemplate::new(512).unwrap();
        let mut ops = Emitter::default();
        ops.push(0x90);
        // Both the access and the lookup stub at 0, before the copy.
        t.emit(&mut ops, 8, 0x1234, 0, 0);
        let mut code = vec![0; ops.len()];
        ops.write_to(&mut code).unwrap();
        let base = 1;
        let rel = |f: usize| i32::from_le_bytes(code[base + f..base + f + 4].try_into().unwrap());
        let end = |f: usize| (base + f + 4) as i32;
        assert_eq!(rel(t.resume_at[0]), -end(t.resume_at[0]));
        assert_eq!(rel(t.resume_at[1]), -end(t.resume_at[1]));
        assert_eq!(rel(t.stub_at), -end(t.stub_at));
        assert_eq!(
            code[base + t.size_at..base + t.size_at + 4],
            8i32.to_le_bytes()
        );
    }
}
