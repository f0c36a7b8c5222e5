"""Images that look right: resampling with premultiplied alpha and in linear light.

Resampling an image with an alpha channel channel by channel lets the colour of
transparent pixels (often black) bleed into the edges of opaque ones: a red
square on a transparent background grows a dark fringe. Weighting each colour
by its alpha before resampling (premultiplying) and dividing by the resampled
alpha after removes it, as Pillow does. Resampling sRGB-encoded values directly
averages gamma-encoded numbers rather than light, which darkens fine detail
and high-contrast edges; decoding to linear light first, resampling, and
encoding again averages light.

:func:`upsample_image` does both on arrays; the command line uses it for
images. :func:`srgb_to_linear` and :func:`linear_to_srgb` are the sRGB
transfer function (IEC 61966-2-1) and its inverse, in float32.
"""

import functools
import numbers

import numpy as np

from . import _cast, _validate
from ._api import upsample

# The sRGB transfer function: a straight segment near black, a 2.4 power curve above.
_DECODE_KNEE = 0.04045  # sRGB value where the segments meet
_ENCODE_KNEE = 0.0031308  # the same point in linear light
_SLOPE = 12.92
_OFFSET = 0.055
_GAMMA = 2.4

# dtypes upsample_image resamples with alpha or in linear light, and the float type it
# works in: float32, except float64 images keep their precision.
_WORK_DTYPES = {
    np.dtype(np.uint8): np.dtype(np.float32),
    np.dtype(np.uint16): np.dtype(np.float32),
    np.dtype(np.float32): np.dtype(np.float32),
    np.dtype(np.float64): np.dtype(np.float64),
}


def _as_float(values):
    """``values`` as a new float array: float64 stays float64, anything else is float32."""
    array = _validate.check_array(values)
    if array.dtype.kind == "c":
        raise TypeError(f"values must be real, got dtype {array.dtype}")
    double = array.dtype.kind == "f" and array.dtype.itemsize == 8
    return array.astype(np.float64 if double else np.float32)


def srgb_to_linear(values):
    """Decode sRGB values in [0, 1] to linear light (the exact sRGB transfer function).

    ``values`` is array_like; the result is a new float32 array (float64 for
    float64 input), computed in that precision: ``v / 12.92`` up to 0.04045,
    ``((v + 0.055) / 1.055) ** 2.4`` above. Integer images must be scaled to
    [0, 1] first (e.g. divided by 255).
    """
    return _decode(_as_float(values))


def linear_to_srgb(values):
    """Encode linear light in [0, 1] as sRGB values (the inverse of :func:`srgb_to_linear`).

    The result is a new float32 array (float64 for float64 input):
    ``12.92 * v`` up to 0.0031308, ``1.055 * v ** (1 / 2.4) - 0.055`` above.
    Values outside [0, 1] (a cubic overshoot) are encoded by the same
    formulas, without clipping; negative values stay on the straight segment.
    """
    return _encode(_as_float(values))


# Both curves work in place on a float array of their own, one operation over the whole
# array at a time: a full-size temporary per step and np.where's branches cost more than
# the power function itself on images of millions of pixels.

def _decode(encoded):
    """srgb_to_linear of ``encoded``, overwriting it; returns it."""
    straight = encoded <= _DECODE_KNEE
    low = encoded[straight] / _SLOPE  # the few values near black, kept aside
    # The power is taken of the value or the knee, whichever is larger, so that values
    # below the knee (negative ones included) never reach it.
    curve = np.maximum(encoded, _DECODE_KNEE, out=encoded)
    curve += _OFFSET
    curve /= 1 + _OFFSET
    curve **= _GAMMA
    curve[straight] = low
    return curve


def _encode(light):
    """linear_to_srgb of ``light``, overwriting it; returns it."""
    straight = light <= _ENCODE_KNEE
    low = light[straight] * _SLOPE
    curve = np.maximum(light, _ENCODE_KNEE, out=light)
    curve **= 1 / _GAMMA
    curve *= 1 + _OFFSET
    curve -= _OFFSET
    curve[straight] = low
    return curve


@functools.lru_cache(maxsize=None)
def _decode_table(dtype):
    """srgb_to_linear of every value of an 8- or 16-bit dtype, as float32.

    One table per dtype (1 KiB for uint8, 256 KiB for uint16, at most these
    two): looking values up is several times faster than the power function.
    """
    top = np.iinfo(dtype).max
    return srgb_to_linear(np.arange(top + 1, dtype=np.float32) / np.float32(top))


def upsample_image(x, scale_factor=None, mode="nearest", align_corners=False, antialias=False,
                   *, size=None, axes=None, alpha=None, linear_light=False, num_threads=None):
    """Resample an image as :func:`upsample` does, with premultiplied alpha and in linear light.

    The result has ``x``'s dtype (``uint8`` and ``uint16`` images stay so,
    rounded half to even and saturated). The arguments shared with
    :func:`upsample` mean the same; the channels are the last axis of ``x``.

    Parameters
    ----------
    alpha : int, optional
        The index of the alpha channel along the last axis (for RGBA, 3 or
        -1; for LA, 1). Colour channels are multiplied by alpha (as a
        fraction of the dtype's maximum, or of 1 for float images) before
        resampling and divided by the resampled alpha after; where that alpha
        is 0 (0 or less, or for integer images rounding to 0) the colour is 0,
        with no division by 0. The alpha channel itself is resampled as it
        is. After a cubic overshoot, integer results saturate, alpha
        included, once colour has been divided by the unsaturated alpha.
    linear_light : bool
        Decode the colour channels from sRGB to linear light before resampling
        (and before premultiplying) and encode them back after (see
        :func:`srgb_to_linear`); alpha is never converted. Integer images are
        read as fractions of their maximum, float images as values in [0, 1].

    With ``alpha`` or ``linear_light``, ``x`` must be ``uint8``, ``uint16``,
    ``float32`` or ``float64``, and the arithmetic is float32 (float64 for
    float64 images). In nearest mode both options change nothing (pixels are
    copied whole, the colour of transparent ones included), and the call is
    :func:`upsample` keeping the dtype; so is a call with neither option.
    """
    array = _validate.check_array(x)
    linear_light = _validate.check_flag("linear_light", linear_light)
    mode = _validate.check_mode(mode)
    if alpha is not None:
        alpha = _check_alpha(alpha, array, axes)
    options = {"scale_factor": scale_factor, "mode": mode, "align_corners": align_corners,
               "antialias": antialias, "size": size, "axes": axes,
               "num_threads": num_threads}
    dtype = array.dtype.newbyteorder("=")  # the result's: x's, in the machine's byte order
    if mode == "nearest" or (alpha is None and not linear_light):
        # bool has no rounded form and keeps upsample's default.
        return upsample(array, dtype=dtype if dtype.kind in "iufc" else None, **options)
    work_dtype = _WORK_DTYPES.get(dtype)
    if work_dtype is None:
        raise TypeError(
            "x must be uint8, uint16, float32 or float64 for alpha= or linear_light=, "
            f"got dtype {array.dtype}"
        )
    # Integers are fractions of their maximum; float images are already fractions.
    top = np.iinfo(dtype).max if dtype.kind == "u" else 1

    work = _to_working_values(array, work_dtype, top, alpha, linear_light)
    if alpha is not None:
        _premultiply(work, alpha)
    result = upsample(work, dtype=work_dtype, **options)
    if alpha is not None:
        _unpremultiply(result, alpha, top)
    return _from_working_values(result, dtype, top, alpha, linear_light)


def _check_alpha(alpha, array, axes):
    """The alpha channel's index along the last axis, which must not be a spatial axis."""
    if isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, numbers.Integral):
        raise TypeError(f"alpha must be an integer (a channel index) or None, got {alpha!r}")
    spatial = _validate.check_axes(axes, array.ndim)
    if array.ndim - 1 in spatial:
        raise ValueError(
            f"alpha={alpha!r} names a channel of the last axis, but axes={axes!r} makes it "
            "spatial; the channels must be the last axis"
        )
    channels = array.shape[-1]
    if not -channels <= alpha < channels:
        raise ValueError(f"alpha={alpha!r} is out of range for {channels} channel(s)")
    return int(alpha) % channels


def _colour_channels(work, alpha):
    """Every channel but the alpha one, one view each.

    Channel by channel, each operation is one long strided loop; on ``work[..., :alpha]``
    NumPy would run an inner loop of 3 elements per pixel, several times slower.
    """
    return [work[..., channel] for channel in range(work.shape[-1]) if channel != alpha]


def _to_working_values(array, work_dtype, top, alpha, linear_light):
    """A new float array: colour in [0, top] (or linear light in [0, 1]), alpha in [0, 1]."""
    if linear_light and top != 1:
        work = _decode_table(array.dtype.newbyteorder("="))[array]
    elif linear_light:
        work = srgb_to_linear(array)
    else:
        work = array.astype(work_dtype)
    if alpha is not None:
        # The alpha channel holds the fraction of coverage whatever the colour conversion.
        work[..., alpha] = array[..., alpha] / work_dtype.type(top)
    return work


def _premultiply(work, alpha):
    """Multiply the colour channels of ``work`` by its alpha channel, in place."""
    coverage = work[..., alpha]
    for colour in _colour_channels(work, alpha):
        colour *= coverage


def _unpremultiply(result, alpha, top):
    """Divide the colour channels by the resampled alpha, in place; colour 0 where it is 0.

    Alpha is 0 where it is 0 or less (cubic overshoots below 0), or for integer
    images where it will round to 0 (the same float32 product as the rounding
    of the alpha channel, so the two agree): a transparent pixel is black
    instead of the quotient of two rounding errors.
    """
    coverage = result[..., alpha]
    covered = coverage * coverage.dtype.type(top) > (0.5 if top != 1 else 0)
    # One division per pixel, then a multiplication per channel (strided divisions cost
    # several times more); 0 where alpha is 0, without a branch per pixel.
    reciprocal = np.zeros_like(coverage)
    np.divide(1, coverage, out=reciprocal, where=covered)
    for colour in _colour_channels(result, alpha):
        colour *= reciprocal


def _from_working_values(result, dtype, top, alpha, linear_light):
    """The resampled float values back in ``dtype``: encoded, scaled, rounded and saturated."""
    if linear_light:
        if alpha is not None:
            coverage = result[..., alpha].copy()
        result = _encode(result)  # the whole array at once, alpha restored after
        if alpha is not None:
            result[..., alpha] = coverage
        if top != 1:
            result *= result.dtype.type(top)  # alpha too: its fraction becomes a value
    elif alpha is not None and top != 1:
        result[..., alpha] *= result.dtype.type(top)
    if result.dtype == dtype:
        return result
    image = np.empty(result.shape, dtype)
    _cast.cast_into(result, image)
    return image
