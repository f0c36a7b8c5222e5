"""Linear at exactly 0.5 on even sizes: every output is the mean of 2 x 2 pixels.

Both such tables have weights 0.5 on source positions 2j and 2j + 1, and the
planner hands the resampling to the halving kernels: integers for uint8
(the float sums are exact there, so the bytes are the rounded float result),
and for float32 the height-first pass's own products and multiply-adds
without its tables and tiles, so the floats are the same to the bit. These
tests check that the kernels are used, where they must not be, and that
their results are those of the general path.
"""

import numpy as np
import pytest

from upsample import _api, upsample
from upsample_c import kernels

RNG = np.random.default_rng(31)


@pytest.fixture
def halvings(monkeypatch):
    """The calls made to the halving kernel, by the dtype it was given."""
    calls = []
    kernel = kernels.halve_pass
    monkeypatch.setattr(kernels, "halve_pass",
                        lambda *args: calls.append(args[0].dtype.name) or kernel(*args))
    _api._PLANS.clear()
    yield calls
    _api._PLANS.clear()


SHAPES = [(1, 8, 6, 1), (2, 6, 10, 2), (1, 4, 1400, 3), (3, 2, 4, 4), (1, 6, 8, 5),
          (1, 2, 2, 1000)]
# Rows long enough for the AVX2 kernels' steps (32 bytes for 1, 2 and 4 channels, 24
# for 3), with a tail of single pixels after them.
LANE_SHAPES = [(1, 4, 200, 1), (1, 2, 70, 2), (2, 6, 90, 4), (1, 4, 42, 3), (2, 2, 130, 3)]


@pytest.mark.parametrize("shape", SHAPES + LANE_SHAPES)
def test_uint8_halving_is_the_float_result_rounded(shape, halvings):
    x = RNG.integers(0, 256, shape).astype(np.uint8)
    x[..., ::2, :] |= 1  # many sums of four that end in .5 once divided
    result = upsample(x, 0.5, mode="linear", dtype=np.uint8)
    assert halvings == ["uint8"]
    via_float = upsample(x, 0.5, mode="linear")
    assert np.array_equal(result, np.rint(via_float).astype(np.uint8))


@pytest.mark.parametrize("shape", LANE_SHAPES)
def test_uint8_halving_at_the_ends_of_the_byte_range(shape, halvings):
    # Sums of four from 0 to 1020, every remainder, ties both ways: the 16-bit lanes
    # must neither wrap nor saturate where the integer loop does not.
    x = RNG.choice(np.array([0, 1, 2, 3, 252, 253, 254, 255], np.uint8), shape)
    result = upsample(x, 0.5, mode="linear", dtype=np.uint8)
    assert halvings == ["uint8"]
    sums = (x[:, 0::2, 0::2].astype(np.int64) + x[:, 1::2, 0::2] + x[:, 0::2, 1::2]
            + x[:, 1::2, 1::2])
    assert np.array_equal(result, np.rint(sums / 4).astype(np.uint8))


@pytest.mark.skipif(not kernels.halve_float_available(3), reason="vector builds only (AVX2 or NEON)")
@pytest.mark.parametrize("shape", SHAPES[:-1] + [(1, 2, 2, 7)])
def test_float_halving_is_the_general_path_to_the_bit(shape, halvings, monkeypatch):
    x = RNG.standard_normal(shape).astype(np.float32)
    special = np.array([np.nan, np.inf, -np.inf, 1e-45, 3e38], dtype=np.float32)
    where = np.arange(0, x.size, 97)[: special.size]
    x.reshape(-1)[where] = special[: where.size]
    result = upsample(x, 0.5, mode="linear")
    assert halvings == ["float32"]
    monkeypatch.setattr(kernels, "halve_float_available", lambda channels: False)
    _api._PLANS.clear()
    general = upsample(x, 0.5, mode="linear")
    assert halvings == ["float32"]
    np.testing.assert_array_equal(result, general)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
@pytest.mark.parametrize("shape, scale, options", [
    ((1, 8, 6, 3), 0.5, {"antialias": True}),       # a wider filter
    ((1, 8, 6, 3), 0.5, {"align_corners": True}),   # other positions
    ((1, 7, 6, 3), 0.5, {}),                        # odd height: sampling, not means
    ((1, 8, 6, 3), (0.5, 1.0), {}),                 # one axis only
    ((1, 8, 6, 3), 0.5, {"mode": "cubic"}),
])
def test_other_tables_do_not_halve(dtype, shape, scale, options, halvings):
    x = (RNG.random(shape) * 255).astype(dtype)
    options = {"mode": "linear", **options}
    upsample(x, scale, dtype=dtype, **options)
    assert halvings == []


def test_float_pixels_of_eight_channels_or_more_do_not_halve(halvings):
    """Their general pass goes width first, whose sums round differently."""
    upsample(RNG.random((1, 4, 4, 8), dtype=np.float32), 0.5, mode="linear")
    assert halvings == []
