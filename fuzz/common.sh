# Shared by run.sh and smoke.sh (sourced from fuzz/).

# Flags of every build and run: release with debug assertions (overflow checks),
# under AddressSanitizer (cargo-fuzz's default sanitizer).
# FERROBPF_FUZZ_FEATURES adds crate features (e.g. `aarch64`: diff_jit also runs the
# AArch64 back end under Unicorn).
FUZZ_BUILD_FLAGS=(--debug-assertions)
if [ -n "${FERROBPF_FUZZ_FEATURES:-}" ]; then
    FUZZ_BUILD_FLAGS+=(--features "$FERROBPF_FUZZ_FEATURES")
fi

# The committed seed directories of target $1.
seed_dirs() {
    local dirs=()
    [ -d "seeds/$1" ] && dirs+=("seeds/$1")
    # The ELF loader starts from our own clang objects.
    case "$1" in
        elf | embed) dirs+=(../tests/bpf ../examples) ;;
    esac
    echo "${dirs[@]}"
}
