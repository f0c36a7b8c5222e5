#!/usr/bin/env bash
# Run the test suite against an AddressSanitizer build of the kernels.
#
#   tools/asan.sh [pytest arguments...]      e.g.  tools/asan.sh -x tests/test_threads.py
#
# The working tree (tracked and untracked, not ignored files: no build
# products) is copied to a temporary directory, built there in place with
# UPSAMPLE_SANITIZE=address (see setup.py), and pytest runs against that copy
# with libasan preloaded into Python. The working tree's own build is left
# alone. Exits non-zero when a test fails or when ASan reports anything, in
# pytest itself or in any subprocess a test starts (every report goes to a
# log file, which is printed).
#
# Environment: PYTHON (default python3), CC (default gcc), ASAN_KEEP=1 keeps
# the temporary directory, UPSAMPLE_CACHE_BYTES (default 0 here: every output
# is a fresh allocation with its own redzones; tests that need the output
# cache turn it on themselves), UPSAMPLE_KERNELS=base tests the baseline
# kernels instead of the AVX2 ones.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
cc="${CC:-gcc}"
work="$(mktemp -d "${TMPDIR:-/tmp}/upsample-asan.XXXXXX")"
if [ "${ASAN_KEEP:-0}" = 1 ]; then
    echo "asan: keeping $work"
else
    trap 'rm -rf "$work"' EXIT
fi

libasan="$("$cc" -print-file-name=libasan.so)"
if [ ! -e "$libasan" ]; then
    echo "asan: $cc has no libasan.so (got '$libasan'); install the compiler's ASan runtime" >&2
    exit 2
fi

# 1. A clean copy of the sources.
tree="$work/tree"
mkdir -p "$tree"
if git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$repo" && git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done |
        tar --null -T - -cf -) | tar -xf - -C "$tree"
else
    cp -a "$repo/." "$tree/"
    rm -rf "$tree/build"
    find "$tree" \( -name '*.so' -o -name '*.pyd' \) -delete
fi

# 2. The sanitized in-place build.
echo "asan: building in $tree"
(cd "$tree" && CC="$cc" UPSAMPLE_SANITIZE=address \
    "$python" setup.py -q build_ext --inplace -j "${BUILD_JOBS:-2}") >"$work/build.log" 2>&1 || {
    cat "$work/build.log" >&2
    exit 2
}
for so in "$tree"/upsample_c/*.so; do
    if ! ldd "$so" | grep libasan >/dev/null; then
        echo "asan: $so is not linked against libasan" >&2
        exit 2
    fi
done

# 3. The suite, with the ASan runtime loaded first and every report logged.
export LD_PRELOAD="$libasan${LD_PRELOAD:+:$LD_PRELOAD}"
# detect_leaks=0: CPython keeps objects alive at exit on purpose.
# allocator_may_return_null=1: tests ask for impossible (1 PiB) outputs and
# expect MemoryError, which needs malloc to fail rather than abort.
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:log_path=$work/asan-report${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export PYTHONPATH="$tree${PYTHONPATH:+:$PYTHONPATH}"
export UPSAMPLE_CACHE_BYTES="${UPSAMPLE_CACHE_BYTES-0}"
export PYTHONFAULTHANDLER=1

cd "$tree"
"$python" - "$tree" <<'PY'
import sys
import upsample, upsample_c
tree = sys.argv[1]
for module in (upsample, upsample_c.kernels):
    assert module.__file__.startswith(tree), f"{module.__name__} imported from {module.__file__}"
print(f"asan: testing {upsample_c.kernels.__file__} ({upsample_c.kernel_build} kernels)")
PY

status=0
"$python" -m pytest -p no:cacheprovider "$@" || status=$?

# A log holds either error reports or only warnings, such as "failed to
# allocate 0x4000000000000 bytes" for the tests' deliberate 1 PiB requests
# (which then correctly raise MemoryError).
for report in "$work"/asan-report*; do
    [ -e "$report" ] || continue
    if grep -E "ERROR: |SUMMARY: " "$report" >/dev/null; then
        echo "asan: AddressSanitizer reported an error ($report):" >&2
        cat "$report" >&2
        [ "$status" -ne 0 ] || status=1
    else
        echo "asan: $(wc -l <"$report") warning line(s) in $report, no error; first:" \
            "$(head -n 1 "$report")"
    fi
done
if [ "$status" -eq 0 ]; then
    echo "asan: clean (no ASan report, every test passed or skipped)"
fi
exit "$status"
