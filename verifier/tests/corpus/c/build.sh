#!/bin/sh
# Rebuilds the C corpus objects (clang 14, -target bpf). The objects are committed so
# tests need no compiler; rerun this after editing a .c file, then re-record the
# kernel verdicts (see ../../corpus.rs).
set -e
cd "$(dirname "$0")"
for src in *.c; do
    clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c "$src" -o "${src%.c}.o"
done
