"""The package against the independent reference of ``reference.py`` (written from SEMANTICS.md).

Hypothesis draws calls over the whole API: every mode and option, input and
output dtypes, ``scale_factor`` or ``size``, ``axes``, memory layouts of the
input (C, Fortran, negative, zero and odd strides, unaligned, read-only,
byte-swapped) and of ``out=``, thread counts, the function or a layer, and
repeated calls (which replay remembered plans). Nearest must match exactly;
linear and cubic within the error bound that the reference derives from the
rounding of float32 (or float64) arithmetic, tap by tap. A few hand-checked
cases test the reference itself first.
"""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference
from reference import check, reference_upsample, round_to_float32
from upsample import Upsample, upsample

MODES = ("nearest", "linear", "cubic")
INPUT_DTYPES = [np.bool_, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32,
                np.int64, np.uint64, np.float16, np.float32, np.float64, np.longdouble,
                np.complex64, np.complex128, np.clongdouble, ">f4", ">i2", ">f8", ">c8"]
REAL_OUT_DTYPES = [np.float16, np.float32, np.float64, np.uint8, np.int8, np.int16, np.uint16,
                   np.int32, np.uint32, np.int64, np.uint64]
COMPLEX_OUT_DTYPES = [np.complex64, np.complex128]
LAYOUTS = ["C", "F", "reversed", "strided", "readonly", "swapped", "broadcast", "unaligned"]
OUT_LAYOUTS = ["C", "F", "strided", "reversed"]


# ---------------------------------------------------------------- the reference itself

def _column(values, dtype=np.float64):
    return np.asarray(values, dtype=dtype).reshape(1, -1, 1)


def _values(*args, **kwargs):
    return reference_upsample(*args, **kwargs).values.astype(np.float64)


def test_float32_rounding_is_exact_and_ties_go_to_even():
    rng = np.random.default_rng(5)
    for value in rng.standard_normal(2000) * 10.0 ** rng.integers(-6, 7, 2000):
        # NumPy rounds a double to float32 once, correctly: the same number.
        assert round_to_float32(Fraction(value)) == Fraction(float(np.float32(value)))
    one, ulp = Fraction(1), Fraction(1, 2**23)
    assert round_to_float32(one + ulp / 2) == one  # halfway: to the even neighbour
    assert round_to_float32(one + ulp + ulp / 2) == one + 2 * ulp
    assert round_to_float32(-(one + ulp / 2)) == -one
    assert round_to_float32(one + ulp / 2 + Fraction(1, 2**60)) == one + ulp


def test_coordinates_are_the_float32_formulas_of_semantics():
    # SEMANTICS.md: x_j = f32(j) * f32(step) - f32(start), each operation in float32.
    for n_in, n_out, scale, align in [(17, 42, 2.5, True), (5, 2, 0.5, False),
                                      (7, 23, 23 / 7, False), (300, 1000, 3.34, False),
                                      (640, 427, 2 / 3, False), (3, 1, 0.4, True)]:
        j = np.arange(n_out, dtype=np.float32)
        if align:
            expected = j * np.float32((n_in - 1) / max(n_out - 1, 1))
        else:
            step = 1 / scale
            expected = j * np.float32(step) - np.float32(((n_out - 1) * step - n_in + 1) / 2)
        got = reference.coordinates(n_in, n_out, scale, align)
        assert [Fraction(float(v)) for v in expected] == list(got)


def test_linear_x2_half_pixel():
    np.testing.assert_array_equal(_values(_column([0, 1]), 2, "linear")[0, :, 0],
                                  [0, 0.25, 0.75, 1])


def test_linear_align_corners_ramp():
    out = _values(_column(np.arange(5)), 2, "linear", align_corners=True)
    np.testing.assert_allclose(out[0, :, 0], np.linspace(0, 4, 10), rtol=0, atol=1e-6)


def test_nearest_integer_scale_is_repeat():
    x = np.arange(2 * 3 * 4 * 2).reshape(2, 3, 4, 2).astype(np.int16)
    ref = reference_upsample(x, (2, 3), "nearest")
    assert ref.dtype == np.int16
    np.testing.assert_array_equal(ref.values, np.repeat(np.repeat(x, 2, axis=1), 3, axis=2))


def test_nearest_fractional_rounds_half_to_even():
    # N=2, s=1.5: M=3, r=f32(2/3); sources round(-1/6), round(0.5)=0, round(7/6)=1.
    out = reference_upsample(_column([10, 20], np.int32), 1.5, "nearest").values
    np.testing.assert_array_equal(out[0, :, 0], [10, 10, 20])
    # Downscale N=5, s=0.5: M=2, r=2.5, sources trunc(0)=0, trunc(2.5)=2.
    out = reference_upsample(_column([1, 2, 3, 4, 5], np.int32), 0.5, "nearest").values
    np.testing.assert_array_equal(out[0, :, 0], [1, 3])


def test_cubic_interpolates_at_integer_coordinates():
    # N=3 -> M=5 with align_corners: x_j = j / 2, so even j land on the inputs.
    values = [2.0, -7.0, 5.0]
    out = _values(_column(values), 5 / 3, "cubic", align_corners=True)[0, :, 0]
    np.testing.assert_allclose(out[::2], values, rtol=0, atol=1e-15)
    # Keys a=-0.75 at the midpoint: weights (-3/32, 19/32, 19/32, -3/32), borders clamped.
    assert out[1] == (-3 * 2 + 19 * 2 + 19 * -7 - 3 * 5) / 32


def test_cubic_last_sample_below_a_power_of_two():
    # SEMANTICS.md: N=17, scale 2.5, align_corners -> the last sample is the last input.
    x = _column(np.arange(1, 18), np.float32)
    ref = reference_upsample(x, 2.5, "cubic", align_corners=True)
    assert ref.dtype == np.float32
    assert ref.values[0, -1, 0] == pytest.approx(17, abs=1e-5)  # x_j is 16 - 2**-20


def test_antialias_linear_halving():
    # N=4, s=0.5: x_j = 0.5, 2.5; triangle of half-width 2, out-of-range taps weigh 0.
    out = _values(_column([0, 1, 2, 3]), 0.5, "linear", antialias=True)
    np.testing.assert_allclose(out[0, :, 0], [1.25 / 1.75, 4 / 1.75], rtol=0, atol=1e-15)


def test_antialias_cubic_upscale_uses_a_half_and_renormalises():
    # s = 2 (no stretch), N = 4: output 0 sits at x = -0.25, so floor(x) = -1 and the taps
    # are -3 .. 1 (n = ceil(2) + 1 = 3); only 0 and 1 (distances 0.25 and 1.25) lie inside.
    def keys(d, a=-0.5):
        return ((a + 2) * d - (a + 3)) * d * d + 1 if d <= 1 else (((d - 5) * d + 8) * d - 4) * a
    weights = np.array([keys(0.25), keys(1.25)])
    values = np.array([3.0, -1.0, 4.0, 1.0])
    out = _values(_column(values), 2, "cubic", antialias=True)[0, 0, 0]
    assert out == pytest.approx(weights @ values[:2] / weights.sum(), rel=1e-15)


def test_output_dtypes_follow_the_readme():
    for dtype, expected in [(np.float64, np.float64), (np.longdouble, np.float64),
                            (np.float16, np.float32), (np.int64, np.float32),
                            (np.bool_, np.float32), (np.complex64, np.complex64),
                            (np.clongdouble, np.complex128), (">f8", np.float64)]:
        x = np.ones((1, 3, 1), dtype=dtype)
        assert reference_upsample(x, 1.5, "nearest").dtype == np.dtype(dtype)
        for mode in ("linear", "cubic"):
            assert reference_upsample(x, 1.5, mode).dtype == expected


def test_the_bound_is_float32_rounding_of_the_taps():
    # A float32 linear x2 of values near 1000 on 2 axes: a few float32 ulps of 1000.
    x = np.full((1, 5, 5, 1), 1000.0, np.float32)
    bound = reference_upsample(x, 2, "linear").bound
    assert np.all(bound > 1000 * 2.0**-24) and np.all(bound < 1000 * 2.0**-24 * 20)
    # float64 results get float64 arithmetic, but float32 weights: their rounding stays.
    bound64 = reference_upsample(x.astype(np.float64), 2, "linear").bound
    assert np.all(bound64 < bound)


def test_a_result_beyond_the_bound_fails_the_check():
    x = np.random.default_rng(0).random((1, 9, 7, 2)).astype(np.float32)
    ref = reference_upsample(x, 1.7, "cubic")
    result = upsample(x, 1.7, "cubic")
    check(result, ref)
    # Cubic on two axes of values below 1: about 100 float32 ulps of 1 at most.
    assert np.max(ref.bound) < 120 * 2.0**-24
    where = (0, 3, 4, 1)
    for sign in (1, -1):
        bad = result.copy()
        bad[where] = np.float32(ref.values[where] + sign * 1.1 * ref.bound[where])
        with pytest.raises(AssertionError):
            check(bad, ref)
    with pytest.raises(AssertionError):
        check(result.astype(np.float64), ref)
    with pytest.raises(AssertionError):
        check(result[:, :-1], ref)
    # Integer results one unit off fail. (At an exact tie either neighbour passes: the
    # reference cannot know whether float32 arithmetic lands on the tie exactly, and
    # test_rounding.py pins ties against the float path instead.)
    images = (x * 255).astype(np.uint8)
    ref = reference_upsample(images, size=(17, 13), mode="linear", align_corners=True,
                             dtype=np.uint8)
    result = upsample(images, size=(17, 13), mode="linear", align_corners=True,
                      dtype=np.uint8)
    check(result, ref)
    bad = result.copy()
    bad[0, 5, 6, 0] += 1
    with pytest.raises(AssertionError):
        check(bad, ref)


# ---------------------------------------------------------------- strategies

scale_values = st.one_of(
    st.integers(1, 4),
    st.sampled_from([0.3, 0.5, 0.75, 1.5, 2.5, 1 / 3, 2 / 3, 3.7]),
    st.floats(min_value=0.3, max_value=3.7, allow_nan=False),
)


@st.composite
def options(draw, modes=MODES):
    mode = draw(st.sampled_from(modes))
    align_corners = draw(st.booleans())
    antialias = mode != "nearest" and not align_corners and draw(st.booleans())
    return mode, align_corners, antialias


def random_values(rng, shape, dtype, limit=None):
    """Random values of ``dtype``: integers over their whole range (or within ``limit``),
    floats of several magnitudes."""
    dtype = np.dtype(dtype)
    native = dtype.newbyteorder("=")
    if dtype.kind == "b":
        return rng.integers(0, 2, shape).astype(bool)
    if dtype.kind in "iu":
        info = np.iinfo(native)
        low, high = info.min, info.max
        if limit is not None:
            low, high = max(low, -limit), min(high, limit)
        return rng.integers(low, high, shape, dtype=native, endpoint=True).astype(dtype)
    magnitude = 100.0 if native.itemsize == 2 else 1e4
    if limit is not None:
        magnitude = min(magnitude, limit / 8)
    values = rng.standard_normal(shape) * magnitude * rng.choice([1e-3, 1, 1])
    if dtype.kind == "c":
        values = values + 1j * rng.standard_normal(shape) * magnitude
    return values.astype(dtype)


def with_layout(x, layout, rng):
    """An array holding ``x``'s values (or, for "broadcast", its first entry along one
    axis repeated) in another memory layout."""
    if layout == "F":
        return np.asfortranarray(x)
    if layout == "reversed":
        axis = rng.integers(0, x.ndim)
        flipped = np.ascontiguousarray(np.flip(x, axis))
        return np.flip(flipped, axis)
    if layout == "strided":
        big = np.zeros(tuple(2 * n for n in x.shape), dtype=x.dtype)
        big[(slice(None, None, 2),) * x.ndim] = x
        return big[(slice(None, None, 2),) * x.ndim]
    if layout == "readonly":
        x = x.copy()
        x.setflags(write=False)
        return x
    if layout == "swapped":
        return x.astype(x.dtype.newbyteorder())
    if layout == "broadcast" and x.size:
        axis = rng.integers(0, x.ndim)
        return np.broadcast_to(np.take(x, [0], axis=axis), x.shape)
    if layout == "unaligned" and x.dtype.itemsize > 1:
        raw = np.zeros(x.nbytes + 1, dtype=np.uint8)
        view = raw[1:].view(x.dtype).reshape(x.shape)
        view[...] = x
        return view
    return x


def dirty_out(shape, dtype, layout):
    """An ``out=`` array of the result's shape and dtype, in ``layout``, full of a value
    that the result would not hold (NaN or the dtype's maximum)."""
    dtype = np.dtype(dtype)
    if layout == "F":
        out = np.empty(shape, dtype, order="F")
    elif layout == "strided":
        out = np.empty(tuple(shape[:-1]) + (2 * shape[-1],), dtype)[..., ::2]
    elif layout == "reversed":
        out = np.empty(shape, dtype)[::-1]
    else:
        out = np.empty(shape, dtype)
    out[...] = np.iinfo(dtype).max if dtype.kind in "iu" else np.nan
    return out


@st.composite
def calls(draw, max_len=12, input_dtypes=INPUT_DTYPES, modes=MODES, min_len=1,
          layouts=LAYOUTS):
    """A whole call: ``(x, arguments, threads, out layout or None, via a layer?, seed,
    limit)``, ``limit`` bounding the values (float16 results hold at most 65504)."""
    n_spatial = draw(st.integers(1, 3))
    limit = max_len if n_spatial < 3 else min(max_len, 7)
    lengths = [draw(st.integers(min_len, limit)) for _ in range(n_spatial)]
    if draw(st.booleans()):
        # axes=: the spatial axes anywhere, in any order, among 0 to 2 others.
        others = [draw(st.integers(1, 3)) for _ in range(draw(st.integers(0, 2)))]
        ndim = n_spatial + len(others)
        order = draw(st.permutations(range(ndim)))
        shape = [0] * ndim
        for axis, length in zip(order, lengths + others):
            shape[axis] = length
        axes = [axis - ndim if draw(st.booleans()) else axis for axis in order[:n_spatial]]
        axes = axes[0] if n_spatial == 1 and draw(st.booleans()) else tuple(axes)
    else:
        axes = None
        shape = [draw(st.integers(1, 2)), *lengths, draw(st.sampled_from([1, 2, 3, 4, 5, 8, 12]))]
    mode, align_corners, antialias = draw(options(modes))
    arguments = dict(mode=mode, align_corners=align_corners, antialias=antialias, axes=axes)
    if draw(st.booleans()):
        each = [draw(st.integers(1, 3 * max_len)) for _ in range(n_spatial)]
        arguments["size"] = each[0] if draw(st.booleans()) else tuple(each)
    else:
        each = [draw(scale_values) for _ in range(n_spatial)]
        arguments["scale_factor"] = each[0] if draw(st.booleans()) else tuple(each)
    dtype = np.dtype(draw(st.sampled_from(input_dtypes)))
    out_dtypes = COMPLEX_OUT_DTYPES if dtype.kind == "c" else REAL_OUT_DTYPES
    out_dtype = draw(st.one_of(st.none(), st.sampled_from(out_dtypes)))
    arguments["dtype"] = out_dtype
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    limit = 1000 if out_dtype == np.float16 else None
    x = with_layout(random_values(rng, shape, dtype, limit), draw(st.sampled_from(layouts)), rng)
    threads = draw(st.sampled_from([None, 1, 2, 3, 8]))
    out_layout = draw(st.one_of(st.none(), st.sampled_from(OUT_LAYOUTS)))
    return x, arguments, threads, out_layout, draw(st.booleans()), seed, limit


def call_and_check(apply, x, arguments, threads=None, out_layout=None, context=""):
    """``apply(x, out, threads)`` against the reference; x untouched and not shared."""
    before = x.copy()
    ref = reference_upsample(before, **arguments)
    out = None if out_layout is None else dirty_out(ref.shape, ref.dtype, out_layout)
    result = apply(x, out, threads)
    assert np.array_equal(x, before, equal_nan=x.dtype.kind in "fc"), "input was modified"
    assert not np.shares_memory(result, x), "output shares memory with the input"
    if out is not None:
        assert result is out, "out= was not returned"
    context = f"{context} x {x.shape} {x.dtype} {arguments} threads={threads} out={out_layout}"
    check(result, ref, context)
    return result


def applier(arguments, via_layer):
    """The function, or one layer kept for every call (so later calls replay its plans)."""
    if via_layer:
        layer = Upsample(**arguments)
        return lambda x, out, threads: layer(x, out=out, num_threads=threads)
    return lambda x, out, threads: upsample(x, **arguments, out=out, num_threads=threads)


# ---------------------------------------------------------------- package vs reference

@settings(max_examples=300, deadline=None)
@given(call=calls(), repeat=st.sampled_from(["none", "same", "other layout"]))
def test_every_option_matches_the_reference(call, repeat):
    x, arguments, threads, out_layout, via_layer, seed, limit = call
    apply = applier(arguments, via_layer)
    call_and_check(apply, x, arguments, threads, out_layout, "first call")
    if repeat == "none":
        return
    # Calls with the same argument objects on new arrays of the same shape: the first
    # ones are planned afresh and remembered, the later ones replay the plan (unless
    # given out=), also on an array of other strides, which must not get it.
    rng = np.random.default_rng(seed + 1)
    layouts = ["C", "C", "C"] if repeat == "same" else ["C", "C", "F", "reversed"]
    for k, layout in enumerate(layouts):
        y = with_layout(random_values(rng, x.shape, x.dtype.newbyteorder("="), limit), layout,
                        rng)
        call_and_check(apply, y, arguments, threads, out_layout if k == 2 else None,
                       f"call {k + 2}")


@settings(max_examples=120, deadline=None)
@given(call=calls(max_len=8, input_dtypes=[np.float32, np.float64, np.complex64]),
       nan_count=st.integers(1, 3))
def test_nan_reaches_exactly_the_samples_whose_taps_touch_it(call, nan_count):
    x, arguments, threads, out_layout, via_layer, seed, limit = call
    x = np.array(x)  # writeable, the values of any layout
    flat = x.reshape(-1)
    for index in np.random.default_rng(seed).integers(0, flat.size, nan_count):
        flat[index] = np.nan
    call_and_check(applier(arguments, via_layer), x, arguments, threads, out_layout)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), call=calls(max_len=6, min_len=0))
def test_empty_outputs(data, call):
    # A tiny scale (M = int(s * N) = 0), or a zero-length batch/channel/spatial axis.
    x, arguments, threads, out_layout, via_layer, seed, limit = call
    arguments = dict(arguments, size=None)
    axes = arguments["axes"]
    n_spatial = x.ndim - 2 if axes is None else 1 if isinstance(axes, int) else len(axes)
    if data.draw(st.booleans()):
        tiny = data.draw(st.floats(min_value=1e-3, max_value=0.99 / 12))
        arguments["scale_factor"] = (tiny,) + tuple(data.draw(scale_values)
                                                    for _ in range(n_spatial - 1))
    else:
        arguments["scale_factor"] = data.draw(scale_values)
        x = np.take(x, np.arange(0), axis=data.draw(st.integers(0, x.ndim - 1)))
    ref = reference_upsample(x, **arguments)
    assert ref.values.size == 0
    call_and_check(applier(arguments, via_layer), x, arguments, threads, out_layout)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), n=st.integers(1, 600), channels=st.integers(1, 3),
       dtype=st.sampled_from([np.float32, np.float64, np.uint8, np.int16]))
def test_long_axes_match_the_reference(data, n, channels, dtype):
    # Long 1-D axes reach coordinates where float32 rounding decides ties and taps.
    x = random_values(np.random.default_rng(data.draw(st.integers(0, 2**32 - 1))),
                      (1, n, channels), dtype)
    mode, align_corners, antialias = data.draw(options())
    arguments = dict(scale_factor=data.draw(scale_values), mode=mode,
                     align_corners=align_corners, antialias=antialias)
    call_and_check(applier(arguments, False), x, arguments)


@st.composite
def large_calls(draw):
    """Calls whose outputs are 4 MB and more (nearest: 16 MB and more), so that the
    threaded and streamed paths run; axes stay short enough for the reference."""
    n_spatial = draw(st.integers(1, 3))
    mode, align_corners, antialias = draw(options())
    dtype = np.dtype(draw(st.sampled_from([np.float32, np.float64, np.uint8, np.int16,
                                           np.complex64])))
    out_dtype = None
    if dtype == np.uint8 and mode != "nearest" and draw(st.booleans()):
        out_dtype = np.dtype(np.uint8)
    itemsize = reference.result_dtype(dtype, mode, out_dtype).itemsize
    wanted = (16 << 20 if mode == "nearest" else 4 << 20) * draw(st.floats(1.05, 1.5))
    scales = [draw(st.sampled_from([0.5, 0.75, 1.5, 2.0, 2.5, 3.0, 1.7, 0.6]))
              for _ in range(n_spatial)]
    # One spatial axis: many rows, so that the axis stays short.
    batch = draw(st.integers(1, 2) if n_spatial > 1 else st.integers(64, 128))
    channels = draw(st.sampled_from([1, 2, 3, 4] if n_spatial > 1 else [8, 16]))
    per_axis = (wanted / (itemsize * batch * channels)) ** (1 / n_spatial)
    lengths = [max(2, int(per_axis / s) + 1) for s in scales]
    out_lengths = [int(s * n) for s, n in zip(scales, lengths)]
    while np.prod(out_lengths) * batch * channels * itemsize < 4 << 20 if mode != "nearest" \
            else np.prod(out_lengths) * batch * channels * itemsize < 16 << 20:
        lengths = [n + n // 8 + 1 for n in lengths]
        out_lengths = [int(s * n) for s, n in zip(scales, lengths)]
    shape = (batch, *lengths, channels)
    arguments = dict(scale_factor=tuple(scales), mode=mode, align_corners=align_corners,
                     antialias=antialias, dtype=out_dtype)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = with_layout(random_values(rng, shape, dtype), draw(st.sampled_from(["C", "F", "reversed"])),
                    rng)
    return x, arguments, draw(st.sampled_from([None, 2, 3, 4])), draw(st.sampled_from([None, "C"]))


@settings(max_examples=10, deadline=None)
@given(call=large_calls())
def test_large_outputs_match_the_reference(call):
    x, arguments, threads, out_layout = call
    call_and_check(applier(arguments, False), x, arguments, threads, out_layout)


@pytest.mark.parametrize("shape, scale, mode, dtype", [
    # Integer data at scale 1 takes no pass on those axes (single weights of 1): the
    # antialiased first axis is then the only pass, nine or five taps per output,
    # written straight into a 4 MB output with streaming stores.
    ((1, 64, 128, 128, 2), (0.5, 1, 1), "cubic", np.int16),
    ((1, 64, 100, 110, 3), (0.5, 1, 1), "linear", np.uint8),
])
@pytest.mark.parametrize("threads", [1, 2])
def test_streamed_combinations_of_many_taps(shape, scale, mode, dtype, threads):
    x = random_values(np.random.default_rng(9), shape, dtype)
    arguments = dict(scale_factor=scale, mode=mode, antialias=True)
    out = call_and_check(applier(arguments, False), x, arguments, threads)
    assert out.nbytes >= 4 << 20


@pytest.mark.parametrize("source, target", [(np.int8, np.float16), (np.int64, np.float32),
                                            (np.uint64, np.float64), (np.int16, np.int8),
                                            (np.float64, np.uint8), (np.complex128, np.complex64)])
def test_nearest_conversions_at_the_extremes(source, target):
    # The dtype's extremes (int8's -128 has no positive twin), gathered and converted.
    if np.dtype(source).kind in "iu":
        info = np.iinfo(source)
        values = [info.min, info.max, 0, 1, info.min + 1, info.max - 1]
    else:
        values = [-3e38, 3e38, 0.5, 1.5, -0.5, 254.5]  # within float32
    x = np.array(values, dtype=source).reshape(1, -1, 1)
    arguments = dict(scale_factor=1.5, dtype=target)
    call_and_check(applier(arguments, False), x, arguments)


@pytest.mark.parametrize("dtype", [np.int32, np.uint32, np.int64, np.uint64])
@pytest.mark.parametrize("mode, antialias", [("linear", False), ("cubic", False),
                                             ("cubic", True)])
@pytest.mark.parametrize("scale", [2, 1.7, 0.45])
def test_wide_integer_results_are_within_float64_rounding(dtype, mode, antialias, scale):
    # README: integers of 32 bits and more are computed in float64 (float32 would be
    # hundreds of units off near 2**31).
    x = random_values(np.random.default_rng(32), (2, 9, 11, 3), dtype)
    x[:, :, 5:] = np.iinfo(dtype).max  # a step: cubic overshoots and must saturate
    arguments = dict(scale_factor=scale, mode=mode, antialias=antialias, dtype=dtype)
    call_and_check(applier(arguments, False), x, arguments)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cubic_third_tap_below_a_power_of_two(dtype):
    # SEMANTICS.md's deliberate difference from MLX: floor(x_j) + 1, not floor(x_j + 1).
    x = np.arange(1, 18, dtype=dtype).reshape(1, 17, 1)
    out = call_and_check(applier(dict(scale_factor=2.5, mode="cubic", align_corners=True),
                                 False), x, dict(scale_factor=2.5, mode="cubic",
                                                 align_corners=True))
    assert out[0, -1, 0] == pytest.approx(17, abs=1e-4)
