"""Outputs with more than 2**31 elements: no 32-bit index or offset overflows anywhere.

Opt-in (marked ``slow``): ``pytest --run-slow tests/test_huge.py`` or
``UPSAMPLE_RUN_SLOW=1 pytest -m slow``. The nearest test needs about 3 GB of
memory, the linear one about 11 GB; each is skipped when the machine has
less available, and fails instead with ``UPSAMPLE_REQUIRE_SLOW=1`` (CI).
"""

import gc
import time

import numpy as np
import pytest

from conftest import require_slow
from upsample import upsample
from upsample_c import _memory

pytestmark = pytest.mark.slow

SIDE = 23200  # scale 2: 46400**2 = 2_152_960_000 output elements > 2**31
OUT_SIDE = 2 * SIDE
OUT_ELEMENTS = OUT_SIDE * OUT_SIDE
assert OUT_ELEMENTS > 2**31


def available_bytes():
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def need(n_bytes):
    """Skip (fail where the slow tests are required, as in CI) without the memory."""
    available = available_bytes()
    if available is not None and available < n_bytes * 1.1:
        reason = (f"needs {n_bytes / 2**30:.1f} GiB of memory, "
                  f"{available / 2**30:.1f} GiB available")
        if require_slow():
            pytest.fail(f"{reason} (UPSAMPLE_REQUIRE_SLOW is set)")
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def free_memory():
    _memory.clear_cache()
    gc.collect()
    yield
    gc.collect()
    _memory.clear_cache()


def sample_positions(rng, n):
    """Random output positions plus the corners, the very last elements and the
    elements around every flat index (and byte offset) that is a power of two
    from 2**29 up: where a 32-bit element or byte offset would wrap."""
    rows = list(rng.integers(0, OUT_SIDE, n))
    cols = list(rng.integers(0, OUT_SIDE, n))
    for flat in [0, 1, OUT_ELEMENTS - 2, OUT_ELEMENTS - 1]:
        rows.append(flat // OUT_SIDE)
        cols.append(flat % OUT_SIDE)
    for power in range(29, 34):
        for flat in (2**power - 1, 2**power, 2**power + 1, 2**power // 4, 2**power // 2):
            if 0 <= flat < OUT_ELEMENTS:
                rows.append(flat // OUT_SIDE)
                cols.append(flat % OUT_SIDE)
    for edge in (0, OUT_SIDE - 1):
        for other in (0, 1, OUT_SIDE // 2, OUT_SIDE - 2, OUT_SIDE - 1):
            rows += [edge, other]
            cols += [other, edge]
    return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)


def linear_x2_taps(j, n_in):
    """Half-pixel linear at scale 2, in float64: output j reads i0, i0 + 1 (clamped)."""
    position = (j + 0.5) / 2 - 0.5
    i0 = np.floor(position).astype(np.int64)
    w1 = position - i0
    return np.clip(i0, 0, n_in - 1), np.clip(i0 + 1, 0, n_in - 1), 1 - w1, w1


def _doubled(x, mode):
    """upsample(x, 2, mode), timed, with the result's shape and dtype checked."""
    start = time.perf_counter()
    out = upsample(x, 2, mode)
    print(f"{mode} {x.dtype} {x.shape} -> {out.shape}: {time.perf_counter() - start:.2f} s")
    assert out.shape == (1, OUT_SIDE, OUT_SIDE, 1) and out.dtype == x.dtype
    assert out.size > 2**31
    return out


def test_nearest_uint8_more_than_2_31_elements():
    need(SIDE * SIDE + OUT_ELEMENTS)
    rng = np.random.default_rng(31)
    x = rng.integers(0, 256, (1, SIDE, SIDE, 1), dtype=np.uint8)
    out = _doubled(x, "nearest")
    rows, cols = sample_positions(rng, 100_000)
    np.testing.assert_array_equal(out[0, rows, cols, 0], x[0, rows // 2, cols // 2, 0])
    # Every element, in bands of rows (no full-size temporaries): each output
    # row pair and column pair repeats its source pixel.
    band = 1024
    for r in range(0, SIDE, band):
        source = x[0, r:r + band, :, 0]
        for a in (0, 1):
            for b in (0, 1):
                block = out[0, 2 * r + a:2 * (r + band):2, b::2, 0]
                assert np.array_equal(block, source), f"rows {2 * r}+, phase {(a, b)}"
    del out, x


def test_linear_float32_more_than_2_31_elements():
    need(4 * (SIDE * SIDE + OUT_ELEMENTS))
    rng = np.random.default_rng(32)
    x = rng.integers(0, 256, (1, SIDE, SIDE, 1), dtype=np.uint8).astype(np.float32)
    x += 0.5 * (np.arange(SIDE, dtype=np.float32) % 3)[:, None]  # not just integers
    out = _doubled(x, "linear")
    rows, cols = sample_positions(rng, 200_000)
    # Whole first, middle and last rows and columns, too.
    whole = np.arange(OUT_SIDE, dtype=np.int64)
    for fixed in (0, OUT_SIDE // 2 + 1, OUT_SIDE - 1):
        rows = np.concatenate([rows, np.full(OUT_SIDE, fixed), whole])
        cols = np.concatenate([cols, whole, np.full(OUT_SIDE, fixed)])
    r0, r1, wr0, wr1 = linear_x2_taps(rows, SIDE)
    c0, c1, wc0, wc1 = linear_x2_taps(cols, SIDE)
    source = x[0, :, :, 0]
    expected = (wr0 * (wc0 * source[r0, c0].astype(np.float64) + wc1 * source[r0, c1])
                + wr1 * (wc0 * source[r1, c0].astype(np.float64) + wc1 * source[r1, c1]))
    got = out[0, rows, cols, 0].astype(np.float64)
    bad = np.abs(got - expected) > 1e-5 * np.maximum(1.0, np.abs(expected))
    assert not bad.any(), (
        f"{bad.sum()} of {bad.size} sampled positions differ, first at "
        f"{(rows[bad][0], cols[bad][0])}: {got[bad][0]} != {expected[bad][0]}"
    )
    del out, x, source


def test_nearest_fractional_scale_four_channels():
    """A non-integer scale (index tables, not repeats) over 2**31 uint8 elements in 4 channels."""
    side, scale = 11100, 2.1
    n_out = int(scale * side)  # 23310: 23310**2 * 4 = 2_173_448_400 elements
    need(side * side * 4 + n_out * n_out * 4)
    rng = np.random.default_rng(33)
    x = rng.integers(0, 256, (1, side, side, 4), dtype=np.uint8)
    start = time.perf_counter()
    out = upsample(x, scale, "nearest")
    elapsed = time.perf_counter() - start
    print(f"nearest uint8 x{scale} {x.shape} -> {out.shape}: {elapsed:.2f} s")
    assert out.shape == (1, n_out, n_out, 4) and out.size > 2**31
    # The documented rule for upscaling by a non-integer scale, in float32:
    # round_half_even((j + 0.5) * (N / M) - 0.5).
    j = np.arange(n_out, dtype=np.float32)
    position = (j + np.float32(0.5)) * np.float32(side / n_out) - np.float32(0.5)
    index = np.clip(np.rint(position).astype(np.int64), 0, side - 1)
    assert np.abs(index - (np.arange(n_out) + 0.5) * side / n_out + 0.5).max() <= 0.5 + 1e-3
    rows, cols = rng.integers(0, n_out, 100_000), rng.integers(0, n_out, 100_000)
    rows = np.concatenate([rows, [n_out - 1, n_out - 1, 0, n_out - 1]])
    cols = np.concatenate([cols, [n_out - 1, 0, n_out - 1, n_out - 2]])
    np.testing.assert_array_equal(out[0, rows, cols, :], x[0, index[rows], index[cols], :])
    # The whole last output row and column.
    np.testing.assert_array_equal(out[0, -1], x[0, index[-1]][index])
    np.testing.assert_array_equal(out[0, :, -1], x[0, index, index[-1]])
    del out, x
