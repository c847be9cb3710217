#!/usr/bin/env bash
# The comparison table of the README: ferrobpf (interpreter, JIT verified and checked),
# the Linux kernel JIT and native gcc -O2 on the three shared workloads, in one run.
# Usage: benches/compare.sh [REPEAT]   (needs ../shared/bench, gcc, root for the kernel)
set -euo pipefail
cd "$(dirname "$0")/.."
repeat=${1:-200}
shared=../shared/bench
[ -d "$shared" ] || { echo "skipped: ../shared not found"; exit 0; }
cargo build --release --quiet
native=$(mktemp -d)/native_bench
gcc -O2 -I"$shared" -o "$native" "$shared/native_bench.c"
w=benches/workloads
for round in 1 2; do
    echo "# round $round"
    taskset -c 1 ./target/release/ferrobpf bench "$w/arith.o" "$w/fnv.o" "$w/sieve.o" \
        --mem-file "$w/buffer.bin" --repeat "$repeat"
    taskset -c 1 "$native" "$repeat"
done
