#!/usr/bin/env bash
# Rebuilds the example objects (needs clang with the BPF target: Debian's clang).
set -euo pipefail
cd "$(dirname "$0")"
clang -O2 -target bpf -mcpu=v3 -c checksum.c -o checksum.o
