"""The gradient of ``upsample`` with respect to its input: ``upsample_backward``.

For fixed options the forward is linear in ``x``, so its vector-Jacobian
product is the transposed map applied to ``grad_output``, whatever ``x`` held.
``_adjoint`` builds the transposed table of every spatial axis and the
forward's own separable passes apply them (``_plan_weighted.weighted_passes``); the
arguments are checked, and the axes and layouts mapped, by the forward's code.
"""

import math

import numpy as np

from . import _adjoint, _api, _plan, _plan_weighted, _validate


def upsample_backward(grad_output, input_shape, scale_factor=None, mode="nearest",
                      align_corners=False, antialias=False, *, size=None, axes=None, out=None,
                      num_threads=None):
    """The gradient with respect to ``x`` of ``upsample(x, ...)`` for an ``x`` of ``input_shape``.

    The vector-Jacobian product: ``grad_output`` (the gradient of a loss with
    respect to the forward's output) mapped back through the transpose of the
    forward's linear map, so that ``sum(upsample(x, ...) * grad_output)``
    equals ``sum(x * upsample_backward(grad_output, x.shape, ...))`` for every
    ``x``. Exact for every mode and option: it applies the transposes of the
    very tables the forward applies, and gives the same bits whatever the
    thread count.

    Parameters
    ----------
    grad_output : array_like
        Shaped like the forward's output for an input of ``input_shape``
        (``ValueError`` otherwise, naming both shapes); any numeric dtype and
        memory layout; never modified.
    input_shape : sequence of int
        The shape of the forward's input ``x``.
    scale_factor, mode, align_corners, antialias, size, axes
        The forward's options, as in :func:`upsample`.
    out : numpy.ndarray, optional
        Where to write the gradient: ``input_shape``, the gradient's dtype,
        writeable, any memory layout, not overlapping ``grad_output``. Returned.
    num_threads : int, optional
        As in :func:`upsample`.

    Returns
    -------
    numpy.ndarray
        ``out``, or a new C-contiguous array of ``input_shape``: float64 for
        float64 ``grad_output``, complex for complex (of the same width),
        float32 for every other dtype, whatever the mode.

    Notes
    -----
    A NaN or infinity in ``grad_output`` reaches exactly the inputs that its
    output reads with a nonzero weight, which come out NaN or infinite (an
    infinity may come out as NaN); an input that no output reads (in
    downscales without antialias) is exactly 0 whatever ``grad_output`` holds.
    """
    mode, align_corners, antialias = _validate.check_options(mode, align_corners, antialias)
    scale_factor, size = _validate.check_scale_or_size(scale_factor, size)
    num_threads = _validate.check_num_threads(num_threads)
    return run_backward(grad_output, input_shape, scale_factor, size, axes, mode, align_corners,
                        antialias, out, num_threads)


def gradient_dtype(grad_dtype):
    """The gradient's dtype: float64 and complex kept, float32 for every other dtype."""
    return _plan.result_dtype(grad_dtype, "linear")


def run_backward(grad_output, input_shape, scale_factor, size, axes, mode, align_corners,
                 antialias, out, num_threads):
    """Check the arrays and the shapes (the options are checked), plan, execute."""
    grad = _validate.check_array(grad_output, "grad_output")
    input_shape = _validate.check_shape("input_shape", input_shape)
    layout, scales, _, out_shape = _api.resize_geometry(input_shape, scale_factor, size, axes)
    if grad.shape != out_shape:
        raise ValueError(
            f"grad_output has shape {grad.shape}, but the forward's output for input_shape "
            f"{input_shape} has shape {out_shape}")
    dtype = gradient_dtype(grad.dtype)
    if out is not None:
        out = _validate.check_out(out, input_shape, dtype, grad, "grad_output")
    result, target = _api.result_and_target(layout, out, input_shape, dtype)

    source = layout.to_canonical(grad)
    in_shape = layout.canonical_shape(input_shape, [input_shape[a] for a in layout.spatial])
    fill = plan_backward(source.shape, source.dtype, in_shape, scales, mode, align_corners,
                         antialias, dtype)
    filled = _plan.new_array(in_shape, dtype) if target is None else target
    fill(source, filled, num_threads)
    return _api.placed(layout, result, target, filled, input_shape)


def plan_backward(grad_shape, grad_dtype, in_shape, scales, mode, align_corners, antialias,
                  dtype):
    """``fill(grad, target, num_threads)``: the gradient of canonical shape ``in_shape``
    and ``dtype`` from a canonical ``grad`` of ``grad_shape`` and ``grad_dtype``."""
    if math.prod(in_shape) == 0:
        return _nothing
    if math.prod(grad_shape) == 0:
        # No output read anything.
        return _zeros
    real = np.finfo(dtype).dtype
    axes = _adjoint.adjoint_axes(grad_shape, in_shape, scales, mode, align_corners, antialias,
                                 real)
    passes = _plan_weighted.weighted_passes(grad_shape, grad_dtype, in_shape, dtype, dtype,
                                     {axis: adjoint.table for axis, adjoint in axes.items()})
    unread = [(axis, adjoint.unread) for axis, adjoint in axes.items() if adjoint.unread.size]

    def fill(grad, target, num_threads):
        passes(grad, target, num_threads)
        # The passes leave 0 * grad_output there, which is NaN where it is NaN.
        for axis, positions in unread:
            target[(slice(None),) * axis + (positions,)] = 0

    return fill


def _nothing(grad, target, num_threads):
    """An empty gradient has nothing to fill."""


def _zeros(grad, target, num_threads):
    """Where no output exists, no input is read: every gradient is 0."""
    target.fill(0)
