#!/usr/bin/env bash
# Runs the JIT's tests with the AArch64 back end as the *native* back end: the
# crate's tests are cross-compiled for aarch64-unknown-linux-gnu and executed under
# qemu-aarch64 (user mode), so the generated AArch64 code runs as native code of
# the process (called through the C ABI, instruction cache maintained, W^X), not
# under the Unicorn emulator the x86-64 build uses.
#
# Installs what is missing: the Rust target, qemu-user, the cross linker and the
# AArch64 C library (Debian packages). Then runs
#   cargo test -p ferrobpf-jit        (every test: the aarch64_* suites, and the
#                                      x86-64 suites basic/differential/conformance,
#                                      which on this target test JitProgram, i.e.
#                                      the AArch64 back end)
#   cargo test -p ferrobpf-conformance (its jit and jit-aarch64 engines natively)
# With arguments, only `cargo test -p ferrobpf-jit --target ... ARGS` runs, e.g.
#   FERROBPF_LONG=100000 scripts/aarch64-native.sh --release --test aarch64_differential
set -euo pipefail
cd "$(dirname "$0")/.."

target=aarch64-unknown-linux-gnu
sysroot=/usr/aarch64-linux-gnu

if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    rustup target add "$target"
fi
missing=()
command -v qemu-aarch64 >/dev/null || missing+=(qemu-user)
command -v aarch64-linux-gnu-gcc >/dev/null || missing+=(gcc-aarch64-linux-gnu)
[ -e "$sysroot/lib/crt1.o" ] || missing+=(libc6-dev-arm64-cross)
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L $sysroot"

start=$(date +%s)
if [ $# -gt 0 ]; then
    cargo test -p ferrobpf-jit --target "$target" "$@"
else
    cargo test -p ferrobpf-jit --target "$target" --no-fail-fast
    cargo test -p ferrobpf-conformance --target "$target" --no-fail-fast
fi
echo "aarch64-native: passed in $(($(date +%s) - start)) s"
