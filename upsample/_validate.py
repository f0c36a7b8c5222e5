"""Argument checking for the public API.

Every check raises ``TypeError`` (wrong kind of value) or ``ValueError``
(right kind, bad value) with a message that names the parameter and shows
the offending value. Nothing past this module sees unchecked input.
"""

import math
import numbers
import sys

import numpy as np

MODES = ("nearest", "linear", "cubic")

# dtype kinds that carry numbers: bool, signed, unsigned, float, complex.
NUMERIC_KINDS = "biufc"


def check_mode(mode):
    """Return ``mode`` if it names a supported algorithm."""
    if not isinstance(mode, str) or mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}")
    return mode


def check_flag(name, value):
    """Return ``value`` as a bool; only real booleans are accepted."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {value!r}")


def _check_scale(value, name="scale_factor"):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number or a sequence of them, got {value!r}")
    scale = float(value)
    if not math.isfinite(scale) or scale <= 0:
        raise ValueError(f"{name} must be finite and greater than 0, got {value!r}")
    return scale


def check_scale_factor(scale_factor):
    """Return a float, or a tuple of floats, each finite and > 0."""
    if isinstance(scale_factor, (tuple, list)):
        if len(scale_factor) == 0:
            raise ValueError("scale_factor must not be an empty sequence")
        return tuple(_check_scale(s) for s in scale_factor)
    if isinstance(scale_factor, np.ndarray) and scale_factor.ndim == 1:
        return check_scale_factor(scale_factor.tolist())
    return _check_scale(scale_factor)


def check_options(mode, align_corners, antialias):
    """Check the mode and flags together (antialias excludes some combinations)."""
    mode = check_mode(mode)
    align_corners = check_flag("align_corners", align_corners)
    antialias = check_flag("antialias", antialias)
    if antialias and mode == "nearest":
        raise ValueError("antialias=True needs mode 'linear' or 'cubic', got mode='nearest'")
    if antialias and align_corners:
        raise ValueError("antialias=True cannot be combined with align_corners=True")
    return mode, align_corners, antialias


def check_num_threads(num_threads):
    """Return None (use the default) or a positive int."""
    if num_threads is None:
        return None
    if isinstance(num_threads, (bool, np.bool_)) or not isinstance(num_threads, numbers.Integral):
        raise TypeError(f"num_threads must be a positive integer or None, got {num_threads!r}")
    if num_threads < 1:
        raise ValueError(f"num_threads must be a positive integer or None, got {num_threads!r}")
    return int(num_threads)


def check_array(x):
    """Return ``x`` as a NumPy array of a numeric dtype with at least 3 dimensions."""
    array = np.asarray(x)
    if array.dtype.kind not in NUMERIC_KINDS:
        raise TypeError(
            f"x must hold numbers (bool, integer, float or complex), got dtype {array.dtype}"
        )
    if array.ndim < 3:
        raise ValueError(
            "x must have shape (batch, *spatial, channels) with at least one spatial axis, "
            f"got {array.ndim} dimension(s) with shape {array.shape}"
        )
    return array


def scales_per_axis(scale_factor, n_spatial):
    """Expand a single scale to every spatial axis, or check a tuple's length."""
    if isinstance(scale_factor, tuple):
        if len(scale_factor) != n_spatial:
            raise ValueError(
                f"scale_factor must have one entry per spatial axis ({n_spatial}), "
                f"got {len(scale_factor)}: {scale_factor!r}"
            )
        return scale_factor
    return (scale_factor,) * n_spatial


def output_shape(shape, scales):
    """The output shape, refusing any that could not be allocated or indexed."""
    spatial = []
    for n_in, scale in zip(shape[1:-1], scales):
        product = scale * n_in
        if product >= sys.maxsize:
            raise ValueError(
                f"scale_factor {scale!r} makes an axis of length {n_in} too long ({product:.4g})"
            )
        spatial.append(int(product))
    out_shape = (shape[0], *spatial, shape[-1])
    if math.prod(out_shape) >= sys.maxsize // 16:
        raise ValueError(
            f"the output shape {out_shape} for scale_factor {scales!r} is too large to allocate"
        )
    return out_shape
