"""Linear at exactly 0.5 on even sizes: every output is the mean of 2 x 2 pixels.

The same holds at 1 / step for an even step on sizes divisible by it (x0.25: the
pixels 4j + 1 and 4j + 2 on both axes), where the kernel gathers the pairs side
by side first (the strided cases below).

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
from upsample._axis_table import axis_table
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


def assert_uint8_means_round_the_float_path(x, scale, halvings):
    """The uint8 means of ``x`` at ``scale`` come from the halving kernel and are the
    float32 path's result rounded."""
    result = upsample(x, scale, mode="linear", dtype=np.uint8)
    assert halvings == ["uint8"]
    via_float = upsample(x, scale, mode="linear")
    assert np.array_equal(result, np.rint(via_float).astype(np.uint8))


def assert_uint8_means_are_the_integer_means(x, scale, step, start, halvings):
    """The uint8 means of ``x`` at 1 / ``step`` are the integer means of the 2 x 2 blocks
    from rows and columns ``step * j + start``, rounded half to even."""
    result = upsample(x, scale, mode="linear", dtype=np.uint8)
    assert halvings == ["uint8"]
    a, b = slice(start, None, step), slice(start + 1, None, step)
    sums = x[:, a, a].astype(np.int64) + x[:, b, a] + x[:, a, b] + x[:, b, b]
    assert np.array_equal(result, np.rint(sums / 4).astype(np.uint8))


def assert_float_means_are_the_general_path(x, scale, halvings, monkeypatch):
    """The float32 means of ``x`` at ``scale`` come from the halving kernel and equal, bit
    for bit, the general planar pass's result (the kernel switched off)."""
    result = upsample(x, scale, mode="linear")
    assert halvings == ["float32"]
    monkeypatch.setattr(kernels, "halve_float_available", lambda channels: False)
    _api._PLANS.clear()
    general = upsample(x, scale, mode="linear")
    assert halvings == ["float32"]
    np.testing.assert_array_equal(result.view(np.uint32)[~np.isnan(result)],
                                  general.view(np.uint32)[~np.isnan(general)])
    np.testing.assert_array_equal(np.isnan(result), np.isnan(general))


SHAPES = [(1, 8, 6, 1), (2, 6, 10, 2), (1, 4, 1400, 3), (3, 2, 4, 4), (1, 6, 8, 5),
          (1, 2, 2, 1000)]
# Rows long enough for the AVX2 kernels' steps (32 bytes for 1, 2 and 4 channels, 24
# for 3), with a tail of single pixels after them.
LANE_SHAPES = [(1, 4, 200, 1), (1, 2, 70, 2), (2, 6, 90, 4), (1, 4, 42, 3), (2, 2, 130, 3)]


@pytest.mark.parametrize("shape", SHAPES + LANE_SHAPES)
def test_uint8_halving_is_the_float_result_rounded(shape, halvings):
    x = RNG.integers(0, 256, shape).astype(np.uint8)
    x[..., ::2, :] |= 1  # many sums of four that end in .5 once divided
    assert_uint8_means_round_the_float_path(x, 0.5, halvings)


@pytest.mark.parametrize("shape", LANE_SHAPES)
def test_uint8_halving_at_the_ends_of_the_byte_range(shape, halvings):
    # Sums of four from 0 to 1020, every remainder, ties both ways: the 16-bit lanes
    # must neither wrap nor saturate where the integer loop does not.
    x = RNG.choice(np.array([0, 1, 2, 3, 252, 253, 254, 255], np.uint8), shape)
    assert_uint8_means_are_the_integer_means(x, 0.5, 2, 0, halvings)


@pytest.mark.skipif(not kernels.halve_float_available(3), reason="vector builds only (AVX2 or NEON)")
@pytest.mark.parametrize("shape", SHAPES[:-1] + [(1, 2, 2, 7)])
def test_float_halving_is_the_general_path_to_the_bit(shape, halvings, monkeypatch):
    x = RNG.standard_normal(shape).astype(np.float32)
    special = np.array([np.nan, np.inf, -np.inf, 1e-45, 3e38], dtype=np.float32)
    where = np.arange(0, x.size, 97)[: special.size]
    x.reshape(-1)[where] = special[: where.size]
    assert_float_means_are_the_general_path(x, 0.5, halvings, monkeypatch)


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


# (shape, scale): 1 / step on both axes or on one (the other at 0.5), sizes that the
# steps divide; rows long and short next to the stack scratch's 256 pairs.
STRIDED = [((1, 8, 12, 1), 0.25), ((2, 12, 1100, 3), 0.25), ((1, 16, 40, 4), 0.25),
           ((1, 12, 24, 2), (0.25, 0.5)), ((1, 8, 40, 3), (0.5, 0.25)),
           ((1, 12, 36, 1), 1 / 6), ((1, 16, 2064, 4), 0.125), ((3, 4, 4, 3), 0.25)]


def _table(n_in, scale, mode="linear", align_corners=False, antialias=False):
    n_out = int(n_in * scale)
    return axis_table(n_in, n_out, scale, mode, align_corners, antialias, np.dtype(np.float32))


@pytest.mark.parametrize("n_in, scale, expected", [
    (8, 0.5, (2, 0)), (8, 0.25, (4, 1)), (12, 1 / 6, (6, 2)), (16, 0.125, (8, 3)),
    (4, 0.25, (2, 1)),      # a single output: its pair, whatever the step
    (9, 0.25, None),        # 9 * 0.25 rounds down: positions 4j + 1.625, not pairs
    (12, 1 / 3, None),      # odd step: every output on a source sample
    (12, 0.75, None), (8, 2.0, None),
])
def test_pair_means_are_recognised(n_in, scale, expected):
    assert _table(n_in, scale).pair_mean == expected


@pytest.mark.parametrize("options", [{"mode": "cubic"}, {"antialias": True},
                                     {"align_corners": True}])
def test_other_tables_are_no_pair_means(options):
    assert _table(16, 0.25, **options).pair_mean is None


@pytest.mark.parametrize("shape, scale", STRIDED)
def test_strided_uint8_means_are_the_float_result_rounded(shape, scale, halvings):
    x = RNG.integers(0, 256, shape).astype(np.uint8)
    x[..., 1::4, :] |= 1
    assert_uint8_means_round_the_float_path(x, scale, halvings)


@pytest.mark.parametrize("shape", [(1, 8, 520, 1), (2, 12, 24, 3), (1, 4, 1032, 4)])
def test_strided_uint8_means_at_the_ends_of_the_byte_range(shape, halvings):
    x = RNG.choice(np.array([0, 1, 2, 3, 252, 253, 254, 255], np.uint8), shape)
    assert_uint8_means_are_the_integer_means(x, 0.25, 4, 1, halvings)


@pytest.mark.skipif(not kernels.halve_float_available(3), reason="vector builds only (AVX2 or NEON)")
@pytest.mark.parametrize("shape, scale", [((1, 8, 12, 1), 0.25), ((1, 16, 40, 4), 0.25),
                                          ((1, 8, 40, 3), (0.5, 0.25)), ((1, 8, 16, 2), 0.25)])
def test_strided_float_means_are_the_general_path_to_the_bit(shape, scale, halvings,
                                                             monkeypatch):
    x = RNG.standard_normal(shape).astype(np.float32)
    special = np.array([np.nan, np.inf, -np.inf, 1e-45, 3e38], dtype=np.float32)
    x.reshape(-1)[1:1 + special.size] = special
    assert_float_means_are_the_general_path(x, scale, halvings, monkeypatch)


# One output row, the source exactly step pixels a pair wide: the last row pair ends the
# array, so a kernel reading past the pixels it needs reads past the allocation (which the
# AddressSanitizer run of CI reports). Widths from a single pair to past the vector steps
# (8 grey pixels, one RGB pixel, two RGBA pixels), and rows wide enough to go width first.
EDGE_SHAPES = ([((1, 4, 4 * n, c), 0.25) for c in (1, 3, 4) for n in (1, 2, 3, 8, 9, 10, 17)]
               + [((1, 6, 6 * n, c), 1 / 6) for c in (3, 4) for n in (1, 3, 5)]
               + [((1, 2, 2 * n, 3), 0.5) for n in (1, 7, 8, 9, 17)]
               + [((1, 4, 4 * 1030, 1), 0.25), ((1, 4, 4 * 300, 3), 0.25),
                  ((1, 4, 4 * 300, 4), 0.25)])


@pytest.mark.skipif(not kernels.halve_float_available(3), reason="vector builds only (AVX2 or NEON)")
@pytest.mark.parametrize("shape, scale", EDGE_SHAPES)
def test_strided_float_means_at_the_end_of_the_image(shape, scale, halvings, monkeypatch):
    x = RNG.standard_normal(shape).astype(np.float32)
    x[0, -1, -1] = np.inf  # the last pixel counts
    assert_float_means_are_the_general_path(x, scale, halvings, monkeypatch)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_strided_means_of_five_channels_or_more_take_the_general_path(dtype, halvings):
    """Their pairs would not fit the stack scratch of the strided kernel."""
    x = (RNG.random((1, 8, 16, 5)) * 255).astype(dtype)
    result = upsample(x, 0.25, mode="linear", dtype=dtype)
    assert halvings == []
    assert result.shape == (1, 2, 4, 5)


@pytest.mark.parametrize("arguments, message", [
    (dict(w_step=4, w_start=1, channels=5), "at most 4 channels"),
    (dict(h_step=1), "steps of 2 or more"),
    (dict(w_start=-1), "starts of 0 or more"),
    (dict(h_step=4, h_start=3), "beyond the source"),
    (dict(w_step=4, w_start=3), "beyond the source"),
])
def test_the_strided_kernel_refuses_bad_arguments(arguments, message):
    channels = arguments.pop("channels", 1)
    src = np.zeros((1, 8, 8, channels), np.uint8)
    dst = np.zeros((1, 2, 2, channels), np.uint8)
    steps = dict(h_step=4, h_start=1, w_step=4, w_start=1)
    steps.update(arguments)
    with pytest.raises(ValueError, match=message):
        kernels.halve_pass(src, dst, 1, 8, 8, channels, 2, 2, 1, steps["h_step"],
                           steps["h_start"], steps["w_step"], steps["w_start"])


@pytest.mark.skipif(not kernels.halve_float_available(3), reason="vector builds only (AVX2 or NEON)")
@pytest.mark.parametrize("shape", [(1, 16, 1280, 3), (2, 4, 4096, 1), (1, 8, 1600, 4),
                                   (1, 8, 2560, 2)])
def test_width_first_float_means_are_the_general_path_to_the_bit(shape, halvings,
                                                                 monkeypatch):
    """Wide rows at x0.25 go width first: each row's pair, then the two rows."""
    from upsample._plan_weighted import _planar_choices

    h, w, channels = shape[1:]
    tables = [axis_table(n, n // 4, 0.25, "linear", False, False, np.dtype(np.float32))
              for n in (h, w)]
    width_first, _, halving = _planar_choices((1, h, w, channels), (1, h // 4, w // 4, channels),
                                              np.dtype(np.float32), *tables)
    assert width_first and halving
    x = RNG.standard_normal(shape).astype(np.float32) * 1e3
    x.reshape(-1)[5:9] = [np.inf, -np.inf, 1e-45, -3e38]
    assert_float_means_are_the_general_path(x, 0.25, halvings, monkeypatch)
