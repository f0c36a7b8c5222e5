"""Planning and running the compiled passes.

``plan`` receives checked arguments, decides the compute dtype and the order
of the passes and builds each axis' table; the :class:`Plan` it returns hands
contiguous buffers to the kernels in ``upsample_c``. Neither loops over
elements itself.

The weighted modes are separable: one pass per spatial axis. The last two
spatial axes are done together by a "planar" kernel that never materialises
the half-done intermediate; any further axes are "vertical" passes whose rows
are long contiguous runs. Passes that shrink the data run first and passes
that grow it run last, so that the widest arrays are touched least.
"""

import collections
import math
import threading

import numpy as np

import upsample_c
from upsample_c import _memory, effective_num_threads, kernels

from . import _tables

# A multiply-add along the last axis with few channels is a scalar operation,
# elsewhere it is part of a vector loop; the planar pass weighs the two kinds
# of work by this ratio to choose which axis to do first.
SCALAR_COST = 4
# Narrowest slice of a row handed to one thread when rows are too few to share.
MIN_BLOCK_ELEMENTS = 2048
MIN_BLOCK_PIXELS = 256
# Outputs at least this large are written with streaming stores: they cannot
# stay in the caches anyway, and streaming spares the read-for-ownership.
STREAM_MIN_BYTES = 16 << 20
# Linear and cubic stream from smaller outputs: their sums go to memory
# straight from the registers, which costs about as much as ordinary stores
# when the output is in cache and much less when it is not (as it mostly is
# not in a pipeline, where other work runs between calls). A gather has no
# such slack, so nearest keeps the larger threshold.
WEIGHTED_STREAM_MIN_BYTES = 4 << 20
# Sampling tables are remembered between calls, up to this many bytes in all.
TABLE_CACHE_BYTES = 64 << 20
# Nearest's offset tables are remembered up to this many bytes in all.
OFFSETS_CACHE_BYTES = 64 << 20
# The row-tile kernel (AVX2 build) and the most scratch per thread it may use.
# Its tiles stay in L1 whatever the width; the rows it keeps going back to pay
# even when they spill from the per-core cache (wide images at 1.5x: 1.5x-2x
# faster than the one-pixel loop with several MB of rows). The limit caps those
# rows (see _row_tile_footprint): width first, the ring holds 7 more rows than
# without tiles.
ROW_TILES = kernels.row_tiles_available()
ROW_TILE, ROW_TILE_PIXELS = kernels.row_tile_shape()
ROW_TILE_SCRATCH_BYTES = 16 << 20
# Height first, few-channel rows go through the row tiles eight combined rows
# at a time, at input width. Once those rows outgrow a quarter of the per-core
# cache (rows of more than 2048 floats), they cost more than the multiply-adds
# say: interleaved runs at x0.75 and x0.9 on 720p and 1080p images ran width
# first 1.04x-1.33x faster than height first, which the bare counts preferred
# by 1.07x-1.19x, while at x0.6 (counts 1.35x for height first) height first
# stayed ahead, as it does on images up to 640 pixels wide.
HEIGHT_FIRST_TILE_BYTES = 128 << 10
WIDE_HEIGHT_FIRST_COST = 1.25
# Nearest rows at least this long, at an integral scale on the last axis, repeat
# their source pixels without a table of one offset per output column: for a
# long signal that table took longer to build than the copy takes to run
# (a (1, 10**7, 2) x2 first call: 230 ms, np.repeat 34 ms).
LONG_REPEAT_COLUMNS = 1 << 20
# Largest ring of resampled planes (per thread) for the fused 3-D pass.
VOLUME_RING_BYTES = 4 << 20


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
    """

    __slots__ = ("out_shape", "out_dtype", "_fill")

    def __init__(self, out_shape, out_dtype, fill):
        self.out_shape = out_shape
        self.out_dtype = out_dtype
        self._fill = fill

    def __call__(self, x, target=None, num_threads=None):
        if target is None:
            # Through the output cache: a recycled block is already mapped, where a
            # fresh one would cost a page fault and a page of zeroes per page.
            target = _memory.empty(self.out_shape, self.out_dtype)
        if self._fill is not None:
            self._fill(x, target, num_threads)
        return target


def plan(in_shape, in_strides, in_dtype, scales, out_shape, mode, align_corners, antialias,
         out_dtype=None):
    """Decide everything about a resampling that depends only on shapes and options.

    Returns the :class:`Plan`: the kernels, the order of the passes, the
    tables, the sizes of intermediates. Deciding costs more than running the
    kernels for small images (and several times more when the caches are cold
    between calls, as in a pipeline), so the API keeps the plans of recent calls.
    """
    in_shape, out_shape, in_dtype = tuple(in_shape), tuple(out_shape), np.dtype(in_dtype)
    if out_dtype is None:
        out_dtype = result_dtype(in_dtype, mode)
    out_dtype = np.dtype(out_dtype)
    if math.prod(out_shape) == 0:
        return Plan(out_shape, out_dtype, None)
    if mode == "nearest":
        fill = _nearest_fill(in_shape, in_strides, in_dtype, scales, out_shape)
        if out_dtype != in_dtype:
            fill = _through(fill, out_shape, in_dtype)
        return Plan(out_shape, out_dtype, fill)
    options = (scales, mode, align_corners, antialias)
    work_dtype = compute_dtype(out_dtype)
    selection = _selection(in_shape, in_dtype, out_shape, work_dtype, options)
    if selection is not None:
        fill = _nearest_fill(in_shape, in_strides, in_dtype, scales, out_shape, selection)
        if out_dtype != in_dtype:
            fill = _through(fill, out_shape, in_dtype)
        return Plan(out_shape, out_dtype, fill)
    if _fused_uint8(in_dtype, out_dtype, out_shape):
        fill = _weighted_fill(in_shape, in_dtype, out_shape, out_dtype, options, work_dtype)
    elif work_dtype == out_dtype:
        fill = _weighted_fill(in_shape, in_dtype, out_shape, out_dtype, options, out_dtype)
    else:
        fill = _through(
            _weighted_fill(in_shape, in_dtype, out_shape, work_dtype, options, work_dtype),
            out_shape, work_dtype,
        )
    return Plan(out_shape, out_dtype, fill)


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
    real = np.dtype(np.float64 if work_dtype in (np.float64, np.complex128) else np.float32)
    tables = _axis_tables(in_shape, in_dtype, out_shape, options, real)
    if any(table.taps != 1 for table in tables.values()):
        return None
    return ((mode, tuple(scales), align_corners, antialias),
            [tables[axis].index[:, 0] for axis in sorted(tables)])


def _through(fill, shape, dtype):
    """``fill`` into a temporary of ``dtype``, then cast into the real target."""

    def run(x, target, num_threads):
        temporary = _memory.empty(shape, dtype)
        fill(x, temporary, num_threads)
        cast_into(temporary, target, num_threads)

    return run


def _fused_uint8(in_dtype, out_dtype, out_shape):
    """uint8 to uint8 over two spatial axes has a kernel that converts on the fly."""
    return in_dtype == np.uint8 and out_dtype == np.uint8 and len(out_shape) == 4


def cast_into(source, target, num_threads=None):
    """Write ``source`` into ``target``'s dtype; integers are rounded and saturated.

    ``source`` is scratch and may be overwritten. Rounding is to nearest,
    saturation to the target's range, and NaN becomes 0.
    """
    if target.dtype.kind not in "iu":
        np.copyto(target, source, casting="unsafe")
        return
    info = np.iinfo(target.dtype)
    if source.dtype.kind in "iub":
        if source.dtype.kind != "b":
            inner = np.iinfo(source.dtype)
            np.clip(source, max(info.min, inner.min), min(info.max, inner.max), out=source)
        np.copyto(target, source, casting="unsafe")
        return
    if source.dtype == np.float32 and target.dtype == np.uint8 and target.flags.c_contiguous:
        threads = effective_num_threads(num_threads, target.size)
        kernels.round_to_uint8(source, target, threads)
        return
    if source.dtype.itemsize < 4:  # float16 cannot hold most integer bounds
        source = source.astype(np.float32)
    np.nan_to_num(source, copy=False, nan=0.0)
    np.rint(source, out=source)
    low, high = _float_bound(info.min, source.dtype), _float_bound(info.max, source.dtype)
    # A 32- or 64-bit bound may have no float equal to it (float32 stops at
    # 2147483520 below 2**31 - 1): what lies beyond the float bound saturates
    # to the integer bound itself.
    beyond_low = source < low if int(low) != info.min else None
    beyond_high = source > high if int(high) != info.max else None
    np.clip(source, low, high, out=source)
    np.copyto(target, source, casting="unsafe")
    if beyond_low is not None:
        np.copyto(target, info.min, where=beyond_low)
    if beyond_high is not None:
        np.copyto(target, info.max, where=beyond_high)


def _float_bound(bound, dtype):
    """``bound`` in ``dtype``, moved toward 0 if rounding took it out of the integer range."""
    value = dtype.type(bound)
    if abs(int(value)) > abs(bound):
        value = np.nextafter(value, dtype.type(0))
    return value


def _block(n_rows, row_length, threads, min_block):
    """Split rows into blocks only when there are too few rows to keep every thread busy."""
    if threads <= 1 or n_rows >= 4 * threads:
        return max(row_length, 1)
    blocks_per_row = -(-4 * threads // n_rows)
    block = max(min_block, -(-row_length // blocks_per_row))
    # Even, so that a block never splits the output pairs of a scale-2 row.
    return block + block % 2


# ---------------------------------------------------------------------------
# nearest
# ---------------------------------------------------------------------------


def _nearest_factors(scales):
    """Per axis, the repetition factor when every scale is integral (MLX's rule), else 0."""
    if all(float(s).is_integer() for s in scales):
        return tuple(int(s) for s in scales)
    return (0,) * len(scales)


def _nearest_axis(n_in, n_out, factor, out):
    """Source indices of one axis into ``out`` (``factor`` > 0: repetition)."""
    if factor:
        # Each source index ``factor`` times, written through a (n_in, factor) view.
        out.reshape(n_in, factor)[:] = np.arange(n_in, dtype=np.int64)[:, None]
    else:
        out[:] = _tables.nearest_index(n_in, n_out)


def _gather_offsets(in_shape, strides, out_shape, factors, selection=None, last_by_factor=False):
    """Byte offsets of every output position along each axis, one table after another.

    ``selection`` (a key and one source index array per spatial axis) replaces
    nearest's indices. With ``last_by_factor`` the last spatial axis gets no
    table (repeat_nearest works it out). Remembered for repeated shapes
    (pipelines, OFFSETS_CACHE_BYTES in all): building them touches arrays as
    long as the output rows, which for a long signal costs more than the
    gather itself.
    """
    key = (in_shape, strides, out_shape, factors, None if selection is None else selection[0],
           last_by_factor)
    found = _OFFSETS.get(key)
    if found is not None:
        return found
    counts = np.array([in_shape[0]] + list(out_shape[1:-1]), dtype=np.int64)
    tabled = counts.tolist()[:-1] if last_by_factor else counts.tolist()
    # One array written in place, axis by axis: every temporary as long as a
    # row would be a fresh mapping whose pages fault in one by one.
    offsets = np.empty(sum(tabled), dtype=np.int64)
    start = 0
    for axis, count in enumerate(tabled):
        view = offsets[start:start + count]
        if axis == 0:
            view[:] = np.arange(count, dtype=np.int64)
        elif selection is not None:
            view[:] = selection[1][axis - 1]
        else:
            _nearest_axis(in_shape[axis], count, factors[axis - 1], view)
        view *= strides[axis]
        start += count
    offsets.flags.writeable = False
    counts.flags.writeable = False
    _OFFSETS.put(key, (offsets, counts), offsets.nbytes + counts.nbytes)
    return offsets, counts


def _nearest_fill(in_shape, strides, dtype, scales, out_shape, selection=None):
    """Nearest is a gather of whole channel vectors, read straight from x's strides.

    So is linear where every output sits on a source sample: ``selection``
    then gives the source indices (see _selection).
    """
    factors = (0,) * len(scales) if selection is not None else _nearest_factors(scales)
    itemsize = dtype.itemsize
    pixel_bytes = in_shape[-1] * itemsize
    contiguous_pixels = strides[-1] == itemsize and strides[-2] == pixel_bytes
    if factors[-1] and out_shape[-2] >= LONG_REPEAT_COLUMNS and contiguous_pixels:
        return _long_repeat_fill(in_shape, strides, itemsize, factors, out_shape)
    offsets, counts = _gather_offsets(in_shape, strides, out_shape, factors, selection)
    size = math.prod(out_shape)
    n_rows = size // (out_shape[-2] * out_shape[-1])
    # Bytes moved: the output, or when fewer rows come out than go in, the
    # source rows read, whichever is more.
    in_rows = math.prod(in_shape[:-2])
    work = max(size * itemsize, min(n_rows, in_rows) * in_shape[-2] * pixel_bytes)
    # Scale 2 on the last axis over contiguous pixels is a plain repetition.
    col_double = factors[-1] == 2 and contiguous_pixels
    # One byte or one float taken from every other column (masks and single-channel
    # images halved) goes through vector packs instead of the table (gather_nearest's
    # col_stride): 2.3x-4.7x faster in cache. Other steps keep the table: they have no
    # vector path, and a scalar loop without the table did not gain.
    every_other = (strides[-1] == itemsize and pixel_bytes in (1, 4)
                   and _steps_by(offsets[offsets.size - out_shape[-2]:], 2 * pixel_bytes))
    col_stride = 2 * pixel_bytes if every_other else 0
    # 12-byte pixels (float32 RGB) gathered one by one lose by streaming: staged and
    # streamed, a 1080p x1.5 frame took 1.12x-1.20x as long at 1 and 2 threads
    # (interleaved runs), where 3- to 8-byte and 16-byte pixels gained 0.82x-0.98x.
    stream = size * itemsize >= STREAM_MIN_BYTES and (col_double or pixel_bytes != 12)
    fixed = (offsets, counts, in_shape[-1], itemsize, strides[-1], col_double)

    def run(x, out, num_threads):
        threads = effective_num_threads(num_threads, work)
        kernels.gather_nearest(
            x, out, *fixed,
            _block(n_rows, out_shape[-2], threads, MIN_BLOCK_PIXELS), stream, threads,
            col_stride,
        )

    return run


def _steps_by(columns, step):
    """Whether a column offset table runs ``step`` bytes apart, entry after entry (two
    entries at least)."""
    return columns.size >= 2 and bool((np.diff(columns) == step).all())


def _long_repeat_fill(in_shape, strides, itemsize, factors, out_shape):
    """Nearest at an integral scale along very long rows (signals): each source pixel
    repeated, with no table as long as the output row."""
    offsets, counts = _gather_offsets(in_shape, strides, out_shape, factors, None, True)
    elem_bytes = in_shape[-1] * itemsize
    size = math.prod(out_shape)
    n_rows = size // (out_shape[-2] * out_shape[-1])
    fixed = (offsets, counts, elem_bytes, factors[-1])

    def run(x, out, num_threads):
        threads = effective_num_threads(num_threads, size * itemsize)
        kernels.repeat_nearest(x, out, *fixed,
                               _block(n_rows, out_shape[-2], threads, MIN_BLOCK_PIXELS), threads)

    return run


# ---------------------------------------------------------------------------
# linear and cubic
# ---------------------------------------------------------------------------


def _order_passes(in_shape, out_shape):
    """The spatial axes of each pass, shrinking passes first and growing ones last."""
    n_spatial = len(in_shape) - 2
    growth = [out_shape[a] / in_shape[a] for a in range(len(in_shape))]
    if n_spatial == 1:
        return [(1,)]
    last_two = (n_spatial - 1, n_spatial)
    passes = [(last_two, growth[last_two[0]] * growth[last_two[1]])]
    passes += [((a,), growth[a]) for a in range(1, n_spatial - 1)]
    return [axes for axes, _ in sorted(passes, key=lambda item: item[1])]


def _weighted_fill(in_shape, in_dtype, out_shape, target_dtype, options, work_dtype):
    """Linear or cubic into a target of ``target_dtype``, computed in ``work_dtype``.

    ``work_dtype`` differs from ``target_dtype`` only for uint8 to uint8,
    which the kernels convert on the fly. Complex data is resampled as
    interleaved real and imaginary channels, which is exact because every
    pass is linear.
    """
    scales, mode, align_corners, antialias = options
    real = np.dtype(np.float64 if work_dtype in (np.float64, np.complex128) else np.float32)
    fused = in_dtype == np.uint8 and target_dtype == np.uint8
    is_complex = target_dtype.kind == "c"
    if is_complex:
        in_shape = in_shape[:-1] + (2 * in_shape[-1],)
        out_shape = out_shape[:-1] + (2 * out_shape[-1],)
    kernel_dtype = np.dtype(np.uint8) if fused else real
    tables = _axis_tables(in_shape, in_dtype, out_shape, options, real)
    # Axes left as they are (scale 1, or a size equal to the input's) get no pass.
    identity = {axis for axis, table in tables.items() if table.identity}
    if fused and identity and len(identity) < len(tables):
        # The uint8 kernels resample two axes at once; one axis alone goes
        # through float32 and is rounded after (the same bytes).
        return _through(
            _weighted_fill(in_shape, in_dtype, out_shape, real, options, real),
            out_shape, real)
    volume = None if identity else _volume_pass(in_shape, out_shape, tables, kernel_dtype)
    if volume is not None:
        passes = [(volume, out_shape)]
    else:
        passes, shape = [], in_shape
        for axes in _order_passes(in_shape, out_shape):
            axes = tuple(axis for axis in axes if axis not in identity)
            if not axes:
                continue
            result_shape = list(shape)
            for axis in axes:
                result_shape[axis] = out_shape[axis]
            result_shape = tuple(result_shape)
            if len(axes) == 2:
                run = _planar_pass(shape, result_shape, kernel_dtype, tables[axes[0]],
                                   tables[axes[1]])
            elif axes[0] == len(shape) - 2:
                run = _horizontal_pass(_as_rows(shape), _as_rows(result_shape), kernel_dtype,
                                       tables[axes[0]])
            else:
                run = _vertical_pass(shape, result_shape, kernel_dtype, axes[0], tables[axes[0]])
            passes.append((run, result_shape))
            shape = result_shape
    if not passes:
        return _copy_fill

    def fill(x, target, num_threads):
        if fused:
            current = np.ascontiguousarray(x)
        else:
            current = np.ascontiguousarray(x, dtype=work_dtype)
        if is_complex:
            current, target = current.view(real), target.view(real)
        for run, shape in passes[:-1]:
            result = _memory.empty(shape, real)
            run(current, result, num_threads)
            current = result
        passes[-1][0](current, target, num_threads)

    return fill


def _as_rows(shape):
    """``shape`` as (rows, length, channels): a pass along the last spatial axis only."""
    return (math.prod(shape[:-2]), shape[-2], shape[-1])


def _copy_fill(x, target, num_threads):
    """Every axis left as it is: the values, converted to the target's dtype as the
    passes would have converted them on the way in."""
    np.copyto(target, x, casting="unsafe")


def _volume_pass(in_shape, out_shape, tables, dtype):
    """Three spatial axes in one sweep when the depth does not shrink; None if not here.

    The fused pass keeps a ring of d_taps resampled planes per thread, so it
    is used only while that ring stays small next to the shared cache.
    """
    if len(in_shape) != 5:
        return None
    outer, d_in, h_in, w_in, channels = in_shape
    d_out, h_out, w_out = out_shape[1:4]
    depth, height, width = tables[1], tables[2], tables[3]
    d_taps, h_taps, w_taps = depth.taps, height.taps, width.taps
    plane = h_out * w_out * channels
    if d_out < d_in or d_taps * plane * dtype.itemsize > VOLUME_RING_BYTES:
        return None
    if not _width_first_is_cheaper(height.rows_used, w_in, w_out, h_out, channels, h_taps,
                                   w_taps):
        return None
    size = math.prod(out_shape)
    row_tiles = _use_row_tiles(dtype, True, width, height.rows_used == h_in,
                               h_taps, w_in, w_out, channels)
    # Scratch per thread, in bytes: the ring of planes and the planar pass' rows.
    plane_bytes = d_taps * plane * dtype.itemsize
    scratch_bytes = (kernels.planar_scratch_length(h_taps, w_in, w_out, channels, True,
                                                   row_tiles) * dtype.itemsize)
    index_length = kernels.volume_index_length(d_taps, h_taps, row_tiles)
    fixed = (outer, d_in, h_in, w_in, channels, d_out, h_out, w_out, depth.offsets(1),
             depth.weights, d_taps, height.offsets(1), height.weights, h_taps,
             width.offsets(channels), width.weights, w_taps, width.doubling, row_tiles)
    stream = size * dtype.itemsize >= WEIGHTED_STREAM_MIN_BYTES

    def run(source, target, num_threads):
        threads = effective_num_threads(num_threads, size * (d_taps + h_taps + w_taps))
        kernels.volume_pass(
            source, target, *fixed,
            _scratch("planes", threads * plane_bytes),
            _scratch("rows", threads * scratch_bytes),
            _index_scratch(threads * index_length), stream, threads,
        )

    return run


class _AxisTable:
    """One axis' sampling table, ready for the kernels.

    ``index`` (n_out x taps source indices) and ``weights`` (flat, in the
    compute dtype) are read-only and may be shared between calls and threads;
    ``offsets(m)`` is the flat index times ``m`` (element offsets for rows of
    ``m`` elements), remembered for a few values of ``m``.
    """

    def __init__(self, index, weights, doubling, n_in=None):
        index.flags.writeable = False
        weights.flags.writeable = False
        self.index = index
        self.taps = index.shape[1]
        self.weights = weights
        self.doubling = doubling
        # Output j is source sample j with weight 1: the axis needs no pass at all.
        self.identity = bool(
            self.taps == 1 and index.shape[0] == n_in and np.all(weights == 1)
            and np.array_equal(index[:, 0], np.arange(n_in)))
        self._rows_used = None
        self._offsets = {}
        self._sorted = None
        self._selected = None

    @property
    def halving(self):
        """Whether output j is exactly the mean of source positions 2j and 2j + 1 (linear
        at scale 0.5 without antialias)."""
        index = self.index
        even = 2 * np.arange(index.shape[0], dtype=index.dtype)
        return bool(self.taps == 2 and np.all(self.weights == 0.5)
                    and np.array_equal(index[:, 0], even)
                    and np.array_equal(index[:, 1], even + 1))

    @property
    def sorted(self):
        """Whether the source positions never decrease along the taps of an output
        nor from one output to the next (true of every table built here). The
        row tiles rely on it: a run of outputs then reads between its first
        output's first tap and its last output's last tap."""
        if self._sorted is None:
            index = self.index
            self._sorted = bool(np.all(index[1:] >= index[:-1])
                                and np.all(index[:, 1:] >= index[:, :-1]))
        return self._sorted

    @property
    def rows_used(self):
        """How many distinct source positions the table reads."""
        if self._rows_used is None:
            self._rows_used = int(np.count_nonzero(np.bincount(self.index.reshape(-1))))
        return self._rows_used

    def offsets(self, multiplier):
        """The flat index times ``multiplier`` (read-only; remembered for a few multipliers)."""
        found = self._offsets.get(multiplier)
        if found is None:
            found = (self.index * multiplier).reshape(-1)
            found.flags.writeable = False
            if len(self._offsets) < 4:
                self._offsets[multiplier] = found
        return found

    @property
    def nbytes(self):
        """Memory charged to the table cache: the index, its offsets for the usual one or two
        row lengths, the weights."""
        return 3 * self.index.nbytes + self.weights.nbytes

    def selected(self, n_in):
        """This table with one tap per output, where every output has a single weight of 1
        and only zeros beside it (cubic or antialiased at whole coordinates); else itself.

        Exact only for data without NaN or infinity (integers, bool): a zero
        weight times NaN is NaN, so for floats the other taps still count.
        """
        if self._selected is None:
            self._selected = self
            if self.taps > 1:
                weights = self.weights.reshape(self.index.shape)
                nonzero = weights != 0
                single = np.all(np.count_nonzero(nonzero, axis=1) == 1)
                if single and np.all(weights[nonzero] == 1):
                    rows = np.arange(len(weights))
                    index = self.index[rows, np.argmax(nonzero, axis=1)].reshape(-1, 1)
                    ones = np.ones(len(weights), self.weights.dtype)
                    self._selected = _AxisTable(index, ones, False, n_in)
        return self._selected


class _BoundedCache:
    """Least recently used first out, bounded by the bytes of what it holds; thread-safe.

    Values must not be None. A value larger than half the budget is not kept.
    """

    def __init__(self, limit):
        self.limit = limit
        self._items = collections.OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        """The value remembered under ``key`` (now the most recently used), or None."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key, value, nbytes):
        """Remember ``value`` (``nbytes`` large), evicting the least recently used."""
        if nbytes > self.limit // 2:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (value, nbytes)
            self._bytes += nbytes
            while self._bytes > self.limit:
                _, (_, evicted) = self._items.popitem(last=False)
                self._bytes -= evicted


_TABLES = _BoundedCache(TABLE_CACHE_BYTES)
_OFFSETS = _BoundedCache(OFFSETS_CACHE_BYTES)


def _axis_tables(in_shape, in_dtype, out_shape, options, real):
    """The table of every spatial axis, by axis; selections reduced to one tap where the
    input holds no NaN or infinity (integers and bool, see _AxisTable.selected)."""
    scales, mode, align_corners, antialias = options
    finite = in_dtype.kind in "biu"
    tables = {}
    for axis, scale in enumerate(scales, start=1):
        table = _axis_table(in_shape[axis], out_shape[axis], scale, mode, align_corners,
                            antialias, real)
        tables[axis] = table.selected(in_shape[axis]) if finite else table
    return tables


def _axis_table(n_in, n_out, scale, mode, align_corners, antialias, real):
    """The table of one axis, remembered (TABLE_CACHE_BYTES in all): pipelines
    resample the same shapes over and over, and for small images building the
    tables costs more than applying them."""
    key = (n_in, n_out, scale, mode, align_corners, antialias, real.char)
    table = _TABLES.get(key)
    if table is None:
        index, weights = _tables.weighted_table(n_in, n_out, scale, mode, align_corners,
                                                antialias)
        if mode == "linear" and not antialias and np.array_equal(index[:, 0], index[:, 1]):
            # Every output sits on a source sample (scale 1, an odd length halved,
            # align_corners at a whole ratio...): its second tap is its first, with
            # weight 0. One tap of weight 1 gives the same floats (1 * v + 0 * v is
            # v for every finite v; an infinity stays infinite instead of becoming
            # NaN, which SEMANTICS.md leaves open) for half the work.
            index = np.ascontiguousarray(index[:, :1])
            weights = np.ascontiguousarray(weights[:, :1])
        table = _AxisTable(index, weights.astype(real).reshape(-1),
                           is_doubling(n_in, scale, mode, align_corners, antialias),
                           n_in)
        _TABLES.put(key, table, table.nbytes)
    return table


# Per Python thread, the kernels' scratch buffers are kept between calls: a
# fresh buffer of more than 128 KB is a fresh mapping from the C library, and
# its page faults cost more than a small resampling. A Python thread runs one
# call at a time, so its buffers are never in use twice.
_local = threading.local()


def _scratch(name, nbytes):
    """This thread's scratch buffer ``name``, at least ``nbytes`` long.

    The buffer is bytes, reused by this thread's next calls and handed to the
    kernels as it is (they check its length): slicing it and viewing it as
    the kernel's dtype would cost a small call about 1 µs.
    """
    buffer = getattr(_local, name, None)
    if buffer is None or buffer.nbytes < nbytes:
        buffer = np.empty(max(nbytes, 1), dtype=np.uint8)
        setattr(_local, name, buffer)
    return buffer


def _index_scratch(count):
    """Integer scratch for the kernels' row bookkeeping (they preset it themselves)."""
    buffer = getattr(_local, "index", None)
    if buffer is None or buffer.size < count:
        buffer = np.empty(max(count, 1), dtype=np.int64)
        _local.index = buffer
    return buffer


def _vertical_pass(in_shape, out_shape, dtype, axis, table):
    """One axis that is neither of the last two spatial ones: rows are long contiguous runs."""
    outer = math.prod(in_shape[:axis])
    inner = math.prod(in_shape[axis + 1 :])
    n_in, n_out, taps = in_shape[axis], out_shape[axis], table.taps
    size = math.prod(out_shape)
    fixed = (outer, n_in, inner, n_out, table.offsets(inner), table.weights, taps)
    stream = size * dtype.itemsize >= WEIGHTED_STREAM_MIN_BYTES

    def run(source, result, num_threads):
        threads = effective_num_threads(num_threads, size * taps)
        kernels.vertical_pass(
            source, result, *fixed,
            _block(outer * n_out, inner, threads, MIN_BLOCK_ELEMENTS), stream, threads,
        )

    return run


def _horizontal_pass(in_shape, out_shape, dtype, table):
    """The last spatial axis alone, over an array viewed as (rows, length, channels)."""
    outer, n_in, channels = in_shape
    n_out, taps = out_shape[1], table.taps
    size = math.prod(out_shape)
    fixed = (outer, n_in, channels, n_out, table.offsets(channels), table.weights, taps,
             table.doubling)

    def run(source, result, num_threads):
        threads = effective_num_threads(num_threads, size * taps)
        kernels.horizontal_pass(
            source, result, *fixed,
            _block(outer, n_out, threads, MIN_BLOCK_PIXELS), threads,
        )

    return run


def _planar_pass(in_shape, out_shape, dtype, height, width):
    """The last two spatial axes together, without materialising the half-done array."""
    *outer_dims, h_in, w_in, channels = in_shape
    outer = math.prod(outer_dims)
    h_out, w_out = out_shape[-3], out_shape[-2]
    h_taps, w_taps = height.taps, width.taps
    width_first = _width_first_is_cheaper(height.rows_used, w_in, w_out, h_out, channels,
                                          h_taps, w_taps)
    size = math.prod(out_shape)
    # Multiply-adds of the order taken; a shrinking pass does more of them than
    # its output suggests (height first, every output row combines taps rows
    # at input width).
    if width_first:
        planned = height.rows_used * w_out * w_taps + h_out * w_out * h_taps
    else:
        planned = h_out * w_in * h_taps + h_out * w_out * w_taps
    work = max(size * (h_taps + w_taps), outer * channels * planned)
    halving_kernel = dtype == np.uint8 or (
        dtype == np.float32 and not width_first and kernels.halve_float_available(channels))
    if halving_kernel and height.halving and width.halving:
        # A 2x2 mean: in integers for uint8 (exact), and for float32 with the
        # height-first pass's own operations, without its tables and tiles.
        # Two additions per source item, all of which it reads.
        halving_work = max(work, 2 * outer * h_in * w_in * channels)

        def run_halving(source, result, num_threads):
            threads = effective_num_threads(num_threads, halving_work)
            kernels.halve_pass(source, result, outer, h_in, w_in,
                               channels, h_out, w_out, threads)

        return run_halving
    fixed = (outer, h_in, w_in, channels, h_out, w_out, height.offsets(1), height.weights,
             h_taps, width.offsets(channels), width.weights, w_taps, width.doubling,
             width_first)
    stream = size * dtype.itemsize >= WEIGHTED_STREAM_MIN_BYTES
    row_tiles = _use_row_tiles(dtype, width_first, width, height.rows_used == h_in,
                               h_taps, w_in, w_out, channels)
    index_length = kernels.planar_index_length(h_taps, row_tiles)
    if dtype == np.uint8:
        # Scratch per thread, in bytes (float32 rows).
        row_bytes = 4 * kernels.planar_uint8_scratch_length(h_taps, w_in, w_out, channels,
                                                            width_first, row_tiles)

        def run_uint8(source, result, num_threads):
            threads = effective_num_threads(num_threads, work)
            kernels.planar_pass_uint8(
                source, result, *fixed, row_tiles,
                _scratch("rows", threads * row_bytes),
                _index_scratch(threads * index_length), stream, threads,
            )

        return run_uint8
    row_bytes = dtype.itemsize * kernels.planar_scratch_length(h_taps, w_in, w_out, channels,
                                                               width_first, row_tiles)

    def run(source, result, num_threads):
        threads = effective_num_threads(num_threads, work)
        kernels.planar_pass(
            source, result, *fixed, row_tiles,
            _scratch("rows", threads * row_bytes),
            _index_scratch(threads * index_length), stream, threads,
        )

    return run


def _use_row_tiles(dtype, width_first, width, every_row_used, h_taps, w_in, w_out, channels):
    """Resample rows eight at a time (see the kernels' row tiles)?

    Pays for pixels of few channels at scales other than 2 (those have their
    own vector loop), whatever the width, as long as the rows the tiles keep
    going back to stay within ROW_TILE_SCRATCH_BYTES; float32 data, or uint8
    data converted to float32 row by row. Width first, the tiles are source
    rows, so every source row must be needed anyway; height first, they are
    combined rows, one per output row.
    """
    if not (ROW_TILES and dtype in (np.float32, np.uint8) and not width.doubling
            and width.sorted and channels < 8):
        return False
    if width_first and not every_row_used:
        return False
    return _row_tile_footprint(dtype, width_first, width.taps, h_taps, w_in, w_out,
                               channels) <= ROW_TILE_SCRATCH_BYTES


def _row_tile_footprint(dtype, width_first, w_taps, h_taps, w_in, w_out, channels):
    """Bytes of scratch the row tiles keep going back to, per thread.

    Width first: the ring of h_taps + 7 resampled rows; height first: eight
    combined rows; uint8 adds eight converted rows (width first) or eight
    output rows (height first). The tile itself only holds the stretch of
    source read by one block of output pixels, plus the block.
    """
    rows = (h_taps + ROW_TILE - 1) * w_out if width_first else ROW_TILE * w_in
    if dtype == np.uint8:
        rows += ROW_TILE * (w_in if width_first else w_out)
    stretch = min(w_in, -(-ROW_TILE_PIXELS * w_in // w_out) + w_taps + 1)
    tiles = ROW_TILE * (stretch + ROW_TILE_PIXELS)
    return 4 * channels * (rows + tiles)


def is_doubling(n_in, scale, mode, align_corners, antialias):
    """True when an axis' table is the scale-2 half-pixel pattern the kernels special-case.

    At scale 2 without align_corners, output j sits at j * 0.5 - 0.25: both
    constants are exact in float32, and so is every coordinate while j < 2**24.
    Output 2i then reads source pixels i - 1, i (linear) or i - 2 .. i + 1
    (cubic), and output 2i + 1 the same shifted by one, wherever no clamping
    happens. The kernels still read every weight from the table.
    """
    return (
        mode in ("linear", "cubic")
        and scale == 2.0
        and not align_corners
        and not antialias
        and 2 * n_in < 2**24
    )


def _width_first_is_cheaper(rows_used, w_in, w_out, h_out, channels, h_taps, w_taps):
    """Compare the multiply-adds of the two orders of a planar pass.

    Width first resamples each source row that is used once, then combines
    rows at output width; height first combines rows at input width, then
    resamples every output row. ``rows_used``: distinct source rows read.
    """
    pixel_cost = SCALAR_COST if channels < 8 else 1
    width_first = rows_used * w_out * w_taps * pixel_cost + h_out * w_out * h_taps
    height_first = h_out * w_in * h_taps + h_out * w_out * w_taps * pixel_cost
    if channels < 8 and 2 * ROW_TILE * w_in * channels * 4 > HEIGHT_FIRST_TILE_BYTES:
        height_first *= WIDE_HEIGHT_FIRST_COST
    return width_first <= height_first


def kernel_info():
    """Which kernel build runs and whether it can use threads (for diagnostics)."""
    return {
        "kernels": upsample_c.kernel_build,
        "openmp": upsample_c.openmp_enabled(),
        "default_num_threads": upsample_c.default_num_threads(),
    }
