#!/usr/bin/env python3
# Copyright (c) ferrobpf authors
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Writes ferrobpf's conformance tests (conformance/tests/*.data).

Every test states its expected result by hand (worked out from RFC 9669); before
a file is written the reference model (bpfref.py) must compute the same result,
so each expectation has two independent derivations. The kernel (kernel_run.py)
and ferrobpf's own engines check them again.

Usage: gen_tests.py [--check]   (--check: compare only, write nothing)
"""

import os
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bpfref  # noqa: E402
import cases_alu  # noqa: E402
import cases_jmp  # noqa: E402
import cases_mem  # noqa: E402
import cases_call  # noqa: E402

OUT = os.path.join(bpfref.REPO, "conformance", "tests")
HEADER = "# Copyright (c) ferrobpf authors\n# SPDX-License-Identifier: MIT OR Apache-2.0\n"


def render(t):
    out = [HEADER, f"# {t.what}\n", "-- asm\n", textwrap.dedent(t.asm).strip() + "\n"]
    if t.mem is not None:
        out.append("-- mem\n")
        out.append(t.mem.strip() + "\n")
    if t.budget is not None:
        out.append(f"-- budget\n{t.budget}\n")
    if t.error is not None:
        out.append(f"-- error\n{t.error}\n")
    else:
        out.append(f"-- result\n{t.result:#x}\n")
    return "".join(out)


def main(argv):
    check_only = "--check" in argv
    tests = cases_alu.TESTS + cases_jmp.TESTS + cases_mem.TESTS + cases_call.TESTS
    names = set()
    bad = 0
    for t in tests:
        if t.name in names:
            print(f"duplicate test name {t.name}")
            bad += 1
        names.add(t.name)
        if (t.result is None) == (t.error is None):
            print(f"{t.name}: give exactly one of result and error")
            bad += 1
            continue
        path = os.path.join(OUT, t.name + ".data")
        text = render(t)
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        ok, msg = bpfref.check_file(tmp)
        os.unlink(tmp)
        if not ok:
            print(f"MODEL DISAGREES {t.name}: {msg}")
            bad += 1
            continue
        if not check_only:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    stale = sorted(
        f for f in os.listdir(OUT) if f.endswith(".data") and f[:-5] not in names
    )
    for f in stale:
        print(f"stale file (not generated): {f}")
    print(f"{len(tests)} tests, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
