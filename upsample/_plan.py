"""Deciding a resampling: the dtypes, which planner, and the Plan that runs it.

``plan`` receives checked arguments (from ``_api``), decides the result and
compute dtypes and hands the work to a planner: ``_plan_nearest`` for
gathers (nearest, and linear where every output sits on a source sample),
``_plan_weighted`` for linear and cubic, whose per-axis tables come from
``_axis_table``. A result dtype other than the compute dtype is reached
through ``_cast``. The :class:`Plan` it returns hands contiguous buffers to
the kernels in ``upsample_c``; nothing here loops over elements.
"""

import collections
import math

import numpy as np

import upsample_c
from upsample_c import _memory

from . import _streaming
from ._axis_table import axis_tables, real_dtype
from ._cache import BoundedCache
from ._cast import through
from ._plan_nearest import nearest_axis, nearest_factors, nearest_fill
from ._plan_weighted import kernel_view, weighted_fill, weighted_schedule


def result_dtype(dtype, mode):
    """Output dtype: the input's for nearest; float64/complex kept; float32 otherwise."""
    if mode == "nearest":
        return dtype
    # Compare kind and size, not dtypes: '>f8' is not equal to float64. Wider
    # input (long double) keeps at least float64's precision.
    if dtype.kind == "f" and dtype.itemsize >= 8:
        return np.dtype(np.float64)
    if dtype.kind == "c":
        return np.dtype(np.complex128 if dtype.itemsize >= 16 else np.complex64)
    return np.dtype(np.float32)


def compute_dtype(out_dtype):
    """The dtype the weighted kernels work in for a result of ``out_dtype``.

    float32 unless the result needs more: 64-bit floats, complex128, or
    integers of 32 bits and more (float32 cannot hold them to within 1).
    """
    if out_dtype.kind == "c":
        return np.dtype(np.complex128 if out_dtype.itemsize >= 16 else np.complex64)
    if out_dtype.itemsize >= (8 if out_dtype.kind == "f" else 4):
        return np.dtype(np.float64)
    return np.dtype(np.float32)


def new_array(shape, dtype):
    """An uninitialised C-contiguous result array, through the output cache."""
    return _memory.empty(shape, dtype)


class Plan:
    """A resampling decided for one input shape, strides and dtype and one set of options.

    ``plan(x, target=None, num_threads=None)`` runs it on a canonical array
    ``x`` of that shape, strides and dtype, into ``target`` (C-contiguous,
    ``out_shape``, ``out_dtype``) or a new array, and returns the result.
    Only the thread count is decided at run time, so that the environment's
    limits are honoured at every call. Plans hold no per-call memory: scratch
    comes from the running thread, so one plan may run in several threads.
    ``fill(x, target, num_threads)`` is what a call runs once it has a target
    (None when the result is empty: nothing to compute).
    """

    __slots__ = ("out_shape", "out_dtype", "fill")

    def __init__(self, out_shape, out_dtype, fill):
        self.out_shape = out_shape
        self.out_dtype = out_dtype
        self.fill = fill

    def __call__(self, x, target=None, num_threads=None):
        if target is None:
            # Through the output cache: a recycled block is already mapped, where a
            # fresh one would cost a page fault and a page of zeroes per page.
            target = _memory.empty(self.out_shape, self.out_dtype)
        if self.fill is not None:
            self.fill(x, target, num_threads)
        return target


# The plans made here, by their arguments, for the calls the API does not remember
# itself (``out=``, layers, arrays of other types): planning a 64 x 64 RGBA x3
# took 80 us a call, against 50 us for the whole call when remembered. Bounded by
# the spatial lengths planned, at PLAN_BYTES_PER_LENGTH each (five taps of 32 bytes
# per output sample, as _api.PLANNED_LENGTHS_HELD counts them).
PLAN_CACHE_BYTES = 16 << 20
PLAN_BYTES_PER_LENGTH = 160
PLANS = BoundedCache(PLAN_CACHE_BYTES)


def plan(in_shape, in_strides, in_dtype, scales, out_shape, mode, align_corners, antialias,
         out_dtype=None):
    """Decide everything about a resampling that depends only on shapes and options.

    Returns the :class:`Plan`: the kernels, the order of the passes, the
    tables, the sizes of intermediates. Deciding costs more than running the
    kernels for small images (and several times more when the caches are cold
    between calls, as in a pipeline), so the API keeps the plans of recent calls
    and this function those of the calls it does not keep (see PLANS).
    """
    key = (tuple(in_shape), None if in_strides is None else tuple(in_strides),
           np.dtype(in_dtype), tuple(scales), tuple(out_shape), mode, align_corners,
           antialias, None if out_dtype is None else np.dtype(out_dtype))
    made = PLANS.get(key)
    if made is None:
        made = _make_plan(in_shape, in_strides, in_dtype, scales, out_shape, mode,
                          align_corners, antialias, out_dtype)
        PLANS.put(key, made, PLAN_BYTES_PER_LENGTH * (sum(in_shape) + sum(out_shape)))
    return made


def _make_plan(in_shape, in_strides, in_dtype, scales, out_shape, mode, align_corners,
               antialias, out_dtype):
    """The Plan of ``plan``'s arguments, made anew."""
    in_shape, out_shape, in_dtype = tuple(in_shape), tuple(out_shape), np.dtype(in_dtype)
    if out_dtype is None:
        out_dtype = result_dtype(in_dtype, mode)
    out_dtype = np.dtype(out_dtype)
    if math.prod(out_shape) == 0:
        return Plan(out_shape, out_dtype, None)
    if mode == "nearest":
        fill = nearest_fill(in_shape, in_strides, in_dtype, scales, out_shape)
        if out_dtype != in_dtype:
            fill = through(fill, out_shape, in_dtype)
        return Plan(out_shape, out_dtype, fill)
    options = (scales, mode, align_corners, antialias)
    work_dtype = compute_dtype(out_dtype)
    selection = _selection(in_shape, in_dtype, out_shape, work_dtype, options)
    if selection is not None:
        fill = nearest_fill(in_shape, in_strides, in_dtype, scales, out_shape, selection)
        if out_dtype != in_dtype:
            fill = through(fill, out_shape, in_dtype)
        return Plan(out_shape, out_dtype, fill)
    if _fused_uint8(in_dtype, out_dtype, out_shape):
        fill = weighted_fill(in_shape, in_dtype, out_shape, out_dtype, options, work_dtype,
                             in_strides)
    elif work_dtype == out_dtype:
        fill = weighted_fill(in_shape, in_dtype, out_shape, out_dtype, options, out_dtype,
                             in_strides)
    else:
        fill = through(
            weighted_fill(in_shape, in_dtype, out_shape, work_dtype, options, work_dtype,
                          in_strides),
            out_shape, work_dtype,
        )
    return Plan(out_shape, out_dtype, fill)


Sampling = collections.namedtuple(
    "Sampling", ["gather", "tables", "schedule", "work_dtype", "pass_dtype"])
Sampling.__doc__ = """What a plan computes, as tables (see :func:`sampling`).

``gather``: one source index array per spatial axis when the result is a
gather (nearest, or a selection), else None. Otherwise ``tables`` (an
:class:`AxisTable` per spatial axis, by canonical axis), the passes'
``schedule`` (see ``_plan_weighted.weighted_schedule``), the ``work_dtype``
they compute in and the ``pass_dtype`` they write. A gather is made in the
input's dtype; either result is then cast into the output's dtype when that
differs (``_cast.cast_into``)."""


def sampling(in_shape, in_dtype, scales, out_shape, mode, align_corners, antialias, out_dtype):
    """The tables that :func:`plan` applies for these canonical shapes and options.

    For callers that compute blocks of the output separately (``upsample.dask``
    through ``_blocks``): a block made with these tables' rows
    (``AxisTable.from_arrays``, indices shifted to the block's input slab),
    through ``weighted_passes`` with this ``schedule``, makes the very sums
    the whole call makes.
    """
    in_shape, out_shape = tuple(in_shape), tuple(out_shape)
    in_dtype, out_dtype = np.dtype(in_dtype), np.dtype(out_dtype)
    if math.prod(out_shape) == 0:
        # Nothing is computed (see plan); any index in range will do.
        gather = [np.zeros(out_shape[axis], dtype=np.int64) for axis in range(1, len(scales) + 1)]
        return Sampling(gather, None, None, None, in_dtype)
    if mode == "nearest":
        factors = nearest_factors(scales)
        gather = []
        for axis, factor in enumerate(factors, start=1):
            index = np.empty(out_shape[axis], dtype=np.int64)
            nearest_axis(in_shape[axis], out_shape[axis], factor, index)
            gather.append(index)
        return Sampling(gather, None, None, None, in_dtype)
    options = (scales, mode, align_corners, antialias)
    work_dtype = compute_dtype(out_dtype)
    selection = _selection(in_shape, in_dtype, out_shape, work_dtype, options)
    if selection is not None:
        return Sampling(selection[1], None, None, None, in_dtype)
    pass_dtype = out_dtype if _fused_uint8(in_dtype, out_dtype, out_shape) else work_dtype
    tables = axis_tables(in_shape, in_dtype, out_shape, options, real_dtype(work_dtype))
    kernel_in, kernel_out, kernel_dtype = kernel_view(in_shape, in_dtype, out_shape,
                                                      pass_dtype, work_dtype)
    schedule = weighted_schedule(kernel_in, kernel_out, tables, kernel_dtype)
    return Sampling(None, tables, schedule, work_dtype, pass_dtype)


def _selection(in_shape, in_dtype, out_shape, work_dtype, options):
    """Linear where every output of every axis sits on a source sample: a gather.

    Returns the key and the source indices of each spatial axis, or None.
    Only for inputs that convert exactly to the computing dtype, so that the
    samples, cast straight to the result's dtype, are what the passes give.
    """
    scales, mode, align_corners, antialias = options
    if not np.can_cast(in_dtype, work_dtype, "safe"):
        return None
    if in_dtype.kind not in "biu" and (mode != "linear" or antialias):
        return None
    real = real_dtype(work_dtype)
    tables = axis_tables(in_shape, in_dtype, out_shape, options, real)
    if any(table.taps != 1 for table in tables.values()):
        return None
    return ((mode, tuple(scales), align_corners, antialias),
            [tables[axis].index[:, 0] for axis in sorted(tables)])


def _fused_uint8(in_dtype, out_dtype, out_shape):
    """uint8 to uint8 over two spatial axes has a kernel that converts on the fly."""
    return in_dtype == np.uint8 and out_dtype == np.uint8 and len(out_shape) == 4


def kernel_info():
    """Which kernel build runs (``kernels``) and the vector instruction set of its fast
    paths (``simd``: "avx2", "neon" or "none"), whether it can use threads, whether
    large outputs are written with streaming stores (``UPSAMPLE_STREAMING``), and what
    a forked child may do with them (``fork_rule`` and the rest: see
    ``upsample_c.fork_info``)."""
    return {
        "kernels": upsample_c.kernel_build,
        "simd": upsample_c.kernel_simd,
        "openmp": upsample_c.openmp_enabled(),
        "default_num_threads": upsample_c.default_num_threads(),
        "streaming_stores": _streaming.ENABLED,
        **upsample_c.fork_info(),
    }
