#!/usr/bin/env python3
# Copyright (c) ferrobpf authors
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Runs .data tests in the Linux kernel (needs root), as a second oracle.

Each test is loaded as a BPF_PROG_TYPE_SCHED_CLS program and run with
BPF_PROG_TEST_RUN. A prolog turns the skb context into the conformance calling
convention (r1 = packet data, r2 = length, r6 = context for legacy packet loads);
every `exit` of the main function becomes a jump to an epilogue. The return value of a
test run is 32 bits, so each test is loaded twice: once returning r0, once r0 >> 32.
The packet is the test's memory padded with zeros to 14 bytes (ETH_HLEN).

Usage: kernel_run.py FILE_OR_DIR...   prints one line per file:
  agree / DIFFER (kernel value vs expected) / REFUSED (verifier message).
"""

import ctypes
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bpfref  # noqa: E402

NR_BPF = 321  # x86-64
BPF_PROG_LOAD = 5
BPF_PROG_TEST_RUN = 10
PROG_TYPE_SCHED_CLS = 3
SKB_DATA = 76
SKB_DATA_END = 80
ETH_HLEN = 14

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(bytes(attr), len(attr))
    r = libc.syscall(NR_BPF, cmd, buf, len(attr))
    return r, ctypes.get_errno(), buf.raw


def ins(opcode, dst=0, src=0, off=0, imm=0):
    return struct.pack("<BBhi", opcode, (src << 4) | dst, off, imm)


def op(name):
    return next(r for r in bpfref.TABLE if r.name == name).opcode


def wrap(slots, length, high):
    """Prolog + body (main-function exits redirected) + epilogue, as bytes."""
    prolog = [
        ins(op("Mov64Reg"), 6, 1),
        ins(op("LdxW"), 2, 1, SKB_DATA_END),
        ins(op("LdxW"), 1, 1, SKB_DATA),
        ins(op("Mov64Reg"), 3, 1),
        ins(op("Add64Imm"), 3, imm=length),
    ]
    # layout: prolog | jgt -> fail | mov r2 | ja body | epi (1-2) | fail (2) | body
    epi = ([ins(op("Rsh64Imm"), 0, imm=32)] if high else []) + [ins(op("Exit"))]
    fail = [ins(op("Mov64Imm"), 0, imm=0xBAD), ins(op("Exit"))]
    head = prolog + [
        ins(op("JgtReg"), 3, 2, 2 + len(epi)),
        ins(op("Mov64Imm"), 2, imm=length),
        ins(op("Ja"), off=len(epi) + len(fail)),
    ]
    epi_at = len(head)
    body_at = epi_at + len(epi) + len(fail)
    # the main function ends at the first local-call target
    targets = [
        i + 1 + bpfref.sext(s.imm, 32)
        for i, s in enumerate(slots)
        if s.row.sem[0] == "CallLocal"
    ]
    main_end = min(targets) if targets else len(slots)
    body = []
    for i, s in enumerate(slots):
        if s.row.sem[0] == "Exit" and i < main_end:
            here = body_at + i
            body.append(ins(op("Ja"), off=epi_at - (here + 1)))
        else:
            body.append(s.bytes())
    return b"".join(head + epi + fail + body)


def load(code):
    log = ctypes.create_string_buffer(1 << 20)
    lic = ctypes.create_string_buffer(b"GPL")
    insns = ctypes.create_string_buffer(code, len(code))
    attr = struct.pack(
        "<IIQQIIQII",
        PROG_TYPE_SCHED_CLS,
        len(code) // 8,
        ctypes.addressof(insns),
        ctypes.addressof(lic),
        1,
        len(log),
        ctypes.addressof(log),
        0,
        0,
    ).ljust(160, b"\0")
    fd, err, _ = bpf(BPF_PROG_LOAD, attr)
    if fd < 0:
        text = log.value.decode(errors="replace").strip().splitlines()
        msg = text[-2] if len(text) >= 2 else (text[-1] if text else os.strerror(err))
        return None, msg
    return fd, None


def test_run(fd, data):
    buf = ctypes.create_string_buffer(data, len(data))
    out = ctypes.create_string_buffer(len(data) + 256)
    attr = struct.pack(
        "<IIIIQQII",
        fd, 0, len(data), len(out), ctypes.addressof(buf), ctypes.addressof(out), 1, 0,
    ).ljust(80, b"\0")
    r, err, raw = bpf(BPF_PROG_TEST_RUN, attr)
    if r < 0:
        return None, os.strerror(err)
    return struct.unpack_from("<I", raw, 4)[0], None


def run_kernel(slots, mem):
    """Returns (r0, None) or (None, reason)."""
    data = mem.ljust(ETH_HLEN, b"\0")
    halves = []
    for high in (False, True):
        fd, msg = load(wrap(slots, len(mem), high))
        if fd is None:
            return None, f"refused: {msg}"
        try:
            v, msg = test_run(fd, data)
        finally:
            os.close(fd)
        if v is None:
            return None, f"test_run failed: {msg}"
        halves.append(v)
    return halves[0] | (halves[1] << 32), None


def main(argv):
    paths = bpfref.data_paths(argv)
    counts = {"agree": 0, "DIFFER": 0, "REFUSED": 0}
    for p in paths:
        tf = bpfref.TestFile(p)
        name = os.path.basename(p)
        try:
            slots = bpfref.assemble(tf.asm)
        except bpfref.AsmError as e:
            print(f"REFUSED {name}: assembler: {e}")
            counts["REFUSED"] += 1
            continue
        r0, why = run_kernel(slots, tf.mem)
        want = tf.result
        if r0 is None:
            counts["REFUSED"] += 1
            print(f"REFUSED {name}: {why}")
        elif want is not None and r0 == want & bpfref.MASK64:
            counts["agree"] += 1
            print(f"agree   {name}: {r0:#x}")
        else:
            counts["DIFFER"] += 1
            exp = f"{want & bpfref.MASK64:#x}" if want is not None else f"error {tf.error!r}"
            print(f"DIFFER  {name}: kernel {r0:#x}, expected {exp}")
    print(" ".join(f"{k}={v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
