#!/bin/sh
# Compiles the shared benchmark workloads (../shared/bench) to BPF objects and
# extracts their code. The outputs are committed; rerun after changing a workload.
#   <name>.o   : clang -O2 -target bpf -mcpu=v3 -fno-builtin -DWORKLOAD=k_<name>
#   <name>.bin : the .text section, raw instructions for Program::from_bytes
# Needs clang and llvm-objcopy. Usage: benches/workloads/build.sh [shared-bench-dir]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=${1:-$here/../../../shared/bench}
for name in arith fnv sieve; do
    clang -O2 -target bpf -mcpu=v3 -fno-builtin -DWORKLOAD="k_$name" \
        -c "$src/mem_entry.c" -o "$here/$name.o"
    llvm-objcopy -O binary --only-section=.text "$here/$name.o" "$here/$name.bin"
done
# buffer.bin: the 64 KiB input every harness uses (common.h's fill_buf LCG).
python3 - "$here/buffer.bin" <<'PY'
import sys
s, out = 12345, bytearray(65536)
for i in range(len(out)):
    s = (s * 1103515245 + 12345) & 0xffffffff
    out[i] = (s >> 16) & 0xff
open(sys.argv[1], "wb").write(out)
PY
