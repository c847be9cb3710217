# Copyright (c) ferrobpf authors
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Calls (local functions, helpers by id and by register), call depth, the
instruction budget and exit."""

from testdef import T

TESTS = []


def t(name, what, asm, result, **kw):
    TESTS.append(T(name, what, asm, result=result, **kw))


def err(name, what, asm, phrase, **kw):
    TESTS.append(T(name, what, asm, error=phrase, **kw))


# ---------------------------------------------------------------- exit
t("exit-returns-r0-64-bit", "exit returns all 64 bits of r0",
  "lddw %r0, 0xfedcba9876543210\nexit", 0xfedcba9876543210)
t("exit-first-reached", "the first exit reached ends the program", """
    mov %r0, 1
    jeq %r0, 2, second
    exit
    second:
    mov %r0, 2
    exit
""", 1)
t("exit-r0-zero", "a program returning zero", "mov %r0, 0\nexit", 0)

# ---------------------------------------------------------------- local calls
t("call-local-args", "call local passes r1-r5 to the callee in order", """
    mov %r1, 1
    mov %r2, 2
    mov %r3, 3
    mov %r4, 4
    mov %r5, 5
    call local f
    exit
    f:
    mov %r0, %r1
    mul %r0, 10
    add %r0, %r2
    mul %r0, 10
    add %r0, %r3
    mul %r0, 10
    add %r0, %r4
    mul %r0, 10
    add %r0, %r5
    exit
""", 12345)
t("call-local-preserves-r6-r9", "r6-r9 hold the caller's values after a local call", """
    mov %r6, 6
    mov %r7, 7
    mov %r8, 8
    mov %r9, 9
    call local f
    mov %r0, %r6
    mul %r0, 10
    add %r0, %r7
    mul %r0, 10
    add %r0, %r8
    mul %r0, 10
    add %r0, %r9
    exit
    f:
    mov %r6, 0
    mov %r7, 0
    mov %r8, 0
    mov %r9, 0
    mov %r0, 0
    exit
""", 6789)
t("call-local-returns-r0", "the callee's r0 is the call's result, all 64 bits", """
    call local f
    exit
    f:
    lddw %r0, 0x8000000000000001
    exit
""", 0x8000000000000001)
t("call-local-stack-separate", "the callee's [r10-8] is not the caller's [r10-8]", """
    stdw [%r10-8], 0x1111
    call local f
    ldxdw %r0, [%r10-8]
    exit
    f:
    stdw [%r10-8], 0x2222
    mov %r0, 0
    exit
""", 0x1111)
t("call-local-callee-stack-usable", "the callee has a working stack of its own", """
    stdw [%r10-8], 5
    call local f
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    exit
    f:
    stdw [%r10-16], 30
    ldxdw %r0, [%r10-16]
    exit
""", 35)
t("call-local-callee-full-frame", "the callee's frame is 512 bytes of its own (the kernel limits the combined stack)", """
    stdw [%r10-8], 1
    call local f
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    exit
    f:
    stdw [%r10-512], 40
    stdw [%r10-8], 2
    ldxdw %r0, [%r10-512]
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    exit
""", 43)
t("call-local-stack-pointer-argument", "a pointer to the caller's stack stays valid in the callee", """
    stdw [%r10-8], 40
    mov %r1, %r10
    add %r1, -8
    call local f
    ldxdw %r0, [%r10-8]
    exit
    f:
    ldxdw %r2, [%r1]
    add %r2, 2
    stxdw [%r1], %r2
    mov %r0, 0
    exit
""", 42)
t("call-local-mem-pointer-argument", "the input memory pointer passed to a callee", """
    call local f
    exit
    f:
    ldxw %r0, [%r1+4]
    exit
""", 0x08070605, mem="01 02 03 04 05 06 07 08")
t("call-local-twice", "the same function called twice", """
    mov %r1, 3
    call local sq
    mov %r6, %r0
    mov %r1, 4
    call local sq
    add %r0, %r6
    exit
    sq:
    mov %r0, %r1
    mul %r0, %r1
    exit
""", 25)
t("call-local-backward", "a function calls one placed before it", """
    call local g
    exit
    f:
    mov %r0, 5
    exit
    g:
    call local f
    add %r0, 1
    exit
""", 6)
t("call-local-r6-across-nested", "r6 saved across two levels of calls", """
    mov %r6, 100
    call local f
    add %r0, %r6
    exit
    f:
    mov %r6, 20
    call local g
    add %r0, %r6
    exit
    g:
    mov %r6, 3
    mov %r0, %r6
    exit
""", 123)
t("call-local-r10-restored", "r10 is the caller's frame pointer again after a call", """
    stdw [%r10-8], 7
    mov %r6, %r10
    call local f
    ldxdw %r0, [%r6-8]
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    exit
    f:
    stdw [%r10-8], 100
    mov %r0, 0
    exit
""", 14)

CHAIN = ["call local f1", "exit"]
for i in range(1, 8):
    CHAIN += [f"f{i}:"]
    CHAIN += [f"call local f{i + 1}", "add %r0, 1"] if i < 7 else ["mov %r0, 1"]
    CHAIN += ["exit"]
t("call-local-depth-8-chain", "a chain of 7 nested calls (8 frames, the limit) works", "\n".join(CHAIN), 7)
CHAIN9 = ["call local f1", "exit"]
for i in range(1, 9):
    CHAIN9 += [f"f{i}:"]
    CHAIN9 += [f"call local f{i + 1}", "add %r0, 1"] if i < 8 else ["mov %r0, 1"]
    CHAIN9 += ["exit"]
err("call-local-depth-9-chain", "a chain of 8 nested calls (9 frames) exceeds the call depth",
    "\n".join(CHAIN9), "call depth exceeded")

REC = """
    mov %r1, {n}
    call local f
    exit
    f:
    jne %r1, 0, more
    mov %r0, 0
    exit
    more:
    sub %r1, 1
    call local f
    add %r0, 1
    exit
"""
t("call-local-recursion-depth-8", "recursion to 8 frames (main + 7) works (the kernel refuses recursion)",
  REC.format(n=6), 6)
err("call-local-recursion-depth-9", "recursion to 9 frames exceeds the call depth",
    REC.format(n=7), "call depth exceeded")
err("call-local-infinite-recursion", "unbounded recursion exceeds the call depth", """
    call local f
    exit
    f:
    call local f
    exit
""", "call depth exceeded")
t("call-local-factorial", "recursive factorial keeps r6 per frame (the kernel refuses recursion)", """
    mov %r1, 6
    call local fact
    exit
    fact:
    mov %r0, 1
    jle %r1, 1, done
    mov %r6, %r1
    sub %r1, 1
    call local fact
    mul %r0, %r6
    done:
    exit
""", 720)
t("call-local-recursion-stack", "each recursive frame keeps its own stack slot (the kernel refuses recursion)", """
    mov %r1, 5
    call local f
    exit
    f:
    stxdw [%r10-8], %r1
    mov %r0, 0
    jeq %r1, 0, done
    sub %r1, 1
    call local f
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    done:
    exit
""", 15)
t("call-local-callee-reads-caller-frame",
  "a callee reads its caller's frame just above its own r10 (bottom and top words)", """
    stdw [%r10-512], 5
    stdw [%r10-8], 6
    call local f
    exit
    f:
    ldxdw %r0, [%r10+0]
    ldxdw %r1, [%r10+504]
    lsh %r0, 4
    or %r0, %r1
    exit
""", 0x56)
err("oob-callee-stack-below-frame", "a callee's frame is 512 bytes too", """
    call local f
    exit
    f:
    ldxb %r0, [%r10-513]
    exit
""", "out of bounds")

# ---------------------------------------------------------------- helpers
t("call-helper-5-returns-r1", "helper 5 returns its first argument (the kernel's helper 5 is different)",
  "lddw %r1, 0x8000000000000001\ncall 5\nexit", 0x8000000000000001)
t("call-helper-preserves-r6-r9", "r6-r9 survive a helper call", """
    mov %r6, 6
    mov %r7, 7
    mov %r8, 8
    mov %r9, 9
    mov %r1, 1000
    call 5
    add %r0, %r6
    add %r0, %r7
    add %r0, %r8
    add %r0, %r9
    exit
""", 1030)
t("call-helper-from-callee", "a helper called inside a local function", """
    mov %r1, 11
    call local f
    exit
    f:
    add %r1, 1
    call 5
    exit
""", 12)
t("callx-helper-5", "call %r3 calls the helper whose id is in r3 (the kernel has no callx)",
  "mov %r1, 7\nmov %r3, 5\ncall %r3\nexit", 7)
t("callx-helper-5-r9", "call %r9 with the helper id in r9",
  "lddw %r1, 0xffffffffffffffff\nmov %r9, 5\ncall %r9\nexit", 0xffffffffffffffff)
err("call-unknown-helper", "call 99 names no registered helper", "mov %r0, 0\ncall 99\nexit",
    "unknown helper")
err("callx-unknown-helper", "call %r2 with an unregistered id", "mov %r2, 99\ncall %r2\nexit",
    "unknown helper")
err("call-unknown-helper-after-work", "an unknown helper fails even after other work",
    "mov %r1, 1\ncall 5\nmov %r1, 2\ncall 98\nexit", "unknown helper")

# ---------------------------------------------------------------- budget
err("budget-self-loop", "ja to itself runs until the budget ends", """
    mov %r0, 0
    loop:
    ja loop
""", "instruction budget exhausted", budget=10000)
err("budget-counting-loop", "a loop that never meets its exit condition", """
    mov %r0, 1
    loop:
    add %r0, 2
    jne %r0, 0, loop
    exit
""", "instruction budget exhausted", budget=10000)
err("budget-gotol-loop", "ja32 backward forever", """
    mov %r0, 0
    loop:
    add %r0, 1
    ja32 loop
""", "instruction budget exhausted", budget=10000)
err("budget-too-small", "a finite loop of 1000 iterations does not fit a budget of 100", """
    mov %r0, 0
    loop:
    add %r0, 1
    jlt %r0, 1000, loop
    exit
""", "instruction budget exhausted", budget=100)
t("budget-large-enough", "a loop of 100 iterations fits a budget of 10000", """
    mov %r0, 0
    loop:
    add %r0, 1
    jlt %r0, 100, loop
    exit
""", 100, budget=10000)
err("budget-recursion-loop", "calls in an endless loop use up the budget", """
    mov %r6, 0
    loop:
    call local f
    add %r6, %r0
    ja loop
    f:
    mov %r0, 1
    exit
""", "instruction budget exhausted", budget=10000)
