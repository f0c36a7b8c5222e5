"""Resampling in linear light (``upsample_image(..., linear_light=True)``, ``--linear-light``).

The transfer functions against their float64 definition, the whole pipeline against a
float64 reference of the same steps (``colour_reference.py``), and what it is for:
fine black and white detail averages to the grey of half the light, not to sRGB 128.
"""

import numpy as np
import pytest

from colour_reference import (SETTINGS, linear_to_srgb64, reference_image, round_like,
                              srgb_to_linear64)
from upsample import linear_to_srgb, srgb_to_linear, upsample, upsample_image

RNG = np.random.default_rng(2222)


def test_transfer_functions_are_float32_to_rounding():
    encoded = np.linspace(-0.1, 1.1, 100001)
    decoded = srgb_to_linear(encoded.astype(np.float32))
    assert decoded.dtype == np.float32
    np.testing.assert_allclose(decoded, srgb_to_linear64(encoded.astype(np.float32)),
                               rtol=4e-7, atol=1e-9)
    back = linear_to_srgb(decoded)
    assert back.dtype == np.float32
    np.testing.assert_allclose(back, linear_to_srgb64(decoded), rtol=4e-7, atol=1e-9)
    assert srgb_to_linear(encoded).dtype == np.float64  # float64 stays float64
    assert linear_to_srgb(encoded.astype(">f8")).dtype == np.float64  # in any byte order
    np.testing.assert_array_equal(srgb_to_linear(encoded), srgb_to_linear64(encoded))
    np.testing.assert_array_equal(linear_to_srgb(encoded), linear_to_srgb64(encoded))
    # The curve's landmarks: black, white, the knee, and half the light.
    assert srgb_to_linear([0.0, 1.0]).tolist() == [0.0, 1.0]
    assert abs(float(srgb_to_linear(np.float32(0.04045))) - 0.04045 / 12.92) < 1e-9
    assert round(float(linear_to_srgb(np.float32(0.5))) * 255, 2) == 187.52


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_every_integer_value_survives_the_round_trip(dtype):
    values = np.arange(np.iinfo(dtype).max + 1, dtype=dtype).reshape(1, -1, 1)
    # Scale 1 resamples nothing: decoding, encoding and rounding must give every value back.
    np.testing.assert_array_equal(
        upsample_image(values, 1, "linear", axes=(0, 1), linear_light=True), values)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("channels, alpha", [(3, None), (1, None), (4, 3), (2, 1)])
def test_matches_float64_reference(dtype, setting, channels, alpha):
    mode, scale, antialias, align_corners = setting
    if np.dtype(dtype).kind == "f":
        x = RNG.random((17, 21, channels)).astype(dtype)
        top = 1
    else:
        top = np.iinfo(dtype).max
        x = RNG.integers(0, top + 1, (17, 21, channels)).astype(dtype)
    y = upsample_image(x, scale, mode, align_corners, antialias, axes=(0, 1), alpha=alpha,
                       linear_light=True)
    assert y.dtype == dtype
    exact = reference_image(x, scale, mode, antialias, align_corners, alpha=alpha,
                            linear_light=True)
    if top == 1:
        error = np.abs(y - exact)
        # float32 sums that cancel to near black, where the encoding curve is 12.92 steep;
        # with alpha, colour where alpha is not tiny (see test_alpha), 16 times more.
        tolerance = 5e-5
        if alpha is not None:
            error = np.where(exact[..., alpha:alpha + 1] >= 1 / 16, error, 0)
            tolerance *= 16
        assert error.max() <= tolerance
    else:
        error = np.abs(y.astype(np.int64) - round_like(exact, dtype).astype(np.int64))
        if alpha is not None:
            error = np.where(exact[..., alpha:alpha + 1] >= top / 16, error, 0)
        assert error.max() <= 1


def test_alpha_is_never_gamma_converted():
    x = RNG.integers(0, 256, (9, 11, 4)).astype(np.uint8)
    for mode, scale in (("linear", 3), ("cubic", 0.6)):
        straight = upsample_image(x, scale, mode, axes=(0, 1), alpha=3)
        light = upsample_image(x, scale, mode, axes=(0, 1), alpha=3, linear_light=True)
        np.testing.assert_array_equal(light[..., 3], straight[..., 3])
        assert not np.array_equal(light[..., :3], straight[..., :3])


def test_fine_detail_keeps_its_light():
    # One-pixel black and white stripes, halved (linear at 0.5 averages pixel pairs): half
    # the light is sRGB 187.5 (255 * 0.73536), not 127.5.
    stripes = np.zeros((8, 8, 3), dtype=np.uint8)
    stripes[:, ::2] = 255
    options = {"scale_factor": 0.5, "mode": "linear", "axes": (0, 1)}
    assert (upsample_image(stripes, **options) == 128).all()
    assert (upsample_image(stripes, **options, linear_light=True) == 188).all()
    sixteen = stripes.astype(np.uint16) * 257
    assert (upsample_image(sixteen, **options) == 32768).all()
    assert (upsample_image(sixteen, **options, linear_light=True) == 48192).all()
    light = upsample_image(stripes / np.float32(255), **options, linear_light=True)
    assert light.dtype == np.float32 and np.abs(light - 0.7353569).max() < 1e-6


def test_nearest_is_unchanged():
    x = RNG.integers(0, 65536, (7, 5, 3)).astype(np.uint16)
    np.testing.assert_array_equal(
        upsample_image(x, 1.5, axes=(0, 1), linear_light=True), upsample(x, 1.5, axes=(0, 1)))


def test_transfer_functions_refuse_what_is_not_a_number():
    with pytest.raises(TypeError, match="x must hold numbers"):
        srgb_to_linear(np.array(["a"]))
    with pytest.raises(TypeError, match="values must be real"):
        linear_to_srgb(np.ones(3, np.complex64))
