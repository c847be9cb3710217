//! Direct encodings of the forms the body of nearly every program is made of
//! (register and immediate ALU forms, compares, loads and stores), written with
//! one capacity check per instruction, without dynasm-rs's generic handling of
//! run-time registers: no REX prefix unless a register or the width needs one,
//! `disp8` or no displacement and no SIB byte unless the base needs one, `imm8`
//! forms where the immediate fits. Rarer forms stay with `x64!`.

use super::emitter::Emitter;
use ferrobpf_vm::isa::Size;

/// Group-1 ALU operations (`/digit` of opcodes 81/83, and `8*digit + 1` for the
/// `op r/m, reg` form).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Group1 {
    /// `add`
    Add = 0,
    /// `or`
    Or = 1,
    /// `and`
    And = 4,
    /// `sub`
    Sub = 5,
    /// `xor`
    Xor = 6,
    /// `cmp`
    Cmp = 7,
}

/// Opcode of `mov r/m, reg` (`op r/m, reg` forms take it as their `opcode`).
pub const MOV: u8 = 0x89;
/// Opcode of `imul reg, r/m` (destination in ModRM.reg).
pub const IMUL: [u8; 2] = [0x0f, 0xaf];
/// Opcode of `cmp r/m, reg`.
pub const CMP: u8 = Group1::Cmp as u8 * 8 + 1;
/// Opcode of `test r/m, reg`.
pub const TEST: u8 = 0x85;

/// One instruction (at most 16 bytes) written straight into the emitter's room
/// after the code, then committed with its length: no staging copy, and no read
/// back of bytes just stored.
struct Insn<'a> {
    room: &'a mut [u8; 16],
    len: usize,
}

impl Insn<'_> {
    #[inline(always)]
    fn byte(&mut self, b: u8) {
        self.room[self.len & 15] = b;
        self.len += 1;
    }

    #[inline(always)]
    fn imm32(&mut self, v: i32) {
        for b in v.to_le_bytes() {
            self.byte(b);
        }
    }

    /// Opcode, ModRM and immediate: `opcodes[0]` with an `imm8` when `imm` fits a
    /// byte, else `opcodes[1]` with an `imm32`.
    #[inline(always)]
    fn imm_form(&mut self, opcodes: [u8; 2], modrm: u8, imm: i32) {
        match i8::try_from(imm) {
            Ok(b) => {
                self.byte(opcodes[0]);
                self.byte(modrm);
                self.byte(b as u8);
            }
            Err(_) => {
                self.byte(opcodes[1]);
                self.byte(modrm);
                self.imm32(imm);
            }
        }
    }

    /// REX if needed: `w` 64-bit operand, `reg` in ModRM.reg, `rm` in ModRM.rm or
    /// the SIB base; `byte_reg` when `reg` is a byte register (spl-dil need REX).
    #[inline(always)]
    fn rex(&mut self, w: bool, reg: u8, rm: u8, byte_reg: bool) {
        let bits = (u8::from(w) << 3) | ((reg & 8) >> 1) | ((rm & 8) >> 3);
        if bits != 0 || (byte_reg && (4..8).contains(&reg)) {
            self.byte(0x40 | bits);
        }
    }

    /// ModRM (and SIB, displacement) for `reg` and the memory operand `[base + disp]`.
    #[inline(always)]
    fn mem(&mut self, reg: u8, base: u8, disp: i32) {
        let r = (reg & 7) << 3;
        let b = base & 7;
        let small = i8::try_from(disp);
        let mode = match small {
            // [rbp]/[r13] with mod 00 would mean rip-relative: they take a disp8 of 0.
            Ok(0) if b != 5 => 0x00,
            Ok(_) => 0x40,
            Err(_) => 0x80,
        };
        self.byte(mode | r | b);
        if b == 4 {
            // [rsp]/[r12] need a SIB byte: no index, that base.
            self.byte(0x24);
        }
        match (mode, small) {
            (0x40, Ok(d)) => self.byte(d as u8),
            (0x80, _) => self.imm32(disp),
            _ => {}
        }
    }
}

impl Emitter {
    /// Appends the instruction `write` writes into 16 bytes of room (the room that
    /// it leaves unused is cut off again).
    #[inline(always)]
    fn put(&mut self, write: impl FnOnce(&mut Insn<'_>)) {
        let (code, at) = self.room16();
        let mut len = 0;
        if let Some(room) = code
            .get_mut(at..)
            .and_then(|r| <&mut [u8; 16]>::try_from(r).ok())
        {
            let mut i = Insn { room, len: 0 };
            write(&mut i);
            len = i.len.min(16);
        }
        code.truncate(at + len);
    }
}

/// A store's prefix, REX, opcode (`opcodes[0]` for bytes, else `opcodes[1]`) and
/// memory operand, with `reg` in ModRM.reg (a source register or an opcode digit).
fn store_head(i: &mut Insn<'_>, size: Size, opcodes: [u8; 2], reg: u8, base: u8, disp: i32) {
    if size == Size::H {
        i.byte(0x66);
    }
    let byte = size == Size::B;
    i.rex(size == Size::DW, reg, base, byte);
    i.byte(if byte { opcodes[0] } else { opcodes[1] });
    i.mem(reg, base, disp);
}

impl Emitter {
    /// `opcode r/m, reg` between registers (`mov`, `test`, or a [`Group1`] op as
    /// `8 * op + 1`), 64- or 32-bit.
    pub fn rr(&mut self, opcode: u8, w64: bool, rm: u8, reg: u8) {
        self.put(|i| {
            i.rex(w64, reg, rm, false);
            i.byte(opcode);
            i.byte(0xc0 | ((reg & 7) << 3) | (rm & 7));
        });
    }

    /// A [`Group1`] op of register `rm` with an immediate (`imm8` form if it fits).
    pub fn ri(&mut self, op: Group1, w64: bool, rm: u8, imm: i32) {
        self.put(|i| {
            i.rex(w64, 0, rm, false);
            i.imm_form([0x83, 0x81], 0xc0 | ((op as u8) << 3) | (rm & 7), imm);
        });
    }

    /// `mov r32, imm32` (zero-extends into the 64-bit register).
    pub fn mov_imm32(&mut self, dst: u8, imm: u32) {
        self.put(|i| {
            i.rex(false, 0, dst, false);
            i.byte(0xb8 | (dst & 7));
            i.imm32(imm as i32);
        });
    }

    /// `mov r64, imm32` sign-extended (`REX.W c7 /0 id`).
    pub fn mov_sx_imm32(&mut self, dst: u8, imm: i32) {
        self.put(|i| {
            i.rex(true, 0, dst, false);
            i.byte(0xc7);
            i.byte(0xc0 | (dst & 7));
            i.imm32(imm);
        });
    }

    /// A shift of register `rm` by a constant count: `c1 /digit ib` (`digit` 4 `shl`,
    /// 5 `shr`, 7 `sar`).
    pub fn shift_imm(&mut self, digit: u8, w64: bool, rm: u8, count: u8) {
        self.put(|i| {
            i.rex(w64, 0, rm, false);
            i.byte(0xc1);
            i.byte(0xc0 | ((digit & 7) << 3) | (rm & 7));
            i.byte(count);
        });
    }

    /// `imul dst, src, imm` (`6b /r ib` when the immediate fits a byte, else `69 /r id`).
    pub fn imul_imm(&mut self, w64: bool, dst: u8, src: u8, imm: i32) {
        self.put(|i| {
            i.rex(w64, dst, src, false);
            i.imm_form([0x6b, 0x69], 0xc0 | ((dst & 7) << 3) | (src & 7), imm);
        });
    }

    /// `lea dst, [base + disp]` (64-bit).
    pub fn lea(&mut self, dst: u8, base: u8, disp: i32) {
        self.put(|i| {
            i.rex(true, dst, base, false);
            i.byte(0x8d);
            i.mem(dst, base, disp);
        });
    }

    /// `op reg, opcode r/m` between registers for the two-operand forms whose
    /// destination is ModRM.reg (`0f af` imul).
    pub fn rr_reg_dst(&mut self, opcode: &[u8], w64: bool, reg: u8, rm: u8) {
        self.put(|i| {
            i.rex(w64, reg, rm, false);
            for &b in opcode {
                i.byte(b);
            }
            i.byte(0xc0 | ((reg & 7) << 3) | (rm & 7));
        });
    }

    /// Load of `size` from `[base + disp]` into `dst`, zero- or sign-extended to 64 bits.
    pub fn load(&mut self, size: Size, signed: bool, dst: u8, base: u8, disp: i32) {
        let (w, opcode): (bool, &[u8]) = match (size, signed) {
            (Size::B, false) => (false, &[0x0f, 0xb6]),
            (Size::B, true) => (true, &[0x0f, 0xbe]),
            (Size::H, false) => (false, &[0x0f, 0xb7]),
            (Size::H, true) => (true, &[0x0f, 0xbf]),
            (Size::W, false) => (false, &[0x8b]),
            (Size::W, true) => (true, &[0x63]),
            (Size::DW, _) => (true, &[0x8b]),
        };
        self.put(|i| {
            i.rex(w, dst, base, false);
            for &b in opcode {
                i.byte(b);
            }
            i.mem(dst, base, disp);
        });
    }

    /// Store of the low `size` bytes of `src` to `[base + disp]`.
    pub fn store(&mut self, size: Size, src: u8, base: u8, disp: i32) {
        self.put(|i| store_head(i, size, [0x88, 0x89], src, base, disp));
    }

    /// Store of `imm` (sign-extended for 8 bytes, truncated below 4) to `[base + disp]`.
    pub fn store_imm(&mut self, size: Size, imm: i32, base: u8, disp: i32) {
        self.put(|i| {
            store_head(i, size, [0xc6, 0xc7], 0, base, disp);
            match size {
                Size::B => i.byte(imm as u8),
                Size::H => {
                    for b in (imm as i16).to_le_bytes() {
                        i.byte(b);
                    }
                }
                Size::W | Size::DW => i.imm32(imm),
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dynasmrt::x64::X64Relocation;
    use dynasmrt::{dynasm, DynasmApi, VecAssembler};

    fn ours(f: impl FnOnce(&mut Emitter)) -> Vec<u8> {
        let mut e = Emitter::default();
        f(&mut e);
        let mut out = vec![0; e.len()];
        e.write_to(&mut out).unwrap();
        out
    }

    fn theirs(f: impl FnOnce(&mut VecAssembler<X64Relocation>)) -> Vec<u8> {
        let mut a = VecAssembler::new(0);
        f(&mut a);
        a.finalize().unwrap()
    }

    /// Registers usable as base, source or destination (rsp only as a base).
    const REGS: [u8; 15] = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
    const DISPS: [i32; 6] = [0, 1, -8, 127, -129, 100_000];

    /// Where dynasm-rs knows the registers at compile time it emits the minimal
    /// encoding too: ours must be byte for byte the same.
    #[test]
    fn register_forms_match_dynasm_with_static_registers() {
        assert_eq!(
            ours(|e| e.rr(MOV, true, 0, 7)),
            theirs(|a| dynasm!(a ; .arch x64 ; mov rax, rdi))
        );
        assert_eq!(
            ours(|e| e.rr(Group1::Add as u8 * 8 + 1, false, 13, 2)),
            theirs(|a| dynasm!(a ; .arch x64 ; add r13d, edx))
        );
        assert_eq!(
            ours(|e| e.ri(Group1::Cmp, true, 2, 0x5b)),
            // cmp rdx, imm8 (dynasm-rs picks the imm32 form for a literal).
            vec![0x48, 0x83, 0xfa, 0x5b]
        );
        assert_eq!(
            ours(|e| e.ri(Group1::Sub, false, 9, 1000)),
            theirs(|a| dynasm!(a ; .arch x64 ; sub r9d, DWORD 1000))
        );
        assert_eq!(
            ours(|e| e.mov_imm32(8, 0xffff_e000)),
            theirs(|a| dynasm!(a ; .arch x64 ; mov r8d, DWORD 0xffff_e000_u32 as i32))
        );
        assert_eq!(
            ours(|e| e.mov_sx_imm32(9, -5)),
            theirs(|a| dynasm!(a ; .arch x64 ; mov r9, DWORD -5))
        );
        assert_eq!(
            ours(|e| e.shift_imm(4, true, 13, 3)),
            theirs(|a| dynasm!(a ; .arch x64 ; shl r13, BYTE 3))
        );
        assert_eq!(
            ours(|e| e.shift_imm(7, false, 0, 31)),
            theirs(|a| dynasm!(a ; .arch x64 ; sar eax, BYTE 31))
        );
        assert_eq!(
            ours(|e| e.imul_imm(false, 8, 8, 16_777_619)),
            theirs(|a| dynasm!(a ; .arch x64 ; imul r8d, r8d, DWORD 16_777_619))
        );
        assert_eq!(
            ours(|e| e.imul_imm(true, 3, 14, -3)),
            theirs(|a| dynasm!(a ; .arch x64 ; imul rbx, r14, BYTE -3))
        );
        assert_eq!(
            ours(|e| e.lea(11, 13, -8)),
            theirs(|a| dynasm!(a ; .arch x64 ; lea r11, [r13 - 8]))
        );
        assert_eq!(
            ours(|e| e.lea(11, 12, 0)),
            theirs(|a| dynasm!(a ; .arch x64 ; lea r11, [r12]))
        );
        assert_eq!(
            ours(|e| e.rr_reg_dst(&[0x0f, 0xaf], true, 3, 14)),
            theirs(|a| dynasm!(a ; .arch x64 ; imul rbx, r14))
        );
    }

    #[test]
    fn memory_forms_match_dynasm_with_static_registers() {
        let cases: [(Vec<u8>, Vec<u8>); 10] = [
            (
                ours(|e| e.load(Size::B, false, 3, 3, 0)),
                theirs(|a| dynasm!(a ; .arch x64 ; movzx ebx, BYTE [rbx])),
            ),
            (
                ours(|e| e.load(Size::DW, false, 0, 5, -8)),
                theirs(|a| dynasm!(a ; .arch x64 ; mov rax, QWORD [rbp - 8])),
            ),
            (
                ours(|e| e.load(Size::H, true, 13, 12, 300)),
                theirs(|a| dynasm!(a ; .arch x64 ; movsx r13, WORD [r12 + 300])),
            ),
            (
                ours(|e| e.load(Size::W, true, 1, 13, 0)),
                theirs(|a| dynasm!(a ; .arch x64 ; movsxd rcx, DWORD [r13 + 0])),
            ),
            (
                ours(|e| e.load(Size::W, false, 8, 11, 0)),
                theirs(|a| dynasm!(a ; .arch x64 ; mov r8d, DWORD [r11])),
            ),
            (
                ours(|e| e.store(Size::B, 6, 14, 1)),
                theirs(|a| dynasm!(a ; .arch x64 ; mov BYTE [r14 + 1], sil)),
            ),
            (
                ours(|e| e.store(Size::H, 9, 7, -129)),
                theirs(|a| dynasm!(a ; .arch x64 ; mov WORD [rdi - 129], r9w)),
            ),
            (
                ours(|e| e.store(Size::DW, 2, 5, -8)),
                theirs(|a| dynasm!(a ; .arch x64 ; mov QWORD [rbp - 8], rdx)),
            ),
            (
                ours(|e| e.store_imm(Size::H, -2, 4, 8)),
                theirs(|a| dynasm!(a ; .arch x64 ; mov WORD [rsp + 8], WORD -2)),
            ),
            (
                ours(|e| e.store_imm(Size::DW, -1, 15, 0)),
                theirs(|a| dynasm!(a ; .arch x64 ; mov QWORD [r15], DWORD -1)),
            ),
        ];
        for (i, (o, t)) in cases.iter().enumerate() {
            assert_eq!(o, t, "case {i}");
        }
    }

    /// Every (register, base, displacement) combination decodes back to itself
    /// (REX, ModRM, SIB and displacement read by the CPU's rules).
    #[test]
    fn modrm_round_trips_for_every_base_and_displacement() {
        for reg in REGS {
            for base in REGS.iter().copied().chain([4]) {
                for disp in DISPS {
                    let code = ours(|e| e.load(Size::DW, false, reg, base, disp));
                    let rex = code[0];
                    assert_eq!(rex & 0xf8, 0x48);
                    assert_eq!(code[1], 0x8b);
                    let modrm = code[2];
                    let got_reg = ((rex & 4) << 1) | ((modrm >> 3) & 7);
                    let got_base = ((rex & 1) << 3) | (modrm & 7);
                    assert_eq!((got_reg, got_base), (reg, base));
                    let mut at = 3;
                    if modrm & 7 == 4 {
                        assert_eq!(code[at], 0x24);
                        at += 1;
                    }
                    let got_disp = match modrm >> 6 {
                        0 => {
                            assert_ne!(modrm & 7, 5, "rip-relative");
                            0
                        }
                        1 => i32::from(code[at] as i8),
                        2 => i32::from_le_bytes(code[at..at + 4].try_into().unwrap()),
                        _ => panic!("register form"),
                    };
                    assert_eq!(got_disp, disp, "reg {reg} base {base}");
                    let len = at + [0, 1, 4][usize::from(modrm >> 6)];
                    assert_eq!(code.len(), len);
                }
            }
        }
    }
}
