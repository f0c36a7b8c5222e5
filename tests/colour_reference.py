"""A float64 reference of ``upsample_image``: the same steps, one at a time, in float64.

Written from the definition in ``upsample/_color.py``'s docstrings (sRGB transfer
function, premultiply, resample, un-premultiply, encode, round half to even,
saturate) on top of the test oracle's resampling, and sharing no code with the
package.
"""

import numpy as np
import pytest

from reference import reference_upsample

# Resampling settings the tests run through: (mode, scale, antialias, align_corners).
# Cubic without antialias overshoots, so its alpha can come out tiny and positive where
# colour is then a quotient of rounding errors (the tests compare colour where alpha is
# at least 1/16 and premultiplied colour everywhere).
SETTINGS = [
    pytest.param(("linear", 3, False, False), id="linear-x3"),
    pytest.param(("linear", 1.7, False, True), id="linear-x1.7-align"),
    pytest.param(("linear", 0.4, True, False), id="linear-x0.4-antialias"),
    pytest.param(("cubic", 2.5, False, False), id="cubic-x2.5"),
    pytest.param(("cubic", 1.3, False, True), id="cubic-x1.3-align"),
    pytest.param(("cubic", 0.3, True, False), id="cubic-x0.3-antialias"),
]


def srgb_to_linear64(v):
    """The sRGB decoding curve in float64."""
    v = np.asarray(v, dtype=np.float64)
    return np.where(v <= 0.04045, v / 12.92, ((np.maximum(v, 0.04045) + 0.055) / 1.055) ** 2.4)


def linear_to_srgb64(v):
    """The sRGB encoding curve in float64."""
    v = np.asarray(v, dtype=np.float64)
    return np.where(v <= 0.0031308, 12.92 * v,
                    1.055 * np.maximum(v, 0.0031308) ** (1 / 2.4) - 0.055)


def reference_image(x, scale_factor, mode, antialias=False, align_corners=False, alpha=None,
                    linear_light=False):
    """``upsample_image`` of an unbatched (H, W, C) image, in float64, before rounding.

    Returns (float64 values in the image's units, the image's dtype); ``round_like``
    makes the final integers.
    """
    x = np.asarray(x)
    top = np.iinfo(x.dtype).max if x.dtype.kind == "u" else 1.0
    values = x.astype(np.float64) / top
    colour = [c for c in range(x.shape[-1]) if c != alpha]
    if linear_light:
        values[..., colour] = srgb_to_linear64(values[..., colour])
    if alpha is not None:
        values[..., colour] *= values[..., alpha:alpha + 1]
    result = reference_upsample(values[None], scale_factor, mode, align_corners,
                                antialias).values[0].astype(np.float64)
    if alpha is not None:
        coverage = result[..., alpha:alpha + 1]
        covered = coverage * top > (0.5 if top != 1 else 0)  # the alpha that rounds to 0
        safe = np.where(covered, coverage, 1.0)
        result[..., colour] = np.where(covered, result[..., colour] / safe, 0.0)
    if linear_light:
        result[..., colour] = linear_to_srgb64(result[..., colour])
    return result * top


def round_like(values, dtype):
    """Round half to even and saturate to ``dtype`` (floats are returned as they are)."""
    dtype = np.dtype(dtype)
    if dtype.kind != "u":
        return values
    info = np.iinfo(dtype)
    return np.clip(np.rint(values), info.min, info.max).astype(dtype)
