"""Properties that must hold for every shape, scale and option (hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from upsample import upsample

SETTINGS = settings(max_examples=60, deadline=None)

scales = st.one_of(
    st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0, 2.5, 0.75]),
    st.floats(min_value=0.3, max_value=4.0, allow_nan=False),
)


@st.composite
def images(draw, max_spatial=3, dtype=np.float32):
    n_spatial = draw(st.integers(1, max_spatial))
    shape = (draw(st.integers(1, 2)),)
    shape += tuple(draw(st.integers(1, 9)) for _ in range(n_spatial))
    shape += (draw(st.integers(1, 5)),)
    seed = draw(st.integers(0, 2**32 - 1))
    values = np.random.default_rng(seed).standard_normal(shape) * 10
    return values.astype(dtype)


@st.composite
def weighted_options(draw):
    mode = draw(st.sampled_from(["linear", "cubic"]))
    align_corners = draw(st.booleans())
    antialias = not align_corners and draw(st.booleans())
    return mode, align_corners, antialias


@SETTINGS
@given(x=images(), scale=scales, options=weighted_options(),
       value=st.floats(-1e4, 1e4, allow_nan=False))
def test_a_constant_stays_constant(x, scale, options, value):
    mode, align_corners, antialias = options
    constant = np.full_like(x, value)
    out = upsample(constant, scale, mode, align_corners, antialias)
    # The float32 weights of one output sum to 1 only within a few units in
    # the last place, and three passes compound that: a constant 5111 volume
    # (1, 4, 4, 4, 1), cubic x3 with align_corners, comes back from MLX as low
    # as 5110.9912 (-1.7e-6) and from upsample as 5110.9897 (-2.0e-6).
    np.testing.assert_allclose(out, value, rtol=4e-6, atol=1e-6)


@SETTINGS
@given(x=images(dtype=np.int32), factors=st.lists(st.integers(1, 4), min_size=3, max_size=3))
def test_integer_scale_nearest_equals_repeat(x, factors):
    factors = factors[: x.ndim - 2]
    expected = x
    for axis, factor in enumerate(factors, start=1):
        expected = np.repeat(expected, factor, axis=axis)
    np.testing.assert_array_equal(upsample(x, tuple(float(f) for f in factors)), expected)


@SETTINGS
@given(n=st.integers(2, 40), scale=scales, slope=st.floats(-10, 10), offset=st.floats(-10, 10))
def test_linear_align_corners_reproduces_a_ramp(n, scale, slope, offset):
    ramp = (slope * np.arange(n) + offset).astype(np.float64).reshape(1, n, 1)
    out = upsample(ramp, scale, "linear", align_corners=True)[0, :, 0]
    m = out.size
    if m == 0:
        return
    positions = np.arange(m, dtype=np.float32) * np.float32((n - 1) / max(m - 1, 1))
    expected = slope * positions.astype(np.float64) + offset
    # Exact up to the float32 rounding of the weights (1 - w, w), which is MLX's too.
    scale_of_values = abs(slope) * n + abs(offset) + 1
    np.testing.assert_allclose(out, expected, rtol=0, atol=4 * 2**-24 * scale_of_values)
    assert out[0] == ramp[0, 0, 0]  # the corners are aligned: first and last samples
    if m > 1:
        np.testing.assert_allclose(out[-1], ramp[0, -1, 0], rtol=0,
                                   atol=4 * 2**-24 * scale_of_values)


@SETTINGS
@given(x=images(), scale=scales, mode=st.sampled_from(["nearest", "linear", "cubic"]),
       order=st.sampled_from(["F", "reversed", "strided"]))
def test_result_does_not_depend_on_memory_layout(x, scale, mode, order):
    if order == "F":
        view = np.asfortranarray(x)
    elif order == "reversed":
        view = np.ascontiguousarray(x[:, ::-1])[:, ::-1]
    else:
        big = np.repeat(x, 2, axis=-1)
        view = big[..., ::2]
    np.testing.assert_array_equal(upsample(view, scale, mode), upsample(x, scale, mode))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), scale=scales,
       mode=st.sampled_from(["nearest", "linear", "cubic"]), antialias=st.booleans(),
       shape=st.sampled_from([(1, 300, 200, 3), (3, 64, 48, 16), (2, 20, 24, 16, 2),
                              (2, 30000, 2)]))
def test_result_does_not_depend_on_thread_count(seed, scale, mode, antialias, shape):
    antialias = antialias and mode != "nearest"
    x = np.random.default_rng(seed).random(shape, dtype=np.float32)
    serial = upsample(x, scale, mode, antialias=antialias, num_threads=1)
    for threads in (2, 3, 8):
        parallel = upsample(x, scale, mode, antialias=antialias, num_threads=threads)
        np.testing.assert_array_equal(parallel, serial)
