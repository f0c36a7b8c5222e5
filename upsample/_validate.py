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

# numpy.exceptions appeared in NumPy 1.25.
_TooHardError = getattr(getattr(np, "exceptions", np), "TooHardError")

# dtype kinds that carry numbers: bool, signed, unsigned, float, complex.
NUMERIC_KINDS = "biufc"


def _short(value):
    """repr(value), cut short: a 400-digit integer should not flood the message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


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
    try:
        scale = float(value)
    except OverflowError:
        scale = math.inf
    if not math.isfinite(scale) or scale <= 0:
        raise ValueError(f"{name} must be finite and greater than 0, got {_short(value)}")
    return scale


def _one_or_each(name, value, check_one):
    """``check_one(value)``, or a tuple of it over a list, tuple or 1-D array."""
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if isinstance(value, (tuple, list)):
        if len(value) == 0:
            raise ValueError(f"{name} must not be an empty sequence")
        return tuple(check_one(member) for member in value)
    return check_one(value)


def check_scale_factor(scale_factor):
    """Return a float, or a tuple of floats, each finite and > 0."""
    return _one_or_each("scale_factor", scale_factor, _check_scale)


def check_size(size):
    """Return an int, or a tuple of ints, each >= 1."""
    return _one_or_each("size", size, _check_length)


def _check_length(value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"size must be a positive integer or a sequence of them, got {value!r}")
    if value < 1:
        raise ValueError(f"size must be a positive integer or a sequence of them, got {value!r}")
    if value >= sys.maxsize:
        raise ValueError(f"size {_short(value)} is too large to allocate")
    return int(value)


def check_scale_or_size(scale_factor, size):
    """Exactly one of the two; returns the checked pair (the other one None)."""
    if (scale_factor is None) == (size is None):
        raise ValueError(
            "give exactly one of scale_factor and size, "
            f"got scale_factor={scale_factor!r} and size={size!r}"
        )
    if size is None:
        return check_scale_factor(scale_factor), None
    return None, check_size(size)


def check_sizes_for(lengths, in_lengths, size):
    """An empty axis has no samples to interpolate: it can only stay empty."""
    for m, n in zip(lengths, in_lengths):
        if n == 0 and m != 0:
            raise ValueError(
                f"size={size!r} asks for {m} samples along a spatial axis of length 0"
            )


def check_shape(name, shape):
    """A shape as a tuple of ints >= 0, from a tuple, list or 1-D integer array, refusing
    one whose array no machine could hold."""
    if isinstance(shape, np.ndarray) and shape.ndim == 1 and shape.dtype.kind in "iu":
        shape = shape.tolist()
    if not isinstance(shape, (tuple, list)) or not shape:
        raise TypeError(f"{name} must be a non-empty sequence of integers, got {_short(shape)}")
    for length in shape:
        if isinstance(length, (bool, np.bool_)) or not isinstance(length, numbers.Integral):
            raise TypeError(
                f"{name} must be a non-empty sequence of integers, got {_short(shape)}")
        if length < 0:
            raise ValueError(f"{name} must not hold negative lengths, got {_short(shape)}")
    shape = tuple(int(length) for length in shape)
    if math.prod(shape) >= sys.maxsize // 16:
        raise ValueError(f"{name} {_short(shape)} is too large to allocate")
    return shape


def check_axes(axes, ndim):
    """The spatial axes as a tuple of non-negative ints, in the order given.

    Default (None): every axis but the first and the last, as MLX does.
    """
    if axes is None:
        if ndim < 3:
            raise ValueError(
                "x must have shape (batch, *spatial, channels) with at least one spatial axis, "
                f"got {ndim} dimension(s); pass axes= to name the spatial axes of other layouts"
            )
        return tuple(range(1, ndim - 1))
    if isinstance(axes, (numbers.Integral, np.integer)) and not isinstance(axes, (bool, np.bool_)):
        axes = (axes,)
    if isinstance(axes, np.ndarray) and axes.ndim == 1 and axes.dtype.kind in "iu":
        axes = axes.tolist()
    if not isinstance(axes, (tuple, list)) or not axes:
        raise TypeError(f"axes must be a non-empty sequence of integers, got {axes!r}")
    result = []
    for axis in axes:
        if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, numbers.Integral):
            raise TypeError(f"axes must be a non-empty sequence of integers, got {axes!r}")
        if not -ndim <= axis < ndim:
            raise ValueError(f"axes entry {axis} is out of range for an array of {ndim} dimension(s)")
        result.append(int(axis) % ndim)
    if len(set(result)) != len(result):
        raise ValueError(f"axes must not repeat an axis, got {axes!r}")
    return tuple(result)


def check_dtype(dtype, input_dtype, default):
    """The output dtype: ``default`` (MLX's rule) unless a float, complex or integer dtype is given."""
    if dtype is None:
        return default
    dtype = parse_dtype(dtype)
    if dtype == default:
        return default
    if dtype.kind not in "iufc":
        raise ValueError(
            f"dtype must be a float, complex or integer dtype, got {dtype} "
            "(bool output is only available as the default of nearest on bool input)"
        )
    if input_dtype.kind == "c" and dtype.kind != "c":
        raise ValueError(f"dtype {dtype} would discard the imaginary part of complex input")
    return dtype


def parse_dtype(dtype):
    """``np.dtype(dtype)``, with a TypeError that names the parameter."""
    try:
        return np.dtype(dtype)
    except TypeError as error:
        raise TypeError(f"dtype must be a NumPy numeric dtype, got {dtype!r}") from error


def check_out(out, shape, dtype, x, name="x"):
    """Return ``out`` if it can receive the result: right shape and dtype, writeable, apart
    from the input ``x`` (called ``name`` in messages)."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy.ndarray, got {type(out).__name__}")
    if out.shape != tuple(shape):
        raise ValueError(f"out has shape {out.shape}, the result has shape {tuple(shape)}")
    if out.dtype != dtype:
        how = "dtype= sets the result's" if name == "x" else f"set by {name}'s dtype"
        raise ValueError(f"out has dtype {out.dtype}, the result has dtype {dtype} ({how})")
    if not out.flags.writeable:
        raise ValueError("out is read-only")
    if np.may_share_memory(out, x):
        try:
            overlap = np.shares_memory(out, x, max_work=1 << 20)
        except _TooHardError:
            overlap = True
        if overlap:
            raise ValueError(
                f"out overlaps the input {name}; the result must go to separate memory")
    return out


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


def check_array(x, name="x"):
    """Return ``x`` as a NumPy array of a numeric dtype (no copy where NumPy can avoid one);
    messages call it ``name``."""
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got {type(x).__name__} {x!r:.40}")
    try:
        array = np.asarray(x)
    except ValueError as error:  # ragged nested sequences
        raise ValueError(f"{name} could not be read as an array: {error}") from None
    if array.dtype.kind not in NUMERIC_KINDS:
        raise TypeError(
            f"{name} must hold numbers (bool, integer, float or complex), got dtype {array.dtype}"
        )
    return array


def per_axis(name, value, n_spatial):
    """Expand a single scale or size to every spatial axis, or check a tuple's length."""
    if isinstance(value, tuple):
        if len(value) != n_spatial:
            raise ValueError(
                f"{name} must have one entry per spatial axis ({n_spatial}), "
                f"got {len(value)}: {value!r}"
            )
        return value
    return (value,) * n_spatial


def output_lengths(in_lengths, scales):
    """Spatial output lengths ``int(s * N)``, refusing any that could not be indexed."""
    lengths = []
    for n_in, scale in zip(in_lengths, scales):
        product = scale * n_in
        if product >= sys.maxsize:
            raise ValueError(
                f"scale_factor {scale!r} makes an axis of length {n_in} too long ({product:.4g})"
            )
        lengths.append(int(product))
    return lengths


def check_output_size(shape, itemsize, name, value):
    """Refuse, before anything is allocated, a result that no machine could hold.

    ``name=value`` (scale_factor or size) is named in the message.
    """
    total = math.prod(shape)
    if total >= sys.maxsize // 16 or total * itemsize >= sys.maxsize // 2:
        raise ValueError(
            f"the output shape {tuple(shape)} for {name}={value!r} is too large to allocate"
        )
