"""Nearest's gather moves pixels of every common size with fixed-length copies.

float32 RGB pixels are moved as 16 bytes where the 4 bytes past the pixel
are still inside the source row, so a read may reach past its pixel; the
kernels do that only below the row's last pixel in memory. These tests
compare the copies for 1- to 16-byte pixels with plain indexing, on widths
around the sizes where the copies change, in both directions along a row
(negative strides) and with the source ending at the end of its buffer.
"""

import numpy as np
import pytest

from upsample import upsample

RNG = np.random.default_rng(53)


def nearest_index(n_in, n_out):
    """MLX's nearest indices, independently of the package (float32 arithmetic)."""
    j = np.arange(n_out, dtype=np.float32)
    if n_out == 0:
        return j.astype(np.int64)
    ratio = np.float32(n_in / n_out)
    if n_out > n_in:
        return np.clip(np.rint((j + np.float32(0.5)) * ratio - np.float32(0.5)).astype(np.int64),
                       0, n_in - 1)
    return np.clip((j * ratio).astype(np.int64), 0, n_in - 1)


def expected(x, scale):
    h_out, w_out = int(scale * x.shape[1]), int(scale * x.shape[2])
    rows = nearest_index(x.shape[1], h_out)
    cols = nearest_index(x.shape[2], w_out)
    return x[:, rows][:, :, cols]


PIXELS = [("uint8", 3), ("uint8", 4), ("float32", 1), ("uint8", 8), ("float32", 2),
          ("int16", 4), ("float32", 3)]


@pytest.mark.parametrize("dtype, channels", PIXELS)
@pytest.mark.parametrize("width", [1, 2, 7, 9, 10, 11, 16, 17, 23, 40])
@pytest.mark.parametrize("scale", [1.5, 0.75, 2.6])
def test_gathered_pixels_are_the_indexed_ones(dtype, channels, width, scale):
    x = RNG.integers(0, 250, (2, 5, width, channels)).astype(dtype)
    np.testing.assert_array_equal(upsample(x, scale), expected(x, scale))


@pytest.mark.parametrize("dtype, channels", PIXELS)
def test_rows_read_backwards(dtype, channels):
    x = RNG.integers(0, 250, (1, 6, 37, channels)).astype(dtype)
    flipped = x[:, ::-1, ::-1]
    np.testing.assert_array_equal(upsample(flipped, 1.7), expected(flipped, 1.7))
    np.testing.assert_array_equal(upsample(flipped, 0.6), expected(flipped, 0.6))


@pytest.mark.parametrize("dtype, channels", PIXELS)
def test_a_source_that_ends_its_buffer(dtype, channels):
    # The image is the tail of a larger buffer: a read past its last pixel
    # would leave the allocation (AddressSanitizer reports it; see tools/asan.sh).
    itemsize = np.dtype(dtype).itemsize
    n = 3 * 29 * channels
    buffer = RNG.integers(0, 250, n + 5).astype(dtype)
    x = buffer[5:].reshape(1, 3, 29, channels)
    assert x.ctypes.data + x.nbytes == buffer.ctypes.data + buffer.nbytes
    assert itemsize * channels == x.strides[2]
    np.testing.assert_array_equal(upsample(x, 1.9), expected(x, 1.9))
