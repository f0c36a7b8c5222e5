"""The kernels' entry points check every array they are handed before using its data.

They take plain ndarrays (typed memoryviews cost a small call more than its
resampling) and read and write through raw pointers, so a call with a wrong
dtype, a short or non-contiguous array, a read-only output or no thread must
raise, never touch memory outside an array. Only the Python layer calls them,
but a mistake there must fail here rather than corrupt memory.
"""

import numpy as np
import pytest

from upsample_c import kernels

F32 = np.float32


def planar_args(**change):
    """A valid planar_pass call: a (1, 4, 4, 3) image doubled by linear tables."""
    h_index = np.array([[0, 0], [0, 1], [1, 2], [2, 3], [3, 3], [3, 3], [3, 3], [3, 3]],
                       dtype=np.int64).reshape(-1)
    weights = np.full(16, 0.5, dtype=F32)
    args = dict(
        src=np.arange(48, dtype=F32), dst=np.zeros(8 * 8 * 3, dtype=F32), outer=1, h_in=4,
        w_in=4, channels=3, h_out=8, w_out=8, h_index=h_index, h_weights=weights, h_taps=2,
        w_offsets=h_index * 3, w_weights=weights.copy(), w_taps=2, w_doubling=False,
        width_first=True, row_tiles=False, scratch=np.empty(4096, dtype=np.uint8),
        index_scratch=np.empty(16, dtype=np.int64), stream=False, num_threads=1,
    )
    args.update(change)
    return args


def test_a_valid_call_runs():
    args = planar_args()
    kernels.planar_pass(**args)
    assert np.isfinite(args["dst"]).all() and args["dst"].any()


@pytest.mark.parametrize("change, error, words", [
    (dict(dst=np.zeros(8 * 8 * 3 - 1, dtype=F32)), ValueError, "dst holds"),
    (dict(src=np.arange(47, dtype=F32)), ValueError, "src holds"),
    (dict(h_index=np.zeros(15, dtype=np.int64)), ValueError, "h_index holds"),
    (dict(w_weights=np.full(16, 0.5)), TypeError, "w_weights must have dtype"),
    (dict(w_offsets=np.zeros(16, dtype=np.int32)), TypeError, "w_offsets must have dtype"),
    (dict(dst=np.zeros(2 * 192, dtype=F32)[::2]), ValueError, "dst must be C-contiguous"),
    (dict(scratch=np.empty(8, dtype=np.uint8)), ValueError, "scratch holds"),
    (dict(scratch=np.empty(4097, dtype=np.uint8)[1:]), ValueError, "scratch must be aligned"),
    (dict(index_scratch=np.empty(3, dtype=np.int64)), ValueError, "index_scratch holds"),
    (dict(num_threads=0), ValueError, "num_threads"),
    (dict(dst=None), TypeError, "dst"),
])
def test_planar_pass_refuses(change, error, words):
    with pytest.raises(error, match=words):
        kernels.planar_pass(**planar_args(**change))


def test_a_read_only_output_is_refused():
    dst = np.zeros(8 * 8 * 3, dtype=F32)
    dst.flags.writeable = False
    with pytest.raises(ValueError, match="dst must be writeable"):
        kernels.planar_pass(**planar_args(dst=dst))


def test_the_source_dtype_decides_and_the_others_must_follow():
    args = planar_args(src=np.arange(48, dtype=np.float64),
                       dst=np.zeros(8 * 8 * 3, dtype=np.float64))
    with pytest.raises(TypeError, match="h_weights must have dtype float64"):
        kernels.planar_pass(**args)


def test_vertical_and_horizontal_passes_check_their_arrays():
    offsets = np.array([0, 1, 1, 2], dtype=np.int64)
    weights = np.full(4, 0.5, dtype=F32)
    with pytest.raises(ValueError, match="dst holds"):
        kernels.vertical_pass(np.zeros(12, F32), np.zeros(7, F32), 1, 3, 4, 2, offsets * 4,
                              weights, 2, 4, False, 1)
    with pytest.raises(ValueError, match="block"):
        kernels.vertical_pass(np.zeros(12, F32), np.zeros(8, F32), 1, 3, 4, 2, offsets * 4,
                              weights, 2, 0, False, 1)
    with pytest.raises(ValueError, match="src holds"):
        kernels.horizontal_pass(np.zeros(5, F32), np.zeros(4, F32), 1, 3, 2, 2, offsets * 2,
                                weights, 2, False, 1, 1)


def test_gather_nearest_checks_its_output_and_tables():
    x = np.arange(12, dtype=F32).reshape(1, 2, 2, 3)
    offsets = np.array([0, 0, 24, 0, 12], dtype=np.int64)
    counts = np.array([1, 2, 2], dtype=np.int64)
    out = np.zeros((1, 2, 2, 3), dtype=F32)
    kernels.gather_nearest(x, out, offsets, counts, 3, 4, 4, False, 2, False, 1)
    np.testing.assert_array_equal(out, x)
    with pytest.raises(ValueError, match="dst holds"):
        kernels.gather_nearest(x, np.zeros(11, F32), offsets, counts, 3, 4, 4, False, 2,
                               False, 1)
    with pytest.raises(ValueError, match="offset tables"):
        kernels.gather_nearest(x, out, offsets[:4], counts, 3, 4, 4, False, 2, False, 1)


def test_halving_and_rounding_check_their_arrays():
    src = np.zeros((1, 4, 4, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match="dst holds"):
        kernels.halve_pass(src, np.zeros(11, np.uint8), 1, 4, 4, 3, 2, 2, 1)
    with pytest.raises(TypeError, match="dst must have dtype uint8"):
        kernels.halve_pass(src, np.zeros(12, F32), 1, 4, 4, 3, 2, 2, 1)
    with pytest.raises(ValueError, match="dst holds"):
        kernels.round_to_uint8(np.zeros(8, F32), np.zeros(7, np.uint8), 1)
