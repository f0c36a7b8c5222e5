"""The vector paths: every build that can have them has them, and says so.

The kernels' fast paths (row tiles, row pairs, the vertical combinations in registers,
uint8 rounding, the exact halving and doubling, the wide-pixel rows, the permuted and
stepped gathers) are written once in the eight-float vector of
upsample_c/include/ups_simd.h, compiled as AVX2 in the x86-64 AVX2 build and as NEON on
AArch64. Which one a build got is read from its compiler's macros
(``kernel_info()["simd"]``); a build that silently lost them (a compiler without NEON,
a macro misspelt, the AVX2 twin missing) still gives right results, only slower, so
nothing else would notice.
"""

import os
import platform

import numpy as np
import pytest

import upsample
import upsample_c
from upsample import _plan_weighted
from upsample_c import _cpu, kernels

MACHINE = platform.machine().lower()
KERNELS_REQUESTED = os.environ.get("UPSAMPLE_KERNELS", "").strip().lower()
# Built with UPSAMPLE_NO_SIMD=1 (setup.py), on purpose without the vector paths.
NO_SIMD = os.environ.get("UPSAMPLE_NO_SIMD", "") not in ("", "0")


def expected_simd():
    """The vector instruction set this machine's build must have, or None where the
    package makes no promise (another architecture)."""
    if NO_SIMD:
        return "none"
    if MACHINE in ("aarch64", "arm64"):
        return "neon"
    if MACHINE in ("x86_64", "amd64"):
        if KERNELS_REQUESTED == "base" or not _cpu.has_avx2_fma():
            return "none"
        return "avx2"
    return None


def test_the_build_has_the_vector_paths_of_its_cpu():
    expected = expected_simd()
    if expected is None:
        pytest.skip(f"no vector paths are promised on {MACHINE}")
    assert upsample.kernel_info()["simd"] == expected, upsample.kernel_info()


def test_kernel_info_reports_the_loaded_module():
    assert upsample.kernel_info()["simd"] == kernels.simd() == upsample_c.kernel_simd
    assert kernels.simd() in ("avx2", "neon", "none")
    # The AVX2 module is only ever the AVX2 build (unless built without vector paths);
    # the baseline one has NEON or nothing.
    if upsample_c.kernel_build == "avx2":
        assert kernels.simd() == ("none" if NO_SIMD else "avx2")
    else:
        assert kernels.simd() in ("neon", "none")


def test_a_vector_build_offers_the_vector_only_passes():
    vector = kernels.simd() != "none"
    assert kernels.row_tiles_available() is vector
    assert _plan_weighted.ROW_TILES is vector
    assert kernels.halve_float_available(3) is vector


def record(monkeypatch, owner, name):
    """Replace owner.name by a wrapper that lists each call's (arguments, result)."""
    calls = []
    original = getattr(owner, name)

    def recorded(*args):
        calls.append((args, original(*args)))
        return calls[-1][1]

    monkeypatch.setattr(owner, name, recorded)
    return calls


@pytest.mark.skipif(kernels.simd() == "none", reason="a build without vector paths")
def test_the_planner_sends_work_to_the_vector_passes(monkeypatch):
    # Wide RGB float32 rows, shrunk: the planner's choice for them is the row tiles
    # (and the float halving for the exact 0.5), which only vector builds have.
    x = np.random.default_rng(5).standard_normal((1, 24, 1500, 3)).astype(np.float32)
    tiles = record(monkeypatch, _plan_weighted, "_use_row_tiles")
    upsample._api._PLANS.clear()
    upsample.upsample(x, 0.75, mode="cubic")
    assert True in [result for _, result in tiles]

    halvings = record(monkeypatch, kernels, "halve_pass")
    upsample._api._PLANS.clear()
    upsample.upsample(x, 0.5, mode="linear")
    assert [args[0].dtype for args, _ in halvings] == [np.float32]
