#!/usr/bin/env bash
# The project's test command (README "Quick start", and what .ci/run calls).
# Installs what the tests need when it is missing, then runs formatting and lint checks,
# the whole workspace test suite, and the conformance suites through the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(gcc)
command -v c++ >/dev/null 2>&1 || need_apt+=(g++)
# The AArch64 back end's tests run its code under Unicorn, whose C is built with cmake.
command -v cmake >/dev/null 2>&1 || need_apt+=(cmake)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi
command -v cargo >/dev/null 2>&1 || { echo "error: cargo not found (install Rust with rustup)"; exit 1; }

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo build --release --quiet --features aarch64-emulator
cargo test --workspace --release

# The AArch64 back end as the native one: the JIT and conformance crates built for
# aarch64-unknown-linux-gnu and run under qemu-aarch64 (installs what it needs).
bash scripts/aarch64-native.sh

# The fuzz targets: each built (AddressSanitizer) and run briefly, regressions replayed.
# CI runs them; elsewhere they are opt-in (they install the nightly toolchain).
smoke=${FERROBPF_FUZZ_SMOKE:-}
if [ -z "$smoke" ] && [ "${CI:-}" = true ]; then
    smoke=1
fi
if [ "$smoke" = 1 ]; then
    bash fuzz/smoke.sh
else
    echo "skipped: fuzz smoke (CI runs it; FERROBPF_FUZZ_SMOKE=1 runs it here)"
fi

shared=../shared/conformance/bpf_conformance
suites=(conformance/tests)
if [ -d "$shared" ]; then
    suites=("$shared" conformance/tests)
else
    echo "skipped: ../shared not found"
fi
# Each engine over every suite; the interpreter last, so its totals close the output.
for engine in jit-aarch64 jit-checked jit interp; do
    echo "== ferrobpf conformance --engine $engine"
    ./target/release/ferrobpf conformance --engine "$engine" "${suites[@]}"
done
