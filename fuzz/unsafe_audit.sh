#!/usr/bin/env bash
# Lists every `unsafe` in the repository's Rust sources (tracked files, fuzz/ aside):
# where it is, what it is (block, fn, impl, fn-pointer type), whether a `SAFETY:`
# comment justifies it (a `# Safety` doc section for an `unsafe fn`), and whether the
# file is one of the modules allowed to hold `unsafe` (see SECURITY.md).
#   fuzz/unsafe_audit.sh            report
#   fuzz/unsafe_audit.sh --strict   also exit 1 on a missing justification or a file
#                                   outside the allowed modules
set -euo pipefail
cd "$(dirname "$0")/.."
strict=0
[ "${1:-}" = --strict ] && strict=1

# The modules allowed to hold unsafe code: the JIT's executable memory and the call
# into generated code (and its emulated twin), the raw guest-memory access layer,
# the bpf() system call wrapper, and the promise of a verified program that lets the
# JIT drop its bounds checks (its definition, its one safe user, the JIT tests of it).
allowed=(
    jit/src/code.rs
    jit/src/call.rs
    jit/src/aarch64/emu.rs
    vm/src/memory/raw.rs
    vm/src/memory/shared.rs
    conformance/src/kernel/sys.rs
    jit/src/config.rs
    src/verified.rs
    jit/tests/basic.rs
    jit/src/lower/tests.rs
    jit/examples/workload_table.rs
)

report=$(git ls-files '*.rs' | grep -v '^fuzz/' | while read -r f; do
    awk -v file="$f" '
        { lines[NR] = $0 }
        {
            code = $0
            sub(/\/\/.*/, "", code)           # drop comments
            gsub(/"[^"]*"/, "", code)          # and string literals
            if (code !~ /(^|[^a-z_])unsafe([^a-z_]|$)/) next
            kind = "block"
            if (code ~ /unsafe[ ]+fn[ (]/ && code !~ /(fn\(|type |= )/) kind = "fn"
            else if (code ~ /unsafe[ ]+(extern[ ]+"[^"]*"[ ]+)?fn\(/ || code ~ /unsafe extern/) kind = "fn-type"
            else if (code ~ /unsafe[ ]+impl/) kind = "impl"
            else if (code ~ /unsafe\(/) kind = "attribute"
            ok = "-"
            if (kind == "block" || kind == "impl") {
                ok = "no"
                for (i = NR; i >= NR - 8 && i >= 1; i--) if (lines[i] ~ /SAFETY:/) { ok = "yes"; break }
            } else if (kind == "fn") {
                ok = "no"
                for (i = NR; i >= NR - 20 && i >= 1; i--) if (lines[i] ~ /# Safety|SAFETY:/) { ok = "yes"; break }
            }
            printf "%s:%d\t%s\t%s\n", file, NR, kind, ok
        }' "$f"
done)

missing=0
outside=0
printf '%-45s %-9s %-7s %s\n' "where" "kind" "SAFETY" "allowed module"
while IFS=$'\t' read -r where kind ok; do
    [ -z "$where" ] && continue
    file=${where%%:*}
    in=no
    for a in "${allowed[@]}"; do [ "$file" = "$a" ] && in=yes; done
    [ "$ok" = no ] && missing=$((missing + 1))
    [ "$in" = no ] && outside=$((outside + 1))
    printf '%-45s %-9s %-7s %s\n' "$where" "$kind" "$ok" "$in"
done <<<"$report"
total=$(grep -c . <<<"$report" || true)
echo "unsafe audit: $total uses, $missing without SAFETY justification, $outside outside the allowed modules"
if [ $strict = 1 ] && [ $((missing + outside)) -gt 0 ]; then
    exit 1
fi
