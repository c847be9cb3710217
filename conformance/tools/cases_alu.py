# Copyright (c) ferrobpf authors
# SPDX-License-Identifier: MIT OR Apache-2.0
"""ALU (32- and 64-bit), byte swaps and LDDW tests. Expected values worked out by hand."""

from testdef import T


def p(*lines):
    return "\n".join(lines)


def r0_r1(v0, v1):
    """Loads r0 and r1 with 64-bit values."""
    return [f"lddw %r0, {v0:#x}", f"lddw %r1, {v1:#x}"]


TESTS = []


def t(name, what, lines, result):
    TESTS.append(T(name, what, p(*lines, "exit"), result=result))


# ---------------------------------------------------------------- ALU32 add/sub/mul
t("alu32-add-imm-wrap", "add32 by immediate wraps at 32 bits and clears the upper half",
  ["lddw %r0, 0x12345678fffffff0", "add32 %r0, 0x20"], 0x10)
t("alu32-add-imm-negative", "add32 with a negative immediate gives a 32-bit result",
  ["mov32 %r0, 5", "add32 %r0, -7"], 0xfffffffe)
t("alu32-add-reg-upper-ignored", "add32 by register uses only the low halves of both registers",
  r0_r1(0xffffffff00000001, 0xaaaaaaaa00000002) + ["add32 %r0, %r1"], 0x3)
t("alu32-add-reg-wrap", "add32 by register wraps to zero",
  r0_r1(0x00000000ffffffff, 0x0000000000000001) + ["add32 %r0, %r1"], 0x0)
t("alu32-sub-imm-borrow", "sub32 by immediate borrows within 32 bits only",
  ["lddw %r0, 0x0000000500000001", "sub32 %r0, 2"], 0xffffffff)
t("alu32-sub-reg-upper-ignored", "sub32 by register ignores the upper halves",
  r0_r1(0x0000000100000000, 0x0000000200000001) + ["sub32 %r0, %r1"], 0xffffffff)
t("alu32-sub-imm-negative", "sub32 of a negative immediate adds",
  ["mov32 %r0, 10", "sub32 %r0, -16"], 0x1a)
t("alu32-mul-imm-overflow", "mul32 by immediate keeps the low 32 bits of the product",
  ["mov32 %r0, 0x10000", "mul32 %r0, 0x10001"], 0x10000)
t("alu32-mul-imm-negative", "mul32 by -1 negates within 32 bits",
  ["lddw %r0, 0x7fffffff00000006", "mul32 %r0, -1"], 0xfffffffa)
t("alu32-mul-reg", "mul32 by register, upper halves ignored and cleared",
  r0_r1(0x7ffffffffffffffd, 0x1000000000000007) + ["mul32 %r0, %r1"], 0xffffffeb)
t("alu32-mul-reg-intmin-by-negone", "mul32 INT_MIN by -1 wraps back to INT_MIN",
  ["mov32 %r0, 0x80000000", "mov32 %r1, -1", "mul32 %r0, %r1"], 0x80000000)

# ---------------------------------------------------------------- ALU32 div/mod
t("alu32-div-imm", "div32 by immediate truncates",
  ["mov32 %r0, 100", "div32 %r0, 7"], 14)
t("alu32-div-imm-negative-is-unsigned", "div32 treats a negative immediate as a large unsigned divisor",
  ["mov32 %r0, -1", "div32 %r0, -2"], 1)
t("alu32-div-reg-unsigned", "div32 by register is unsigned",
  ["mov32 %r0, -1", "mov32 %r1, 2", "div32 %r0, %r1"], 0x7fffffff)
t("alu32-div-reg-upper-ignored", "div32 uses only the low 32 bits of both operands",
  r0_r1(0x0000000100000064, 0x000000050000000a) + ["div32 %r0, %r1"], 10)
t("alu32-div-by-zero-imm", "div32 by an immediate zero gives zero",
  ["lddw %r0, 0xdeadbeef00001234", "div32 %r0, 0"], 0)
t("alu32-div-by-zero-reg", "div32 by a zero register gives zero",
  ["lddw %r0, 0xdeadbeef00001234", "mov %r1, 0", "div32 %r0, %r1"], 0)
t("alu32-div-by-zero-reg-upper-set", "div32 by a register whose low half is zero gives zero",
  r0_r1(0xdeadbeef00001234, 0x0000000100000000) + ["div32 %r0, %r1"], 0)
t("alu32-mod-imm", "mod32 by immediate",
  ["mov32 %r0, 100", "mod32 %r0, 7"], 2)
t("alu32-mod-reg-unsigned", "mod32 by register is unsigned and clears the upper half",
  ["lddw %r0, 0x55555555ffffffff", "mov32 %r1, 10", "mod32 %r0, %r1"], 5)
t("alu32-mod-imm-negative-is-unsigned", "mod32 treats a negative immediate as unsigned",
  ["mov32 %r0, -1", "mod32 %r0, -2"], 1)
t("alu32-mod-by-zero-imm", "mod32 by an immediate zero keeps dst and clears its upper half",
  ["lddw %r0, 0xffffffff80000001", "mod32 %r0, 0"], 0x80000001)
t("alu32-mod-by-zero-reg", "mod32 by a zero register keeps dst and clears its upper half",
  ["lddw %r0, 0xffffffff80000001", "mov %r1, 0", "mod32 %r0, %r1"], 0x80000001)
t("alu32-mod-by-zero-reg-upper-set", "mod32 by a register whose low half is zero keeps dst (32-bit)",
  r0_r1(0x1234567800000009, 0xffffffff00000000) + ["mod32 %r0, %r1"], 9)
t("alu32-sdiv-imm", "sdiv32 negative by positive immediate truncates toward zero",
  ["mov32 %r0, -100", "sdiv32 %r0, 7"], 0xfffffff2)
t("alu32-sdiv-imm-neg-by-neg", "sdiv32 negative by negative immediate is positive",
  ["mov32 %r0, -100", "sdiv32 %r0, -7"], 14)
t("alu32-sdiv-reg-pos-by-neg", "sdiv32 positive by negative register",
  ["lddw %r0, 0xffffffff00000064", "mov32 %r1, -7", "sdiv32 %r0, %r1"], 0xfffffff2)
t("alu32-sdiv-reg-truncates-toward-zero", "sdiv32 -7 / 2 is -3, not -4",
  ["mov32 %r0, -7", "mov32 %r1, 2", "sdiv32 %r0, %r1"], 0xfffffffd)
t("alu32-sdiv-intmin-by-negone-imm", "sdiv32 INT_MIN / -1 by immediate gives INT_MIN",
  ["mov32 %r0, 0x80000000", "sdiv32 %r0, -1"], 0x80000000)
t("alu32-sdiv-intmin-by-negone-reg", "sdiv32 INT_MIN / -1 by register gives INT_MIN",
  ["lddw %r0, 0xffffffff80000000", "mov %r1, -1", "sdiv32 %r0, %r1"], 0x80000000)
t("alu32-sdiv-by-zero-imm", "sdiv32 by an immediate zero gives zero",
  ["mov32 %r0, -5", "sdiv32 %r0, 0"], 0)
t("alu32-sdiv-by-zero-reg", "sdiv32 by a zero register gives zero",
  ["lddw %r0, 0xfffffffffffffffb", "mov %r1, 0", "sdiv32 %r0, %r1"], 0)
t("alu32-sdiv-reg-upper-ignored", "sdiv32 reads only the low halves as signed 32-bit values",
  r0_r1(0x00000001fffffff0, 0x00000000fffffffe) + ["sdiv32 %r0, %r1"], 8)
t("alu32-smod-imm-neg-by-pos", "smod32 result takes the sign of the dividend",
  ["mov32 %r0, -100", "smod32 %r0, 7"], 0xfffffffe)
t("alu32-smod-imm-pos-by-neg", "smod32 positive by negative immediate is positive",
  ["mov32 %r0, 100", "smod32 %r0, -7"], 2)
t("alu32-smod-reg-neg-by-neg", "smod32 negative by negative register is negative",
  ["mov32 %r0, -100", "mov32 %r1, -7", "smod32 %r0, %r1"], 0xfffffffe)
t("alu32-smod-reg-minus7-by-2", "smod32 -7 % 2 is -1",
  ["mov32 %r0, -7", "mov32 %r1, 2", "smod32 %r0, %r1"], 0xffffffff)
t("alu32-smod-intmin-by-negone-imm", "smod32 INT_MIN % -1 by immediate is zero",
  ["mov32 %r0, 0x80000000", "smod32 %r0, -1"], 0)
t("alu32-smod-intmin-by-negone-reg", "smod32 INT_MIN % -1 by register is zero",
  ["mov32 %r0, 0x80000000", "mov32 %r1, -1", "smod32 %r0, %r1"], 0)
t("alu32-smod-by-zero-imm", "smod32 by an immediate zero keeps dst and clears its upper half",
  ["lddw %r0, 0xfffffffffffffff9", "smod32 %r0, 0"], 0xfffffff9)
t("alu32-smod-by-zero-reg", "smod32 by a zero register keeps dst and clears its upper half",
  ["lddw %r0, 0xfffffffffffffff9", "mov %r1, 0", "smod32 %r0, %r1"], 0xfffffff9)

# ---------------------------------------------------------------- ALU32 bitwise/mov/neg
t("alu32-or-imm", "or32 by immediate clears the upper half",
  ["lddw %r0, 0xffffffff00f00000", "or32 %r0, 0x0f"], 0x00f0000f)
t("alu32-or-reg", "or32 by register ignores the upper half of src",
  r0_r1(0x1111111100000f00, 0xffffffff000000f0) + ["or32 %r0, %r1"], 0xff0)
t("alu32-and-imm-negative", "and32 with a negative immediate masks low bits",
  ["lddw %r0, 0xffffffff12345678", "and32 %r0, -256"], 0x12345600)
t("alu32-and-reg", "and32 by register clears the upper half",
  r0_r1(0xffffffffff00ff00, 0xffffffff0ff00ff0) + ["and32 %r0, %r1"], 0x0f000f00)
t("alu32-xor-imm-all-ones", "xor32 with -1 inverts only the low half",
  ["lddw %r0, 0xffff0000aaaaaaaa", "xor32 %r0, -1"], 0x55555555)
t("alu32-xor-reg-self", "xor32 of a register with itself is zero",
  ["lddw %r0, 0x123456789abcdef0", "xor32 %r0, %r0"], 0)
t("alu32-mov-imm-negative", "mov32 of -1 does not sign-extend",
  ["lddw %r0, 0x1122334455667788", "mov32 %r0, -1"], 0xffffffff)
t("alu32-mov-imm-hex-high", "mov32 of 0x80000000 stays 32-bit",
  ["mov32 %r0, 0x80000000"], 0x80000000)
t("alu32-mov-reg-truncates", "mov32 by register copies the low half only",
  ["lddw %r1, 0xffffffff80000000", "mov32 %r0, %r1"], 0x80000000)
t("alu32-mov-reg-self", "mov32 of a register onto itself clears its upper half",
  ["lddw %r0, 0x0000000123456789", "mov32 %r0, %r0"], 0x23456789)
t("alu32-neg", "neg32 negates the low half and clears the upper half",
  ["lddw %r0, 0xaaaaaaaa00000005", "neg32 %r0"], 0xfffffffb)
t("alu32-neg-zero", "neg32 of a value with a zero low half is zero",
  ["lddw %r0, 0xffffffff00000000", "neg32 %r0"], 0)
t("alu32-neg-intmin", "neg32 of INT_MIN is INT_MIN",
  ["mov32 %r0, 0x80000000", "neg32 %r0"], 0x80000000)

# ---------------------------------------------------------------- ALU32 shifts
t("alu32-lsh-imm", "lsh32 by 31 moves bit 0 to bit 31 and clears the upper half",
  ["lddw %r0, 0xffffffff00000001", "lsh32 %r0, 31"], 0x80000000)
t("alu32-lsh-imm-drops-bits", "lsh32 drops bits shifted past bit 31",
  ["mov32 %r0, 0x12345678", "lsh32 %r0, 8"], 0x34567800)
t("alu32-lsh-reg", "lsh32 by register",
  ["mov32 %r0, 0x0f", "mov %r1, 4", "lsh32 %r0, %r1"], 0xf0)
t("alu32-lsh-reg-masked-33", "lsh32 by register 33 shifts by 33 & 31 = 1",
  ["mov32 %r0, 1", "mov %r1, 33", "lsh32 %r0, %r1"], 2)
t("alu32-lsh-reg-masked-32", "lsh32 by register 32 shifts by 0 but still clears the upper half",
  ["lddw %r0, 0xffffffff00000003", "mov %r1, 32", "lsh32 %r0, %r1"], 3)
t("alu32-lsh-reg-masked-negative", "lsh32 by register -1 shifts by 31",
  ["mov32 %r0, 1", "mov %r1, -1", "lsh32 %r0, %r1"], 0x80000000)
t("alu32-lsh-imm-out-of-range", "lsh32 by immediate 33 is masked to 1 (RFC 9669; the kernel refuses it)",
  ["mov32 %r0, 1", "lsh32 %r0, 33"], 2)
t("alu32-rsh-imm", "rsh32 is a logical shift of the low half",
  ["lddw %r0, 0xffffffff80000000", "rsh32 %r0, 4"], 0x08000000)
t("alu32-rsh-reg", "rsh32 by register",
  ["mov32 %r0, 0xf0", "mov %r1, 4", "rsh32 %r0, %r1"], 0xf)
t("alu32-rsh-reg-masked-36", "rsh32 by register 36 shifts by 4",
  ["mov32 %r0, 0x80000000", "mov %r1, 36", "rsh32 %r0, %r1"], 0x08000000)
t("alu32-rsh-reg-masked-63", "rsh32 by register 63 shifts by 31",
  ["lddw %r0, 0x00000001ffffffff", "mov %r1, 63", "rsh32 %r0, %r1"], 1)
t("alu32-rsh-imm-out-of-range", "rsh32 by immediate 32 is masked to 0 (RFC 9669; the kernel refuses it)",
  ["lddw %r0, 0x1111111180000000", "rsh32 %r0, 32"], 0x80000000)
t("alu32-arsh-imm", "arsh32 fills with the 32-bit sign and clears the upper half",
  ["mov32 %r0, 0x80000000", "arsh32 %r0, 4"], 0xf8000000)
t("alu32-arsh-imm-positive", "arsh32 of a positive value is a logical shift",
  ["lddw %r0, 0xffffffff40000000", "arsh32 %r0, 4"], 0x04000000)
t("alu32-arsh-imm-upper-ignored", "arsh32 takes the sign from bit 31, not bit 63",
  ["lddw %r0, 0x8000000000000010", "arsh32 %r0, 1"], 8)
t("alu32-arsh-reg", "arsh32 by register 31 spreads the sign bit",
  ["mov32 %r0, 0x80000000", "mov %r1, 31", "arsh32 %r0, %r1"], 0xffffffff)
t("alu32-arsh-reg-masked-33", "arsh32 by register 33 shifts by 1",
  ["mov32 %r0, 0x80000000", "mov %r1, 33", "arsh32 %r0, %r1"], 0xc0000000)
t("alu32-arsh-imm-out-of-range", "arsh32 by immediate 40 is masked to 8 (RFC 9669; the kernel refuses it)",
  ["mov32 %r0, 0x80000000", "arsh32 %r0, 40"], 0xff800000)

# ---------------------------------------------------------------- MOVSX
t("movsx832-negative", "movsx832 sign-extends bit 7 to 32 bits, upper half zero",
  ["lddw %r1, 0x1234567812345680", "movsx832 %r0, %r1"], 0xffffff80)
t("movsx832-positive", "movsx832 of a positive byte",
  ["lddw %r1, 0xffffffffffffff7f", "movsx832 %r0, %r1"], 0x7f)
t("movsx1632-negative", "movsx1632 sign-extends bit 15 to 32 bits, upper half zero",
  ["lddw %r1, 0x0000000000008001", "movsx1632 %r0, %r1"], 0xffff8001)
t("movsx1632-positive", "movsx1632 of a positive halfword",
  ["lddw %r1, 0xffffffffffff7fff", "movsx1632 %r0, %r1"], 0x7fff)
t("movsx864-negative", "movsx864 sign-extends bit 7 to 64 bits",
  ["mov32 %r1, 0x180", "movsx864 %r0, %r1"], 0xffffffffffffff80)
t("movsx864-positive", "movsx864 of a positive byte",
  ["lddw %r1, 0xffffffffffffff01", "movsx864 %r0, %r1"], 0x1)
t("movsx1664-negative", "movsx1664 sign-extends bit 15 to 64 bits",
  ["mov32 %r1, 0x8000", "movsx1664 %r0, %r1"], 0xffffffffffff8000)
t("movsx1664-positive", "movsx1664 of a positive halfword",
  ["lddw %r1, 0x8000000000001234", "movsx1664 %r0, %r1"], 0x1234)
t("movsx3264-negative", "movsx3264 sign-extends bit 31 to 64 bits",
  ["mov32 %r1, 0x80000000", "movsx3264 %r0, %r1"], 0xffffffff80000000)
t("movsx3264-positive", "movsx3264 of a positive word drops the upper half",
  ["lddw %r1, 0xabcdef017fffffff", "movsx3264 %r0, %r1"], 0x7fffffff)
t("movsx864-same-register", "movsx864 with the same source and destination register",
  ["mov32 %r0, 0xfe", "movsx864 %r0, %r0"], 0xfffffffffffffffe)

# ---------------------------------------------------------------- ALU64 add/sub/mul
t("alu64-add-imm-negative", "add with a negative immediate sign-extends it",
  ["lddw %r0, 0x0000000100000000", "add %r0, -1"], 0xffffffff)
t("alu64-add-imm-carry", "add carries into the upper half",
  ["lddw %r0, 0x00000000ffffffff", "add %r0, 1"], 0x100000000)
t("alu64-add-reg-wrap", "add by register wraps at 64 bits",
  ["lddw %r0, 0xffffffffffffffff", "mov %r1, 2", "add %r0, %r1"], 1)
t("alu64-sub-imm-borrow", "sub below zero wraps to all ones",
  ["mov %r0, 0", "sub %r0, 1"], 0xffffffffffffffff)
t("alu64-sub-imm-negative", "sub with a negative immediate adds the sign-extended value",
  ["lddw %r0, 0x00000000ffffffff", "sub %r0, -1"], 0x100000000)
t("alu64-sub-reg", "sub by register borrows from the upper half",
  ["lddw %r0, 0x0000000100000000", "mov %r1, 1", "sub %r0, %r1"], 0xffffffff)
t("alu64-mul-imm", "mul by immediate keeps 64 bits",
  ["lddw %r0, 0x0000000100000001", "mul %r0, 0x10"], 0x1000000010)
t("alu64-mul-imm-negative", "mul by a negative immediate",
  ["mov %r0, 3", "mul %r0, -2"], 0xfffffffffffffffa)
t("alu64-mul-reg-overflow", "mul keeps the low 64 bits of the product",
  ["lddw %r0, 0x8000000000000001", "mov %r1, 2", "mul %r0, %r1"], 2)
t("alu64-mul-reg-upper-halves", "mul of two values above 2^32 wraps to zero",
  r0_r1(0x100000000, 0x100000000) + ["mul %r0, %r1"], 0)

# ---------------------------------------------------------------- ALU64 div/mod
t("alu64-div-imm", "div by immediate",
  ["lddw %r0, 0x10000000000", "div %r0, 16"], 0x1000000000)
t("alu64-div-reg-unsigned", "div by register is unsigned",
  ["lddw %r0, 0xffffffffffffffff", "mov %r1, 2", "div %r0, %r1"], 0x7fffffffffffffff)
t("alu64-div-reg-large-divisor", "div by a divisor above 2^32",
  r0_r1(0x300000005, 0x100000000) + ["div %r0, %r1"], 3)
t("alu64-div-imm-negative-one", "div by immediate -1 divides by 2^64-1",
  ["lddw %r0, 0xffffffffffffffff", "div %r0, -1"], 1)
t("alu64-div-imm-negative-small-dividend", "div of a small value by a negative immediate is zero",
  ["mov %r0, 100", "div %r0, -1"], 0)
t("alu64-div-imm-negative-two", "div by immediate -2 (0xfffffffffffffffe)",
  ["lddw %r0, 0xffffffffffffffff", "div %r0, -2"], 1)
t("alu64-div-imm-hex-sign-extends", "div by immediate 0x80000000 divides by 0xffffffff80000000",
  ["lddw %r0, 0xffffffff80000000", "div %r0, 0x80000000"], 1)
t("alu64-div-by-zero-imm", "div by an immediate zero gives zero",
  ["lddw %r0, 0x123456789abcdef0", "div %r0, 0"], 0)
t("alu64-div-by-zero-reg", "div by a zero register gives zero",
  ["lddw %r0, 0x123456789abcdef0", "mov %r1, 0", "div %r0, %r1"], 0)
t("alu64-mod-imm", "mod by immediate",
  ["lddw %r0, 0x100000003", "mod %r0, 0x10"], 3)
t("alu64-mod-reg", "mod by register",
  r0_r1(0xffffffffffffffff, 0x100000000) + ["mod %r0, %r1"], 0xffffffff)
t("alu64-mod-imm-negative-one", "mod by immediate -1 of a small value keeps it",
  ["mov %r0, 100", "mod %r0, -1"], 100)
t("alu64-mod-imm-negative-two", "mod by immediate -2 is unsigned modulo 2^64-2",
  ["lddw %r0, 0xffffffffffffffff", "mod %r0, -2"], 1)
t("alu64-mod-by-zero-imm", "mod by an immediate zero leaves dst unchanged",
  ["lddw %r0, 0x123456789abcdef0", "mod %r0, 0"], 0x123456789abcdef0)
t("alu64-mod-by-zero-reg", "mod by a zero register leaves dst unchanged",
  ["lddw %r0, 0x123456789abcdef0", "mov %r1, 0", "mod %r0, %r1"], 0x123456789abcdef0)
t("alu64-sdiv-imm", "sdiv of a negative value by a positive immediate",
  ["lddw %r0, 0xffffffffffffff9c", "sdiv %r0, 7"], 0xfffffffffffffff2)
t("alu64-sdiv-imm-pos-by-neg", "sdiv of a positive value by a negative immediate",
  ["mov %r0, 100", "sdiv %r0, -7"], 0xfffffffffffffff2)
t("alu64-sdiv-reg-neg-by-neg", "sdiv of two negatives is positive",
  ["mov %r0, -100", "mov %r1, -7", "sdiv %r0, %r1"], 14)
t("alu64-sdiv-reg-truncates-toward-zero", "sdiv -7 / 2 is -3",
  ["mov %r0, -7", "mov %r1, 2", "sdiv %r0, %r1"], 0xfffffffffffffffd)
t("alu64-sdiv-intmin-by-negone-imm", "sdiv INT64_MIN / -1 by immediate gives INT64_MIN",
  ["lddw %r0, 0x8000000000000000", "sdiv %r0, -1"], 0x8000000000000000)
t("alu64-sdiv-intmin-by-negone-reg", "sdiv INT64_MIN / -1 by register gives INT64_MIN",
  ["lddw %r0, 0x8000000000000000", "mov %r1, -1", "sdiv %r0, %r1"], 0x8000000000000000)
t("alu64-sdiv-by-zero-imm", "sdiv by an immediate zero gives zero",
  ["mov %r0, -5", "sdiv %r0, 0"], 0)
t("alu64-sdiv-by-zero-reg", "sdiv by a zero register gives zero",
  ["mov %r0, -5", "mov %r1, 0", "sdiv %r0, %r1"], 0)
t("alu64-smod-imm-neg-by-pos", "smod -7 % 2 is -1",
  ["mov %r0, -7", "smod %r0, 2"], 0xffffffffffffffff)
t("alu64-smod-imm-pos-by-neg", "smod 7 % -2 is 1",
  ["mov %r0, 7", "smod %r0, -2"], 1)
t("alu64-smod-reg-neg-by-neg", "smod -7 % -2 is -1",
  ["mov %r0, -7", "mov %r1, -2", "smod %r0, %r1"], 0xffffffffffffffff)
t("alu64-smod-reg-large", "smod with operands beyond 32 bits",
  r0_r1(0xfffffff000000001, 0x0000000100000000) + ["smod %r0, %r1"], 0xffffffff00000001)
t("alu64-smod-intmin-by-negone-imm", "smod INT64_MIN % -1 by immediate is zero",
  ["lddw %r0, 0x8000000000000000", "smod %r0, -1"], 0)
t("alu64-smod-intmin-by-negone-reg", "smod INT64_MIN % -1 by register is zero",
  ["lddw %r0, 0x8000000000000000", "mov %r1, -1", "smod %r0, %r1"], 0)
t("alu64-smod-by-zero-imm", "smod by an immediate zero leaves dst unchanged",
  ["mov %r0, -7", "smod %r0, 0"], 0xfffffffffffffff9)
t("alu64-smod-by-zero-reg", "smod by a zero register leaves dst unchanged",
  ["mov %r0, -7", "mov %r1, 0", "smod %r0, %r1"], 0xfffffffffffffff9)

# ---------------------------------------------------------------- ALU64 bitwise/mov/neg
t("alu64-or-imm-sign-extends", "or with immediate 0x80000000 sets the upper half too",
  ["mov %r0, 1", "or %r0, 0x80000000"], 0xffffffff80000001)
t("alu64-or-reg", "or by register",
  r0_r1(0xf000000000000000, 0x000000000000000f) + ["or %r0, %r1"], 0xf00000000000000f)
t("alu64-and-imm-positive", "and with a positive immediate clears the upper half",
  ["lddw %r0, 0x123456789abcdef0", "and %r0, 0x7fffffff"], 0x1abcdef0)
t("alu64-and-imm-negative", "and with a negative immediate keeps the upper half",
  ["lddw %r0, 0x123456789abcdef0", "and %r0, -256"], 0x123456789abcde00)
t("alu64-and-reg", "and by register",
  r0_r1(0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0) + ["and %r0, %r1"], 0x0f000f000f000f00)
t("alu64-xor-imm-negative", "xor with -1 inverts all 64 bits",
  ["lddw %r0, 0x00000000ffffffff", "xor %r0, -1"], 0xffffffff00000000)
t("alu64-xor-reg", "xor by register",
  r0_r1(0xaaaaaaaaaaaaaaaa, 0xffffffff00000000) + ["xor %r0, %r1"], 0x55555555aaaaaaaa)
t("alu64-mov-imm-negative", "mov of -1 sign-extends to 64 bits",
  ["mov %r0, -1"], 0xffffffffffffffff)
t("alu64-mov-imm-hex-sign-extends", "mov of 0x80000000 sign-extends",
  ["mov %r0, 0x80000000"], 0xffffffff80000000)
t("alu64-mov-imm-positive-max", "mov of 0x7fffffff",
  ["lddw %r0, 0xffffffffffffffff", "mov %r0, 0x7fffffff"], 0x7fffffff)
t("alu64-mov-reg", "mov by register copies all 64 bits",
  ["lddw %r9, 0xfedcba9876543210", "mov %r0, %r9"], 0xfedcba9876543210)
t("alu64-neg", "neg of 1 is all ones",
  ["mov %r0, 1", "neg %r0"], 0xffffffffffffffff)
t("alu64-neg-intmin", "neg of INT64_MIN is INT64_MIN",
  ["lddw %r0, 0x8000000000000000", "neg %r0"], 0x8000000000000000)
t("alu64-neg-upper", "neg of a value with only upper bits set",
  ["lddw %r0, 0x0000000100000000", "neg %r0"], 0xffffffff00000000)

# ---------------------------------------------------------------- ALU64 shifts
t("alu64-lsh-imm-63", "lsh by 63",
  ["mov %r0, 1", "lsh %r0, 63"], 0x8000000000000000)
t("alu64-lsh-imm-32", "lsh by 32 moves the low half up",
  ["mov %r0, 0x12345678", "lsh %r0, 32"], 0x1234567800000000)
t("alu64-lsh-reg", "lsh by register",
  ["mov %r0, 3", "mov %r1, 40", "lsh %r0, %r1"], 0x30000000000)
t("alu64-lsh-reg-masked-64", "lsh by register 64 shifts by 0",
  ["lddw %r0, 0x123456789abcdef0", "mov %r1, 64", "lsh %r0, %r1"], 0x123456789abcdef0)
t("alu64-lsh-reg-masked-65", "lsh by register 65 shifts by 1",
  ["mov %r0, 1", "mov %r1, 65", "lsh %r0, %r1"], 2)
t("alu64-lsh-reg-masked-negative", "lsh by register -1 shifts by 63",
  ["mov %r0, 1", "mov %r1, -1", "lsh %r0, %r1"], 0x8000000000000000)
t("alu64-lsh-imm-out-of-range", "lsh by immediate 64 is masked to 0 (RFC 9669; the kernel refuses it)",
  ["mov %r0, 5", "lsh %r0, 64"], 5)
t("alu64-rsh-imm-63", "rsh by 63 is logical",
  ["lddw %r0, 0x8000000000000000", "rsh %r0, 63"], 1)
t("alu64-rsh-imm-32", "rsh by 32 moves the upper half down",
  ["lddw %r0, 0xfedcba9876543210", "rsh %r0, 32"], 0xfedcba98)
t("alu64-rsh-reg", "rsh by register",
  ["lddw %r0, 0xf000000000000000", "mov %r1, 60", "rsh %r0, %r1"], 0xf)
t("alu64-rsh-reg-masked-68", "rsh by register 68 shifts by 4",
  ["mov %r0, 0x100", "mov %r1, 68", "rsh %r0, %r1"], 0x10)
t("alu64-rsh-imm-out-of-range", "rsh by immediate 65 is masked to 1 (RFC 9669; the kernel refuses it)",
  ["mov %r0, 8", "rsh %r0, 65"], 4)
t("alu64-arsh-imm-63", "arsh by 63 of a negative value is all ones",
  ["lddw %r0, 0x8000000000000000", "arsh %r0, 63"], 0xffffffffffffffff)
t("alu64-arsh-imm-positive", "arsh of a positive value",
  ["lddw %r0, 0x7000000000000000", "arsh %r0, 60"], 7)
t("alu64-arsh-imm-sign-bit-63", "arsh takes the sign from bit 63, not bit 31",
  ["mov32 %r0, 0x80000000", "arsh %r0, 4"], 0x8000000)
t("alu64-arsh-reg", "arsh by register",
  ["lddw %r0, 0xf000000000000000", "mov %r1, 4", "arsh %r0, %r1"], 0xff00000000000000)
t("alu64-arsh-reg-masked-255", "arsh by register 255 shifts by 63",
  ["lddw %r0, 0x8000000000000001", "mov %r1, 255", "arsh %r0, %r1"], 0xffffffffffffffff)
t("alu64-arsh-imm-out-of-range", "arsh by immediate 64 is masked to 0 (RFC 9669; the kernel refuses it)",
  ["lddw %r0, 0x8000000000000001", "arsh %r0, 64"], 0x8000000000000001)

# ---------------------------------------------------------------- byte order
V = "lddw %r0, 0x1122334455667788"
t("le16-truncates", "le16 on a little-endian machine keeps the low 16 bits", [V, "le16 %r0"], 0x7788)
t("le32-truncates", "le32 on a little-endian machine keeps the low 32 bits", [V, "le32 %r0"], 0x55667788)
t("le64-identity", "le64 on a little-endian machine is the identity", [V, "le64 %r0"], 0x1122334455667788)
t("le32-zero-low-half", "le32 clears an upper half even when the low half is zero",
  ["lddw %r0, 0xffffffff00000000", "le32 %r0"], 0)
t("be16-swaps-and-clears", "be16 swaps the low 16 bits and clears the rest", [V, "be16 %r0"], 0x8877)
t("be32-swaps-and-clears", "be32 swaps the low 32 bits and clears the rest", [V, "be32 %r0"], 0x88776655)
t("be64-swaps", "be64 reverses all 8 bytes", [V, "be64 %r0"], 0x8877665544332211)
t("bswap16-swaps-and-clears", "bswap16 swaps the low 16 bits and clears the rest", [V, "bswap16 %r0"], 0x8877)
t("bswap32-swaps-and-clears", "bswap32 swaps the low 32 bits and clears the rest", [V, "bswap32 %r0"], 0x88776655)
t("bswap64-swaps", "bswap64 reverses all 8 bytes", [V, "bswap64 %r0"], 0x8877665544332211)
t("bswap32-no-sign-extension", "bswap32 moving 0x80 into bit 31 does not sign-extend",
  ["mov32 %r0, 0x80", "bswap32 %r0"], 0x80000000)
t("bswap16-no-sign-extension", "bswap16 moving 0x80 into bit 15 does not sign-extend",
  ["lddw %r0, 0xffffffffffff0080", "bswap16 %r0"], 0x8000)
t("bswap64-twice", "bswap64 applied twice is the identity",
  ["lddw %r0, 0x0102030405060708", "bswap64 %r0", "bswap64 %r0"], 0x0102030405060708)
t("be16-twice", "be16 applied twice restores the low 16 bits only",
  ["lddw %r0, 0xffffffffffff1234", "be16 %r0", "be16 %r0"], 0x1234)

# ---------------------------------------------------------------- LDDW
t("lddw-all-ones", "lddw of 0xffffffffffffffff", ["lddw %r0, 0xffffffffffffffff"], 0xffffffffffffffff)
t("lddw-low-half-not-sign-extended", "lddw with a zero upper half and bit 31 set",
  ["lddw %r0, 0x00000000ffffffff"], 0xffffffff)
t("lddw-upper-half-only", "lddw with a zero lower half", ["lddw %r0, 0xffffffff00000000"], 0xffffffff00000000)
t("lddw-sign-bit", "lddw of INT64_MIN", ["lddw %r0, 0x8000000000000000"], 0x8000000000000000)
t("lddw-mixed", "lddw of a value with distinct halves", ["lddw %r0, 0x123456789abcdef0"], 0x123456789abcdef0)
t("lddw-decimal", "lddw of a decimal value above 2^32", ["lddw %r0, 4294967296"], 0x100000000)
t("lddw-replaces-register", "lddw replaces all 64 bits of its register",
  ["mov %r0, -1", "lddw %r0, 0x1"], 1)
t("lddw-r9", "lddw into r9 then moved to r0",
  ["lddw %r9, 0x8000000080000000", "mov %r0, %r9"], 0x8000000080000000)
