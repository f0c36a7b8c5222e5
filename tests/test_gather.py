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


@pytest.mark.parametrize("dtype, channels", [("uint8", 4), ("float32", 1), ("int32", 1),
                                            ("float32", 2), ("uint8", 8), ("float64", 1),
                                            ("int16", 4)])
@pytest.mark.parametrize("scale", [0.45, 0.8, 1.3, 1.5, 2.0, 2.7, 3.9])
def test_pixels_of_four_and_eight_bytes_a_vector_at_a_time(dtype, channels, scale):
    """4- and 8-byte pixels go eight or four at a time through one load and a lane
    permutation where their sources lie within 32 bytes (an upscale, parts of a
    downscale), one at a time elsewhere and in the tail; the widths put vector edges
    everywhere."""
    for width in (4, 5, 8, 9, 15, 16, 21, 33, 64, 101):
        x = RNG.integers(-2**30, 2**30, (2, 3, width, channels)).astype(dtype)
        np.testing.assert_array_equal(upsample(x, scale), expected(x, scale))
        np.testing.assert_array_equal(upsample(x, scale, num_threads=2), expected(x, scale))


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


@pytest.fixture
def long_rows(monkeypatch):
    """Rows count as long from 40 columns on, so small arrays take the long-row path."""
    from upsample import _api, _plan_nearest
    from upsample_c import kernels

    calls = []
    kernel = kernels.repeat_nearest
    monkeypatch.setattr(kernels, "repeat_nearest",
                        lambda *args: calls.append(args[0].shape) or kernel(*args))
    monkeypatch.setattr(_plan_nearest, "LONG_REPEAT_COLUMNS", 40)
    _api._PLANS.clear()
    yield calls
    _api._PLANS.clear()


@pytest.mark.parametrize("dtype, channels", PIXELS + [("float64", 3), ("uint8", 1)])
@pytest.mark.parametrize("scale", [2, 3, 1, 5])
def test_long_rows_repeat_their_pixels_without_a_table(dtype, channels, scale, long_rows):
    x = RNG.integers(0, 250, (3, 41, channels)).astype(dtype)
    for threads in (1, 2):
        np.testing.assert_array_equal(upsample(x, scale, num_threads=threads),
                                      np.repeat(x, scale, axis=1))
    image = RNG.integers(0, 250, (2, 3, 23, channels)).astype(dtype)
    np.testing.assert_array_equal(upsample(image, (2, scale)),
                                  np.repeat(np.repeat(image, 2, axis=1), scale, axis=2))
    assert long_rows  # the long-row kernel ran


def test_long_rows_at_other_scales_or_strides_keep_the_gather(long_rows):
    x = RNG.integers(0, 250, (2, 60, 3)).astype(np.uint8)
    np.testing.assert_array_equal(upsample(x, 1.5), expected(x[:, :, None], 1.5)[:, :, 0])
    flipped = x[:, ::-1]
    np.testing.assert_array_equal(upsample(flipped, 2), np.repeat(flipped, 2, axis=1))
    assert not long_rows


def test_repeat_nearest_checks_its_arrays():
    from upsample_c import kernels

    x = np.arange(12, dtype=np.float32).reshape(1, 4, 3)
    counts = np.array([1, 8], dtype=np.int64)
    offsets = np.array([0], dtype=np.int64)
    out = np.zeros((1, 8, 3), dtype=np.float32)
    kernels.repeat_nearest(x, out, offsets, counts, 12, 2, 8, 1)
    np.testing.assert_array_equal(out, np.repeat(x, 2, axis=1))
    with pytest.raises(ValueError, match="dst holds"):
        kernels.repeat_nearest(x, np.zeros(23, np.float32), offsets, counts, 12, 2, 8, 1)
    with pytest.raises(ValueError, match="offset tables"):
        kernels.repeat_nearest(x, out, np.zeros(2, np.int64), counts, 12, 2, 8, 1)
    with pytest.raises(ValueError, match="at least 1"):
        kernels.repeat_nearest(x, out, offsets, counts, 12, 0, 8, 1)


@pytest.mark.parametrize("elem_bytes", [1, 2, 3, 4, 8, 12, 16, 24, 32])
@pytest.mark.parametrize("factor", [1, 2, 3, 4])
def test_repeat_nearest_blocks_that_start_inside_a_group(elem_bytes, factor):
    # Rows split into blocks (threads share a long signal that way) start at any
    # column, often part way through a source pixel's group of copies.
    from upsample_c import kernels

    n_rows, n_in = 3, 29
    x = RNG.integers(0, 256, (n_rows, n_in, elem_bytes)).astype(np.uint8)
    counts = np.array([n_rows, n_in * factor], dtype=np.int64)
    offsets = np.arange(n_rows, dtype=np.int64) * n_in * elem_bytes
    for block in (1, 2, 5, 7, 64):
        out = np.zeros((n_rows, n_in * factor, elem_bytes), dtype=np.uint8)
        kernels.repeat_nearest(x, out, offsets, counts, elem_bytes, factor, block, 1)
        np.testing.assert_array_equal(out, np.repeat(x, factor, axis=1))


# One byte or one float from every other column (masks and single-channel images
# halved) goes through vector packs that read 64 bytes at a time: widths around the
# vector lengths, both axes or the columns alone, rows read backwards (the table path
# then) and a source that ends its buffer.
@pytest.mark.parametrize("dtype", ["uint8", "float32", "int32", "bool"])
@pytest.mark.parametrize("width", [1, 2, 3, 16, 17, 18, 63, 64, 65, 66, 67, 68, 129, 1001])
@pytest.mark.parametrize("scale", [0.5, (1, 0.5), (2, 0.5)])
def test_every_other_column(dtype, width, scale):
    x = RNG.integers(0, 250, (2, 3, width, 1)).astype(dtype)
    h_out = int((scale if np.isscalar(scale) else scale[0]) * 3)
    w_out = int((scale if np.isscalar(scale) else scale[1]) * width)
    want = x[:, nearest_index(3, h_out)][:, :, nearest_index(width, w_out)]
    np.testing.assert_array_equal(upsample(x, scale), want)
    np.testing.assert_array_equal(upsample(x, scale, num_threads=2), want)
    flipped = x[:, :, ::-1]
    want = flipped[:, nearest_index(3, h_out)][:, :, nearest_index(width, w_out)]
    np.testing.assert_array_equal(upsample(flipped, scale), want)


@pytest.mark.parametrize("dtype", ["uint8", "float32"])
def test_every_other_column_up_to_the_end_of_the_buffer(dtype):
    itemsize = np.dtype(dtype).itemsize
    for width in (64, 65, 66, 130):
        buffer = np.zeros(4096 + 2 * width * itemsize, dtype=np.uint8)
        x = buffer[-2 * width * itemsize:].view(dtype).reshape(1, 2, width, 1)
        x[...] = RNG.integers(0, 250, x.shape)
        want = x[:, :, nearest_index(width, width // 2)]
        np.testing.assert_array_equal(upsample(x, (1, 0.5)), want)


def test_the_stepped_gather_checks_its_promise():
    from upsample_c import kernels

    x = np.arange(16, dtype=np.float32).reshape(1, 1, 16, 1)
    counts = np.array([1, 1, 8], dtype=np.int64)
    offsets = np.concatenate([[0, 0], np.arange(8) * 8]).astype(np.int64)
    out = np.zeros((1, 1, 8, 1), dtype=np.float32)
    kernels.gather_nearest(x, out, offsets, counts, 1, 4, 4, False, 8, False, 1, 8)
    np.testing.assert_array_equal(out.ravel(), np.arange(0, 16, 2))
    with pytest.raises(ValueError, match="not 12 bytes apart"):
        kernels.gather_nearest(x, out, offsets, counts, 1, 4, 4, False, 8, False, 1, 12)
    with pytest.raises(ValueError, match="col_stride"):
        kernels.gather_nearest(x, out, offsets, counts, 1, 4, 4, False, 8, False, 1, -4)


@pytest.mark.parametrize("dtype", ["uint8", "float32"])
def test_every_other_column_of_rows_split_between_threads(dtype):
    # Two rows of 100,001 pixels at 2 threads are cut into blocks of columns: each block
    # starts its packs at its own first column.
    x = RNG.integers(0, 250, (1, 2, 100_001, 1)).astype(dtype)
    want = x[:, :, nearest_index(100_001, 50_000)]
    np.testing.assert_array_equal(upsample(x, (1, 0.5), num_threads=2), want)


@pytest.mark.parametrize("dtype", ["uint8", "float32"])
@pytest.mark.parametrize("scale", [(0.5, 1), (1, 1), (2, 1)])
def test_every_other_column_of_a_strided_view(dtype, scale):
    # A view of every other pixel kept as it is along the rows reads every other element
    # of its parent: the packs read the elements between, which are the parent's, and
    # never past the view's last one.
    base = RNG.integers(0, 250, (2, 6, 201, 1)).astype(dtype)
    x = base[:, :, ::2]
    h_out = int(scale[0] * 6)
    want = x[:, nearest_index(6, h_out)]
    np.testing.assert_array_equal(upsample(x, scale, mode="nearest"), want)
