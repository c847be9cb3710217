# Copyright (c) ferrobpf authors
# SPDX-License-Identifier: MIT OR Apache-2.0
"""The shape of one generated test: a name, a one-line description, the program,
and exactly one of an expected r0 (`result`) or an expected error phrase."""


class T:
    """One .data file to generate."""

    def __init__(self, name, what, asm, result=None, mem=None, error=None, budget=None):
        self.name = name
        self.what = what
        self.asm = asm
        self.result = result
        self.mem = mem
        self.error = error
        self.budget = budget


def collect(*groups):
    """Flattens lists of tests."""
    out = []
    for g in groups:
        out.extend(g)
    return out
