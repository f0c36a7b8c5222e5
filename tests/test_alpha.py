"""Premultiplied alpha (``upsample_image(..., alpha=...)``): no dark fringes on transparent edges.

Checked against the issue's red square, a float64 reference of the same steps
(``colour_reference.py``), and Pillow's own ``Image.resize`` where its filters and
ours are the same ones.
"""

import warnings

import numpy as np
import pytest

from colour_reference import SETTINGS, reference_image, round_like
from upsample import upsample, upsample_image

RNG = np.random.default_rng(22)



def red_square():
    """The issue's picture: a 10 x 10 opaque red square on a transparent (black) 16 x 16."""
    x = np.zeros((16, 16, 4), dtype=np.uint8)
    x[3:13, 3:13] = (255, 0, 0, 255)
    return x


def random_image(dtype, shape, rng=RNG):
    """Random pixels, alpha last; a third of them fully transparent and some fully opaque."""
    if np.dtype(dtype).kind == "f":
        x = rng.random(shape).astype(dtype)
        top = 1
    else:
        top = np.iinfo(dtype).max
        x = rng.integers(0, top + 1, shape).astype(dtype)
    x[rng.random(shape[:-1]) < 0.3, -1] = 0
    x[rng.random(shape[:-1]) < 0.2, -1] = top
    return x


def partly_transparent(image, alpha=3):
    top = np.iinfo(image.dtype).max
    return (image[..., alpha] > 0) & (image[..., alpha] < top)


@pytest.mark.parametrize("mode", ["linear", "cubic"])
def test_red_square_has_no_dark_fringe(mode):
    x = red_square()
    straight = upsample(x, 4, mode=mode, axes=(0, 1), dtype=np.uint8)
    edge = partly_transparent(straight)
    if mode == "linear":  # the numbers, channel by channel: the fringe
        assert straight[..., 0][edge].min() == 4
        assert round(straight[..., 0][edge].mean()) == 121
    y = upsample_image(x, 4, mode=mode, axes=(0, 1), alpha=3)
    edge = partly_transparent(y)
    assert edge.sum() >= 640  # the square's border: 4 sides of 40 pixels, 4 deep
    assert (y[..., 0][edge] == 255).all() and (y[..., 1:3][edge] == 0).all()
    np.testing.assert_array_equal(y[..., 3], straight[..., 3])  # alpha as before
    assert (y[..., :3][y[..., 3] == 0] == 0).all()  # transparent stays black


def test_la_image_has_no_dark_fringe():
    x = red_square()[..., [0, 3]]  # a white-ish L square (255) with alpha
    y = upsample_image(x, 4, mode="linear", axes=(0, 1), alpha=1)
    edge = partly_transparent(y, alpha=1)
    assert edge.sum() == 640 and (y[..., 0][edge] == 255).all()
    assert upsample(x, 4, mode="linear", axes=(0, 1), dtype=np.uint8)[..., 0][edge].min() == 4


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
@pytest.mark.parametrize("setting", SETTINGS)
def test_matches_float64_reference(dtype, setting):
    mode, scale, antialias, align_corners = setting
    x = random_image(dtype, (19, 23, 4))
    y = upsample_image(x, scale, mode, align_corners, antialias, axes=(0, 1), alpha=3)
    assert y.dtype == dtype and y.shape == (int(19 * scale), int(23 * scale), 4)
    exact = reference_image(x, scale, mode, antialias, align_corners, alpha=3)
    top = np.iinfo(dtype).max if np.dtype(dtype).kind == "u" else 1
    y64 = y.astype(np.float64)
    reference = round_like(exact, dtype).astype(np.float64)
    if np.dtype(dtype).kind == "u":
        # Alpha, rounded: within 1 of the reference (a float32 sum next to a half).
        assert np.abs(y64[..., 3] - reference[..., 3]).max() <= 1
        # Both saturate (cubic overshoots); colour is divided by the alpha before that.
        reference_colour = np.clip(exact[..., :3], 0, top)
        reference_alpha = np.clip(exact[..., 3:], 0, top)
        tolerance = 1.0  # two roundings of at most half a unit each
    else:
        assert np.abs(y64[..., 3] - exact[..., 3]).max() <= 1e-5
        reference_colour, reference_alpha = exact[..., :3], exact[..., 3:]
        tolerance = 1e-5
    # Premultiplied colour (what is seen over a background) is well conditioned everywhere.
    seen = y64[..., :3] * y64[..., 3:] / top
    assert np.abs(seen - reference_colour * reference_alpha / top).max() <= tolerance
    # Colour itself, wherever alpha is not tiny (below, colour is a quotient of two small
    # sums and float32 cannot resolve it better than its rounding over alpha).
    visible = (reference_alpha >= top / 16)[..., 0]
    worst = np.abs(y64[..., :3] - reference[..., :3])[visible].max()
    assert worst <= (1 if top != 1 else 1e-5 * 16)
    if mode == "linear":  # no overshoot: colour within rounding everywhere
        assert np.abs(y64[..., :3] - reference[..., :3]).max() <= (1 if top != 1 else 1e-5)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_alpha_zero_gives_colour_zero_without_division_by_zero(dtype):
    top = np.iinfo(dtype).max if np.dtype(dtype).kind == "u" else 1
    x = np.zeros((6, 8, 4), dtype=dtype)
    x[..., 1] = top  # green everywhere, invisible where alpha is 0
    x[:, 4:, 3] = top
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        for mode in ("linear", "cubic"):
            y = upsample_image(x, 2, mode, axes=(0, 1), alpha=3)
            clear = y[..., 3] <= 0  # float alpha may overshoot below 0 in cubic
            assert clear[:, :6].all() and (y[clear][:, :3] == 0).all()
            assert (y[..., 1][y[..., 3] > 0] == top).all()
        y = upsample_image(np.zeros((3, 3, 4), dtype), 2, "cubic", axes=(0, 1), alpha=3)
        assert (y == 0).all()


def test_nearest_copies_pixels_as_they_are():
    x = random_image(np.uint8, (2, 5, 7, 4))
    for scale in (2, 1.5, 0.5):
        np.testing.assert_array_equal(upsample_image(x, scale, alpha=3),
                                      upsample(x, scale))


def test_without_alpha_or_linear_light_is_upsample_keeping_the_dtype():
    x = random_image(np.uint16, (9, 7, 3))
    np.testing.assert_array_equal(
        upsample_image(x, 2.5, "cubic", axes=(0, 1)),
        upsample(x, 2.5, "cubic", axes=(0, 1), dtype=np.uint16))


def test_alpha_channel_anywhere_and_batches():
    x = random_image(np.uint8, (3, 6, 5, 4))
    rgba = upsample_image(x, (2, 3), "linear", alpha=3)
    argb = upsample_image(x[..., [3, 0, 1, 2]], (2, 3), "linear", alpha=0)
    np.testing.assert_array_equal(argb, rgba[..., [3, 0, 1, 2]])
    np.testing.assert_array_equal(upsample_image(x, (2, 3), "linear", alpha=-1), rgba)
    for image, result in zip(x, rgba):  # a batch is its images one by one
        np.testing.assert_array_equal(
            upsample_image(image, (2, 3), "linear", axes=(0, 1), alpha=3), result)
    # Any memory layout: a channels-first array seen channels last gives the same.
    planar = np.ascontiguousarray(x.transpose(0, 3, 1, 2)).transpose(0, 2, 3, 1)
    np.testing.assert_array_equal(upsample_image(planar, (2, 3), "linear", alpha=3), rgba)


def test_byte_order_and_empty_images():
    x = random_image(np.uint16, (5, 6, 4))
    swapped = x.astype(">u2")
    for options in ({"alpha": 3}, {"alpha": 3, "linear_light": True}, {}):
        y = upsample_image(swapped, 2, "cubic", axes=(0, 1), **options)
        assert y.dtype == np.uint16  # x's dtype, in the machine's byte order
        np.testing.assert_array_equal(y, upsample_image(x, 2, "cubic", axes=(0, 1), **options))
    assert upsample_image(x[:0], 2, "linear", axes=(0, 1), alpha=3).shape == (0, 12, 4)
    assert upsample_image(x, 0.1, "linear", axes=(0, 1), alpha=3,
                          linear_light=True).shape == (0, 0, 4)


def test_input_is_not_modified():
    x = random_image(np.uint8, (5, 6, 4))
    before = x.copy()
    upsample_image(x, 2, "cubic", axes=(0, 1), alpha=3, linear_light=True)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"alpha": True}, TypeError, "alpha must be an integer"),
    ({"alpha": 3.0}, TypeError, "alpha must be an integer"),
    ({"alpha": 4}, ValueError, "alpha=4 is out of range for 4 channel"),
    ({"alpha": -5}, ValueError, "alpha=-5 is out of range"),
    ({"alpha": 3, "axes": (1, 2)}, ValueError, "makes it spatial"),
    ({"linear_light": 1}, TypeError, "linear_light must be True or False"),
    ({"mode": "area"}, ValueError, "mode must be one of"),
    ({"alpha": 3, "scale_factor": -1}, ValueError, "scale_factor"),
])
def test_bad_arguments(kwargs, error, words):
    options = {"scale_factor": 2, "mode": "linear", "axes": (0, 1), **kwargs}
    with pytest.raises(error, match=words):
        upsample_image(np.zeros((4, 4, 4), np.uint8), **options)


@pytest.mark.parametrize("dtype", [np.int16, np.uint32, np.float16, np.complex64])
def test_dtypes_without_a_colour_meaning_are_refused(dtype):
    with pytest.raises(TypeError, match=f"got dtype {np.dtype(dtype)}"):
        upsample_image(np.zeros((4, 4, 4), dtype), 2, "linear", axes=(0, 1), alpha=3)


# --- Pillow's Image.resize ----------------------------------------------------------------
# Pillow resamples RGBA and LA images premultiplied too, but in 8 bits: it converts to
# RGBa/La (colour times alpha, rounded to 8 bits), resamples in fixed point, rounding to 8
# bits after each pass, and divides back. Its BILINEAR filter is our linear mode when
# upscaling (half-pixel centres, edge pixels repeated) and our antialiased linear when
# downscaling: those are compared. Its BICUBIC filter is Keys a = -0.5 (ours is a = -0.75
# when upscaling) and it clips to 0..255 between its passes, so on noisy images its
# downscales differ from ours by up to 11 even without alpha (at x0.7): not compared.
# Pillow's 8-bit premultiplied colour is only known to about 1.5 / alpha, so colours are
# compared premultiplied (within the roundings of both) and directly within that bound.

PILLOW_CASES = [
    pytest.param(3, False, id="bilinear-x3"),
    pytest.param(2.2, False, id="bilinear-x2.2"),
    pytest.param(0.4, True, id="bilinear-x0.4"),
]


def pillow_resize(x, pillow_mode, size):
    Image = pytest.importorskip("PIL.Image", reason="Pillow is not installed")
    resized = Image.fromarray(x, pillow_mode).resize(size[::-1], Image.Resampling.BILINEAR)
    return np.asarray(resized).reshape(size + x.shape[2:])


@pytest.mark.parametrize("channels, pillow_mode", [(4, "RGBA"), (2, "LA")])
@pytest.mark.parametrize("scale, antialias", PILLOW_CASES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_pillow_resize(scale, antialias, channels, pillow_mode, seed):
    x = random_image(np.uint8, (31, 37, channels), np.random.default_rng(seed))
    size = (int(31 * scale), int(37 * scale))
    theirs = pillow_resize(x, pillow_mode, size).astype(np.float64)
    ours = upsample_image(x, size=size, mode="linear", antialias=antialias, axes=(0, 1),
                          alpha=channels - 1).astype(np.float64)
    # The conventions agree: without alpha the two differ by Pillow's fixed point only.
    colour_only = x[..., 0] if channels == 2 else x[..., :3]
    plain = upsample(colour_only, size=size, mode="linear", antialias=antialias, axes=(0, 1),
                     dtype=np.uint8)
    assert np.abs(plain.astype(int) - pillow_resize(colour_only, None, size)).max() <= 1
    assert np.abs(ours[..., -1] - theirs[..., -1]).max() <= 1
    # Premultiplied: Pillow's three 8-bit roundings (1.5), ours of colour (0.5) and an alpha
    # that may be 1 apart (up to 1 more).
    seen_ours = ours[..., :-1] * ours[..., -1:] / 255
    seen_theirs = theirs[..., :-1] * theirs[..., -1:] / 255
    assert np.abs(seen_ours - seen_theirs).max() <= 3
    # Colour: those 2.5 units divided by alpha, plus the two final roundings.
    coverage = ours[..., -1:]
    bound = 1 + 2.5 * 255 / np.maximum(coverage, 1)
    assert (np.abs(ours[..., :-1] - theirs[..., :-1]) <= bound)[coverage[..., 0] > 0].all()


@pytest.mark.parametrize("scale", [4, 2.5, 0.5, 0.3])
def test_red_square_as_pillow_resizes_it(scale):
    x = red_square()
    size = (int(16 * scale),) * 2
    theirs = pillow_resize(x, "RGBA", size)
    ours = upsample_image(x, size=size, mode="linear", antialias=scale < 1, axes=(0, 1), alpha=3)
    assert np.abs(ours[..., 3].astype(int) - theirs[..., 3]).max() <= 1
    visible = (ours[..., 3] > 0) & (theirs[..., 3] > 0)
    np.testing.assert_array_equal(ours[..., :3][visible], theirs[..., :3][visible])
