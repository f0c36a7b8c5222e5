"""The package against the independent oracle of ``oracle.py`` (written from SEMANTICS.md).

Random shapes, scales, options, dtypes and memory layouts (hypothesis); nearest
must match exactly, linear and cubic within a float32-rounding tolerance. A few
hand-checked cases test the oracle itself first.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oracle import oracle_upsample
from upsample import upsample

SETTINGS = settings(max_examples=400, deadline=None)

REAL_DTYPES = [np.float32, np.float64, np.float16, np.int8, np.uint8, np.int32, np.int64,
               np.bool_]
LAYOUTS = ["C", "F", "reversed", "strided", "readonly"]


# ---------------------------------------------------------------- the oracle itself

def _column(values, dtype=np.float64):
    return np.asarray(values, dtype=dtype).reshape(1, -1, 1)


def test_oracle_linear_x2_half_pixel():
    out = oracle_upsample(_column([0, 1]), 2, "linear")
    np.testing.assert_array_equal(out[0, :, 0], [0, 0.25, 0.75, 1])


def test_oracle_linear_align_corners_ramp():
    out = oracle_upsample(_column(np.arange(5)), 2, "linear", align_corners=True)
    np.testing.assert_allclose(out[0, :, 0], np.linspace(0, 4, 10), rtol=0, atol=1e-6)


def test_oracle_nearest_integer_scale_is_repeat():
    x = np.arange(2 * 3 * 4 * 2).reshape(2, 3, 4, 2).astype(np.int16)
    out = oracle_upsample(x, (2, 3), "nearest")
    assert out.dtype == np.int16
    np.testing.assert_array_equal(out, np.repeat(np.repeat(x, 2, axis=1), 3, axis=2))


def test_oracle_nearest_fractional_rounds_half_to_even():
    # N=2, s=1.5: M=3, r=f32(2/3); sources round(-1/6), round(0.5)=0, round(7/6)=1.
    out = oracle_upsample(_column([10, 20], np.int32), 1.5, "nearest")
    np.testing.assert_array_equal(out[0, :, 0], [10, 10, 20])
    # Downscale N=5, s=0.5: M=2, r=2.5, sources trunc(0)=0, trunc(2.5)=2.
    out = oracle_upsample(_column([1, 2, 3, 4, 5], np.int32), 0.5, "nearest")
    np.testing.assert_array_equal(out[0, :, 0], [1, 3])


def test_oracle_cubic_interpolates_at_integer_coordinates():
    # N=3 -> M=5 with align_corners: x_j = j / 2, so even j land on the inputs.
    values = [2.0, -7.0, 5.0]
    out = oracle_upsample(_column(values), 5 / 3, "cubic", align_corners=True)[0, :, 0]
    np.testing.assert_allclose(out[::2], values, rtol=0, atol=1e-12)
    # Keys a=-0.75 at the midpoint: weights (-3/32, 19/32, 19/32, -3/32), borders clamped.
    np.testing.assert_allclose(out[1], (-3 * 2 + 19 * 2 + 19 * -7 - 3 * 5) / 32, atol=1e-12)


def test_oracle_cubic_last_sample_below_a_power_of_two():
    # SEMANTICS.md: N=17, scale 2.5, align_corners -> the last sample is the last input.
    x = _column(np.arange(1, 18), np.float32)
    out = oracle_upsample(x, 2.5, "cubic", align_corners=True)
    assert out.dtype == np.float32
    assert out[0, -1, 0] == pytest.approx(17, abs=1e-4)


def test_oracle_antialias_linear_halving():
    # N=4, s=0.5: x_j = 0.5, 2.5; triangle of half-width 2, out-of-range taps weigh 0.
    out = oracle_upsample(_column([0, 1, 2, 3]), 0.5, "linear", antialias=True)
    np.testing.assert_allclose(out[0, :, 0], [1.25 / 1.75, 4 / 1.75], rtol=0, atol=1e-12)


def test_oracle_output_dtypes():
    for dtype in REAL_DTYPES:
        x = np.ones((1, 3, 1), dtype=dtype)
        assert oracle_upsample(x, 1.5, "nearest").dtype == dtype
        expected = np.float64 if dtype == np.float64 else np.float32
        assert oracle_upsample(x, 1.5, "linear").dtype == expected
        assert oracle_upsample(x, 1.5, "cubic").dtype == expected


# ---------------------------------------------------------------- strategies

scale_values = st.one_of(
    st.integers(1, 4),
    st.sampled_from([0.3, 0.5, 0.75, 1.5, 2.5, 1 / 3, 2 / 3, 3.7]),
    st.floats(min_value=0.3, max_value=3.7, allow_nan=False),
)


@st.composite
def scale_factors(draw, n_spatial):
    if draw(st.booleans()):
        return draw(scale_values)
    return tuple(draw(scale_values) for _ in range(n_spatial))


@st.composite
def options(draw, modes=("nearest", "linear", "cubic")):
    mode = draw(st.sampled_from(modes))
    align_corners = draw(st.booleans())
    antialias = mode != "nearest" and not align_corners and draw(st.booleans())
    return mode, align_corners, antialias


def random_values(rng, shape, dtype):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.integers(0, 2, shape).astype(bool)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)
    magnitude = {np.float16: 100.0}.get(dtype.type, 1e4)
    values = rng.standard_normal(shape) * magnitude * rng.choice([1e-3, 1, 1])
    if dtype.kind == "c":
        values = values + 1j * rng.standard_normal(shape) * magnitude
    return values.astype(dtype)


def with_layout(x, layout):
    """The same logical kind of array in another memory layout (a view where possible)."""
    if layout == "F":
        return np.asfortranarray(x)
    if layout == "reversed":
        return x[:, ::-1]
    if layout == "strided":
        big = np.zeros(tuple(2 * n for n in x.shape), dtype=x.dtype)
        big[(slice(None, None, 2),) * x.ndim] = x
        return big[(slice(None, None, 2),) * x.ndim]
    if layout == "readonly":
        x = x.copy()
        x.setflags(write=False)
    return x


@st.composite
def arrays(draw, dtypes, max_len=12, min_len=1, with_nan=False):
    n_spatial = draw(st.integers(1, 3))
    spatial = [draw(st.integers(min_len, max_len if n_spatial < 3 else min(max_len, 8)))
               for _ in range(n_spatial)]
    # Pixels of 8 or more channels take the kernels' wide-pixel loops.
    shape = (draw(st.integers(1, 2)), *spatial, draw(st.sampled_from([1, 2, 3, 4, 5, 8, 12])))
    dtype = draw(st.sampled_from(dtypes))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    values = random_values(rng, shape, dtype)
    if with_nan:
        values.reshape(-1)[draw(st.integers(0, values.size - 1))] = np.nan
    return with_layout(values, draw(st.sampled_from(LAYOUTS)))


def call_both(x, scale, mode, align_corners, antialias):
    """Run package and oracle; check that the input is untouched and not aliased."""
    before = x.copy()
    out = upsample(x, scale, mode, align_corners, antialias)
    assert np.array_equal(x, before, equal_nan=x.dtype.kind in "fc"), "input was modified"
    assert not np.shares_memory(out, x), "output shares memory with the input"
    return out, oracle_upsample(before, scale, mode, align_corners, antialias)


def tolerance(x, out):
    """max(1, max|x|) * (1e-5 + 4 ulp(1) * L), L the longest input or output spatial axis."""
    longest = max(x.shape[1:-1] + out.shape[1:-1])
    peak = float(np.max(np.abs(x.astype(np.float64)))) if x.size else 0.0
    return max(1.0, peak) * (1e-5 + 4 * 2.0**-23 * longest)


def assert_matches(x, out, ref, case):
    assert out.shape == ref.shape, (case, out.shape, ref.shape)
    assert out.dtype == ref.dtype, (case, out.dtype, ref.dtype)
    if ref.size == 0:
        return
    atol = tolerance(x, out)
    err = float(np.max(np.abs(out.astype(np.float64) - ref.astype(np.float64))))
    assert err <= atol, f"{case}: max error {err:.3g} > {atol:.3g}"


# ---------------------------------------------------------------- package vs oracle

@SETTINGS
@given(data=st.data(), x=arrays(REAL_DTYPES + [np.complex64]))
def test_nearest_is_exactly_the_oracle(data, x):
    scale = data.draw(scale_factors(x.ndim - 2))
    align_corners = data.draw(st.booleans())
    out, ref = call_both(x, scale, "nearest", align_corners, False)
    case = (x.shape, x.dtype, scale, align_corners)
    assert out.shape == ref.shape and out.dtype == ref.dtype == x.dtype, case
    assert np.array_equal(out, ref), case


@SETTINGS
@given(data=st.data(), x=arrays(REAL_DTYPES))
def test_linear_and_cubic_match_the_oracle(data, x):
    scale = data.draw(scale_factors(x.ndim - 2))
    mode, align_corners, antialias = data.draw(options(("linear", "cubic")))
    out, ref = call_both(x, scale, mode, align_corners, antialias)
    assert_matches(x, out, ref, (x.shape, x.dtype, scale, mode, align_corners, antialias))


@settings(max_examples=150, deadline=None)
@given(data=st.data(), x=arrays([np.float32, np.float64], max_len=8, with_nan=True))
def test_nan_reaches_exactly_the_samples_whose_taps_touch_it(data, x):
    scale = data.draw(scale_factors(x.ndim - 2))
    mode, align_corners, antialias = data.draw(options())
    out, ref = call_both(x, scale, mode, align_corners, antialias)
    case = (x.shape, x.dtype, scale, mode, align_corners, antialias)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(ref), err_msg=str(case))
    finite = ~np.isnan(ref)
    if mode == "nearest":
        assert np.array_equal(out, ref, equal_nan=True), case
    else:
        assert_matches(np.nan_to_num(x), np.where(finite, out, 0), np.where(finite, ref, 0), case)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), x=arrays(REAL_DTYPES, max_len=6, min_len=0))
def test_empty_outputs(data, x):
    # A tiny scale (M = int(s * N) = 0), or a zero-length batch/channel/spatial axis.
    n_spatial = x.ndim - 2
    mode, align_corners, antialias = data.draw(options())
    if data.draw(st.booleans()):
        tiny = st.floats(min_value=1e-3, max_value=0.99 / 6)
        scale = tuple(data.draw(st.one_of(tiny, scale_values)) for _ in range(n_spatial))
        scale = (data.draw(tiny),) + scale[1:]
    else:
        scale = data.draw(scale_factors(n_spatial))
        axis = data.draw(st.integers(0, x.ndim - 1))
        x = np.take(x, np.arange(0), axis=axis)
    out, ref = call_both(x, scale, mode, align_corners, antialias)
    assert ref.size == 0 and out.shape == ref.shape and out.dtype == ref.dtype, (
        x.shape, scale, mode, out.shape, ref.shape, out.dtype, ref.dtype)


@SETTINGS
@given(data=st.data(), n=st.integers(1, 600), channels=st.integers(1, 3),
       dtype=st.sampled_from([np.float32, np.float64, np.uint8, np.int16]))
def test_long_axes_match_the_oracle(data, n, channels, dtype):
    # Long 1-D axes reach coordinates where float32 rounding decides ties and taps.
    x = random_values(np.random.default_rng(data.draw(st.integers(0, 2**32 - 1))),
                      (1, n, channels), dtype)
    scale = data.draw(scale_values)
    mode, align_corners, antialias = data.draw(options())
    out, ref = call_both(x, scale, mode, align_corners, antialias)
    case = (x.shape, x.dtype, scale, mode, align_corners, antialias)
    if mode == "nearest":
        assert out.dtype == x.dtype and np.array_equal(out, ref), case
    else:
        assert_matches(x, out, ref, case)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cubic_third_tap_below_a_power_of_two(dtype):
    # SEMANTICS.md's deliberate difference from MLX: floor(x_j) + 1, not floor(x_j + 1).
    x = np.arange(1, 18, dtype=dtype).reshape(1, 17, 1)
    out = upsample(x, 2.5, "cubic", align_corners=True)
    ref = oracle_upsample(x, 2.5, "cubic", align_corners=True)
    assert_matches(x, out, ref, "N=17, scale 2.5, cubic, align_corners")
    assert out[0, -1, 0] == pytest.approx(17, abs=1e-4)
