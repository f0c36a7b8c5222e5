"""Rows of RGB and RGBA pixels resampled four lanes at a time, against the plain sums.

Float32 RGB rows go through ups_three_pixels.h (a neighbour's value in the fourth
lane, loads and stores one value before the pixel, the last pixel first), and uint8
RGB and RGBA rows of the uint8 planar pass, width first without the row tiles, are
resampled straight from their bytes (ups_uint8_pixels.h). Both must give the scalar
loop's sums to the bit: the first product, then each further product added in tap
order. The tables here are arbitrary (taps anywhere in the row, unsorted, at the
first and last pixel, at offset 0 for pixels past the first), wider than any
planner's, so that every edge rule of the vector loops is reached; the values
include NaN, infinities and signed zeros.
"""

import numpy as np
import pytest

from upsample_c import kernels

RNG = np.random.default_rng(1919)


def _table(n_in, n_out, taps, channels):
    """Random taps over the whole row, with pixel 0 and the last pixel among them."""
    index = RNG.integers(0, n_in, (n_out, taps))
    index[RNG.random((n_out, taps)) < 0.1] = 0
    index[RNG.random((n_out, taps)) < 0.1] = n_in - 1
    index[0, :] = 0
    weights = RNG.standard_normal((n_out, taps)).astype(np.float32)
    weights[RNG.random((n_out, taps)) < 0.05] = -0.0
    return index, weights, (index * channels).astype(np.intp).reshape(-1)


def _row_sums(src, index, weights):
    """sum_k weights[:, k] * src[..., index[:, k], :] in float32, in tap order."""
    with np.errstate(invalid="ignore"):
        return _row_sums_unchecked(src, index, weights)


def _row_sums_unchecked(src, index, weights):
    acc = weights[:, 0, None] * src[..., index[:, 0], :]
    for k in range(1, index.shape[1]):
        acc = acc + weights[:, k, None] * src[..., index[:, k], :]
    return acc


def _same_bits(a, b):
    nan = np.isnan(a)
    return bool(np.array_equal(nan, np.isnan(b))
                and np.array_equal(a[~nan].view(np.uint32), b[~nan].view(np.uint32)))


@pytest.mark.parametrize("taps", [1, 2, 3, 4, 6, 17])
@pytest.mark.parametrize("n_in, n_out", [(1, 9), (2, 1), (9, 31), (300, 77), (64, 64)])
def test_rgb_float_rows_are_the_scalar_sums(taps, n_in, n_out):
    outer, channels = 3, 3
    src = RNG.standard_normal((outer, n_in, channels)).astype(np.float32)
    special = RNG.random(src.shape)
    src[special < 0.02] = np.nan
    src[(special >= 0.02) & (special < 0.04)] = np.inf
    src[(special >= 0.04) & (special < 0.06)] = -np.inf
    src[(special >= 0.06) & (special < 0.08)] = -0.0
    index, weights, offsets = _table(n_in, n_out, taps, channels)
    dst = np.full((outer, n_out, channels), 7, dtype=np.float32)
    # Blocks of 13 output pixels: the vector loop (8 pixels and more) starts and ends
    # inside rows too, and the shorter tails take the scalar loop.
    kernels.horizontal_pass(src, dst, outer, n_in, channels, n_out, offsets,
                            weights.reshape(-1), taps, False, 13, 1)
    assert _same_bits(dst, _row_sums(src, index, weights))


@pytest.mark.parametrize("channels", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("w_taps", [1, 2, 4, 5])
@pytest.mark.parametrize("num_threads", [1, 2])
def test_uint8_rows_resampled_from_their_bytes_are_the_float_sums(channels, w_taps,
                                                                  num_threads):
    outer, h_in, w_in, h_out, w_out, h_taps = 2, 11, 37, 5, 23, 2
    src = RNG.integers(0, 256, (outer, h_in, w_in, channels)).astype(np.uint8)
    w_index, w_weights, w_offsets = _table(w_in, w_out, w_taps, channels)
    w_weights = np.abs(w_weights) / w_taps
    # Height taps: consecutive rows, as the planar pass' ring needs.
    h_index = np.minimum(np.arange(h_out)[:, None] * 2 + np.arange(h_taps), h_in - 1)
    h_weights = RNG.random((h_out, h_taps)).astype(np.float32) / h_taps
    dst = np.full((outer, h_out, w_out, channels), 7, dtype=np.uint8)
    scratch_len = kernels.planar_uint8_scratch_length(h_taps, w_in, w_out, channels, True,
                                                      False)
    index_len = kernels.planar_index_length(h_taps, False)
    kernels.planar_pass_uint8(
        src, dst, outer, h_in, w_in, channels, h_out, w_out,
        h_index.astype(np.intp).reshape(-1), h_weights.reshape(-1), h_taps, w_offsets,
        w_weights.astype(np.float32).reshape(-1), w_taps, False, True, False,
        np.empty(num_threads * scratch_len * 4 + 64, dtype=np.uint8),
        np.empty(num_threads * index_len, dtype=np.intp), False, num_threads)
    rows = _row_sums(src.astype(np.float32), w_index, w_weights.astype(np.float32))
    acc = h_weights[:, 0, None, None] * rows[:, h_index[:, 0]]
    for k in range(1, h_taps):
        acc = acc + h_weights[:, k, None, None] * rows[:, h_index[:, k]]
    expected = np.clip(np.rint(acc), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(dst, expected)
