# Copyright (c) ferrobpf authors
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Memory tests: loads (plain and sign-extending), stores of every size at various
offsets (unaligned included), the stack, atomics, legacy packet loads and
out-of-bounds accesses."""

from testdef import T

TESTS = []

# 16 bytes of input memory used by most load tests
M16 = "01 23 45 67 89 ab cd ef\nfe dc ba 98 76 54 32 10"
# 8 bytes of 0x11 used by store tests (so untouched bytes are visible)
M8 = "11 11 11 11 11 11 11 11"
Z16 = "00 00 00 00 00 00 00 00\n00 00 00 00 00 00 00 00"


def t(name, what, lines, result, mem=None):
    TESTS.append(T(name, what, "\n".join(lines + ["exit"]), result=result, mem=mem))


def err(name, what, lines, phrase, mem=None, budget=None):
    TESTS.append(T(name, what, "\n".join(lines), error=phrase, mem=mem, budget=budget))


# ---------------------------------------------------------------- plain loads
t("ldxb-offset-0", "ldxb reads the first byte of the input memory",
  ["ldxb %r0, [%r1]"], 0x01, M16)
t("ldxb-offset-7", "ldxb at offset 7", ["ldxb %r0, [%r1+7]"], 0xef, M16)
t("ldxb-last-byte", "ldxb of the last byte of the input memory", ["ldxb %r0, [%r1+15]"], 0x10, M16)
t("ldxb-zero-extends", "ldxb of 0x89 replaces the whole register without sign extension",
  ["mov %r0, -1", "ldxb %r0, [%r1+4]"], 0x89, M16)
t("ldxh-aligned", "ldxh is little-endian", ["ldxh %r0, [%r1]"], 0x2301, M16)
t("ldxh-unaligned", "ldxh at an odd offset", ["ldxh %r0, [%r1+1]"], 0x4523, M16)
t("ldxh-last", "ldxh of the last two bytes", ["ldxh %r0, [%r1+14]"], 0x1032, M16)
t("ldxh-zero-extends", "ldxh of 0xefcd does not sign-extend",
  ["mov %r0, -1", "ldxh %r0, [%r1+6]"], 0xefcd, M16)
t("ldxw-aligned", "ldxw is little-endian", ["ldxw %r0, [%r1]"], 0x67452301, M16)
t("ldxw-unaligned", "ldxw at offset 3", ["ldxw %r0, [%r1+3]"], 0xcdab8967, M16)
t("ldxw-last", "ldxw of the last four bytes", ["ldxw %r0, [%r1+12]"], 0x10325476, M16)
t("ldxw-zero-extends", "ldxw of 0xefcdab89 does not sign-extend",
  ["mov %r0, -1", "ldxw %r0, [%r1+4]"], 0xefcdab89, M16)
t("ldxdw-aligned", "ldxdw is little-endian", ["ldxdw %r0, [%r1]"], 0xefcdab8967452301, M16)
t("ldxdw-unaligned", "ldxdw at offset 5", ["ldxdw %r0, [%r1+5]"], 0x7698badcfeefcdab, M16)
t("ldxdw-last", "ldxdw of the last eight bytes", ["ldxdw %r0, [%r1+8]"], 0x1032547698badcfe, M16)
t("ldxdw-negative-offset", "ldxdw with a negative offset from a moved pointer",
  ["mov %r2, %r1", "add %r2, 16", "ldxdw %r0, [%r2-8]"], 0x1032547698badcfe, M16)
t("ldxw-hex-offset", "a memory offset written in hex", ["ldxw %r0, [%r1+0xc]"], 0x10325476, M16)
t("ldxdw-same-register", "ldxdw with the same base and destination register",
  ["ldxdw %r1, [%r1+8]", "mov %r0, %r1"], 0x1032547698badcfe, M16)
t("ldx-pointer-advance", "loads through a pointer advanced with add",
  ["add %r1, 4", "ldxh %r0, [%r1+2]"], 0xefcd, M16)
t("mem-length-in-r2", "r2 holds the length of the input memory", ["mov %r0, %r2"], 16, M16)
t("mem-length-odd", "r2 holds an odd length", ["mov %r0, %r2"], 3, "aa bb cc")
t("mem-sum-bytes-loop", "a loop over the input memory reads every byte up to r2", [
    "mov %r0, 0", "loop:", "ldxb %r3, [%r1]", "add %r0, %r3", "add %r1, 1", "sub %r2, 1",
    "jne %r2, 0, loop"], 0x7f8, M16)

# ---------------------------------------------------------------- sign-extending loads
t("ldxsb-negative", "ldxsb sign-extends 0x89 to 64 bits", ["ldxsb %r0, [%r1+4]"],
  0xffffffffffffff89, M16)
t("ldxsb-positive", "ldxsb of a positive byte replaces the whole register",
  ["mov %r0, -1", "ldxsb %r0, [%r1]"], 0x01, M16)
t("ldxsb-offset-8", "ldxsb of 0xfe at offset 8", ["ldxsb %r0, [%r1+8]"], 0xfffffffffffffffe, M16)
t("ldxsh-negative", "ldxsh sign-extends 0xefcd to 64 bits", ["ldxsh %r0, [%r1+6]"],
  0xffffffffffffefcd, M16)
t("ldxsh-positive-unaligned", "ldxsh of a positive halfword at an odd offset",
  ["mov %r0, -1", "ldxsh %r0, [%r1+1]"], 0x4523, M16)
t("ldxsh-negative-unaligned", "ldxsh of a negative halfword at an odd offset",
  ["ldxsh %r0, [%r1+9]"], 0xffffffffffffbadc, M16)
t("ldxsw-negative", "ldxsw sign-extends 0xefcdab89 to 64 bits", ["ldxsw %r0, [%r1+4]"],
  0xffffffffefcdab89, M16)
t("ldxsw-positive", "ldxsw of a positive word", ["mov %r0, -1", "ldxsw %r0, [%r1]"],
  0x67452301, M16)
t("ldxsw-negative-unaligned", "ldxsw of a negative word at offset 7",
  ["ldxsw %r0, [%r1+7]"], 0xffffffffbadcfeef, M16)
t("ldxsw-positive-unaligned", "ldxsw of a positive word at offset 10",
  ["ldxsw %r0, [%r1+10]"], 0x547698ba, M16)
t("ldxsb-stack", "ldxsb from the stack", ["stb [%r10-1], 0x80", "ldxsb %r0, [%r10-1]"],
  0xffffffffffffff80)
t("ldxsh-stack", "ldxsh from the stack", ["sth [%r10-2], 0x8001", "ldxsh %r0, [%r10-2]"],
  0xffffffffffff8001)
t("ldxsw-stack", "ldxsw from the stack", ["stw [%r10-4], 0x80000001", "ldxsw %r0, [%r10-4]"],
  0xffffffff80000001)

# ---------------------------------------------------------------- stores into the input memory
t("stb-imm", "stb writes one byte, leaving its neighbours",
  ["stb [%r1+3], 0xaa", "ldxdw %r0, [%r1]"], 0x11111111aa111111, M8)
t("stb-imm-truncates", "stb of immediate 0x1fe stores 0xfe",
  ["stb [%r1], 0x1fe", "ldxdw %r0, [%r1]"], 0x11111111111111fe, M8)
t("stb-imm-negative", "stb of -2 stores 0xfe",
  ["stb [%r1+7], -2", "ldxdw %r0, [%r1]"], 0xfe11111111111111, M8)
t("sth-imm-unaligned", "sth at an odd offset",
  ["sth [%r1+1], 0xbeef", "ldxdw %r0, [%r1]"], 0x1111111111beef11, M8)
t("sth-imm-negative", "sth of -1 stores 0xffff",
  ["sth [%r1+6], -1", "ldxdw %r0, [%r1]"], 0xffff111111111111, M8)
t("stw-imm-unaligned", "stw at offset 2",
  ["stw [%r1+2], 0x12345678", "ldxdw %r0, [%r1]"], 0x1111123456781111, M8)
t("stw-imm-negative", "stw of -1 at offset 4",
  ["stw [%r1+4], -1", "ldxdw %r0, [%r1]"], 0xffffffff11111111, M8)
t("stdw-imm-negative", "stdw of -1 sign-extends the immediate to 64 bits",
  ["stdw [%r1], -1", "ldxdw %r0, [%r1]"], 0xffffffffffffffff, M8)
t("stdw-imm-hex-sign-extends", "stdw of 0x80000000 stores 0xffffffff80000000",
  ["stdw [%r1], 0x80000000", "ldxdw %r0, [%r1]"], 0xffffffff80000000, M8)
t("stdw-imm-positive", "stdw of 0x7fffffff clears the upper half",
  ["stdw [%r1], 0x7fffffff", "ldxdw %r0, [%r1]"], 0x7fffffff, M8)
t("stdw-imm-unaligned", "stdw at offset 3 of 16 bytes",
  ["stdw [%r1+3], 0x12345678", "ldxdw %r0, [%r1+3]"], 0x12345678, Z16)
t("stxb-reg-truncates", "stxb stores the low byte of the register",
  ["lddw %r2, 0x1122334455667788", "stxb [%r1+5], %r2", "ldxdw %r0, [%r1]"],
  0x1111881111111111, M8)
t("stxh-reg-unaligned", "stxh stores the low two bytes at an odd offset",
  ["lddw %r2, 0x1122334455667788", "stxh [%r1+3], %r2", "ldxdw %r0, [%r1]"],
  0x1111117788111111, M8)
t("stxw-reg-unaligned", "stxw stores the low four bytes at offset 1",
  ["lddw %r2, 0x1122334455667788", "stxw [%r1+1], %r2", "ldxdw %r0, [%r1]"],
  0x1111115566778811, M8)
t("stxdw-reg", "stxdw stores all eight bytes",
  ["lddw %r2, 0x1122334455667788", "stxdw [%r1], %r2", "ldxdw %r0, [%r1]"],
  0x1122334455667788, M8)
t("stxdw-reg-unaligned", "stxdw at offset 7 of 16 bytes",
  ["lddw %r2, 0x1122334455667788", "stxdw [%r1+7], %r2", "ldxdw %r0, [%r1+7]"],
  0x1122334455667788, Z16)
t("stxdw-little-endian-low-byte", "stxdw puts the least significant byte first",
  ["lddw %r2, 0x1122334455667788", "stxdw [%r1], %r2", "ldxb %r0, [%r1]"], 0x88, M8)
t("stxdw-little-endian-high-byte", "stxdw puts the most significant byte last",
  ["lddw %r2, 0x1122334455667788", "stxdw [%r1], %r2", "ldxb %r0, [%r1+7]"], 0x11, M8)
t("stxw-last-bytes", "stxw into the last four bytes of the input memory",
  ["mov %r2, -1", "stxw [%r1+12], %r2", "ldxdw %r0, [%r1+8]"], 0xffffffff98badcfe, M16)
t("store-load-negative-offset", "stores and loads with negative offsets from a moved pointer",
  ["mov %r2, %r1", "add %r2, 8", "stb [%r2-1], 0x5a", "ldxb %r0, [%r2-1]"], 0x5a, M8)
t("copy-mem-to-stack", "bytes copied from the input memory to the stack and back",
  ["ldxdw %r2, [%r1+8]", "stxdw [%r10-8], %r2", "ldxw %r0, [%r10-4]"], 0x10325476, M16)

# ---------------------------------------------------------------- stack
t("stack-top-byte", "the byte just below r10 is usable",
  ["stb [%r10-1], 0x7e", "ldxb %r0, [%r10-1]"], 0x7e)
t("stack-bottom-byte", "the lowest byte of the 512-byte frame is usable",
  ["stb [%r10-512], 0x5a", "ldxb %r0, [%r10-512]"], 0x5a)
t("stack-bottom-dw", "the lowest doubleword of the frame is usable",
  ["lddw %r1, 0x0102030405060708", "stxdw [%r10-512], %r1", "ldxdw %r0, [%r10-512]"],
  0x0102030405060708)
t("stack-partial-overwrite", "a byte store into a stored doubleword on the stack",
  ["stdw [%r10-8], 0x11223344", "stb [%r10-8], 0xff", "ldxdw %r0, [%r10-8]"], 0x112233ff)
t("stack-halves", "two word stores read back as one doubleword",
  ["stw [%r10-8], 0x55667788", "stw [%r10-4], 0x11223344", "ldxdw %r0, [%r10-8]"],
  0x1122334455667788)
t("stack-pointer-copy", "the stack through a copy of r10",
  ["mov %r2, %r10", "add %r2, -16", "stdw [%r2], 0x1234", "ldxdw %r0, [%r10-16]"], 0x1234)
t("stack-unaligned", "an unaligned stack access (the kernel requires aligned stack access)",
  ["stdw [%r10-16], 0", "stdw [%r10-8], 0", "stw [%r10-11], 0x11223344",
   "ldxdw %r0, [%r10-16]"], 0x2233440000000000)

# ---------------------------------------------------------------- atomics
SETUP = "lddw %r1, {init:#x}\nstxdw [%r10-8], %r1\nlddw %r1, {src:#x}"


def atomic(name, what, op, init, src, mem_after, ret, r0=None, slot="[%r10-8]"):
    """Runs `op slot, r1`; checks the doubleword at [r10-8] equals mem_after,
    then returns r1 (fetching forms) or r0 (cmpxchg) or the memory (others)."""
    lines = [SETUP.format(init=init, src=src)]
    if r0 is not None:
        lines.append(f"lddw %r0, {r0:#x}")
    lines.append(f"{op} {slot}, %r1")
    if ret == "r0":
        lines += ["mov %r3, %r0"]
    lines += ["ldxdw %r0, [%r10-8]", f"lddw %r2, {mem_after:#x}", "jne %r0, %r2, done"]
    if ret == "r1":
        lines.append("mov %r0, %r1")
    elif ret == "r0":
        lines.append("mov %r0, %r3")
    lines += ["done:", "exit"]
    TESTS.append(T(name, what, "\n".join(lines), result=None))
    return TESTS[-1]


def a(name, what, op, init, src, mem_after, result, ret="mem", r0=None, slot="[%r10-8]"):
    atomic(name, what, op, init, src, mem_after, ret, r0, slot).result = result


# 64-bit
a("atomic64-add", "lock add: memory updated, carry into the upper half, src unchanged",
  "lock add", 0x00000000ffffffff, 1, 0x100000000, 1, ret="r1")
a("atomic64-add-memory", "lock add: the memory result",
  "lock add", 0x1111111122222222, 0x0101010101010101, 0x1212121223232323, 0x1212121223232323)
a("atomic64-fetch-add", "lock fetch add returns the old value in src",
  "lock fetch add", 0x00000000ffffffff, 1, 0x100000000, 0xffffffff, ret="r1")
a("atomic64-or", "lock or", "lock or", 0xf0f0f0f0f0f0f0f0, 0x0f00000000000001,
  0xfff0f0f0f0f0f0f1, 0xfff0f0f0f0f0f0f1)
a("atomic64-fetch-or", "lock fetch or returns the old value", "lock fetch or",
  0xf0f0f0f0f0f0f0f0, 0x0f00000000000001, 0xfff0f0f0f0f0f0f1, 0xf0f0f0f0f0f0f0f0, ret="r1")
a("atomic64-and", "lock and", "lock and", 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0,
  0x0f000f000f000f00, 0x0f000f000f000f00)
a("atomic64-fetch-and", "lock fetch and returns the old value", "lock fetch and",
  0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0x0f000f000f000f00, 0xff00ff00ff00ff00, ret="r1")
a("atomic64-xor", "lock xor", "lock xor", 0xaaaaaaaaaaaaaaaa, 0xffffffff00000000,
  0x55555555aaaaaaaa, 0x55555555aaaaaaaa)
a("atomic64-fetch-xor", "lock fetch xor returns the old value", "lock fetch xor",
  0xaaaaaaaaaaaaaaaa, 0xffffffff00000000, 0x55555555aaaaaaaa, 0xaaaaaaaaaaaaaaaa, ret="r1")
a("atomic64-xchg", "lock xchg swaps memory and src", "lock xchg",
  0x1122334455667788, 0x8877665544332211, 0x8877665544332211, 0x1122334455667788, ret="r1")
a("atomic64-cmpxchg-match", "lock cmpxchg stores src when r0 equals memory; r0 gets the old value",
  "lock cmpxchg", 0x1122334455667788, 0x99, 0x99, 0x1122334455667788, ret="r0",
  r0=0x1122334455667788)
a("atomic64-cmpxchg-mismatch", "lock cmpxchg leaves memory when r0 differs; r0 gets the old value",
  "lock cmpxchg", 0x1122334455667788, 0x99, 0x1122334455667788, 0x1122334455667788, ret="r0",
  r0=0x1122334455667789)
a("atomic64-cmpxchg-mismatch-upper", "lock cmpxchg compares all 64 bits of r0",
  "lock cmpxchg", 0x1122334455667788, 0x99, 0x1122334455667788, 0x1122334455667788, ret="r0",
  r0=0x0000000055667788)
a("atomic64-add-negative", "lock add of a negative value", "lock add",
  0x10, 0xffffffffffffffff, 0xf, 0xf)

# 32-bit, on the low word ([r10-8]) or the high word ([r10-4]) of a doubleword
a("atomic32-add", "lock add32 changes only its word and uses the low half of src",
  "lock add32", 0x1111111122222222, 0xffffffff00000001, 0x1111111122222223, 0x1111111122222223)
a("atomic32-add-no-carry-out", "lock add32 does not carry into the next word",
  "lock add32", 0x11111111ffffffff, 1, 0x1111111100000000, 0x1111111100000000)
a("atomic32-fetch-add", "lock fetch add32 returns the old word zero-extended",
  "lock fetch add32", 0x11111111ffffffff, 0xffffffff00000001, 0x1111111100000000, 0xffffffff,
  ret="r1")
a("atomic32-or-high-word", "lock or32 on the upper word of a doubleword",
  "lock or32", 0x1111111122222222, 0x44444444, 0x5555555522222222, 0x5555555522222222,
  slot="[%r10-4]")
a("atomic32-fetch-or", "lock fetch or32 returns the old word zero-extended",
  "lock fetch or32", 0x11111111f2222222, 0xffffffff04444444, 0x11111111f6666666, 0xf2222222,
  ret="r1")
a("atomic32-and", "lock and32", "lock and32", 0xffffffffff00ff00, 0x0ff00ff0,
  0xffffffff0f000f00, 0xffffffff0f000f00)
a("atomic32-fetch-and", "lock fetch and32 returns the old word zero-extended",
  "lock fetch and32", 0x12345678ff00ff00, 0xaaaaaaaa0ff00ff0, 0x123456780f000f00, 0xff00ff00,
  ret="r1")
a("atomic32-xor", "lock xor32", "lock xor32", 0xaaaaaaaaaaaaaaaa, 0xffffffffffffffff,
  0xaaaaaaaa55555555, 0xaaaaaaaa55555555)
a("atomic32-fetch-xor-high-word", "lock fetch xor32 on the upper word",
  "lock fetch xor32", 0x8000000100000000, 0x1, 0x8000000000000000, 0x80000001, ret="r1",
  slot="[%r10-4]")
a("atomic32-xchg", "lock xchg32 swaps one word; src gets the old word zero-extended",
  "lock xchg32", 0x1111111122222222, 0xaaaaaaaabbbbbbbb, 0x11111111bbbbbbbb, 0x22222222,
  ret="r1")
a("atomic32-cmpxchg-match", "lock cmpxchg32 compares only the low half of r0",
  "lock cmpxchg32", 0x1111111122222222, 0xaaaaaaaabbbbbbbb, 0x11111111bbbbbbbb, 0x22222222,
  ret="r0", r0=0xffffffff22222222)
a("atomic32-cmpxchg-mismatch", "lock cmpxchg32 leaves memory on mismatch; r0 gets the old word zero-extended",
  "lock cmpxchg32", 0x1111111122222222, 0xaaaaaaaabbbbbbbb, 0x1111111122222222, 0x22222222,
  ret="r0", r0=0xffffffff22222223)
a("atomic32-cmpxchg-high-word", "lock cmpxchg32 on the upper word of a doubleword",
  "lock cmpxchg32", 0x8000000012345678, 0x7, 0x0000000712345678, 0x80000000,
  ret="r0", r0=0x80000000, slot="[%r10-4]")
TESTS.append(T("atomic64-add-input-memory",
               "lock add on the input memory (the kernel refuses atomics on packet data)",
               "mov %r2, 5\nlock add [%r1+8], %r2\nldxdw %r0, [%r1+8]\nexit",
               mem="01 00 00 00 00 00 00 00\n10 00 00 00 00 00 00 00", result=0x15))

# ---------------------------------------------------------------- legacy packet loads
t("ldabsb-first", "ldabsb 0 reads the first byte", ["ldabsb 0"], 0x01, M16)
t("ldabsb-last", "ldabsb 15 reads the last byte", ["ldabsb 15"], 0x10, M16)
t("ldabsh-12", "ldabsh reads big-endian", ["ldabsh 12"], 0x7654, M16)
t("ldabsh-unaligned", "ldabsh at an odd offset", ["ldabsh 3"], 0x6789, M16)
t("ldabsw-12", "ldabsw reads big-endian", ["ldabsw 12"], 0x76543210, M16)
t("ldabsw-zero-extends", "ldabsw of 0x89abcdef is not sign-extended", ["ldabsw 4"], 0x89abcdef, M16)
t("ldabsdw-8", "ldabsdw reads eight bytes big-endian (the kernel has no DW form)",
  ["ldabsdw 8"], 0xfedcba9876543210, M16)
t("ldabsh-replaces-r0", "ldabsh replaces all of r0", ["lddw %r0, 0xffffffffffffffff", "ldabsh 0"],
  0x0123, M16)
t("ldabsw-out-of-bounds-straddle", "ldabsw past the end ends the program with r0 = 0",
  ["mov %r0, 77", "ldabsw 13", "mov %r0, 1"], 0, M16)
t("ldabsb-out-of-bounds-end", "ldabsb at the length ends the program with r0 = 0",
  ["mov %r0, 77", "ldabsb 16", "mov %r0, 1"], 0, M16)
t("ldabsh-out-of-bounds-far", "ldabsh far past the end ends the program with r0 = 0",
  ["mov %r0, 77", "ldabsh 1000", "mov %r0, 1"], 0, M16)
t("ldindw-offset", "ldindw adds the register to the immediate",
  ["mov %r1, 8", "ldindw %r1, 4"], 0x76543210, M16)
t("ldindb-last", "ldindb of the last byte", ["mov %r3, 15", "ldindb %r3, 0"], 0x10, M16)
t("ldindh-unaligned", "ldindh at offset 1 + 1", ["mov %r4, 1", "ldindh %r4, 1"], 0x4567, M16)
t("ldinddw-offset", "ldinddw reads eight bytes big-endian (the kernel has no DW form)",
  ["mov %r5, 0", "ldinddw %r5, 0"], 0x0123456789abcdef, M16)
t("ldindb-negative-imm", "ldindb with a negative immediate and a larger register",
  ["mov %r3, 6", "ldindb %r3, -2"], 0x89, M16)
t("ldindw-out-of-bounds", "ldindw past the end ends the program with r0 = 0",
  ["mov %r0, 77", "mov %r3, 14", "ldindw %r3, 0", "mov %r0, 1"], 0, M16)
t("ldindb-negative-offset", "ldindb at offset -1 ends the program with r0 = 0",
  ["mov %r0, 77", "mov %r3, -1", "ldindb %r3, 0", "mov %r0, 1"], 0, M16)
t("ldind-sum-loop", "ldindb in a loop sums the first four bytes", [
    "mov %r7, 0", "mov %r8, 0", "loop:", "ldindb %r8, 0", "add %r7, %r0", "add %r8, 1",
    "jlt %r8, 4, loop", "mov %r0, %r7"], 0xd0, M16)
t("ldabs-keeps-r6-r9", "legacy packet loads leave r7-r9 alone", [
    "mov %r7, 7", "mov %r8, 8", "mov %r9, 9", "ldabsb 1", "add %r0, %r7", "add %r0, %r8",
    "add %r0, %r9"], 0x23 + 24, M16)

# ---------------------------------------------------------------- out of bounds
OOB = "out of bounds"
M8b = "01 02 03 04 05 06 07 08"
err("oob-ldxb-mem-end", "ldxb one past the end of the input memory",
    ["ldxb %r0, [%r1+8]", "exit"], OOB, M8b)
err("oob-ldxw-mem-straddle", "ldxw straddling the end of the input memory",
    ["ldxw %r0, [%r1+6]", "exit"], OOB, M8b)
err("oob-ldxdw-mem-negative-offset", "ldxdw before the start of the input memory",
    ["ldxdw %r0, [%r1-8]", "exit"], OOB, M8b)
err("oob-ldxb-mem-minus-one", "ldxb one byte before the input memory",
    ["ldxb %r0, [%r1-1]", "exit"], OOB, M8b)
err("oob-ldxh-no-mem", "ldxh through r1 when there is no input memory",
    ["ldxh %r0, [%r1]", "exit"], OOB)
err("oob-ldxb-at-length", "ldxb at r1 + r2",
    ["mov %r3, %r1", "add %r3, %r2", "ldxb %r0, [%r3]", "exit"], OOB, M8b)
err("oob-ldxsw-mem-straddle", "ldxsw straddling the end of the input memory",
    ["ldxsw %r0, [%r1+5]", "exit"], OOB, M8b)
err("oob-stb-mem-end", "stb one past the end of the input memory",
    ["stb [%r1+8], 1", "mov %r0, 0", "exit"], OOB, M8b)
err("oob-stxdw-mem-straddle", "stxdw straddling the end of the input memory",
    ["mov %r2, 0", "stxdw [%r1+1], %r2", "mov %r0, 0", "exit"], OOB, M8b)
err("oob-stxw-mem-negative", "stxw before the start of the input memory",
    ["mov %r2, 0", "stxw [%r1-2], %r2", "mov %r0, 0", "exit"], OOB, M8b)
err("oob-sth-pointer-past-end", "sth through a pointer moved past the end",
    ["add %r1, 100", "sth [%r1], 1", "mov %r0, 0", "exit"], OOB, M8b)
err("oob-stack-below-frame-load", "ldxb one byte below the 512-byte frame",
    ["ldxb %r0, [%r10-513]", "exit"], OOB)
err("oob-stack-below-frame-store", "stdw below the 512-byte frame",
    ["stdw [%r10-520], 1", "mov %r0, 0", "exit"], OOB)
err("oob-stack-straddle-bottom", "stxdw straddling the bottom of the frame",
    ["mov %r1, 0", "stxdw [%r10-516], %r1", "mov %r0, 0", "exit"], OOB)
err("oob-stack-at-r10", "stb at r10 itself, above the frame",
    ["stb [%r10], 1", "mov %r0, 0", "exit"], OOB)
err("oob-stack-straddle-top", "ldxdw straddling the top of the frame",
    ["stw [%r10-4], 0", "ldxdw %r0, [%r10-4]", "exit"], OOB)
err("oob-null-pointer", "ldxb through a null pointer",
    ["mov %r2, 0", "ldxb %r0, [%r2]", "exit"], OOB)
err("oob-wild-pointer-store", "stxw to an arbitrary address",
    ["lddw %r2, 0xdeadbeef00", "mov %r0, 0", "stxw [%r2], %r0", "exit"], OOB)
err("oob-atomic-above-stack", "lock add above the stack frame",
    ["mov %r1, 1", "lock add [%r10], %r1", "mov %r0, 0", "exit"], OOB)
err("oob-atomic32-mem-end", "lock cmpxchg32 past the end of the input memory",
    ["mov %r0, 0", "mov %r2, 1", "lock cmpxchg32 [%r1+8], %r2", "exit"], OOB, M8b)
err("oob-store-after-good-store", "a valid store then an out-of-bounds one still fails",
    ["stb [%r1], 9", "stb [%r1+9], 9", "mov %r0, 0", "exit"], OOB, M8b)
