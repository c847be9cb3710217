# Copyright (c) ferrobpf authors
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Jump tests: every condition, 64- and 32-bit, by immediate and by register, taken
and not taken, on signed/unsigned and upper-half boundaries; unconditional jumps."""

from testdef import T

TESTS = []

WORDS = {
    "jeq": "==", "jne": "!=", "jgt": "> (unsigned)", "jge": ">= (unsigned)",
    "jlt": "< (unsigned)", "jle": "<= (unsigned)", "jset": "& (test bits)",
    "jsgt": "> (signed)", "jsge": ">= (signed)", "jslt": "< (signed)", "jsle": "<= (signed)",
}

# (mnemonic, form, dst value, operand (imm text or register value), taken?, tag)
CASES = [
    # ---- 64-bit
    ("jeq", "imm", 0xffffffffffffffff, "-1", True, "sign-extended-imm"),
    ("jeq", "imm", 0x00000000ffffffff, "-1", False, "imm-not-zero-extended"),
    ("jeq", "reg", 0x8000000000000001, 0x8000000000000001, True, "equal"),
    ("jeq", "reg", 0x0000000100000000, 0x0, False, "upper-half-differs"),
    ("jne", "imm", 0x00000000ffffffff, "-1", True, "sign-extended-imm"),
    ("jne", "imm", 0xffffffffffffffff, "-1", False, "equal"),
    ("jne", "reg", 0x1, 0x0000000100000001, True, "upper-half-differs"),
    ("jne", "reg", 0x123456789abcdef0, 0x123456789abcdef0, False, "equal"),
    ("jgt", "imm", 0xffffffffffffffff, "1", True, "unsigned-max"),
    ("jgt", "imm", 0xfffffffffffffffe, "-1", False, "below-sign-extended-imm"),
    ("jgt", "reg", 0x8000000000000000, 0x7fffffffffffffff, True, "sign-bit-is-large"),
    ("jgt", "reg", 0x5, 0x5, False, "equal"),
    ("jge", "imm", 0x5, "5", True, "equal"),
    ("jge", "imm", 0x7fffffffffffffff, "-1", False, "below-sign-extended-imm"),
    ("jge", "reg", 0xffffffffffffffff, 0x0, True, "max-vs-zero"),
    ("jge", "reg", 0x0, 0x1, False, "below"),
    ("jlt", "imm", 0x7fffffffffffffff, "0x80000000", True, "hex-imm-sign-extends"),
    ("jlt", "imm", 0xffffffffffffffff, "0", False, "negative-is-large"),
    ("jlt", "reg", 0x1, 0x8000000000000000, True, "sign-bit-is-large"),
    ("jlt", "reg", 0x7, 0x7, False, "equal"),
    ("jle", "imm", 0xffffffffffffffff, "-1", True, "equal-max"),
    ("jle", "imm", 0x8000000000000000, "0x7fffffff", False, "sign-bit-is-large"),
    ("jle", "reg", 0x0, 0xffffffffffffffff, True, "zero-vs-max"),
    ("jle", "reg", 0xffffffffffffffff, 0x0, False, "max-vs-zero"),
    ("jset", "imm", 0x8000000000000000, "0x80000000", True, "sign-extended-imm-bit63"),
    ("jset", "imm", 0xf0, "0x0f", False, "disjoint"),
    ("jset", "reg", 0x0000000100000000, 0x0000000300000000, True, "upper-half-bits"),
    ("jset", "reg", 0xaaaaaaaaaaaaaaaa, 0x5555555555555555, False, "disjoint"),
    ("jsgt", "imm", 0x1, "-1", True, "positive-vs-negative"),
    ("jsgt", "imm", 0xffffffffffffffff, "1", False, "negative-vs-positive"),
    ("jsgt", "reg", 0x7fffffffffffffff, 0x8000000000000000, True, "max-vs-min"),
    ("jsgt", "reg", 0xfffffffffffffffb, 0xfffffffffffffffb, False, "equal-negative"),
    ("jsge", "imm", 0xffffffffffffffff, "-1", True, "equal-negative"),
    ("jsge", "imm", 0xfffffffffffffffe, "-1", False, "below-negative"),
    ("jsge", "reg", 0x0, 0x8000000000000000, True, "zero-vs-min"),
    ("jsge", "reg", 0x8000000000000000, 0x7fffffffffffffff, False, "min-vs-max"),
    ("jslt", "imm", 0x8000000000000000, "0", True, "min-vs-zero"),
    ("jslt", "imm", 0x0, "-1", False, "zero-vs-negative"),
    ("jslt", "reg", 0xfffffffffffffffe, 0xffffffffffffffff, True, "negatives"),
    ("jslt", "reg", 0x1, 0xffffffffffffffff, False, "positive-vs-negative"),
    ("jsle", "imm", 0xffffffff80000000, "0x80000000", True, "equal-hex-imm-sign-extends"),
    ("jsle", "imm", 0x00000000ffffffff, "-1", False, "positive-vs-negative"),
    ("jsle", "reg", 0x8000000000000000, 0x7fffffffffffffff, True, "min-vs-max"),
    ("jsle", "reg", 0x0, 0xffffffffffffffff, False, "zero-vs-negative"),
    # ---- 32-bit: only the low halves are compared
    ("jeq32", "imm", 0x1234567800000005, "5", True, "upper-half-ignored"),
    ("jeq32", "imm", 0x0000000500000006, "5", False, "low-half-differs"),
    ("jeq32", "reg", 0x0000000100000007, 0x0000000200000007, True, "upper-half-ignored"),
    ("jeq32", "reg", 0x7, 0x0000000100000008, False, "low-half-differs"),
    ("jne32", "imm", 0x0000000500000000, "5", True, "low-half-differs"),
    ("jne32", "imm", 0xabcdef0000000005, "5", False, "upper-half-ignored"),
    ("jne32", "reg", 0x1, 0x2, True, "differs"),
    ("jne32", "reg", 0x0000000100000000, 0x0, False, "upper-half-ignored"),
    ("jgt32", "imm", 0x00000000ffffffff, "0x7fffffff", True, "unsigned"),
    ("jgt32", "imm", 0x0000000100000000, "0", False, "upper-half-ignored"),
    ("jgt32", "reg", 0x80000000, 0xffffffff7fffffff, True, "unsigned-sign-bit"),
    ("jgt32", "reg", 0xffffffff00000001, 0x2, False, "upper-half-ignored"),
    ("jge32", "imm", 0x0000000100000005, "5", True, "equal-low-half"),
    ("jge32", "imm", 0x7fffffff, "-1", False, "imm-is-unsigned-max"),
    ("jge32", "reg", 0xffffffff, 0x0000000100000000, True, "upper-half-ignored"),
    ("jge32", "reg", 0x0000000200000001, 0x2, False, "upper-half-ignored"),
    ("jlt32", "imm", 0xffffffff00000000, "1", True, "upper-half-ignored"),
    ("jlt32", "imm", 0x80000000, "0x7fffffff", False, "unsigned-sign-bit"),
    ("jlt32", "reg", 0x1, 0x80000000, True, "unsigned-sign-bit"),
    ("jlt32", "reg", 0xffffffff, 0x0000000100000000, False, "upper-half-ignored"),
    ("jle32", "imm", 0xfffffffe, "-2", True, "equal-negative-imm"),
    ("jle32", "imm", 0x80000000, "1", False, "unsigned-sign-bit"),
    ("jle32", "reg", 0x0000000500000003, 0x3, True, "upper-half-ignored"),
    ("jle32", "reg", 0x4, 0xffffffff00000003, False, "above"),
    ("jset32", "imm", 0x80000000, "0x80000000", True, "bit31"),
    ("jset32", "imm", 0xffffffff00000000, "-1", False, "upper-half-ignored"),
    ("jset32", "reg", 0x3, 0x2, True, "common-bit"),
    ("jset32", "reg", 0x0000000100000001, 0x0000000100000002, False, "upper-half-ignored"),
    ("jsgt32", "imm", 0x7fffffff, "0x80000000", True, "max-vs-min"),
    ("jsgt32", "imm", 0x00000000ffffffff, "0", False, "low-half-is-negative"),
    ("jsgt32", "reg", 0x1, 0xffffffff, True, "positive-vs-negative"),
    ("jsgt32", "reg", 0xfffffffe, 0xffffffff, False, "negatives"),
    ("jsge32", "imm", 0xffffffff, "-1", True, "equal-negative"),
    ("jsge32", "imm", 0x80000000, "0x80000001", False, "min-vs-min-plus-one"),
    ("jsge32", "reg", 0x0, 0xffffffff80000000, True, "zero-vs-min"),
    ("jsge32", "reg", 0x00000001ffffffff, 0x0, False, "low-half-is-negative"),
    ("jslt32", "imm", 0x0000000180000000, "0", True, "low-half-is-min"),
    ("jslt32", "imm", 0x7fffffff, "-1", False, "max-vs-negative"),
    ("jslt32", "reg", 0xffffffff, 0x0, True, "negative-vs-zero"),
    ("jslt32", "reg", 0x80000000, 0x80000000, False, "equal"),
    ("jsle32", "imm", 0xfffffffe, "-1", True, "negatives"),
    ("jsle32", "imm", 0x7fffffff, "0x80000000", False, "max-vs-min"),
    ("jsle32", "reg", 0x80000000, 0xffffffff80000000, True, "equal-low-half"),
    ("jsle32", "reg", 0x1, 0xffffffff, False, "positive-vs-negative"),
]

for mn, form, a, b, taken, tag in CASES:
    is32 = mn.endswith("32")
    base = mn[:-2] if is32 else mn
    dst, src = ("%r3", "%r4") if is32 else ("%r1", "%r2")
    lines = [f"lddw {dst}, {a:#x}"]
    if form == "reg":
        lines.append(f"lddw {src}, {b:#x}")
        operand, shown = src, f"{b:#x}"
    else:
        operand, shown = b, f"imm {b}"
    lines += ["mov %r0, 1", f"{mn} {dst}, {operand}, taken", "mov %r0, 2", "taken:", "exit"]
    width = "32-bit" if is32 else "64-bit"
    state = "taken" if taken else "not taken"
    what = (f"{mn} by {'register' if form == 'reg' else 'immediate'} ({width} "
            f"{WORDS[base]}): {a:#x} vs {shown} is {state}")
    name = f"{mn}-{form}-{'taken' if taken else 'not-taken'}-{tag}"
    TESTS.append(T(name, what, "\n".join(lines), result=1 if taken else 2))


def t(name, what, asm, result, **kw):
    TESTS.append(T(name, what, asm, result=result, **kw))


t("jeq-reg-same-register", "jeq of a register with itself is always taken", """
    mov %r5, 9
    mov %r0, 1
    jeq %r5, %r5, done
    mov %r0, 2
    done:
    exit
""", 1)
t("ja-forward", "ja skips forward over an instruction", """
    mov %r0, 1
    jeq %r0, 5, skipped
    ja done
    skipped:
    mov %r0, 2
    done:
    exit
""", 1)
t("ja-backward", "ja jumps backward", """
    mov %r0, 0
    ja start
    back:
    add %r0, 10
    exit
    start:
    mov %r0, 5
    ja back
""", 15)
t("ja-zero-offset", "ja +0 falls through", """
    mov %r0, 3
    ja +0
    exit
""", 3)
t("ja-numeric-offsets", "ja with numeric positive and negative offsets", """
    mov %r0, 0
    ja +2
    add %r0, 1
    exit
    add %r0, 2
    ja -4
""", 3)
t("ja-over-lddw", "ja +2 skips both slots of an lddw", """
    mov %r0, 1
    jeq %r0, 5, skipped
    ja +2
    skipped:
    lddw %r0, 0x1122334455667788
    exit
""", 1)
t("jeq-over-lddw-label", "a conditional jump to a label after an lddw counts its two slots", """
    mov %r0, 7
    jeq %r0, 7, after
    lddw %r0, 0x1122334455667788
    after:
    exit
""", 7)
t("gotol-forward", "ja32 (gotol) jumps forward by its 32-bit immediate", """
    mov %r0, 1
    jeq %r0, 5, skipped
    ja32 done
    skipped:
    mov %r0, 2
    done:
    exit
""", 1)
t("gotol-backward", "ja32 (gotol) jumps backward", """
    mov %r0, 0
    ja32 start
    back:
    add %r0, 100
    exit
    start:
    mov %r0, 20
    ja32 back
""", 120)
t("gotol-zero-offset", "ja32 +0 falls through", """
    mov %r0, 4
    ja32 +0
    exit
""", 4)
t("gotol-numeric-offsets", "ja32 with numeric offsets", """
    mov %r0, 0
    ja32 +2
    add %r0, 1
    exit
    add %r0, 2
    ja32 -4
""", 3)
t("jne-backward-loop", "a backward conditional jump sums 10..1", """
    mov %r0, 0
    mov %r1, 10
    loop:
    add %r0, %r1
    sub %r1, 1
    jne %r1, 0, loop
    exit
""", 55)
t("jsgt32-backward-loop", "a 32-bit signed loop condition ignores a constant upper half", """
    mov %r0, 0
    lddw %r1, 0x7fffffff00000004
    loop:
    add32 %r0, 1
    sub %r1, 1
    jsgt32 %r1, 0, loop
    exit
""", 4)
t("jlt-loop-100", "a loop of 100 iterations sums 0..99", """
    mov %r0, 0
    mov %r1, 0
    loop:
    add %r0, %r1
    add %r1, 1
    jlt %r1, 100, loop
    exit
""", 4950)
t("loop-fibonacci", "a loop computes the 20th Fibonacci number", """
    mov %r1, 0
    mov %r2, 1
    mov %r3, 20
    loop:
    mov %r4, %r2
    add %r2, %r1
    mov %r1, %r4
    sub %r3, 1
    jne %r3, 0, loop
    mov %r0, %r1
    exit
""", 6765)
t("jump-chain", "a chain of taken conditional jumps of every kind", """
    mov %r0, 0
    mov %r1, -1
    mov %r2, 1
    jsgt %r1, %r2, fail
    jgt %r2, %r1, fail
    jset %r1, %r2, a
    ja fail
    a:
    jsle32 %r1, %r2, b
    ja fail
    b:
    jle32 %r2, %r1, c
    ja fail
    c:
    mov %r0, 1
    exit
    fail:
    mov %r0, 2
    exit
""", 1)
