#!/bin/sh
# Rebuilds the committed test objects from their C sources:
#   tests/bpf/build.sh
# Needs clang (Debian's clang 14 was used) and libbpf-dev's headers.
set -eu
cd "$(dirname "$0")"
arch_inc="/usr/include/$(uname -m)-linux-gnu"
for src in *.c; do
	obj="${src%.c}.o"
	clang -O2 -g -target bpf -I"$arch_inc" -fdebug-prefix-map="$PWD"=. \
		-c "$src" -o "$obj"
	echo "built $obj"
done
