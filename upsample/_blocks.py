"""Resampling one block of an output at a time, with the whole output's tables.

A block of the output (a range of output positions along every axis) reads
the slab of the input that its table rows name: along a spatial axis, from
the smallest to the largest source index in those rows; along any other axis,
the block's own range. The block is then computed from that slab with the
rows of the whole call's tables, their indices shifted to the slab, and with
the whole call's schedule of passes (the order of the axes and of a planar
pass decide how every sum is rounded). So each block holds the very bits
that ``upsample(x, ...)`` gives there, whatever the blocks.

Nothing here knows about Dask: :class:`BlockPlan` is plain data that pickles,
and :meth:`BlockPlan.compute` turns a slab into a block with NumPy and the
compiled kernels. ``upsample.dask`` builds the task graph around it.
"""

import math
import os

import numpy as np

from . import _axis_table, _cast, _plan, _plan_nearest, _plan_weighted, _validate
from ._api import resolve


class BlockPlan:
    """One resampling of an array of ``shape`` and ``dtype``, ready to be computed block by
    block. Arguments as :func:`upsample.upsample`'s (checked here).

    Attributes: ``out_shape``, ``out_dtype``, ``axes`` (the spatial axes in
    increasing order), ``trailing`` (the non-spatial axes after the first
    spatial one, which the kernels see as channels) and ``gather`` (whether
    the result is a gather: nearest, or linear at whole positions).
    """

    def __init__(self, shape, dtype, scale_factor=None, mode="nearest", align_corners=False,
                 antialias=False, *, size=None, axes=None, out_dtype=None):
        mode, align_corners, antialias = _validate.check_options(mode, align_corners, antialias)
        scale_factor, size = _validate.check_scale_or_size(scale_factor, size)
        # The dtype's kind, as for an array.
        dtype = _validate.check_array(np.empty(0, dtype=dtype)).dtype
        shape = tuple(int(n) for n in shape)
        layout, scales, lengths, out_dtype, out_shape = resolve(
            shape, dtype, scale_factor, size, axes, mode, out_dtype)
        self.shape, self.dtype = shape, dtype
        self.layout = layout
        self.out_shape, self.out_dtype = tuple(out_shape), out_dtype
        self.axes = tuple(layout.spatial)
        self.trailing = tuple(layout.trailing)
        canonical_in = layout.canonical_shape(shape, [shape[a] for a in self.axes])
        canonical_out = layout.canonical_shape(out_shape, lengths)
        self._sampling = _plan.sampling(canonical_in, dtype, scales, canonical_out, mode,
                                        align_corners, antialias, out_dtype)
        self.gather = self._sampling.gather is not None

    def source_span(self, axis, start, stop):
        """The input positions ``[first, last)`` along ``axis`` that output positions
        ``[start, stop)`` read (an empty range for an empty block)."""
        if stop <= start:
            return start, start
        if axis not in self.axes:
            return start, stop
        rows = self._rows(axis, start, stop)[0]
        return int(rows.min()), int(rows.max()) + 1

    def _rows(self, axis, start, stop):
        """The whole call's table rows of output positions [start, stop) along ``axis``:
        (source indices, weights or None for a gather, whether a scale-2 pattern)."""
        k = self.axes.index(axis)
        sampling = self._sampling
        if sampling.gather is not None:
            return sampling.gather[k][start:stop], None, False
        table = sampling.tables[k + 1]
        taps = table.taps
        return table.index[start:stop], table.weights[start * taps:stop * taps], table.doubling

    def block(self, ranges):
        """The recipe of the output block ``ranges`` (one ``(start, stop)`` per axis):
        a :class:`Block` to be computed from the input slab ``block.slab_ranges``."""
        slab_ranges, rows, computed = [], [], []
        for axis, (start, stop) in enumerate(ranges):
            first, last = self.source_span(axis, start, stop)
            if axis not in self.axes:
                slab_ranges.append((first, last))
                continue
            index, weights, doubling = self._rows(axis, start, stop)
            low, high = start, stop
            if doubling and stop > start:
                low, high, first = self._doubling_rows(axis, start, stop)
                last = self.source_span(axis, start, high)[1]
                index, weights, _ = self._rows(axis, low, high)
                # Rows computed only to keep the pattern's phase read clamped taps.
                index = np.clip(index, first, last - 1)
            slab_ranges.append((first, last))
            rows.append((index - first, weights, doubling, start - low))
            computed.append(high - low)
        return Block(self, tuple(slab_ranges), tuple(stop - start for start, stop in ranges),
                     rows, tuple(computed))

    def _doubling_rows(self, axis, start, stop):
        """For an axis the kernels resample at scale 2 by its fixed pattern (output 2i + phase
        reads pixel i and fixed neighbours wherever no tap clamps), the rows to compute
        so that every output of [start, stop) takes the same code as in the whole call:
        from an even output at least ``margin`` pairs earlier (the pattern starts that
        far into a row) to an even output, and the slab from half the first.
        Returns (first row, end row, first source)."""
        margin = 1 if self._sampling.tables[self.axes.index(axis) + 1].taps == 2 else 2
        low = max(0, start - 2 * margin)
        low -= low % 2
        high = min(self.out_shape[axis], stop + stop % 2)
        return low, high, low // 2

    @property
    def kind(self):
        """Shared, immutable facts every block needs (small, pickled with each task)."""
        sampling = self._sampling
        real = None if sampling.tables is None else sampling.tables[1].weights.dtype
        return _Kind(self.layout, self.dtype, self.out_dtype, sampling.schedule,
                     sampling.work_dtype, sampling.pass_dtype, real)


class _Kind:
    """What every block of one plan shares: layout, dtypes and the passes' schedule."""

    __slots__ = ("layout", "in_dtype", "out_dtype", "schedule", "work_dtype", "pass_dtype",
                 "real_dtype")

    def __init__(self, layout, in_dtype, out_dtype, schedule, work_dtype, pass_dtype,
                 real_dtype):
        self.layout = layout
        self.in_dtype = in_dtype
        self.out_dtype = out_dtype
        self.schedule = schedule
        self.work_dtype = work_dtype
        self.pass_dtype = pass_dtype
        self.real_dtype = real_dtype

    def __getstate__(self):
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state):
        for name, value in state.items():
            setattr(self, name, value)


class Block:
    """One output block: the input slab it reads, its shape, and its rows of the tables
    per spatial axis in increasing order (indices into the slab, weights or None for a
    gather, whether a scale-2 pattern, and where the block starts within the rows, which
    may begin before it, see BlockPlan._doubling_rows). Plain data; ``compute(slab)``
    resamples."""

    __slots__ = ("kind", "slab_ranges", "shape", "rows", "computed")

    def __init__(self, plan, slab_ranges, shape, rows, computed):
        self.kind = plan.kind
        self.slab_ranges = slab_ranges
        self.shape = shape
        self.rows = rows
        self.computed = computed

    def __getstate__(self):
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setstate__(self, state):
        for name, value in zip(self.__slots__, state):
            setattr(self, name, value)

    @property
    def slab_shape(self):
        """The shape of the input slab this block reads."""
        return tuple(last - first for first, last in self.slab_ranges)

    @property
    def nbytes_needed(self):
        """About the most memory computing this block holds at once: the slab, its copy
        in the computing dtype, the block and one intermediate of the block's size."""
        kind = self.kind
        slab = math.prod(self.slab_shape)
        work = (kind.work_dtype or kind.in_dtype).itemsize
        out = math.prod(self.shape)
        return slab * (kind.in_dtype.itemsize + work) + out * (kind.out_dtype.itemsize + work)

    def compute(self, slab, num_threads=None):
        """This block of the output, from ``slab`` (the input over ``slab_ranges``):
        a new C-contiguous array of the output dtype.

        ``num_threads``: threads for the kernels; by default one, or
        ``UPSAMPLE_NUM_THREADS`` when the environment sets it (a scheduler
        that runs blocks side by side parallelises across them already).
        """
        kind = self.kind
        slab = np.asarray(slab)
        if slab.shape != self.slab_shape:
            raise ValueError(f"slab must have shape {self.slab_shape}, got {slab.shape}")
        if num_threads is None:
            num_threads = None if os.environ.get("UPSAMPLE_NUM_THREADS") else 1
        # Through the output cache, as upsample's results: a worker computes blocks of
        # the same few shapes over and over, and a recycled block is already mapped.
        result = _plan.new_array(self.shape, kind.out_dtype)
        if result.size == 0:
            return result
        layout = kind.layout
        source = layout.to_canonical(slab)
        batch, *_, channels = layout.canonical_shape(self.shape, self.computed)
        # The kernels fill a C-contiguous canonical array: the result itself when its
        # axes are in place and no rows are cropped, else one the layout puts in place.
        cropped = any(row[3] or computed != self.shape[axis]
                      for row, computed, axis in zip(self.rows, self.computed, layout.spatial))
        if layout.identity and not cropped:
            target = result.reshape((batch, *self.computed, channels))
        else:
            target = _plan.new_array((batch, *self.computed, channels), kind.out_dtype)
        if kind.schedule is None:
            fill = self._gather(source, target.shape)
        else:
            fill = self._weighted(source, target.shape)
        if kind.pass_dtype == target.dtype:
            fill(source, target, num_threads)
        else:
            # As the whole call: computed in the passes' dtype, then cast (rounded and
            # saturated for integers).
            passes = _plan.new_array(target.shape, kind.pass_dtype)
            fill(source, passes, num_threads)
            _cast.cast_into(passes, target, num_threads)
        if target.base is not result:
            crop = tuple(slice(row[3], row[3] + self.shape[axis])
                         for row, axis in zip(self.rows, layout.spatial))
            np.copyto(result, layout.from_canonical(target[(slice(None),) + crop], self.shape))
        return result

    def _gather(self, source, out_shape):
        """Nearest (or a selection): a gather of the source samples, in the input's dtype."""
        return _plan_nearest.gather_fill(source.shape, source.strides, source.dtype,
                                         out_shape, [index for index, *_ in self.rows])

    def _weighted(self, source, out_shape):
        """Linear or cubic: the whole call's passes over the slab, with this block's rows."""
        kind = self.kind
        tables = {
            k: _axis_table.AxisTable.from_arrays(index, weights.reshape(index.shape),
                                                 source.shape[k], kind.real_dtype, doubling)
            for k, (index, weights, doubling, _) in enumerate(self.rows, start=1)
        }
        return _plan_weighted.weighted_passes(source.shape, kind.in_dtype, out_shape,
                                              kind.pass_dtype, kind.work_dtype, tables,
                                              kind.schedule)
