"""PyTorch adapter: ``interpolate`` and ``Upsample`` with PyTorch's semantics, on upsample's passes.

``upsample.torch.interpolate`` has the signature, the conventions, the output
memory format and the errors of ``torch.nn.functional.interpolate`` for CPU
tensors ``(N, C, *spatial)`` of float32, float64 and (where PyTorch accepts
it) uint8; ``upsample.torch.Upsample`` is a drop-in for ``torch.nn.Upsample``.
Gradients flow through a ``torch.autograd.Function`` whose backward applies
the transposed tables through the same passes.

PyTorch's conventions are tables (``upsample._torch_tables``): nearest's
indices go to the gather (``_plan_nearest.gather_fill``), every other mode's
(index, weight) tables to the weighted passes
(``_plan_weighted.weighted_passes``). Tensors are read without a copy: a
contiguous ``(N, C, *S)`` tensor is the canonical ``(N * C, *S, 1)``, a
channels-last one ``(N, *S, C)``, and the output is written straight into a
tensor of the input's memory format.

Tensors this adapter does not compute (other dtypes such as float16 and
bfloat16, devices other than the CPU, ``mode="lanczos"``) are handed to
``torch.nn.functional.interpolate`` itself, so that a model keeps working.

Requires the ``[torch]`` extra (``torch==2.13.0``); ``import upsample`` never
imports torch.
"""

import functools
import math
import numbers

try:
    import torch
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "upsample.torch needs PyTorch, which is not installed: install the [torch] extra, "
        "pip install 'upsample[torch]' (it pins torch==2.13.0)") from error

import numpy as np

from upsample_c import _memory

from . import _adjoint, _plan_nearest, _plan_weighted, _torch_tables
from ._axis_table import AxisTable

__all__ = ["Upsample", "interpolate"]

_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area")
# The spatial rank each interpolating mode requires, and PyTorch's kind of table.
_RANK = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
_KIND = {"linear": "linear", "bilinear": "linear", "trilinear": "linear",
         "bicubic": "cubic", "area": "area"}
_COMPUTED = (torch.float32, torch.float64, torch.uint8)
_NUMPY = {torch.float32: np.dtype(np.float32), torch.float64: np.dtype(np.float64),
          torch.uint8: np.dtype(np.uint8)}


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """``torch.nn.functional.interpolate``, computed by upsample's passes.

    Same arguments, same results (nearest and nearest-exact bit for bit,
    the other modes to float32 rounding), same errors. ``input`` is a CPU
    tensor ``(N, C, W)``, ``(N, C, H, W)`` or ``(N, C, D, H, W)``, contiguous
    or channels-last (any other strides are read as they are); the result
    has the input's memory format. Differentiable: the backward applies the
    transposes of the forward's tables.

    Parameters
    ----------
    input : torch.Tensor
        float32 or float64; uint8 for nearest and nearest-exact (any rank)
        and for bilinear and bicubic (see the README for how uint8 results
        round). Other dtypes and devices go to PyTorch's own interpolate.
    size : int or sequence of int, optional
        The output's spatial size (one for every axis or one per axis).
    scale_factor : float or sequence of float, optional
        The multiplier of every spatial axis (or of each); the output is
        ``floor(n * scale)`` long. Give exactly one of ``size`` and
        ``scale_factor``.
    mode : str
        "nearest", "nearest-exact", "linear" (3-D input), "bilinear",
        "bicubic" (4-D), "trilinear" (5-D) or "area".
    align_corners : bool, optional
        For the interpolating modes (``None`` is ``False``); must be ``None``
        for nearest, nearest-exact and area.
    recompute_scale_factor : bool, optional
        ``True``: the scale is recomputed from the output size (as without
        ``scale_factor``); otherwise a given ``scale_factor`` is the scale
        the coordinates use. Not with ``size``.
    antialias : bool
        Bilinear and bicubic on 4-D input: PyTorch's (and Pillow's)
        antialiased filters.

    Returns
    -------
    torch.Tensor
        A new tensor of the input's dtype and memory format.
    """
    request = _request(input, size, scale_factor, mode, align_corners, recompute_scale_factor,
                       antialias)
    if request is None:
        return torch.nn.functional.interpolate(
            input, size=size, scale_factor=scale_factor, mode=mode, align_corners=align_corners,
            recompute_scale_factor=recompute_scale_factor, antialias=antialias)
    mode, sizes = request[:2]
    channels_last = _is_channels_last(input)
    vectorized = mode in ("nearest", "nearest-exact") and _torch_tables.vectorized_nearest(
        _channels_last_contiguous(input), input.shape[1], sizes)
    plan = _plan(tuple(input.shape), input.dtype, channels_last, vectorized, *request)
    if input.requires_grad and torch.is_grad_enabled():
        return _Resample.apply(input, plan)
    return plan.forward(input)


class Upsample(torch.nn.Module):
    """A drop-in for ``torch.nn.Upsample``: the same constructor, attributes, ``forward``
    and ``extra_repr``, computed by :func:`interpolate`."""

    __constants__ = ["size", "scale_factor", "mode", "align_corners", "name",
                     "recompute_scale_factor"]

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        """Store the options as ``torch.nn.Upsample`` does (checked when called)."""
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        """The input resampled with the layer's options."""
        return interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                           recompute_scale_factor=self.recompute_scale_factor)

    def __setstate__(self, state):
        """Pickles of older ``torch.nn.Upsample`` layers lack ``recompute_scale_factor``."""
        if "recompute_scale_factor" not in state:
            state["recompute_scale_factor"] = True
        super().__setstate__(state)

    def extra_repr(self):
        """The options, as ``torch.nn.Upsample`` prints them."""
        if self.scale_factor is not None:
            info = "scale_factor=" + repr(self.scale_factor)
        else:
            info = "size=" + repr(self.size)
        return info + ", mode=" + repr(self.mode)


class _Resample(torch.autograd.Function):
    """The differentiable call: the forward's plan, and its transposed tables backward."""

    @staticmethod
    def forward(ctx, input, plan):
        """The plan's forward; the plan is kept for the backward."""
        ctx.plan = plan
        return plan.forward(input)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_output):
        """The transposed tables applied to ``grad_output`` (nothing for the plan)."""
        return ctx.plan.backward(grad_output), None


# ---------------------------------------------------------------------------
# Arguments, checked in the order and with the exceptions of PyTorch's interpolate.

def _request(input, size, scale_factor, mode, align_corners, recompute_scale_factor,
             antialias):
    """The checked call: (mode, output sizes, scales or None, align_corners, antialias),
    or None for a tensor that PyTorch's own interpolate is to compute. Raises
    PyTorch's exception for every bad argument."""
    if not isinstance(input, torch.Tensor):
        raise TypeError(f"interpolate(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    rank = input.dim() - 2
    scales = None
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != rank:
                raise ValueError(
                    f"Input and output must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {list(input.shape[2:])} and output "
                    f"size of {size}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                    f"format and output size in (o1, o2, ...,oK) format.")
            if not all(_is_integer(length) for length in size):
                raise TypeError(
                    f"expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                    f"Tuple[int, int, int], but got size with types "
                    f"{[type(length) for length in size]}")
            sizes = list(size)
        else:
            sizes = [size] * rank
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != rank:
                raise ValueError(
                    f"Input and scale_factor must have the same number of spatial dimensions, "
                    f"but got input with spatial dimensions of {list(input.shape[2:])} and "
                    f"scale_factor of shape {scale_factor}. Please provide input tensor in "
                    f"(N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) "
                    f"format.")
            scales = list(scale_factor)
        else:
            scales = [scale_factor] * rank
        sizes = None
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and sizes is None:
        recompute_scale_factor = True
    if scales is not None and not all(_is_real(scale) for scale in scales):
        raise TypeError(f"interpolate(): scale_factor must be a float or a tuple of floats, "
                        f"got {scale_factor!r}")
    if recompute_scale_factor:
        sizes = [_to_int64(input.shape[axis + 2] * float(scale))
                 for axis, scale in enumerate(scales)]
        scales = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos "
                         "modes and requires a 4-D tensor as input")
    if mode not in _MODES or not 1 <= rank <= 3 or _RANK.get(mode, rank) != rank:
        if mode == "lanczos" and rank == 2:
            return None
        _raise_unsupported(mode, input.dim())
    if sizes is None:
        sizes = [_to_int64(length * float(scale)) for length, scale in
                 zip(input.shape[2:], scales)]
    else:
        if not all(_is_integer(length) for length in sizes):
            raise TypeError(f"interpolate(): size must be an int or a tuple of ints, got "
                            f"{size!r}")
        sizes = [int(length) for length in sizes]
    if mode in _RANK and not isinstance(align_corners, bool):
        raise TypeError(f"interpolate(): align_corners must be a bool, not "
                        f"{type(align_corners).__name__}")
    if input.device.type != "cpu" or input.dtype not in _COMPUTED:
        return None
    if input.dtype == torch.uint8 and mode not in ("nearest", "nearest-exact", "bilinear",
                                                   "bicubic"):
        return None  # PyTorch's own kernels refuse it, with their own message.
    _check_sizes(input, sizes, mode)
    if scales is not None:
        scales = tuple(float(scale) for scale in scales)
    return mode, tuple(sizes), scales, bool(align_corners), bool(antialias)


def _is_integer(value):
    """An int (not bool), a NumPy integer, or an integer tensor of one element."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (numbers.Integral, np.integer)):
        return True
    return (isinstance(value, torch.Tensor) and value.numel() == 1
            and not value.is_floating_point() and not value.is_complex()
            and value.dtype != torch.bool)


def _is_real(value):
    """A Python or NumPy real number (PyTorch's 'tuple of floats')."""
    return isinstance(value, (numbers.Real, np.floating, np.integer)) and not isinstance(
        value, bool)


def _to_int64(value):
    """C++'s checked double to int64 conversion (truncation), with its error."""
    if not math.isfinite(value) or abs(value) >= 2.0**63:
        raise RuntimeError("value cannot be converted to type int64_t without overflow")
    return int(value)


def _raise_unsupported(mode, ndim):
    """PyTorch's NotImplementedError for a mode that does not fit the input's rank."""
    names = {3: "3D", 4: "4D", 5: "5D"}
    needs = {"bilinear": 4, "trilinear": 5, "linear": 3}
    if ndim in names and isinstance(mode, str) and mode in needs and needs[mode] != ndim:
        raise NotImplementedError(f"Got {names[ndim]} input, but {mode} mode needs "
                                  f"{names[needs[mode]]} input")
    raise NotImplementedError(
        f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {ndim}D) for the "
        f"modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
        f"nearest-exact (got {mode})")


def _check_sizes(input, sizes, mode):
    """ATen's checks of the lengths: RuntimeError for an empty spatial axis or output, and
    for no channels (area, an adaptive pooling, allows empty outputs and no channels)."""
    spatial = list(input.shape[2:])
    if mode == "area":
        if any(length < 0 for length in sizes):
            raise RuntimeError(f"adaptive_avg_pool{len(sizes)}d: elements of output_size "
                               f"must be greater than or equal to 0 but received {sizes}")
        if 0 in spatial:
            raise RuntimeError(f"adaptive_avg_pool{len(sizes)}d(): Expected input to have "
                               f"non-zero size for non-batch dimensions, but input has sizes "
                               f"{list(input.shape)} with dimension {2 + spatial.index(0)} "
                               f"being empty")
        return
    if min(spatial) <= 0 or min(sizes) <= 0:
        names = "DHW"[3 - len(sizes):]
        given = ", ".join(f"{name}: {length}" for name, length in zip(names, spatial))
        wanted = ", ".join(f"{name}: {length}" for name, length in zip(names, sizes))
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({given}) output ({wanted})")
    if input.shape[1] == 0:
        raise RuntimeError(f"Non-empty {input.dim()}D data tensor expected but got a tensor "
                           f"with sizes {list(input.shape)}")


def _channels_last_contiguous(input):
    """``input.is_contiguous(memory_format=channels_last(_3d))`` (False for 3-D)."""
    layout = {4: torch.channels_last, 5: torch.channels_last_3d}.get(input.dim())
    return layout is not None and input.is_contiguous(memory_format=layout)


def _is_channels_last(input):
    """Whether ``input.suggest_memory_format()`` is channels-last, the memory format PyTorch
    gives ``input``'s result: ATen's ``is_channels_last_strides_2d`` / ``_3d`` rule, which
    reads the strides in the order C, W, H, (D,) N and settles ambiguous (size-1) cases on
    the contiguous format."""
    if input.dim() not in (4, 5):
        return False
    sizes, strides = input.shape, input.stride()
    if strides[1] == 0:
        return False
    order = (1, 3, 2, 0) if input.dim() == 4 else (1, 4, 3, 2, 0)
    least = 0
    for axis in order:
        if sizes[axis] == 0 or strides[axis] < least:
            return False
        if axis == 0 and least == strides[1]:
            return False
        least = strides[axis] * (sizes[axis] if sizes[axis] > 1 else 1)
    return True


# ---------------------------------------------------------------------------
# Plans: the tables and passes of one call's shape, dtype, layout and options.

class _Plan:
    """The forward and backward of one call, for tensors of one shape, dtype and layout.

    ``canonical_in`` and ``canonical_out`` are the kernels' (batch, *spatial,
    channels) shapes: ``(N * C, *S, 1)`` for contiguous tensors, ``(N, *S, C)``
    for channels-last ones.
    """

    def __init__(self, shape, dtype, channels_last, vectorized, mode, sizes, scales,
                 align_corners, antialias):
        self.shape = shape
        self.out_shape = shape[:2] + sizes
        self.dtype = dtype
        self.channels_last = channels_last
        batch, channels = shape[:2]
        if channels_last:
            self.canonical_in = (batch, *shape[2:], channels)
            self.canonical_out = (batch, *sizes, channels)
        else:
            self.canonical_in = (batch * channels, *shape[2:], 1)
            self.canonical_out = (batch * channels, *sizes, 1)
        self.empty = math.prod(self.canonical_in) == 0 or math.prod(self.canonical_out) == 0
        numpy_dtype = _NUMPY[dtype]
        # PyTorch's coordinates are in the tensor's opmath type (float32 for uint8).
        self.real = np.float64 if dtype == torch.float64 else np.float32
        self.tables = {}
        if mode in ("nearest", "nearest-exact"):
            for axis, (n_in, n_out) in enumerate(zip(shape[2:], sizes), start=1):
                scale = None if scales is None else scales[axis - 1]
                index = _torch_tables.nearest_index(n_in, n_out, scale, mode == "nearest-exact",
                                                    vectorized, self.real)
                self.tables[axis] = AxisTable.from_arrays(index[:, None], np.ones(n_out),
                                                          n_in, self.real)
            self.nearest = True
        else:
            kind = _KIND[mode]
            for axis, (n_in, n_out) in enumerate(zip(shape[2:], sizes), start=1):
                scale = None if scales is None else scales[axis - 1]
                self.tables[axis] = _torch_tables.axis_table(kind, n_in, n_out, scale,
                                                             align_corners, antialias,
                                                             self.real)
            self.nearest = False
        self.numpy_dtype = numpy_dtype
        self.mode = mode
        self.contiguous_result = channels_last and mode == "area" and len(sizes) == 3
        self._forward_fill = None
        self._backward = None

    # -- forward ----------------------------------------------------------------

    def forward(self, input):
        """The resampled tensor (a new tensor of the input's memory format)."""
        result, target = self._new_output(self.out_shape, self.canonical_out, self.dtype)
        if not self.empty:
            source = _canonical(input.detach(), self.canonical_in, self.channels_last)
            fill = self._forward_fill
            if fill is None or fill[0] != source.strides:
                fill = (source.strides, self._make_forward(source))
                self._forward_fill = fill
            fill[1](source, target, torch.get_num_threads())
        if self.contiguous_result:
            # PyTorch's adaptive_avg_pool3d returns contiguous tensors whatever the input.
            return result.contiguous()
        return result

    def _make_forward(self, source):
        """The fill for a canonical source with ``source``'s strides."""
        if self.nearest:
            indices = [self.tables[axis].index[:, 0] for axis in sorted(self.tables)]
            factors = [_repetition(index, n_in) for index, n_in in
                       zip(indices, self.canonical_in[1:-1])]
            if all(factors):
                # Every axis repeats each sample k times (integral upscales): the
                # nearest planner's repetition paths, which need no column table.
                return _plan_nearest.nearest_fill(self.canonical_in, source.strides,
                                                  self.numpy_dtype,
                                                  tuple(float(k) for k in factors),
                                                  self.canonical_out)
            return _plan_nearest.gather_fill(self.canonical_in, source.strides,
                                             self.numpy_dtype, self.canonical_out, indices)
        work = np.dtype(self.real)
        if self.numpy_dtype == np.uint8:
            return self._uint8_passes()
        return _plan_weighted.weighted_passes(self.canonical_in, self.numpy_dtype,
                                              self.canonical_out, self.numpy_dtype, work,
                                              self.tables)

    def _uint8_passes(self):
        """uint8 bilinear and bicubic as PyTorch runs them: the width pass, rounded and
        clamped to uint8, then the height pass, rounded and clamped again (an axis that
        keeps its length is skipped). Rounding in between matters: a cubic overshoot
        clamped after the first pass changes the second pass' result."""
        steps, shape = [], self.canonical_in
        for axis in (2, 1):
            table = self.tables[axis]
            if table.identity:
                continue
            result = list(shape)
            result[axis] = table.n_out
            result = tuple(result)
            other = 3 - axis
            tables = {axis: table, other: _kept_axis(shape[other])}
            steps.append((_plan_weighted.weighted_passes(shape, np.dtype(np.uint8), result,
                                                         np.dtype(np.uint8),
                                                         np.dtype(np.float32), tables),
                          result))
            shape = result

        def fill(source, target, num_threads):
            if not steps:
                np.copyto(target, source)
                return
            current = source
            for run, shape in steps[:-1]:
                middle = _memory.empty(shape, np.uint8)
                run(current, middle, num_threads)
                current = middle
            steps[-1][0](current, target, num_threads)

        return fill

    def _new_output(self, shape, canonical, dtype):
        """A new tensor of ``shape`` in this plan's memory format, and the canonical
        C-contiguous NumPy view of its memory that the kernels fill."""
        # The memory comes from upsample's output cache, which hands back freed blocks
        # instead of fresh pages: first-touch page faults cost more than the resampling
        # itself on large outputs (a 48 MB tensor: 145 ms through torch.empty and a
        # fill against 2-10 ms, on the loaded 2-core machine). The tensor owns the
        # array; freeing it returns the block. (Such tensors cannot be resize_()d.)
        if self.channels_last:
            storage = torch.from_numpy(_memory.empty((shape[0], *shape[2:], shape[1]),
                                                     _NUMPY[dtype]))
            result = storage.permute(0, storage.dim() - 1, *range(1, storage.dim() - 1))
        else:
            storage = result = torch.from_numpy(_memory.empty(tuple(shape), _NUMPY[dtype]))
        return result, storage.numpy().reshape(canonical)

    # -- backward ---------------------------------------------------------------

    def backward(self, grad_output):
        """The gradient with respect to the input: the transposed tables applied to
        ``grad_output`` by the same passes (a gather: deterministic, no atomics)."""
        grad_input, target = self._new_output(self.shape, self.canonical_in, self.dtype)
        if math.prod(self.canonical_in) == 0:
            return grad_input
        if math.prod(self.canonical_out) == 0:
            target.fill(0)
            return grad_input
        if self._backward is None:
            self._backward = self._make_backward()
        passes, unread = self._backward
        source = _canonical(grad_output.detach().to(self.dtype), self.canonical_out,
                            self.channels_last)
        passes(source, target, torch.get_num_threads())
        # An input that no output reads gets exactly 0, even from a NaN gradient.
        for axis, positions in unread:
            target[(slice(None),) * axis + (positions,)] = 0
        # PyTorch gives the gradient grad_output's memory format (2-D area, a pooling,
        # the input's; 3-D area a contiguous one).
        if self.contiguous_result:
            return grad_input.contiguous()
        if self.mode != "area" and _is_channels_last(grad_output) != self.channels_last:
            layout = {4: torch.channels_last, 5: torch.channels_last_3d}.get(grad_input.dim())
            wanted = layout if _is_channels_last(grad_output) else torch.contiguous_format
            return grad_input.contiguous(memory_format=wanted)
        return grad_input

    def _make_backward(self):
        """The transposed tables' passes and, per axis, the inputs no output reads."""
        tables, unread = {}, []
        for axis, table in self.tables.items():
            index_t, weights_t, never = _adjoint.transpose_table(
                table.index, table.weights.reshape(table.index.shape), table.n_in)
            tables[axis] = AxisTable.from_arrays(index_t, weights_t, table.n_out, self.real)
            if never.size:
                unread.append((axis, never))
        work = np.dtype(self.real)
        passes = _plan_weighted.weighted_passes(self.canonical_out, work, self.canonical_in,
                                                work, work, tables)
        return passes, unread


def _kept_axis(n):
    """An axis left as it is, as a table the uint8 planar kernel still runs: one tap, the
    sample itself with weight 1, not marked as the identity. Marked, it would make the
    passes skip the axis and send the other one alone through float32 and a separate
    rounding pass, several times slower."""
    table = AxisTable.from_arrays(np.arange(n)[:, None], np.ones(n), n, np.float32)
    table.identity = False
    return table


def _repetition(index, n_in):
    """k when ``index`` is every sample of an axis of ``n_in`` repeated k times in order
    (``j // k``), else 0."""
    factor, rest = divmod(len(index), n_in)
    if rest or not np.array_equal(index, np.arange(len(index)) // factor):
        return 0
    return factor


def _canonical(tensor, shape, channels_last):
    """The kernels' canonical NumPy view of a CPU tensor (a copy only when its strides
    do not allow a view)."""
    array = tensor.numpy()
    if channels_last:
        array = array.transpose(0, *range(2, array.ndim), 1)
    elif array.ndim and array.strides and not tensor.is_contiguous():
        array = np.ascontiguousarray(array)
    return array.reshape(shape)


@functools.lru_cache(maxsize=64)
def _plan(shape, dtype, channels_last, vectorized, mode, sizes, scales, align_corners,
          antialias):
    """The remembered :class:`_Plan` of a call (training loops repeat the same shapes)."""
    return _Plan(shape, dtype, channels_last, vectorized, mode, sizes, scales, align_corners,
                 antialias)


def clear_caches():
    """Forget the remembered plans of this adapter (``upsample.clear_caches`` frees the
    tables and buffers they share with the rest of upsample)."""
    _plan.cache_clear()


__all__.append("clear_caches")
