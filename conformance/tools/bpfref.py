#!/usr/bin/env python3
# Copyright (c) ferrobpf authors
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Reference model for ferrobpf's conformance tests.

An independent oracle, written from RFC 9669 and kept apart from the Rust code:

* reads instruction forms (opcode, discriminator, mnemonic, operands, semantics)
  from ``vm/src/isa/table.rs`` so that there is still one opcode list;
* parses bpf_conformance ``.data`` files;
* assembles the bpf_conformance assembler syntax into 8-byte slots;
* executes the program with straightforward Python integer arithmetic.

Runtime model (the contract the conformance runner implements): ``r1`` points to a
writable copy of ``-- mem`` and ``r2`` holds its length; each call frame has its own
512-byte frame with ``r10`` at its top (frames adjoin; the live frames are accessible); at most 8 frames; helper 5 returns ``r1``;
``call %rN`` calls the helper whose id is in ``rN``; legacy packet loads read
big-endian from the input memory and end the program with ``r0 = 0`` when out of
bounds. Errors carry the phrase a ``-- error`` section names.
"""

import os
import re
import struct
import sys

MASK64 = (1 << 64) - 1
MASK32 = (1 << 32) - 1
STACK_SIZE = 512
MAX_FRAMES = 8
DEFAULT_BUDGET = 1_000_000
MEM_BASE = 0x1_0000_0000
STACK_BASE = 0x2_0000_0000
SIZES = {"B": 1, "H": 2, "W": 4, "DW": 8}

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
TABLE_RS = os.path.join(REPO, "vm", "src", "isa", "table.rs")


# --------------------------------------------------------------------------
# The ISA table, read from vm/src/isa/table.rs
# --------------------------------------------------------------------------

class Row:
    """One instruction form of the table."""

    def __init__(self, name, opcode, disc, mnemonic, operands, group, sem):
        self.name = name
        self.opcode = opcode
        self.disc = disc  # (kind, value) or None
        self.mnemonic = mnemonic
        self.operands = operands
        self.group = group
        self.sem = sem  # tuple: (kind, args...)

    def __repr__(self):
        return self.name


ROW_RE = re.compile(
    r'^\s*(\w+) = (0x[0-9a-fA-F]+), (\w+(?:\([^)]*\))?), "([^"]+)", (\w+), (\w+), (.+);\s*$'
)


def _parse_disc(text):
    if text == "N":
        return None
    if text == "SDIV":
        return ("off", 1)
    m = re.fullmatch(r"(off|imm|src)\((-?(?:0x)?[0-9a-fA-F]+)\)", text)
    if not m:
        raise ValueError(f"unknown discriminator {text!r}")
    return (m.group(1), int(m.group(2), 0))


def _parse_sem(text):
    text = text.strip()
    m = re.fullmatch(r"(\w+)(?:\((.*)\))?", text)
    if not m:
        raise ValueError(f"unknown semantics {text!r}")
    head, args = m.group(1), m.group(2)
    parts = []
    if args:
        for a in args.split(","):
            a = a.strip()
            a = a.split("::")[-1]
            parts.append(a)
    if head == "atomic":
        head = "Atomic"
    return (head, *parts)


def load_table(path=TABLE_RS):
    """Rows of the ISA table, in table order."""
    rows = []
    in_table = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("isa_table! {"):
                in_table = True
                continue
            if in_table and line.startswith("}"):
                break
            if not in_table:
                continue
            m = ROW_RE.match(line)
            if m:
                name, opcode, disc, mn, operands, group, sem = m.groups()
                rows.append(
                    Row(name, int(opcode, 16), _parse_disc(disc), mn, operands, group,
                        _parse_sem(sem))
                )
    if not rows:
        raise RuntimeError(f"no rows found in {path}")
    return rows


TABLE = load_table()
BY_MNEMONIC = {}
for _r in TABLE:
    BY_MNEMONIC.setdefault(_r.mnemonic, []).append(_r)
MNEMONIC_WORDS = sorted({tuple(m.split()) for m in BY_MNEMONIC}, key=len, reverse=True)


def find_row(opcode, src, off, imm):
    """The row matching raw fields (like vm's lookup::find), or None."""
    for r in TABLE:
        if r.opcode != opcode:
            continue
        if r.disc is None:
            return r
        kind, v = r.disc
        if kind == "off" and v == off:
            return r
        if kind == "imm" and v == imm:
            return r
        if kind == "src" and v == src:
            return r
    return None


# --------------------------------------------------------------------------
# .data files
# --------------------------------------------------------------------------

class TestFile:
    """The sections of one .data file."""

    def __init__(self, path):
        self.path = path
        self.sections = {}
        current = None
        with open(path, encoding="utf-8") as f:
            for raw in f:
                line = raw.rstrip("\n")
                if line.startswith("--"):
                    current = line[2:].strip()
                    self.sections.setdefault(current, [])
                    continue
                if current is not None:
                    self.sections[current].append(line)

    def text(self, name):
        return self.sections.get(name)

    @property
    def asm(self):
        return "\n".join(self.sections.get("asm", []))

    @property
    def mem(self):
        lines = self.sections.get("mem")
        if lines is None:
            return b""
        data = []
        for line in lines:
            line = line.split("#", 1)[0]
            data.extend(int(tok, 16) for tok in line.split())
        return bytes(data)

    def first_token(self, name):
        """The first non-comment token of a section, or None."""
        for line in self.sections.get(name) or []:
            tok = line.split("#", 1)[0].strip()
            if tok:
                return tok
        return None

    @property
    def result(self):
        t = self.first_token("result")
        if t is None:
            return None
        return int(t, 16) if "0x" in t else int(t, 10)

    @property
    def error(self):
        lines = self.sections.get("error")
        if lines is None:
            return None
        return "\n".join(lines).strip()

    @property
    def budget(self):
        t = self.first_token("budget")
        return None if t is None else int(t, 10)


# --------------------------------------------------------------------------
# Assembler (bpf_conformance syntax)
# --------------------------------------------------------------------------

class AsmError(Exception):
    pass


def _reg(tok):
    m = re.fullmatch(r"%r(\d+)", tok.strip())
    if not m or int(m.group(1)) > 10:
        raise AsmError(f"bad register {tok!r}")
    return int(m.group(1))


def _is_reg(tok):
    return re.fullmatch(r"%r\d+", tok.strip()) is not None


def _imm32(tok):
    tok = tok.strip()
    neg = tok.startswith("-")
    body = tok[1:] if neg else tok.lstrip("+")
    if body.lower().startswith("0x"):
        v = int(body, 16)
        if neg:
            v = -v
            if v < -(1 << 31):
                raise AsmError(f"immediate out of range {tok!r}")
        elif v > MASK32:
            raise AsmError(f"immediate out of range {tok!r}")
    else:
        v = int(body, 10) * (-1 if neg else 1)
        if not -(1 << 31) <= v < (1 << 31):
            raise AsmError(f"immediate out of range {tok!r}")
    return v & MASK32


def _imm64(tok):
    tok = tok.strip()
    neg = tok.startswith("-")
    body = tok[1:] if neg else tok
    v = int(body, 0) * (-1 if neg else 1)
    if not -(1 << 63) <= v <= MASK64:
        raise AsmError(f"immediate out of range {tok!r}")
    return v & MASK64


def _mem(tok):
    m = re.fullmatch(r"\[\s*(%r\d+)\s*(?:([+-])\s*((?:0x)?[0-9a-fA-F]+))?\s*\]", tok.strip())
    if not m:
        raise AsmError(f"bad memory operand {tok!r}")
    reg = _reg(m.group(1))
    off = 0
    if m.group(3):
        off = int(m.group(3), 0) * (-1 if m.group(2) == "-" else 1)
    if not -(1 << 15) <= off < (1 << 15):
        raise AsmError(f"offset out of range {tok!r}")
    return reg, off


def _split_operands(text):
    text = text.strip()
    if not text:
        return []
    return [t.strip() for t in text.split(",")]


def encode(opcode, dst=0, src=0, off=0, imm=0):
    return struct.pack("<BBhI", opcode, (src << 4) | dst, off, imm & MASK32)


class Slot:
    """One 8-byte slot with its decoded fields and its row."""

    def __init__(self, row, dst=0, src=0, off=0, imm=0, line=0):
        self.row = row
        self.dst, self.src, self.off, self.imm = dst, src, off, imm & MASK32
        self.line = line

    def bytes(self):
        return encode(self.row.opcode if self.row else 0, self.dst, self.src, self.off, self.imm)


LDDW_HIGH = next(r for r in TABLE if r.sem[0] == "LddwHigh")


# Spellings found in upstream bpf_conformance files (used only to check the model
# against them).
ALIASES = {"swap16": "bswap16", "swap32": "bswap32", "swap64": "bswap64"}


def assemble(text):
    """Assembles bpf_conformance text into a list of Slots (LDDW takes two)."""
    items = []  # (line_no, mnemonic, operand text)
    labels = {}
    pc = 0
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z_][\w.]*)\s*:(.*)", line)
        if m:
            if m.group(1) in labels:
                raise AsmError(f"line {n}: duplicate label {m.group(1)}")
            labels[m.group(1)] = pc
            line = m.group(2).strip()
            if not line:
                continue
        words = line.split()
        if words[0].lower() in ALIASES:
            words[0] = ALIASES[words[0].lower()]
            line = " ".join(words)
        for cand in MNEMONIC_WORDS:
            if tuple(w.lower() for w in words[: len(cand)]) == cand:
                mn = " ".join(cand)
                rest = line.split(None, len(cand))[len(cand)] if len(words) > len(cand) else ""
                break
        else:
            raise AsmError(f"line {n}: unknown mnemonic {words[0]!r}")
        # "call local x" vs "call 5" vs "call %r1"
        items.append((n, mn, rest, pc))
        pc += 2 if mn == "lddw" else 1

    def target(tok, at):
        tok = tok.strip()
        if tok in labels:
            return labels[tok] - (at + 1)
        if tok == "exit":
            # upstream files jump to an undefined label `exit`: the final slot
            return pc - 1 - (at + 1)
        if re.fullmatch(r"[+-]?(0x)?[0-9a-fA-F]+", tok):
            return int(tok, 0)
        raise AsmError(f"unknown label {tok!r}")

    slots = []
    for n, mn, rest, at in items:
        ops = _split_operands(rest)
        rows = BY_MNEMONIC[mn]

        def pick(kind):
            for r in rows:
                if r.operands == kind:
                    return r
            raise AsmError(f"line {n}: {mn} takes no {kind} operands")

        def need(k):
            if len(ops) != k:
                raise AsmError(f"line {n}: {mn} wants {k} operands, got {len(ops)}")

        if mn == "call":
            need(1)
            if _is_reg(ops[0]):
                r = pick("Dst")
                slots.append(Slot(r, dst=_reg(ops[0]), line=n))
            else:
                r = pick("Helper")
                slots.append(Slot(r, src=r.disc[1], imm=_imm32(ops[0]), line=n))
            continue
        if mn == "lddw":
            need(2)
            r = next(x for x in rows if x.sem == ("Lddw", "Imm64"))
            v = _imm64(ops[1])
            slots.append(Slot(r, dst=_reg(ops[0]), imm=v & MASK32, line=n))
            slots.append(Slot(LDDW_HIGH, imm=v >> 32, line=n))
            continue
        kinds = {r.operands for r in rows}
        if "DstImm" in kinds or "DstSrc" in kinds:
            need(2)
            if _is_reg(ops[1]):
                r = pick("DstSrc")
                s = Slot(r, dst=_reg(ops[0]), src=_reg(ops[1]), line=n)
            else:
                r = pick("DstImm")
                s = Slot(r, dst=_reg(ops[0]), imm=_imm32(ops[1]), line=n)
        elif "DstImmOff" in kinds:
            need(3)
            off = target(ops[2], at)
            if _is_reg(ops[1]):
                r = pick("DstSrcOff")
                s = Slot(r, dst=_reg(ops[0]), src=_reg(ops[1]), off=off, line=n)
            else:
                r = pick("DstImmOff")
                s = Slot(r, dst=_reg(ops[0]), imm=_imm32(ops[1]), off=off, line=n)
        else:
            r = rows[0]
            k = r.operands
            if k == "Dst":
                need(1)
                s = Slot(r, dst=_reg(ops[0]), line=n)
            elif k == "Off":
                need(1)
                s = Slot(r, off=target(ops[0], at), line=n)
            elif k == "ImmTarget":
                need(1)
                s = Slot(r, imm=target(ops[0], at), line=n)
            elif k == "None":
                need(0)
                s = Slot(r, line=n)
            elif k == "Load":
                need(2)
                base, off = _mem(ops[1])
                s = Slot(r, dst=_reg(ops[0]), src=base, off=off, line=n)
            elif k == "StoreImm":
                need(2)
                base, off = _mem(ops[0])
                s = Slot(r, dst=base, off=off, imm=_imm32(ops[1]), line=n)
            elif k == "StoreReg":
                need(2)
                base, off = _mem(ops[0])
                s = Slot(r, dst=base, src=_reg(ops[1]), off=off, line=n)
            elif k == "AbsImm":
                need(1)
                s = Slot(r, imm=_imm32(ops[0]), line=n)
            elif k == "IndSrcImm":
                need(2)
                s = Slot(r, src=_reg(ops[0]), imm=_imm32(ops[1]), line=n)
            else:
                raise AsmError(f"line {n}: cannot assemble {mn}")
        if r.disc is not None:
            kind, v = r.disc
            if kind == "off":
                s.off = v
            elif kind == "imm":
                s.imm = v & MASK32
            else:
                s.src = v
        if not -(1 << 15) <= s.off < (1 << 15):
            raise AsmError(f"line {n}: offset out of range")
        slots.append(s)
    return slots


def program_bytes(slots):
    return b"".join(s.bytes() for s in slots)


# --------------------------------------------------------------------------
# Execution
# --------------------------------------------------------------------------

class VmError(Exception):
    """A runtime error; the message starts with the phrase tests name."""


def s64(v):
    v &= MASK64
    return v - (1 << 64) if v >> 63 else v


def s32(v):
    v &= MASK32
    return v - (1 << 32) if v >> 31 else v


def sext(v, bits):
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def swap(v, bits):
    n = bits // 8
    return int.from_bytes((v & ((1 << bits) - 1)).to_bytes(n, "little"), "big")


def trunc_div(a, b):
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def trunc_mod(a, b):
    return a - b * trunc_div(a, b)


def alu(op, width, a, b):
    """One ALU operation on unsigned operands of `width` bits; returns the result
    (None for "leave dst unchanged")."""
    bits = 32 if width == "W32" else 64
    m = (1 << bits) - 1
    a &= m
    b &= m
    if op == "Add":
        return (a + b) & m
    if op == "Sub":
        return (a - b) & m
    if op == "Mul":
        return (a * b) & m
    if op == "Div":
        return 0 if b == 0 else a // b
    if op == "Mod":
        return a if b == 0 else a % b
    if op == "Sdiv":
        if b == 0:
            return 0
        return trunc_div(sext(a, bits), sext(b, bits)) & m
    if op == "Smod":
        if b == 0:
            return a
        return trunc_mod(sext(a, bits), sext(b, bits)) & m
    if op == "Or":
        return a | b
    if op == "And":
        return a & b
    if op == "Xor":
        return a ^ b
    if op == "Lsh":
        return (a << (b & (bits - 1))) & m
    if op == "Rsh":
        return a >> (b & (bits - 1))
    if op == "Arsh":
        return (sext(a, bits) >> (b & (bits - 1))) & m
    if op == "Neg":
        return (-a) & m
    if op == "Mov":
        return b
    if op == "Movsx8":
        return sext(b, 8) & m
    if op == "Movsx16":
        return sext(b, 16) & m
    if op == "Movsx32":
        return sext(b, 32) & m
    raise ValueError(op)


def cond(c, width, a, b):
    bits = 32 if width == "W32" else 64
    m = (1 << bits) - 1
    a &= m
    b &= m
    sa, sb = sext(a, bits), sext(b, bits)
    return {
        "Eq": a == b, "Ne": a != b, "Gt": a > b, "Ge": a >= b, "Lt": a < b, "Le": a <= b,
        "Set": (a & b) != 0, "Sgt": sa > sb, "Sge": sa >= sb, "Slt": sa < sb, "Sle": sa <= sb,
    }[c]


class Memory:
    def __init__(self):
        self.regions = []  # [base, bytearray]

    def add(self, base, data):
        self.regions.append([base, data])

    def find(self, addr, size):
        for base, data in self.regions:
            if base <= addr and addr + size <= base + len(data):
                return data, addr - base
        raise VmError(f"out of bounds: {size}-byte access at {addr:#x}")

    def read(self, addr, size):
        data, i = self.find(addr, size)
        return int.from_bytes(data[i:i + size], "little")

    def write(self, addr, size, value):
        data, i = self.find(addr, size)
        data[i:i + size] = (value & ((1 << (8 * size)) - 1)).to_bytes(size, "little")


HELPERS = {5: lambda regs: regs[1]}


class Result:
    def __init__(self, r0=None, error=None, steps=0):
        self.r0, self.error, self.steps = r0, error, steps


def run(slots, mem=b"", budget=None):
    """Runs assembled slots; returns Result(r0) or Result(error=message)."""
    try:
        r0, steps = _run(slots, mem, DEFAULT_BUDGET if budget is None else budget)
        return Result(r0=r0, steps=steps)
    except VmError as e:
        return Result(error=str(e))


def _run(slots, mem, budget):
    memory = Memory()
    memory.add(MEM_BASE, bytearray(mem))
    regs = [0] * 11
    regs[1] = MEM_BASE
    regs[2] = len(mem)

    # One stack of MAX_FRAMES adjoining frames; at call depth d the accessible window
    # is the live frames, from the bottom of frame d to the top of frame 0 (a caller
    # may pass pointers into its own frame to a callee).
    stack = bytearray(MAX_FRAMES * STACK_SIZE)
    stack_top = STACK_BASE + len(stack)
    memory.add(0, bytearray())
    stack_slot = len(memory.regions) - 1

    def new_frame(depth):
        live = (depth + 1) * STACK_SIZE
        memory.regions[stack_slot] = [stack_top - live, memoryview(stack)[len(stack) - live:]]
        return stack_top - depth * STACK_SIZE

    regs[10] = new_frame(0)
    frames = []  # (return pc, saved r6..r10)
    pc = 0
    steps = 0
    n = len(slots)
    while True:
        if not 0 <= pc < n:
            raise VmError(f"jump out of program at pc {pc}")
        if steps >= budget:
            raise VmError(f"instruction budget exhausted after {steps} instructions")
        steps += 1
        s = slots[pc]
        sem = s.row.sem
        kind = sem[0]
        imm32 = s.imm
        imm64 = sext(imm32, 32) & MASK64
        nxt = pc + 1
        if kind == "Alu":
            op, width, source = sem[1], sem[2], sem[3]
            if op == "Neg":
                b = 0
            elif source == "Reg":
                b = regs[s.src]
            else:
                b = imm64
            res = alu(op, width, regs[s.dst], b)
            regs[s.dst] = res & MASK64
        elif kind == "End":
            how, bits = sem[1], int(sem[2])
            v = regs[s.dst]
            if how == "Le":
                v &= (1 << bits) - 1
            else:
                v = swap(v, bits)
            regs[s.dst] = v
        elif kind == "Ja":
            nxt = pc + 1 + s.off
        elif kind == "Gotol":
            nxt = pc + 1 + sext(imm32, 32)
        elif kind == "Jcond":
            c, width, source = sem[1], sem[2], sem[3]
            b = regs[s.src] if source == "Reg" else imm64
            if cond(c, width, regs[s.dst], b):
                nxt = pc + 1 + s.off
        elif kind in ("CallHelper", "Callx"):
            hid = sext(imm32, 32) if kind == "CallHelper" else regs[s.dst]
            h = HELPERS.get(hid)
            if h is None:
                raise VmError(f"unknown helper {hid}")
            regs[0] = h(regs) & MASK64
        elif kind == "CallLocal":
            if len(frames) + 1 >= MAX_FRAMES:
                raise VmError(f"call depth exceeded at pc {pc}")
            frames.append((pc + 1, regs[6:11]))
            regs[10] = new_frame(len(frames))
            nxt = pc + 1 + sext(imm32, 32)
        elif kind == "Exit":
            if not frames:
                return regs[0], steps
            ret, saved = frames.pop()
            new_frame(len(frames))
            regs[6:11] = saved
            nxt = ret
        elif kind == "Lddw":
            if sem[1] != "Imm64":
                raise VmError("pseudo lddw not supported")
            hi = slots[pc + 1].imm
            regs[s.dst] = (hi << 32) | imm32
            nxt = pc + 2
        elif kind in ("LdAbs", "LdInd"):
            size = SIZES[sem[1]]
            off = sext(imm32, 32)
            if kind == "LdInd":
                off = s64(regs[s.src] + off)
            if 0 <= off and off + size <= len(mem_region(memory)):
                data = mem_region(memory)
                regs[0] = int.from_bytes(data[off:off + size], "big")
            else:
                return 0, steps
        elif kind == "Load":
            size = SIZES[sem[1]]
            signed = sem[2] == "true"
            v = memory.read((regs[s.src] + s.off) & MASK64, size)
            if signed:
                v = sext(v, size * 8) & MASK64
            regs[s.dst] = v
        elif kind == "StoreImm":
            size = SIZES[sem[1]]
            memory.write((regs[s.dst] + s.off) & MASK64, size, imm64)
        elif kind == "StoreReg":
            size = SIZES[sem[1]]
            memory.write((regs[s.dst] + s.off) & MASK64, size, regs[s.src])
        elif kind == "Atomic":
            op, size, fetch = sem[1], SIZES[sem[2]], sem[3] == "true"
            bits = size * 8
            m = (1 << bits) - 1
            addr = (regs[s.dst] + s.off) & MASK64
            old = memory.read(addr, size)
            src = regs[s.src] & m
            if op == "Cmpxchg":
                if (regs[0] & m) == old:
                    memory.write(addr, size, src)
                regs[0] = old
            else:
                new = {
                    "Add": (old + src) & m, "Or": old | src, "And": old & src,
                    "Xor": old ^ src, "Xchg": src,
                }[op]
                memory.write(addr, size, new)
                if fetch:
                    regs[s.src] = old
        else:
            raise VmError(f"cannot execute {s.row.name} at pc {pc}")
        pc = nxt


def mem_region(memory):
    return memory.regions[0][1]


# --------------------------------------------------------------------------
# Checking files
# --------------------------------------------------------------------------

def check_file(path):
    """Returns (ok, message) for one .data file against the model."""
    tf = TestFile(path)
    try:
        if tf.text("raw") is not None:
            return True, "skipped (-- raw)"
        slots = assemble(tf.asm)
    except AsmError as e:
        if tf.error is not None:
            return True, f"assembler error as expected: {e}"
        return False, f"assembler error: {e}"
    res = run(slots, tf.mem, tf.budget)
    if tf.error is not None and tf.result is None:
        if res.error is None:
            return False, f"expected error {tf.error!r}, got r0={res.r0:#x}"
        if tf.error.lower() not in res.error.lower():
            return False, f"expected error {tf.error!r}, got {res.error!r}"
        return True, res.error
    if res.error is not None:
        return False, f"error {res.error!r}, expected {tf.result:#x}"
    if tf.result is None:
        return False, "no -- result and no -- error"
    if res.r0 != tf.result & MASK64:
        return False, f"r0={res.r0:#x}, expected {tf.result & MASK64:#x}"
    return True, f"r0={res.r0:#x}"


def data_paths(args):
    """The .data files named by args (files, or directories to list)."""
    paths = []
    for a in args:
        if os.path.isdir(a):
            paths += sorted(os.path.join(a, f) for f in os.listdir(a) if f.endswith(".data"))
        else:
            paths.append(a)
    return paths


def main(argv):
    paths = data_paths(argv)
    bad = 0
    for p in paths:
        ok, msg = check_file(p)
        if not ok:
            bad += 1
            print(f"FAIL {p}: {msg}")
    print(f"{len(paths) - bad}/{len(paths)} agree with the model")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
