"""Linear axes whose every output sits on a source sample take one tap, or no pass at all.

At scale 1, on an odd length halved (output j at 2j + 1) or with align_corners
at a whole ratio, every linear coordinate is an integer: its two taps are one
sample with weights 1 and 0. The planner then keeps one tap of weight 1 (the
same floats for finite values), an axis left as it is (scale 1, or a size
equal to the input's) gets no pass, and when every axis is such a selection
the whole call is nearest's gather. For integer and bool data, which hold no
NaN or infinity, the same holds for cubic and antialiased axes whose every
output has a single weight of 1. These tests check where that happens and
that the results are the samples themselves.
"""

import numpy as np
import pytest

from upsample import _api, _axis_table, upsample

RNG = np.random.default_rng(41)
F32 = np.dtype(np.float32)


@pytest.mark.parametrize("n_in, scale, align_corners, taps, identity", [
    (7, 1.0, False, 1, True),
    (7, 1.0, True, 1, True),
    (9, 0.5, False, 1, False),      # 2j + 1
    (9, 0.5, True, 1, False),       # ratio (9 - 1) / (4 - 1) is not whole: 8 / 3
    (9, 5 / 9, True, 1, False),     # ratio 8 / 4 = 2
    (8, 0.5, False, 2, False),      # 2j + 0.5: the halving, two taps
    (6, 2.0, False, 2, False),
])
def test_which_linear_tables_are_selections(n_in, scale, align_corners, taps, identity):
    n_out = int(scale * n_in)
    table = _axis_table.axis_table(n_in, n_out, scale, "linear", align_corners, False, F32)
    if (n_in, scale, align_corners) == (9, 0.5, True):
        taps = 2
    assert table.taps == taps
    assert table.identity == identity
    if taps == 1:
        assert np.all(table.weights == 1)


@pytest.mark.parametrize("mode, antialias", [("cubic", False), ("linear", True)])
def test_taps_with_zero_weight_stay_where_they_spread_nan(mode, antialias):
    # Cubic and antialiased taps beside an integer coordinate weigh 0 but touch
    # their neighbours, and a NaN there makes the output NaN (as in MLX).
    table = _axis_table.axis_table(7, 7, 1.0, mode, False, antialias, F32)
    assert table.taps > 1 and not table.identity
    x = np.zeros((1, 7, 7, 1), dtype=np.float32)
    x[0, 3, 3, 0] = np.nan
    result = upsample(x, 1, mode=mode, antialias=antialias)
    assert np.isnan(result[0, 2:5, 3, 0]).all()


@pytest.mark.parametrize("dtype", ["float32", "float64", "uint8", "int16", "float16"])
@pytest.mark.parametrize("shape, scale, expected", [
    ((2, 5, 7, 3), (1, 1), lambda x: x),
    ((1, 9, 11, 4), 0.5, lambda x: x[:, 1::2, 1::2]),
    ((1, 9, 6, 2), (0.5, 1), lambda x: x[:, 1::2]),
    ((2, 6, 9, 3), (1, 0.5), lambda x: x[:, :, 1::2]),
    ((1, 3, 5, 7, 2), (1, 1, 1), lambda x: x),
    ((3, 11, 2), 0.5, lambda x: x[:, 1::2]),
])
def test_selections_return_the_samples(dtype, shape, scale, expected):
    x = (RNG.standard_normal(shape) * 50).astype(dtype) if dtype[0] == "f" else \
        RNG.integers(0, 200, shape).astype(dtype)
    out_dtype = np.uint8 if dtype == "uint8" else None
    result = upsample(x, scale, mode="linear", dtype=out_dtype)
    want = expected(x).astype(result.dtype)
    assert result.dtype == (np.dtype(np.uint8) if dtype == "uint8" else
                            np.dtype(np.float64) if dtype == "float64" else F32)
    np.testing.assert_array_equal(result, want)


def test_one_axis_left_alone_is_the_other_axis_resampled():
    x = RNG.standard_normal((2, 6, 10, 3)).astype(np.float32)
    along_height = upsample(x, (1.7, 1), mode="linear")
    # The same resampling, with the width moved to the batch: no pass along it.
    moved = upsample(np.moveaxis(x, 2, 0).reshape(20, 6, 1, 3), (1.7, 1), mode="linear")
    np.testing.assert_array_equal(
        along_height, np.moveaxis(moved.reshape(10, 2, 10, 3), 0, 2))
    along_width = upsample(x, (1, 2.5), mode="linear")
    per_row = upsample(x.reshape(12, 10, 3), 2.5, mode="linear")
    np.testing.assert_array_equal(along_width, per_row.reshape(2, 6, 25, 3))


def test_no_pass_at_all_is_a_copy_into_a_new_array():
    x = RNG.standard_normal((1, 4, 4, 2)).astype(np.float32)
    _api._PLANS.clear()
    for _ in range(2):  # planned, then replayed
        result = upsample(x, 1, mode="linear")
        assert result is not x and not np.shares_memory(result, x)
        np.testing.assert_array_equal(result, x)
    target = np.empty((1, 4, 4, 2), dtype=np.float64)
    assert upsample(x, (1, 1), mode="linear", dtype=np.float64, out=target) is target
    np.testing.assert_array_equal(target, x)


@pytest.fixture
def kernel_calls(monkeypatch):
    """The names of the kernels each call runs."""
    from upsample_c import kernels

    calls = []
    for name in ("gather_nearest", "planar_pass", "planar_pass_uint8", "vertical_pass",
                 "horizontal_pass"):
        kernel = getattr(kernels, name)
        monkeypatch.setattr(kernels, name,
                            lambda *args, _k=kernel, _n=name: calls.append(_n) or _k(*args))
    _api._PLANS.clear()
    yield calls
    _api._PLANS.clear()


@pytest.mark.parametrize("dtype, kernels_run", [
    ("float32", ["gather_nearest"]),
    ("uint8", ["gather_nearest"]),
    ("complex64", ["gather_nearest"]),
    # int32 does not convert exactly to float32: the passes (one tap each) round it first.
    ("int32", ["planar_pass"]),
])
def test_every_axis_a_selection_is_one_gather(dtype, kernels_run, kernel_calls):
    x = (RNG.integers(-(2**30), 2**30, (1, 9, 11, 3)) if dtype == "int32" else
         RNG.integers(0, 200, (1, 9, 11, 3))).astype(dtype)
    result = upsample(x, 0.5, mode="linear")
    assert sorted(kernel_calls) == sorted(kernels_run)
    np.testing.assert_array_equal(result, x[:, 1::2, 1::2].astype(result.dtype))


def test_an_axis_left_alone_and_one_resampled_take_one_pass(kernel_calls):
    x = RNG.standard_normal((1, 9, 12, 3)).astype(np.float32)
    upsample(x, (1.7, 1), mode="linear")
    upsample(x, (1, 1.5), mode="linear")
    upsample(x, (0.5, 1), mode="linear")  # both selections: a gather
    assert kernel_calls == ["vertical_pass", "horizontal_pass", "gather_nearest"]


@pytest.mark.parametrize("mode, antialias, scale, expected", [
    ("cubic", False, 0.5, lambda x: x[:, 1::2, 1::2]),
    ("cubic", False, 1.0, lambda x: x),
    ("linear", True, 1.0, lambda x: x),
    ("cubic", True, 1.0, lambda x: x),
])
@pytest.mark.parametrize("dtype", ["uint8", "int16", "bool"])
def test_integer_data_samples_where_every_other_weight_is_zero(mode, antialias, scale, expected,
                                                               dtype, kernel_calls):
    # Integers hold no NaN or infinity, so the taps of weight 0 beside a whole
    # coordinate change nothing and a cubic or antialiased axis is a selection too.
    x = RNG.integers(0, 2 if dtype == "bool" else 200, (2, 9, 11, 3)).astype(dtype)
    result = upsample(x, scale, mode=mode, antialias=antialias)
    assert kernel_calls == ["gather_nearest"]
    np.testing.assert_array_equal(result, expected(x).astype(np.float32))
    if dtype == "uint8":
        as_uint8 = upsample(x, scale, mode=mode, antialias=antialias, dtype=np.uint8)
        np.testing.assert_array_equal(as_uint8, expected(x))


def test_float_data_keeps_the_zero_weight_taps(kernel_calls):
    x = RNG.standard_normal((1, 9, 11, 3)).astype(np.float32)
    upsample(x, 0.5, mode="cubic")
    assert kernel_calls == ["planar_pass"]


@pytest.mark.parametrize("out_dtype", [None, np.uint8])
def test_an_integer_axis_left_alone_in_cubic_gets_no_pass(out_dtype, kernel_calls):
    x = RNG.integers(0, 256, (1, 9, 12, 3)).astype(np.uint8)
    result = upsample(x, (1.7, 1), mode="cubic", dtype=out_dtype)
    assert kernel_calls == ["vertical_pass"]
    floats = upsample(x.astype(np.float32), (1.7, 1), mode="cubic")
    want = floats if out_dtype is None else np.clip(np.rint(floats), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(result, want)
