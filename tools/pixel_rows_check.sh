#!/usr/bin/env bash
# The four-lane RGB/RGBA row loops against the scalar sums on every target we ship:
# tools/pixel_rows_check.c built for AArch64 (NEON; run under qemu-user, no root needed),
# x86-64 AVX2+FMA, x86-64 baseline, and x86-64 with AddressSanitizer. Needs gcc, and for
# AArch64 Debian's gcc-aarch64-linux-gnu and qemu-user-static (skipped when missing).
#
#   tools/pixel_rows_check.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The headers need only Py_ssize_t from Python.h.
mkdir "$work/inc"
printf '#include <sys/types.h>\ntypedef ssize_t Py_ssize_t;\n' > "$work/inc/Python.h"
flags=(-O3 -ffp-contract=off -fno-math-errno -Wall -Wno-unused-function
       -I"$work/inc" -I"$here/../upsample_c/include")
src="$here/pixel_rows_check.c"
gcc "${flags[@]}" -mavx2 -mfma "$src" -o "$work/avx2" -lm && "$work/avx2"
gcc "${flags[@]}" "$src" -o "$work/base" -lm && "$work/base"
gcc "${flags[@]}" -O1 -g -fsanitize=address,undefined -mavx2 -mfma "$src" -o "$work/asan" -lm \
    && "$work/asan"
if command -v aarch64-linux-gnu-gcc >/dev/null && command -v qemu-aarch64-static >/dev/null; then
    aarch64-linux-gnu-gcc "${flags[@]}" -static "$src" -o "$work/neon" -lm
    qemu-aarch64-static "$work/neon"
else
    echo "no aarch64-linux-gnu-gcc or qemu-aarch64-static: AArch64 not checked"
fi
