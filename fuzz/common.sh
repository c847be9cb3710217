# Shared by run.sh and smoke.sh (sourced from fuzz/).

# Flags of every build and run: release with debug assertions (overflow checks),
# under AddressSanitizer (cargo-fuzz's default sanitizer).
FUZZ_BUILD_FLAGS=(--debug-assertions)

# The committed seed directories of target $1.
seed_dirs() {
    local dirs=()
    [ -d "seeds/$1" ] && dirs+=("seeds/$1")
    # The ELF loader starts from our own clang objects.
    [ "$1" = elf ] && dirs+=(../tests/bpf ../examples)
    echo "${dirs[@]}"
}
