"""A drop-in for ``mlx.nn.Upsample`` that runs ``upsample`` on the CPU (extra ``[mlx]``).

>>> import mlx.core as mx
>>> import upsample.mlx
>>> layer = upsample.mlx.Upsample(scale_factor=2, mode="linear")
>>> y = layer(mx.ones((1, 4, 4, 3)))                   # an mx.array, (1, 8, 8, 3)

``Upsample`` is a subclass of ``mlx.nn.Upsample``: the same constructor, checks,
attributes, ``repr`` and (no) parameters; only the computation differs. The
forward converts its input to a NumPy view without a copy, resamples it with
:func:`upsample.upsample` straight into the buffer of a new ``mx.array``, and is
wrapped in ``mx.custom_function`` whose ``vjp`` applies
:func:`upsample.upsample_backward` the same way, so ``mx.grad``, ``mx.vjp``,
``mx.value_and_grad`` and ``mlx.nn.value_and_grad`` work through it. The map is
linear, so the ``jvp`` is the forward applied to the tangent, and the backward's
own ``vjp`` is the forward: higher derivatives work too.

What differs from MLX's layer, and what does not work:

- The layer computes when it is called, not when the graph is evaluated: it
  evaluates its input (``mx.eval``) first. Inside ``mx.compile`` or ``mx.vmap``
  the input has no values yet, so calling it there raises a ``ValueError``
  saying so (MLX cannot trace through NumPy code); call it outside the
  compiled or vmapped function, or use ``mlx.nn.Upsample`` there.
- The cubic taps are this project's, not MLX's ``floor(x + 1)`` (SEMANTICS.md):
  where that rule drops MLX's centre tap, outputs and gradients differ.
- bfloat16 has no NumPy dtype: bfloat16 inputs and gradients are converted to
  float32 in MLX first (exact), and nearest's bfloat16 results back to bfloat16
  (exact: they are copies of input values). The output dtypes are MLX's: nearest
  keeps the input's dtype, linear and cubic give float64 for float64, complex64
  for complex64 and float32 for everything else; a gradient has its input's
  dtype (MLX's rule, which its own layer breaks for uint8 in nearest mode at
  scale 2, returning uint32), computed in float32 (float64 for float64) and then
  cast, so float16 and bfloat16 gradients are rounded once instead of per sum.
- Scales that MLX accepts but cannot use (0, negative, NaN, infinite) raise a
  ``ValueError`` naming the value when the layer is called, where MLX returns
  an empty array or raises ``ZeroDivisionError``/``OverflowError``; a scale that
  empties an axis gives an empty result in every mode. Inputs that are not
  ``mx.array`` are converted with ``mx.array`` (as MLX's operations convert
  them), so NumPy arrays and nested lists work in every mode.
- ``num_threads`` (keyword-only, an addition) sets the threads of each call, as
  in :func:`upsample.upsample`; the default is ``upsample``'s.
"""

import functools

import numpy as np

try:
    import mlx.core as mx
    import mlx.nn as nn
except ImportError as error:  # pragma: no cover - exercised without the extra
    raise ImportError(
        'upsample.mlx needs MLX: pip install "upsample[mlx]" (mlx[cpu] 0.32.4 on Linux '
        "x86-64, mlx 0.32.4 on macOS arm64; Python 3.10 and later)"
    ) from error

from . import _plan
from ._api import upsample
from ._backward import gradient_dtype, upsample_backward
from ._validate import check_num_threads, check_scale_or_size

__all__ = ["Upsample"]

# MLX's dtypes by NumPy dtype (bfloat16 has none: it goes through float32).
_MX_DTYPES = {
    np.dtype(name): getattr(mx, name)
    for name in ("bool_", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32",
                 "int64", "float16", "float32", "float64", "complex64")
}

_NP_DTYPES = {mx_dtype: np_dtype for np_dtype, mx_dtype in _MX_DTYPES.items()}

_TRACING_MESSAGE = (
    "upsample.mlx.Upsample computes on NumPy arrays, so its input must have values when "
    "it is called; inside mx.compile or mx.vmap it has none (MLX cannot trace through "
    "NumPy code). Call the layer outside the compiled or vmapped function, or use "
    "mlx.nn.Upsample there")


def _evaluate(*arrays):
    """``mx.eval(*arrays)`` in one hand-off to MLX's thread, with a clear error where MLX
    refuses to evaluate because it traces (``mx.compile``, ``mx.vmap``)."""
    try:
        mx.eval(*arrays)
    except ValueError as error:
        if "function transformations" in str(error):
            raise ValueError(_TRACING_MESSAGE) from error
        raise


def computed_in_place(source, out_shape, out_dtype_of, compute):
    """A new ``mx.array`` that ``compute(source_view, out_view)`` fills, through NumPy views
    of the buffers of the ``mx.array`` ``source`` and of the result: no copy either way
    (bfloat16, which NumPy lacks, is read through a float32 copy made in MLX).

    MLX cannot adopt NumPy memory on the CPU (``mx.array`` and ``mx.from_dlpack`` copy), so
    the result is allocated by MLX (an ``mx.zeros``) and computed in place; its dtype is
    ``out_dtype_of(NumPy dtype of source)``. ``source`` and the result are evaluated in one
    ``mx.eval``: each hand-off to MLX's thread costs time, the more so on a loaded machine.
    """
    if source.dtype == mx.bfloat16:
        source = source.astype(mx.float32)
    out_dtype = np.dtype(out_dtype_of(_NP_DTYPES[source.dtype]))
    result = mx.zeros(out_shape, dtype=_MX_DTYPES[out_dtype])
    _evaluate(source, result)
    if result.size:
        compute(np.asarray(source), np.asarray(result))
    return result


def _cast(array, dtype):
    """``array`` as ``dtype`` (a no-op when it already is)."""
    return array if array.dtype == dtype else array.astype(dtype)


def _only(tangents):
    """The tangent of a one-argument function (MLX passes it bare; a list is unwrapped)."""
    return tangents[0] if isinstance(tangents, (list, tuple)) else tangents


@functools.lru_cache(maxsize=256)
def _forward(scales, mode, align_corners, antialias, num_threads):
    """The layer's computation for these options, as an ``mx.custom_function``."""
    # upsample's checks (each scale finite and > 0), once per set of options.
    check_scale_or_size(scales, None)
    options = {"mode": mode, "align_corners": align_corners, "antialias": antialias,
               "num_threads": num_threads}

    @mx.custom_function
    def forward(x):
        out_shape = ((x.shape[0],) + tuple(int(s * n) for s, n in zip(scales, x.shape[1:-1]))
                     + (x.shape[-1],))
        result = computed_in_place(
            x, out_shape, lambda dtype: _plan.result_dtype(dtype, mode),
            lambda source, out: upsample(source, scales, out=out, **options))
        # Nearest keeps the dtype, bfloat16 included (its values are copies).
        return _cast(result, x.dtype) if mode == "nearest" else result

    @forward.vjp
    def forward_vjp(x, cotangent, output):
        return _cast(_backward(scales, mode, align_corners, antialias, num_threads,
                               x.shape)(cotangent), x.dtype)

    @forward.jvp
    def forward_jvp(primals, tangents):
        # Linear in x: the derivative along a tangent is the forward of the tangent.
        return forward(_only(tangents))

    return forward


@functools.lru_cache(maxsize=256)
def _backward(scales, mode, align_corners, antialias, num_threads, in_shape):
    """The transposed map (the gradient at an input of ``in_shape``), as an
    ``mx.custom_function`` whose own vjp is the forward, so that second derivatives
    (the gradient of a gradient) go through it too."""
    options = {"mode": mode, "align_corners": align_corners, "antialias": antialias,
               "num_threads": num_threads}

    @mx.custom_function
    def backward(grad_output):
        return computed_in_place(
            grad_output, in_shape, gradient_dtype,
            lambda source, out: upsample_backward(source, in_shape, scales, out=out,
                                                  **options))

    @backward.vjp
    def backward_vjp(grad_output, cotangent, output):
        return _cast(_forward(scales, mode, align_corners, antialias, num_threads)(cotangent),
                     grad_output.dtype)

    @backward.jvp
    def backward_jvp(primals, tangents):
        return backward(_only(tangents))

    return backward


class Upsample(nn.Upsample):
    """``mlx.nn.Upsample`` computed by ``upsample`` on the CPU, with its gradients.

    ``Upsample(scale_factor, mode="nearest", align_corners=False, antialias=False,
    *, num_threads=None)``: MLX's constructor (its checks, errors and attributes;
    this is a subclass), plus ``num_threads`` for each call (default:
    :func:`upsample.upsample`'s). Calling the layer on an ``mx.array`` laid out
    ``(batch, *spatial, channels)`` returns an ``mx.array`` with MLX's shape and
    dtype, through ``mx.custom_function``, so that ``mx.grad``, ``mx.vjp`` and
    ``nn.value_and_grad`` work. See the module's docstring for what differs from
    MLX's layer (``mx.compile`` and ``mx.vmap`` do not work through it).
    """

    def __init__(self, scale_factor, mode="nearest", align_corners=False, antialias=False,
                 *, num_threads=None):
        super().__init__(scale_factor, mode, align_corners, antialias)
        self.num_threads = check_num_threads(num_threads)

    def __call__(self, x):
        """Resample ``x`` (an ``mx.array``; anything else is converted with ``mx.array``)."""
        if not isinstance(x, mx.array):
            x = mx.array(x)
        dims = x.ndim - 2
        # MLX's checks at call time, with its messages.
        if dims <= 0:
            raise ValueError(
                f"[Upsample] The input should have at least 1 spatial dimension which means "
                f"it should be at least 3D but {x.ndim}D was provided")
        scales = self.scale_factor
        if isinstance(scales, tuple):
            if len(scales) != dims:
                raise ValueError(
                    f"[Upsample] One scale per spatial dimension is required but "
                    f"scale_factor={scales} and the number of spatial dimensions were {dims}")
        else:
            scales = (scales,) * dims
        # upsample checks the scales (finite, > 0) with its own messages; MLX's layer
        # takes any truthy value as a flag.
        forward = _forward(tuple(float(s) for s in scales), self.mode,
                           bool(self.align_corners), bool(self.antialias),
                           check_num_threads(self.num_threads))
        return forward(x)
