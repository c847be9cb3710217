#!/usr/bin/env bash
# CI smoke run of every fuzz target (called by .ci/run):
# - installs the nightly toolchain and cargo-fuzz when missing;
# - builds every target (AddressSanitizer, debug assertions);
# - replays fuzz/regressions/TARGET/* (inputs of bugs found earlier);
# - fuzzes each target for SMOKE_SECONDS (default 30) from the committed seeds, in a
#   scratch corpus, SMOKE_JOBS targets at a time (default 2);
# - prints one line per target with its executions, and exits non-zero on any crash,
#   leak, timeout or failed build.
# kernel_diff loads programs into the running kernel: it runs only with
# FERROBPF_FUZZ_KERNEL=1 (and root); otherwise it is built and reported as skipped.
set -euo pipefail
cd "$(dirname "$0")"
source ./common.sh
seconds=${SMOKE_SECONDS:-30}
jobs=${SMOKE_JOBS:-2}

command -v cargo >/dev/null 2>&1 || { echo "error: cargo not found (install Rust with rustup)"; exit 1; }
if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "installing: nightly toolchain"
    rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing: cargo-fuzz"
    cargo install cargo-fuzz
fi

cargo +nightly fuzz build "${FUZZ_BUILD_FLAGS[@]}"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# Replays the regressions of target $1, then fuzzes it; writes its summary line to
# $scratch/$1.summary and its log to $scratch/$1.log.
smoke_one() {
    local target=$1 log="$scratch/$1.log" status=ok execs=0
    if [ -d "regressions/$target" ] && [ -n "$(ls -A "regressions/$target")" ]; then
        if ! cargo +nightly fuzz run "${FUZZ_BUILD_FLAGS[@]}" "$target" "regressions/$target"/* \
            -- -timeout=20 >"$log" 2>&1; then
            status="REGRESSION FAILED"
        fi
    fi
    if [ "$status" = ok ]; then
        local seeds
        mkdir -p "$scratch/corpus/$target"
        read -r -a seeds <<<"$(seed_dirs "$target")"
        if ! cargo +nightly fuzz run "${FUZZ_BUILD_FLAGS[@]}" "$target" "$scratch/corpus/$target" \
            "${seeds[@]}" -- -max_total_time="$seconds" -timeout=20 -print_final_stats=1 \
            >"$log" 2>&1; then
            status=CRASH
        fi
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    fi
    echo "$target: $status, ${execs:-0} executions in ${seconds}s" >"$scratch/$target.summary"
}

targets=$(cargo fuzz list)
for target in $targets; do
    if [ "$target" = kernel_diff ] && [ "${FERROBPF_FUZZ_KERNEL:-0}" != 1 ]; then
        echo "$target: skipped (opt-in: FERROBPF_FUZZ_KERNEL=1)" >"$scratch/$target.summary"
        continue
    fi
    smoke_one "$target" &
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
        wait -n || true
    done
done
wait

failed=0
for target in $targets; do
    line=$(cat "$scratch/$target.summary" 2>/dev/null || echo "$target: NO RESULT")
    case "$line" in
        *": ok,"* | *": skipped"*) ;;
        *)
            failed=1
            echo "---- $line; end of its log:"
            tail -n 60 "$scratch/$target.log" 2>/dev/null || true
            ;;
    esac
done
echo "fuzz smoke summary:"
for target in $targets; do
    echo "  $(cat "$scratch/$target.summary" 2>/dev/null || echo "$target: NO RESULT")"
done
exit $failed
