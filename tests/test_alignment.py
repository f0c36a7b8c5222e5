"""The result does not depend on where the input and the output start in memory.

The vertical combinations of nine taps and more align their loads to 32 bytes
(and any, writing with streaming stores, their stores to 64), computing the
outputs before that boundary and after the last full step as vectors that
overlap the main loop's.
Those overlaps rewrite outputs with the same values, so the bits must come out
the same for every start address. These cases move the input (and the output
given as ``out=``) by every element offset within a 32-byte span and compare
each result bit for bit with the one from an aligned buffer.
"""

import numpy as np
import pytest

from upsample import upsample


def _at_offset(x, offset):
    """A copy of x that starts `offset` elements past a 64-byte boundary."""
    flat = np.empty(x.size + 64 // x.itemsize + offset, dtype=x.dtype)
    start = (-flat.ctypes.data % 64) // x.itemsize + offset
    view = flat[start:start + x.size].reshape(x.shape)
    view[...] = x
    assert view.ctypes.data % 64 == offset * x.itemsize
    return view


def _bits(a):
    return np.ascontiguousarray(a).view(np.uint8)


CASES = [
    # (shape, scale, mode, antialias): height first, nine taps, 12 KB rows
    ((1, 40, 1024, 3), 0.5, "cubic", True),
    ((1, 40, 1024, 3), 0.5, "linear", True),
    ((1, 36, 333, 1), 0.5, "cubic", False),      # rows of 333 floats: every tail
    ((1, 36, 333, 1), 0.5, "cubic", True),       # and every head (nine taps)
    ((2, 30, 101, 5), 0.6, "cubic", True),
    ((1, 20, 7, 1), 0.5, "linear", True),         # rows shorter than one vector
    ((1, 40, 3, 2), (0.5, 1.0), "cubic", True),   # the same with nine taps
    ((1, 40, 2, 1), 0.5, "cubic", True),
    ((1, 310, 400, 3), 1.7, "linear", False),     # 4.3 MB out: streaming stores
    ((1, 48, 77, 3), (0.5, 1.7), "cubic", False),
]


@pytest.mark.parametrize("shape, scale, mode, antialias", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.uint8])
def test_input_address_does_not_change_the_result(shape, scale, mode, antialias, dtype):
    rng = np.random.default_rng(sum(shape))
    if dtype == np.uint8:
        x = rng.integers(0, 256, shape).astype(np.uint8)
        kwargs = dict(dtype=np.uint8)
    else:
        x = rng.standard_normal(shape).astype(np.float32)
        x[0, 1, shape[2] // 2] = np.nan
        x[0, 3] = -0.0
        kwargs = {}
    offsets = range(8) if dtype == np.float32 else (0, 1, 3, 8, 13, 31)
    want = _bits(upsample(_at_offset(x, 0), scale, mode, antialias=antialias, **kwargs))
    for offset in offsets:
        for threads in (1, 2):
            moved = _at_offset(x, offset)
            got = upsample(moved, scale, mode, antialias=antialias, num_threads=threads,
                           **kwargs)
            assert np.array_equal(_bits(got), want), (offset, threads)
            np.testing.assert_array_equal(moved, x)


@pytest.mark.parametrize("shape, scale, mode", [((1, 310, 400, 3), 1.7, "linear"),
                                               ((1, 450, 333, 1), (2.3, 3.1), "cubic")])
def test_output_address_does_not_change_the_result(shape, scale, mode):
    """Streaming stores start at the output's first 64-byte boundary; what lies before
    it and after the last full step is written with ordinary stores."""
    x = np.random.default_rng(5).standard_normal(shape).astype(np.float32)
    want = upsample(x, scale, mode)
    assert want.nbytes >= 4 << 20
    for offset in range(8):
        out = _at_offset(np.full(want.shape, np.nan, np.float32), offset)
        got = upsample(x, scale, mode, out=out)
        assert got is out
        assert np.array_equal(_bits(out), _bits(want)), offset


@pytest.mark.parametrize("shape, scale", [((1, 40, 2, 1), 0.5), ((1, 40, 3, 2), (0.5, 1.0)),
                                          ((1, 30, 333, 1), 0.5)])
def test_a_source_that_ends_its_buffer(shape, scale):
    """The vectors before the first boundary and after the last step stay inside the rows:
    with the image at the very end of its allocation, a read past its last row would
    leave it (AddressSanitizer reports that; see tools/asan.sh)."""
    x = np.random.default_rng(9).standard_normal(shape).astype(np.float32)
    want = _bits(upsample(x, scale, "cubic", antialias=True))
    for offset in range(1, 8):
        buffer = np.empty(x.size + offset, np.float32)
        tail = buffer[offset:].reshape(shape)
        tail[...] = x
        assert tail.ctypes.data + tail.nbytes == buffer.ctypes.data + buffer.nbytes
        got = upsample(tail, scale, "cubic", antialias=True)
        assert np.array_equal(_bits(got), want), offset
