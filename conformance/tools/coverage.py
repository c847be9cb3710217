#!/usr/bin/env python3
# Copyright (c) ferrobpf authors
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Lists the rows of the ISA table (vm/src/isa/table.rs) that no test uses.

Assembles every .data file given (files or directories), decodes the bytes back to
table rows, and prints per-row use counts with --verbose. Exits 1 if a row other than
the LDDW pseudo-source forms (which need maps or BTF) is unused.

Usage: coverage.py [--verbose] conformance/tests
"""

import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bpfref  # noqa: E402

# Rows a self-contained .data test cannot express: they name maps, BTF ids or
# functions resolved by a loader.
NEEDS_LOADER = {"LddwMapFd", "LddwMapValue", "LddwBtfId", "LddwFunc", "LddwMapIdx",
                "LddwMapIdxValue"}


def rows_used(code):
    used = []
    pc = 0
    while pc + 8 <= len(code):
        opcode, regs, off, imm = struct.unpack_from("<BBhi", code, pc)
        row = bpfref.find_row(opcode, regs >> 4, off, imm)
        used.append(row.name if row else f"unknown opcode {opcode:#04x}")
        pc += 16 if row and row.sem[0] == "Lddw" else 8
        if row and row.sem[0] == "Lddw":
            used.append("LddwHigh")
    return used


def main(argv):
    verbose = "--verbose" in argv
    paths = bpfref.data_paths(x for x in argv if x != "--verbose")
    counts = {r.name: 0 for r in bpfref.TABLE}
    for p in paths:
        tf = bpfref.TestFile(p)
        try:
            code = bpfref.program_bytes(bpfref.assemble(tf.asm))
        except bpfref.AsmError as e:
            print(f"{p}: {e}")
            continue
        for name in set(rows_used(code)):
            counts[name] = counts.get(name, 0) + 1
    unused = [n for n, c in counts.items() if c == 0]
    if verbose:
        for n, c in counts.items():
            print(f"{c:5} {n}")
    print(f"{len(paths)} files, {len(counts) - len(unused)}/{len(counts)} table rows used")
    for n in unused:
        why = " (needs a loader: maps/BTF/functions)" if n in NEEDS_LOADER else ""
        print(f"unused: {n}{why}")
    return 1 if any(n not in NEEDS_LOADER for n in unused) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
