"""Shrinking height-first passes combine two output rows per sweep over their source rows.

Rows j and j + 1 of a downscale share most of their source rows, and the vector
builds (AVX2, NEON) load each shared row once for both sums. Every sum keeps its own order of
operations, so a row must come out bit for bit as it does when it is combined
alone. These tests compute each output row of a planar pass alone (a height
table of that one row, so there is no partner) and compare it with the same row
of the whole pass, on downscales where pairs apply, on borders where they do
not, across images of a batch and with NaN and signed zeros in the input.
"""

import numpy as np
import pytest

from upsample import _axis_table, _plan_weighted
from upsample_c import kernels

F32 = np.dtype(np.float32)


def _planar(x, height, width, rows, row_tiles, num_threads=1):
    """The planar kernel of x's dtype, height first, for the output rows `rows` of
    `height`."""
    outer, h_in, w_in, channels = x.shape
    h_out, w_out = len(rows), width.index.shape[0]
    h_taps, w_taps = height.taps, width.taps
    h_index = np.ascontiguousarray(height.index[rows]).reshape(-1)
    h_weights = np.ascontiguousarray(height.weights.reshape(-1, h_taps)[rows]).reshape(-1)
    dst = np.full((outer, h_out, w_out, channels), 7, dtype=x.dtype)
    if x.dtype == np.uint8:
        kernel, length = kernels.planar_pass_uint8, kernels.planar_uint8_scratch_length
    else:
        kernel, length = kernels.planar_pass, kernels.planar_scratch_length
    scratch_len = length(h_taps, w_in, w_out, channels, False, row_tiles)
    index_len = kernels.planar_index_length(h_taps, row_tiles)
    kernel(x, dst, outer, h_in, w_in, channels, h_out, w_out, h_index, h_weights, h_taps,
           width.offsets(channels), width.weights, w_taps, False, False, row_tiles,
           np.empty(num_threads * scratch_len * 4 + 64, dtype=np.uint8),
           np.empty(num_threads * index_len, dtype=np.intp), False, num_threads)
    return dst


def _same_bits(a, b):
    """Equal bit for bit (so -0.0 is not 0.0), NaN where the other is NaN."""
    nan = np.isnan(a)
    return bool(np.array_equal(nan, np.isnan(b))
                and np.array_equal(a[~nan].view(np.uint32), b[~nan].view(np.uint32)))


CASES = [
    # (shape, height scale, width scale, mode, antialias)
    ((1, 64, 1024, 3), 0.5, 0.5, "cubic", True),     # nine taps, rows 12 KB apart
    ((1, 64, 1024, 3), 0.5, 0.5, "linear", True),
    ((1, 60, 333, 1), 0.5, 0.75, "cubic", False),    # four taps; a tail of 333 floats
    ((1, 90, 200, 4), 0.3, 0.5, "cubic", True),      # 14 taps, three or four new rows
    ((1, 70, 129, 3), 0.75, 0.6, "cubic", True),     # one or two new rows
    ((1, 45, 517, 2), 2 / 3, 0.5, "linear", True),
    ((3, 33, 100, 3), 0.5, 0.5, "cubic", False),     # pairs must not span two images
    ((2, 17, 37, 5), 0.45, 0.5, "cubic", True),      # widths below one vector step
    ((1, 40, 2, 3), 0.5, 0.5, "cubic", True),       # rows of 6 floats, nine taps
]


@pytest.mark.skipif(not _plan_weighted.ROW_TILES, reason="no row tiles in this build")
@pytest.mark.parametrize("special", ["none", "nan", "signed zeros"])
@pytest.mark.parametrize("shape, h_scale, w_scale, mode, antialias", CASES)
def test_each_row_equals_the_row_combined_alone(shape, h_scale, w_scale, mode, antialias,
                                                special):
    rng = np.random.default_rng(hash((shape, mode, special)) % 2**32)
    x = rng.standard_normal(shape).astype(np.float32)
    if special == "nan":
        x[:, rng.integers(0, shape[1], 3), rng.integers(0, shape[2], 3)] = np.nan
    elif special == "signed zeros":
        x[:, ::3] = -0.0
        x[:, 1::3] = 0.0
    h_out = max(1, int(shape[1] * h_scale))
    w_out = max(1, int(shape[2] * w_scale))
    height = _axis_table.axis_table(shape[1], h_out, h_scale, mode, False, antialias, F32)
    width = _axis_table.axis_table(shape[2], w_out, w_scale, mode, False, antialias, F32)
    before = x.copy()
    for row_tiles in (True, False):
        whole = _planar(x, height, width, list(range(h_out)), row_tiles)
        np.testing.assert_array_equal(
            _planar(x, height, width, list(range(h_out)), row_tiles, 2), whole)
        for j in range(h_out):
            alone = _planar(x, height, width, [j], row_tiles)
            assert _same_bits(alone[:, 0], whole[:, j]), (row_tiles, j)
    np.testing.assert_array_equal(x, before)


@pytest.mark.skipif(not _plan_weighted.ROW_TILES, reason="no row tiles in this build")
@pytest.mark.parametrize("shape, h_scale, w_scale, mode, antialias", CASES)
def test_each_uint8_row_equals_the_row_combined_alone(shape, h_scale, w_scale, mode,
                                                      antialias):
    """uint8 rows go through the same pairs, converted to float as they are loaded."""
    x = np.random.default_rng(sum(shape)).integers(0, 256, shape).astype(np.uint8)
    h_out = max(1, int(shape[1] * h_scale))
    w_out = max(1, int(shape[2] * w_scale))
    height = _axis_table.axis_table(shape[1], h_out, h_scale, mode, False, antialias, F32)
    width = _axis_table.axis_table(shape[2], w_out, w_scale, mode, False, antialias, F32)
    whole = _planar(x, height, width, list(range(h_out)), True)
    np.testing.assert_array_equal(_planar(x, height, width, list(range(h_out)), True, 2), whole)
    alone = np.concatenate([_planar(x, height, width, [j], True) for j in range(h_out)], axis=1)
    np.testing.assert_array_equal(alone, whole)


@pytest.mark.skipif(not _plan_weighted.ROW_TILES, reason="no row tiles in this build")
def test_the_pairs_run_where_the_tables_allow_them():
    """The tables the planner builds for a downscale let nearly every pair share rows: the
    taps of row j + 1 are those of row j moved on by the rows it adds. Checked on the
    tables themselves, so that a change to the planner that stopped that would show."""
    for n_in, scale, mode, antialias in [(1024, 0.5, "cubic", True), (720, 0.5, "cubic", False),
                                         (1024, 0.5, "linear", True), (200, 0.3, "cubic", True)]:
        n_out = int(n_in * scale)
        table = _axis_table.axis_table(n_in, n_out, scale, mode, False, antialias, F32)
        index = table.index
        shared = 0
        for j in range(0, n_out - 1, 2):
            shift = int(np.sum(index[j] < index[j + 1, 0]))
            if 0 < shift < table.taps and np.array_equal(index[j, shift:],
                                                         index[j + 1, :table.taps - shift]):
                shared += 1
        assert shared >= (n_out // 2) - 4, (n_in, scale, mode, shared)
