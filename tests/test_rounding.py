"""Integer results are exactly the float path rounded: to nearest, ties to even, saturated.

The README promises that integer results are the float result "rounded to
nearest (ties to even) and saturated". That is checked bit for bit here, on
every route an integer result can take: uint8 to uint8 over two spatial axes
(its own kernel, vector and scalar tails), the 2 x 2 integer mean at scale 0.5,
the scale-2 loops, row tiles, streamed outputs of 4 MB and more, several
threads, other numbers of axes (float32 results rounded afterwards), other
integer dtypes (through float32 up to 16 bits, float64 from 32 bits), and
nearest's conversions. The inputs are built so that many results fall exactly
halfway between two integers (weights of 0.5 or 0.25 on integer samples), so
that rounding half up, half away from zero or by truncation cannot pass.
"""

import numpy as np
import pytest

from upsample import upsample

RNG = np.random.default_rng(8)

WORK = {np.dtype(t): np.dtype(np.float32) for t in (np.uint8, np.int8, np.int16, np.uint16)}
WORK.update({np.dtype(t): np.dtype(np.float64)
             for t in (np.int32, np.uint32, np.int64, np.uint64)})


def rounded(values, dtype):
    """``values`` (float) rounded half to even and saturated to ``dtype``; NaN gives 0."""
    info = np.iinfo(dtype)
    values = np.nan_to_num(values.astype(np.float64), nan=0.0)
    return np.clip(np.rint(values), info.min, info.max)


def assert_rounds_the_float_path(x, dtype, min_ties=1, **options):
    """``upsample(x, dtype=dtype)`` equals the float result of the same call (in the
    precision the README names for ``dtype``) rounded; that result must hold at least
    ``min_ties`` exact ties, at least one below an even and one below an odd integer."""
    dtype = np.dtype(dtype)
    result = upsample(x, dtype=dtype, **options)
    assert result.dtype == dtype
    floats = upsample(x, dtype=WORK[dtype], **options)
    expected = rounded(floats, dtype)
    ties = floats[np.abs(floats - np.floor(floats)) == 0.5]
    assert ties.size >= min_ties, f"only {ties.size} ties"
    if min_ties:
        assert np.any(np.floor(ties) % 2 == 0) and np.any(np.floor(ties) % 2 == 1)
    mismatch = result.astype(np.float64) != expected
    assert not np.any(mismatch), (
        f"{np.count_nonzero(mismatch)} of {result.size} differ; first: result "
        f"{result[mismatch][0]} for {floats[mismatch][0]!r}")
    return result


def test_halfway_samples_go_to_the_even_integer():
    # align_corners from 2 to 3 samples: the middle one is the mean of its neighbours.
    pairs = np.array([[0, 1], [1, 2], [2, 3], [3, 4], [254, 255], [7, 8]], np.uint8)
    x = pairs.T.reshape(1, 2, 6, 1)
    for shape in [(1, 2, 6, 1), (1, 2, 6)]:
        result = upsample(x.reshape(shape), size=3, axes=(1,), mode="linear",
                          align_corners=True, dtype=np.uint8)
        assert result.reshape(3, 6)[1].tolist() == [0, 2, 2, 4, 254, 8]
    signed = np.array([[0, -1], [-1, -2], [-2, -3], [1, 0]], np.int16).T.reshape(2, 4, 1)
    result = upsample(signed, size=3, axes=(0,), mode="linear", align_corners=True,
                      dtype=np.int16)
    assert result[1, :, 0].tolist() == [0, -2, -2, 0]


def test_float_input_ties_with_nearest_and_linear():
    x = np.array([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, 254.5, 255.5, 300.0, np.nan],
                 np.float32).reshape(1, -1, 1)
    expected = [0, 2, 2, 4, 0, 0, 254, 255, 255, 0]
    assert upsample(x, 1, dtype=np.uint8)[0, :, 0].tolist() == expected
    assert upsample(x, 1, "linear", dtype=np.uint8)[0, :, 0].tolist() == expected
    assert upsample(x, 1, "linear", dtype=np.int8)[0, :, 0].tolist() == [
        0, 2, 2, 4, 0, -2, 127, 127, 127, 0]


def tie_image(shape, dtype=np.uint8, rng=RNG):
    """Integer samples whose means and quarter-weighted sums land on halves often."""
    info = np.iinfo(dtype)
    low, high = max(info.min, -300), min(info.max, 300)
    return rng.integers(low, high, shape, endpoint=True).astype(dtype)


# (shape, scale or size, mode, align_corners): each reaches ties. Widths (outputs times
# channels) that are not multiples of 16 or 32 put ties in the scalar tails too.
UINT8_CASES = [
    ((1, 2, 37, 3), dict(size=(3, 73)), "linear", True),          # weights 0.5
    ((2, 5, 21, 1), dict(size=(9, 41)), "linear", True),
    ((1, 9, 50, 4), dict(size=(17, 99)), "linear", True),
    ((1, 30, 41, 3), dict(scale_factor=2), "linear", False),       # 0.25 / 0.75, scale 2
    ((2, 19, 13, 1), dict(scale_factor=2), "linear", False),
    ((1, 40, 54, 3), dict(scale_factor=0.5), "linear", False),     # the 2 x 2 mean
    ((1, 42, 70, 2), dict(scale_factor=0.5), "linear", False),
    ((1, 22, 38, 5), dict(scale_factor=0.5), "linear", False),
    ((3, 14, 30, 1), dict(scale_factor=(0.5, 2)), "linear", False),
    ((1, 33, 47, 3), dict(scale_factor=(2, 1.5)), "linear", False),
    ((1, 25, 61, 3), dict(scale_factor=(1.5, 2)), "linear", False),
    ((1, 17, 29, 3), dict(size=(33, 57)), "cubic", True),          # Keys at x.5: /32
    ((1, 12, 90, 1), dict(scale_factor=(2, 0.5)), "linear", False),
]


@pytest.mark.parametrize("shape, size_or_scale, mode, align_corners", UINT8_CASES)
def test_uint8_images_are_the_rounded_float32_result(shape, size_or_scale, mode,
                                                     align_corners):
    x = tie_image(shape)
    assert_rounds_the_float_path(x, np.uint8, min_ties=2, mode=mode,
                                 align_corners=align_corners, **size_or_scale)


@pytest.mark.parametrize("scale", [1.37, 0.71, 2.5, 0.3, 3.1])
@pytest.mark.parametrize("mode, antialias", [("linear", False), ("cubic", False),
                                             ("linear", True), ("cubic", True)])
def test_uint8_at_other_scales_is_the_rounded_float32_result(scale, mode, antialias):
    # Row tiles and the general loops; ties are rare here, so none are required.
    x = tie_image((2, 23, 45, 3))
    x[:, ::4] = 255
    x[:, 1::4] = 0
    assert_rounds_the_float_path(x, np.uint8, min_ties=0, scale_factor=scale, mode=mode,
                                 antialias=antialias)


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("shape, options", [
    # Outputs of 4 MB and more are streamed: rows that start 32-byte aligned straight
    # from the registers, others staged.
    ((1, 700, 801, 3), dict(scale_factor=2, mode="linear")),
    ((1, 1402, 1602, 3), dict(scale_factor=0.5, mode="linear")),
    ((1, 1001, 1402, 3), dict(size=(2001, 2803), mode="linear", align_corners=True)),
    ((2, 900, 1203, 1), dict(scale_factor=1.5, mode="cubic")),
])
def test_large_uint8_images_are_the_rounded_float32_result(shape, options, threads):
    x = tie_image(shape)
    assert_rounds_the_float_path(x, np.uint8, min_ties=2, num_threads=threads, **options)


@pytest.mark.parametrize("shape, options", [
    ((3, 41, 2), dict(size=81, mode="linear", align_corners=True)),       # one axis
    ((4, 1001, 3), dict(scale_factor=2, mode="linear")),
    ((2, 9, 11, 13, 2), dict(size=(17, 21, 25), mode="linear", align_corners=True)),
    ((1, 10, 12, 14, 3), dict(scale_factor=0.5, mode="linear")),          # three axes
    ((2, 20, 23, 5), dict(scale_factor=(2, 0.5), mode="linear", axes=(0, 1))),
    ((5, 17, 3), dict(size=(9, 33), mode="linear", align_corners=True, axes=(0, 1))),
])
@pytest.mark.parametrize("threads", [1, 2])
def test_uint8_of_other_layouts_is_the_rounded_float32_result(shape, options, threads):
    x = tie_image(shape)
    assert_rounds_the_float_path(x, np.uint8, min_ties=2, num_threads=threads, **options)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.uint16, np.int32, np.uint32,
                                   np.int64, np.uint64])
@pytest.mark.parametrize("shape, options", [
    ((1, 2, 37, 3), dict(size=(3, 73), mode="linear", align_corners=True)),
    ((2, 30, 41, 2), dict(scale_factor=2, mode="linear")),
    ((1, 40, 54, 3), dict(scale_factor=0.5, mode="linear")),
    ((2, 41, 3), dict(size=81, mode="linear", align_corners=True)),
    ((1, 17, 29, 3), dict(size=(33, 57), mode="cubic", align_corners=True)),
])
def test_other_integer_dtypes_are_the_rounded_float_result(dtype, shape, options):
    x = tie_image(shape, dtype)
    assert_rounds_the_float_path(x, dtype, min_ties=2, **options)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.uint16, np.int32,
                                   np.uint32, np.int64, np.uint64])
def test_float_input_to_integers_is_rounded_and_saturated(dtype):
    # Every x.5 from below the range to above it, on contiguous and strided outputs.
    info = np.iinfo(dtype)
    low = max(float(info.min), -70000.0) - 3
    values = np.arange(low, low + 2 * 70006 + 6) + 0.5
    values = np.concatenate([values, [np.nan, np.inf, -np.inf]])
    x = values.astype(np.float64).reshape(1, -1, 1)
    expected = rounded(x.copy(), dtype)
    expected[0, -2:, 0] = [info.max, info.min]
    for source in (np.float32, np.float64):
        if source == np.float32 and info.bits > 16:
            continue  # float32 does not hold every x.5 of this range
        for mode in ("nearest", "linear"):
            result = upsample(x.astype(source), 1, mode, dtype=dtype)
            np.testing.assert_array_equal(result.astype(np.float64), expected)
            out = np.zeros((1, x.shape[1], 2), dtype)[..., ::2]
            upsample(x.astype(source), 1, mode, dtype=dtype, out=out)
            np.testing.assert_array_equal(out.astype(np.float64), expected)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.uint16])
@pytest.mark.parametrize("mode", ["nearest", "linear"])
def test_values_beyond_the_int32_range_saturate(dtype, mode):
    # Float to integer conversions give garbage outside the int32 range (x86 makes
    # them INT_MIN), so the vector loops must clamp before converting. Seven extremes
    # cycle through 7 * 64 + 5 values: each lands on every lane of the 8-, 16- and
    # 32-value steps, and on the scalar tail.
    extremes = np.array([1e10, -1e10, 3e38, -3e38, np.inf, -np.inf, np.nan])
    values = extremes[np.arange(7 * 64 + 5) % len(extremes)]
    x = values.astype(np.float32).reshape(1, -1, 1)
    expected = rounded(x.astype(np.float64), dtype)
    result = upsample(x, 1, mode, dtype=dtype)
    np.testing.assert_array_equal(result.astype(np.float64), expected)
    out = np.zeros_like(result)
    upsample(x, 1, mode, dtype=dtype, out=out)
    np.testing.assert_array_equal(out.astype(np.float64), expected)
