#!/usr/bin/env bash
# Runs one fuzz target for a number of seconds, growing fuzz/corpus/TARGET (not
# committed) from the committed seeds:
#   fuzz/run.sh TARGET SECONDS [libFuzzer options, e.g. -jobs=2 -workers=2]
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
set -euo pipefail
target=${1:?usage: fuzz/run.sh TARGET SECONDS [libFuzzer options]}
seconds=${2:?usage: fuzz/run.sh TARGET SECONDS [libFuzzer options]}
shift 2
cd "$(dirname "$0")"
source ./common.sh
mkdir -p "corpus/$target"
read -r -a seeds <<<"$(seed_dirs "$target")"
cargo +nightly fuzz run "${FUZZ_BUILD_FLAGS[@]}" "$target" "corpus/$target" "${seeds[@]}" -- \
    -max_total_time="$seconds" -timeout=20 -print_final_stats=1 "$@"
