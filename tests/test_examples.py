"""Small cases worked out by hand: the seed page's examples and one of each rule."""

import numpy as np
import pytest

from upsample import Upsample, upsample

SEED = np.arange(1, 5, dtype=np.int32).reshape(1, 2, 2, 1)


def test_seed_page_nearest():
    out = Upsample(scale_factor=2, mode="nearest")(SEED)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(
        out[0, :, :, 0], [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    )


def test_seed_page_linear():
    out = Upsample(scale_factor=2, mode="linear")(SEED)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(
        out[0, :, :, 0],
        [[1, 1.25, 1.75, 2], [1.5, 1.75, 2.25, 2.5], [2.5, 2.75, 3.25, 3.5], [3, 3.25, 3.75, 4]],
    )


def test_seed_page_linear_align_corners():
    out = Upsample(scale_factor=2, mode="linear", align_corners=True)(SEED)
    third = 1 / 3
    expected = np.array(
        [[0, 1, 2, 3], [2, 3, 4, 5], [4, 5, 6, 7], [6, 7, 8, 9]], dtype=np.float64
    ) * third + 1
    np.testing.assert_allclose(out[0, :, :, 0], expected, rtol=0, atol=3e-7)


def test_linear_1d_half_pixel_weights():
    x = np.array([0.0, 1.0], dtype=np.float32).reshape(1, 2, 1)
    np.testing.assert_array_equal(upsample(x, 2, "linear")[0, :, 0], [0, 0.25, 0.75, 1])


def test_nearest_fractional_rounds_half_to_even():
    # N = 2, M = 3: positions (j + 0.5) * 2/3 - 0.5 = -1/6, 1/2, 7/6 round to 0, 0, 1.
    x = np.array([10, 20], dtype=np.int16).reshape(1, 2, 1)
    np.testing.assert_array_equal(upsample(x, 1.5)[0, :, 0], [10, 10, 20])


def test_nearest_downscale_truncates():
    # N = 5, M = 2: positions j * 5/2 = 0, 2.5 truncate to 0, 2.
    x = np.arange(5, dtype=np.uint8).reshape(1, 5, 1)
    np.testing.assert_array_equal(upsample(x, 0.4)[0, :, 0], [0, 2])


def test_cubic_keys_weights_at_quarter_positions():
    # Scale 2, half-pixel rule: output j sits at x = (j + 0.5) / 2 - 0.5.
    x = np.array([0.0, 0.0, 1.0, 0.0, 0.0], dtype=np.float64).reshape(1, 5, 1)
    out = upsample(x, 2, "cubic")[0, :, 0]
    a = -0.75
    # Output 4 sits at x = 1.75: the impulse at 2 is an inner tap at distance 0.25.
    d = 0.25
    assert out[4] == pytest.approx(((a + 2) * d - (a + 3)) * d * d + 1, abs=1e-7)
    # Output 1 sits at x = 0.25: the impulse is an outer tap at distance 1.75,
    # in the kernel's negative lobe, which is why cubic overshoots.
    d = 1.75
    expected = (((d - 5) * d + 8) * d - 4) * a
    assert expected < 0
    assert out[1] == pytest.approx(expected, abs=1e-7)


def test_cubic_constant_signal_is_preserved():
    x = np.full((1, 7, 1), 3.5, dtype=np.float32)
    np.testing.assert_allclose(upsample(x, 2.3, "cubic"), 3.5, rtol=1e-6)


def test_antialias_linear_downscale_by_two():
    # x = 0.5 and 2.5; triangle of radius 2 over taps -2..2 of floor(x), out-of-range taps dropped.
    x = np.arange(4, dtype=np.float32).reshape(1, 4, 1)
    out = upsample(x, 0.5, "linear", antialias=True)[0, :, 0]
    first = (0 * 0.75 + 1 * 0.75 + 2 * 0.25) / 1.75
    last = (1 * 0.25 + 2 * 0.75 + 3 * 0.75) / 1.75
    np.testing.assert_allclose(out, [first, last], rtol=1e-6)


def test_output_dtype_rules():
    x = np.ones((1, 3, 2), dtype=np.float64)
    assert upsample(x, 2, "linear").dtype == np.float64
    for dtype in (np.float16, np.float32, np.int8, np.int64, np.uint8, np.bool_):
        assert upsample(x.astype(dtype), 2, "cubic").dtype == np.float32
        assert upsample(x.astype(dtype), 2).dtype == dtype
    assert upsample(x.astype(np.complex128), 2, "linear").dtype == np.complex128
    assert upsample(x.astype(np.complex64), 2, "linear").dtype == np.complex64


def test_complex_resamples_real_and_imaginary_parts_independently():
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((2, 5, 4, 3)) + 1j * rng.standard_normal((2, 5, 4, 3)))
    out = upsample(x, 1.5, "cubic")
    # Interleaved parts double the channel count, which may change the kernel's
    # summation (fused multiply-adds) but not the value beyond rounding.
    np.testing.assert_allclose(out.real, upsample(x.real.copy(), 1.5, "cubic"), atol=1e-14)
    np.testing.assert_allclose(out.imag, upsample(x.imag.copy(), 1.5, "cubic"), atol=1e-14)


def test_output_length_truncates_the_float_product():
    x = np.zeros((1, 10, 7, 1), dtype=np.float32)
    assert upsample(x, (0.35, 1.5), "linear").shape == (1, 3, 10, 1)


def test_empty_axes_give_empty_results():
    assert upsample(np.zeros((0, 4, 2)), 2, "linear").shape == (0, 8, 2)
    assert upsample(np.zeros((1, 4, 0)), 2).shape == (1, 8, 0)
    assert upsample(np.zeros((1, 0, 3, 1)), 2, "cubic").shape == (1, 0, 6, 1)
    for mode in ("nearest", "linear", "cubic"):
        assert upsample(np.ones((1, 3, 1)), 0.2, mode).shape == (1, 0, 1)


def test_layer_repr():
    layer = Upsample((2, 1.5), mode="cubic", align_corners=True)
    assert repr(layer) == (
        "Upsample(scale_factor=(2.0, 1.5), mode='cubic', align_corners=True, antialias=False)"
    )


@pytest.mark.parametrize("mode", ["linear", "cubic"])
def test_scale_two_tables_follow_the_pattern_the_kernels_assume(mode):
    """The kernels' scale-2 fast path hard-codes these taps; the tables must agree."""
    from upsample import _axis_table, _tables

    for n_in in [3, 4, 5, 6, 7, 16, 33, 1000, 4097, 100_003]:
        assert _axis_table.is_doubling(n_in, 2.0, mode, False, False)
        index, weights = _tables.weighted_table(n_in, 2 * n_in, 2.0, mode, False, False)
        margin = index.shape[1] // 2
        # Every interior pair of outputs has the same weights (held as constants).
        pairs = weights[2 * margin: 2 * (n_in - margin)].reshape(-1, 2 * index.shape[1])
        assert len(pairs) == 0 or (pairs == pairs[0]).all()
        j = np.arange(2 * margin, 2 * (n_in - margin))
        first_tap = j // 2 + j % 2 - margin
        expected = first_tap[:, None] + np.arange(index.shape[1])[None, :]
        np.testing.assert_array_equal(index[2 * margin: 2 * (n_in - margin)], expected)
