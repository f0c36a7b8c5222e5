#!/usr/bin/env bash
# Build upsample from its sdist for arm64 and run the tests there, under qemu-user.
#
#   tools/arm64.sh [--sdist PATH] [pytest arguments...]
#
# An arm64 Debian bookworm root (python3, venv, headers, gcc) is made once with
# mmdebstrap and kept as a tarball in $UPSAMPLE_ARM64_CACHE (default
# /var/cache/upsample-arm64), so later runs only unpack it. Each run unpacks it
# into a temporary directory, copies in the sdist, the tests and what pip needs
# to reach PyPI (the CA bundle, resolv.conf), then inside the root: a fresh venv,
# `pip install "<sdist>[test]"` (a build from source, as a user on ARM gets it),
# `kernel_info()`, and pytest on a copy of tests/ (the default run: slow tests
# skipped). Extra arguments go to pytest, e.g. `tools/arm64.sh -x tests/test_oracle.py`.
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
if [ "${1:-}" = "--sdist" ]; then
    sdist="$(realpath "$2")"
    shift 2
fi

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

if [ ! -s "$rootfs_tar" ]; then
    echo "arm64: making the bookworm arm64 root (about 4-12 minutes, once)"
    mkdir -p "$cache"
    mmdebstrap --quiet --arch=arm64 --variant=apt \
        --include=python3,python3-venv,python3-dev,gcc bookworm "$rootfs_tar.part"
    mv "$rootfs_tar.part" "$rootfs_tar"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/upsample-arm64.XXXXXX")"
root="$work/root"
cleanup() {
    for mount_point in "$root/dev" "$root/proc"; do
        mountpoint -q "$mount_point" && umount -l "$mount_point"
    done
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

pytest_args=("$@")
if [ "${#pytest_args[@]}" -eq 0 ]; then
    pytest_args=(tests)
fi
sdist_name="$(basename "$sdist")"
chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/bin:/bin LANG=C.UTF-8 \
    /bin/bash -euo pipefail -c '
cd /project
python3 -m venv /opt/venv
/opt/venv/bin/pip install --quiet --upgrade pip
echo "arm64: pip install $1[test] (a build from source under emulation)"
/opt/venv/bin/pip install --quiet "$1[test]"
/opt/venv/bin/python -c "import platform, upsample; print(\"arm64:\", platform.machine(), upsample.kernel_info())"
shift
/opt/venv/bin/pytest -p no:cacheprovider -q -ra "$@"
' arm64 "$sdist_name" "${pytest_args[@]}"
echo "arm64: passed"
