"""Planning linear and cubic: separable weighted passes over per-axis tables.

The seam: ``weighted_passes(in_shape, in_dtype, out_shape, target_dtype,
work_dtype, tables)`` returns ``fill(x, target, num_threads)`` for any
``tables``, a dict {spatial axis (1 .. n): AxisTable} whose tables map that
axis of ``in_shape`` onto that of ``out_shape``. The options of a call
(scale, mode, align_corners, antialias) are one source of tables
(``weighted_fill``, through ``_axis_table.axis_tables``); another
convention, or a gradient, is another table builder over the same passes
(``AxisTable.from_arrays`` turns raw index and weight arrays into a table).

One pass per spatial axis, each a kernel family of ``upsample_c``:
``vertical_pass`` for an axis before the last two (rows are long contiguous
runs), ``horizontal_pass`` for the last spatial axis alone, ``planar_pass``
(and its uint8 twin, and ``halve_pass`` for exact 2 x 2 means) for the last
two together without materialising the half-done array, and ``volume_pass``
for three spatial axes in one sweep. Passes that shrink the data run first
and passes that grow it last, so that the widest arrays are touched least.
:func:`weighted_schedule` decides the passes, their order, and each planar
pass' order (width or height first), whether its rows go through the row
tiles and whether it is a 2 x 2 mean; the constants below are those
decisions' measured thresholds. A block of a larger output (``_blocks``)
hands the larger output's schedule to ``weighted_passes``, as the order of
the passes and of a planar pass' two axes changes how the sums round. The
rest (row tiles or not, a 2 x 2 mean or not, the build) gives the same bits:
every path does the same operations in the same order.
"""

import math

import numpy as np

from upsample_c import _memory, effective_num_threads, kernels

from . import _streaming
from ._axis_table import AxisTable, axis_tables, real_dtype
from ._cast import through
from ._threads import MIN_BLOCK_ELEMENTS, MIN_BLOCK_PIXELS, block, scratch, scratches

__all__ = ["AxisTable", "kernel_view", "weighted_fill", "weighted_passes", "weighted_schedule"]

# A multiply-add along the last axis with few channels is a scalar operation,
# elsewhere part of a vector loop: the planar pass weighs the first by this much
# when it chooses its order (set with the first kernels, 52d0861).
SCALAR_COST = 4
# Linear and cubic outputs from this size on are streamed straight from the
# registers, sparing each cold line's read for ownership (ecbf72a; nearest streams
# from 16 MB, _plan_nearest.STREAM_MIN_BYTES), unless switched off (_streaming).
WEIGHTED_STREAM_MIN_BYTES = 4 << 20
# The 2x2 means at 1 / step (halve_pass with a column step other than 2) gather
# their pixel pairs on the stack, room for this many channels.
MAX_STRIDED_PAIR_CHANNELS = 4
# Whether this build has the row-tile kernel (AVX2), and its shape.
ROW_TILES = kernels.row_tiles_available()
ROW_TILE, ROW_TILE_PIXELS = kernels.row_tile_shape()
# Most scratch per thread the row tiles may keep going back to; wide images at
# x1.5 still ran 1.5x-2x faster on the tiles with several MB of rows (661fc29).
ROW_TILE_SCRATCH_BYTES = 16 << 20
# Height first, RGBA rows with 2 or 4 taps shrunk to at most FOUR_CHANNEL_PLAIN_RATIO
# of their width skip the tiles for ups_pixels_four (one vector per pixel, the same
# bits): the tiles transpose every source pixel, for few outputs. Measured with
# benchmarks/row_tiles.py (both paths timed alternately in one process, load 3.0;
# 96x128 to 1080p, float32 and uint8, linear and cubic), plain/tiles for RGBA height
# first: x0.25 median 0.80 (11 of 12 below 1), x0.33 0.84 (14 of 16), x0.4 0.94 (13 of
# 16), x0.5 1.04 and x0.75 0.92 (mixed: 0.59-1.29, and benchmarks/ab.py had 300x400
# uint8 x0.75 0.93x warm and 0.85x cold on plain rows, so those stay on the tiles).
# Width first (upscales, and x0.75 of wide rows) the tiles stayed ahead for RGBA
# (median 1.11-1.45 per scale), and RGB rows, a scalar loop without them, gain on them
# almost everywhere (median 1.07-1.92 per scale).
FOUR_CHANNEL_PLAIN_RATIO = 0.4
# Height first over few-channel rows wider than this (eight combined rows outgrow
# a quarter of the per-core cache) is weighed WIDE_HEIGHT_FIRST_COST times its
# multiply-adds: 720p and 1080p at x0.75-x0.9 then go width first, 1.04x-1.33x
# faster (b31acd1).
HEIGHT_FIRST_TILE_BYTES = 128 << 10
WIDE_HEIGHT_FIRST_COST = 1.25
# Largest ring of resampled planes (per thread) for the fused 3-D pass: it must
# stay small next to the shared cache (f71817d).
VOLUME_RING_BYTES = 4 << 20


def weighted_fill(in_shape, in_dtype, out_shape, target_dtype, options, work_dtype,
                  in_strides=None):
    """Linear or cubic into a target of ``target_dtype``, computed in ``work_dtype``.

    ``options`` is (scales, mode, align_corners, antialias): the tables are
    the options' (``axis_tables``), then run by :func:`weighted_passes`.
    ``in_strides``: the strides of every ``x`` the fill will get, when known.
    """
    real = real_dtype(work_dtype)
    tables = axis_tables(in_shape, in_dtype, out_shape, options, real)
    return weighted_passes(in_shape, in_dtype, out_shape, target_dtype, work_dtype, tables,
                           in_strides=in_strides)


def weighted_passes(in_shape, in_dtype, out_shape, target_dtype, work_dtype, tables,
                    schedule=None, in_strides=None):
    """The passes that apply ``tables`` to arrays of ``in_shape`` and ``in_dtype``.

    Returns ``fill(x, target, num_threads)``, which writes into ``target``
    (C-contiguous, ``out_shape``, ``target_dtype``) the result of applying,
    along each spatial axis, ``tables[axis]`` (an :class:`AxisTable` with
    ``n_in == in_shape[axis]``, ``out_shape[axis]`` rows and weights in the
    real dtype of ``work_dtype``) to ``x`` (``in_shape``, any strides).
    Shapes are canonical, (batch, *spatial, channels).

    ``work_dtype`` (float32, float64, complex64 or complex128) is what ``x``
    is converted to and what the sums are computed in; ``target_dtype``
    equals it except for uint8 to uint8 over two spatial axes (``work_dtype``
    float32), which the kernels convert on the fly. Other result dtypes go
    through ``_cast.through``. Tables or dtypes that do not fit raise
    ValueError. Complex data is resampled as interleaved real and
    imaginary channels, which is exact because every pass is linear.

    ``schedule`` (see :func:`weighted_schedule`) says which passes run in
    which order and how; by default it is decided from these shapes and
    tables. A caller that computes a block of a larger output with the
    larger output's table rows (``upsample._blocks``) passes the larger
    output's schedule, so that every sum is the one the whole call makes.

    ``in_strides``, when given, are the strides of every ``x`` the fill will get
    (a plan is made for one input's shape, strides and dtype): an ``x`` that is
    then known to be C-contiguous in the dtype the first pass reads goes to it
    without a conversion step.
    """
    real = real_dtype(work_dtype)
    fused = in_dtype == np.uint8 and target_dtype == np.uint8
    if target_dtype != work_dtype and not (fused and len(in_shape) == 4):
        raise ValueError(f"target_dtype {target_dtype} with work_dtype {work_dtype}: the "
                         f"passes write their work dtype, or uint8 from uint8 over two "
                         f"spatial axes")
    _check_tables(tables, in_shape, out_shape, real)
    in_shape, out_shape, kernel_dtype = kernel_view(in_shape, in_dtype, out_shape,
                                                    target_dtype, work_dtype)
    if schedule is None:
        schedule = weighted_schedule(in_shape, out_shape, tables, kernel_dtype)
    # Axes left as they are (scale 1, or a size equal to the input's) get no pass. Read
    # from the schedule, not the tables: a block's rows of a larger output's table can
    # look like the identity where the whole call's table is not.
    identity = set(tables).difference(*(axes for _, axes, _ in schedule))
    if fused and identity and len(identity) < len(tables):
        # The uint8 kernels resample two axes at once; one axis alone goes
        # through float32 and is rounded after (the same bytes). That axis' pass
        # is horizontal or vertical, whose schedule holds no dtype's choices.
        return through(weighted_passes(in_shape, in_dtype, out_shape, real, real, tables,
                                       schedule),
                       out_shape, real)
    passes, shape = [], in_shape
    for kind, axes, choices in schedule:
        result_shape = list(shape)
        for axis in axes:
            result_shape[axis] = out_shape[axis]
        result_shape = tuple(result_shape)
        if kind == "volume":
            run = _volume_pass(shape, result_shape, tables, kernel_dtype, choices)
        elif kind == "planar":
            run = _planar_pass(shape, result_shape, kernel_dtype, tables[axes[0]],
                               tables[axes[1]], *choices)
        elif kind == "horizontal":
            run = _horizontal_pass(_as_rows(shape), _as_rows(result_shape), kernel_dtype,
                                   tables[axes[0]])
        else:
            run = _vertical_pass(shape, result_shape, kernel_dtype, axes[0], tables[axes[0]])
        passes.append((run, result_shape))
        shape = result_shape
    if not passes:
        return _copy_fill
    is_complex = target_dtype.kind == "c"
    # uint8 goes to the fused kernels as it is (None: x's own dtype).
    source_dtype = None if fused else work_dtype
    head, last = passes[:-1], passes[-1][0]
    if not head and not is_complex and _reads_as_it_is(in_shape, in_dtype, in_strides,
                                                       source_dtype):
        # One pass over an input it can read as it is: the pass itself (a wrapper's
        # frame and np.ascontiguousarray are part of a small call's fixed cost).
        return last
    if not head and not is_complex:
        # One pass (most images): no loop, no slice of the list at every call.
        def fill_one(x, target, num_threads):
            last(np.ascontiguousarray(x, dtype=source_dtype), target, num_threads)

        return fill_one

    def fill(x, target, num_threads):
        current = np.ascontiguousarray(x, dtype=source_dtype)
        if is_complex:
            current, target = current.view(real), target.view(real)
        for run, shape in head:
            result = _memory.empty(shape, real)
            run(current, result, num_threads)
            current = result
        last(current, target, num_threads)

    return fill


def _reads_as_it_is(shape, dtype, strides, source_dtype):
    """Whether an array of ``shape``, ``strides`` (None: unknown) and ``dtype`` is
    C-contiguous and of ``source_dtype`` (None: any), so that the passes read it as it is."""
    if strides is None or (source_dtype is not None and dtype != source_dtype):
        return False
    expected = dtype.itemsize
    for length, stride in zip(reversed(shape), reversed(strides)):
        if stride != expected:
            return False
        expected *= length
    return True


def kernel_view(in_shape, in_dtype, out_shape, target_dtype, work_dtype):
    """The canonical shapes and the dtype the weighted kernels see: complex data as
    interleaved real and imaginary channels; uint8 to uint8 as uint8 (converted on the
    fly), else the real dtype of ``work_dtype``."""
    if target_dtype.kind == "c":
        in_shape = in_shape[:-1] + (2 * in_shape[-1],)
        out_shape = out_shape[:-1] + (2 * out_shape[-1],)
    fused = in_dtype == np.uint8 and target_dtype == np.uint8
    return in_shape, out_shape, np.dtype(np.uint8) if fused else real_dtype(work_dtype)


def weighted_schedule(in_shape, out_shape, tables, kernel_dtype):
    """The passes of a weighted resampling, in the order they run: a tuple of
    ``(kind, axes, choices)`` with kind "volume", "planar", "horizontal" or
    "vertical"; ``choices`` are a planar pass' (width_first, row_tiles, halving)
    (see _planar_choices), the volume pass' row_tiles, else None.

    ``in_shape``, ``out_shape`` and ``kernel_dtype`` are the kernels' (see
    :func:`kernel_view`). The order of the passes and a planar pass' width or
    height first change how sums round (the row tiles and the halving kernel
    do not: they give the bits of the plain loops), which is why a
    block of a larger output must take the larger output's schedule. Passes
    that shrink the data run first and passes that grow it last; axes whose
    table is the identity get none.
    """
    identity = {axis for axis, table in tables.items() if table.identity}
    if not identity and _volume_fits(in_shape, out_shape, tables, kernel_dtype):
        return (("volume", (1, 2, 3),
                 _volume_row_tiles(in_shape, out_shape, tables, kernel_dtype)),)
    schedule, shape = [], in_shape
    for axes in _order_passes(in_shape, out_shape):
        axes = tuple(axis for axis in axes if axis not in identity)
        if not axes:
            continue
        result_shape = list(shape)
        for axis in axes:
            result_shape[axis] = out_shape[axis]
        if len(axes) == 2:
            choices = _planar_choices(shape, result_shape, kernel_dtype, tables[axes[0]],
                                      tables[axes[1]])
            schedule.append(("planar", axes, choices))
        elif axes[0] == len(shape) - 2:
            schedule.append(("horizontal", axes, None))
        else:
            schedule.append(("vertical", axes, None))
        shape = tuple(result_shape)
    return tuple(schedule)


def _check_tables(tables, in_shape, out_shape, real):
    """ValueError unless ``tables`` holds one table of ``real`` weights per spatial axis,
    each mapping that axis of ``in_shape`` onto that of ``out_shape``. (Plain loops: this
    runs whenever a call is planned afresh.)"""
    n_spatial = len(in_shape) - 2
    for axis in range(1, n_spatial + 1):
        table = tables.get(axis)
        if table is None or len(tables) != n_spatial:
            raise ValueError(f"tables must have one table per spatial axis "
                             f"{list(range(1, n_spatial + 1))}, not axes {sorted(tables)}")
        if table.n_in != in_shape[axis] or table.n_out != out_shape[axis]:
            raise ValueError(f"tables[{axis}] maps {table.n_in} samples onto {table.n_out}, "
                             f"not {in_shape[axis]} onto {out_shape[axis]}")
        if table.weights.dtype != real:
            raise ValueError(f"tables[{axis}] has {table.weights.dtype} weights; the passes "
                             f"compute in {real}")


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


def _as_rows(shape):
    """``shape`` as (rows, length, channels): a pass along the last spatial axis only."""
    return (math.prod(shape[:-2]), shape[-2], shape[-1])


def _copy_fill(x, target, num_threads):
    """Every axis left as it is: the values, converted to the target's dtype as the
    passes would have converted them on the way in."""
    np.copyto(target, x, casting="unsafe")


def _vertical_pass(in_shape, out_shape, dtype, axis, table):
    """One axis that is neither of the last two spatial ones: rows are long contiguous runs."""
    outer = math.prod(in_shape[:axis])
    inner = math.prod(in_shape[axis + 1 :])
    n_in, n_out, taps = in_shape[axis], out_shape[axis], table.taps
    size = math.prod(out_shape)
    offsets, weights = table.offsets(inner), table.weights
    stream = _streaming.ENABLED and size * dtype.itemsize >= WEIGHTED_STREAM_MIN_BYTES
    # The block of a call on one thread (the rule for small jobs), made once; the
    # arguments one by one (see _plan_nearest.nearest_fill), here and below.
    serial_block = block(outer * n_out, inner, 1, MIN_BLOCK_ELEMENTS)

    def run(source, result, num_threads):
        threads = effective_num_threads(num_threads, size * taps)
        kernels.vertical_pass(
            source, result, outer, n_in, inner, n_out, offsets, weights, taps,
            serial_block if threads == 1
            else block(outer * n_out, inner, threads, MIN_BLOCK_ELEMENTS),
            stream, threads,
        )

    return run


def _horizontal_pass(in_shape, out_shape, dtype, table):
    """The last spatial axis alone, over an array viewed as (rows, length, channels)."""
    outer, n_in, channels = in_shape
    n_out, taps = out_shape[1], table.taps
    size = math.prod(out_shape)
    offsets, weights, doubling = table.offsets(channels), table.weights, table.doubling
    serial_block = block(outer, n_out, 1, MIN_BLOCK_PIXELS)

    def run(source, result, num_threads):
        threads = effective_num_threads(num_threads, size * taps)
        kernels.horizontal_pass(
            source, result, outer, n_in, channels, n_out, offsets, weights, taps, doubling,
            serial_block if threads == 1 else block(outer, n_out, threads, MIN_BLOCK_PIXELS),
            threads,
        )

    return run


def _planar_choices(in_shape, out_shape, dtype, height, width):
    """How a planar pass runs: (width_first, row_tiles, halving); see _planar_pass."""
    *_, h_in, w_in, channels = in_shape
    h_out, w_out = out_shape[-3], out_shape[-2]
    width_first = _width_first_is_cheaper(height.rows_used, w_in, w_out, h_out, channels,
                                          height.taps, width.taps)
    # 2x2 means at x0.5, or at 1 / step on both axes (x0.25 and the like), whose
    # pairs of pixels are gathered side by side on the stack, 4 channels at most;
    # float32 in the order of the sums the planar pass would take: height first,
    # or width first through that gather.
    h_pairs, w_pairs = height.pair_mean, width.pair_mean
    gathered = w_pairs != (2, 0) or (dtype == np.float32 and width_first)
    halving = bool(h_pairs and w_pairs
                   and (dtype == np.uint8
                        or (dtype == np.float32 and kernels.halve_float_available(channels)))
                   and (not gathered or channels <= MAX_STRIDED_PAIR_CHANNELS))
    row_tiles = _use_row_tiles(dtype, width_first, width, height.rows_used == h_in,
                               height.taps, w_in, w_out, channels)
    return width_first, row_tiles, halving


def _planar_pass(in_shape, out_shape, dtype, height, width, width_first, row_tiles, halving):
    """The last two spatial axes together, without materialising the half-done array:
    width first (resample the rows, then combine them) or height first, with or
    without the row tiles, or as a 2x2 mean (``halving``); see _planar_choices."""
    *outer_dims, h_in, w_in, channels = in_shape
    outer = math.prod(outer_dims)
    h_out, w_out = out_shape[-3], out_shape[-2]
    h_taps, w_taps = height.taps, width.taps
    size = math.prod(out_shape)
    # Multiply-adds of the order taken; a shrinking pass does more of them than
    # its output suggests (height first, every output row combines taps rows
    # at input width).
    if width_first:
        planned = height.rows_used * w_out * w_taps + h_out * w_out * h_taps
    else:
        planned = h_out * w_in * h_taps + h_out * w_out * w_taps
    work = max(size * (h_taps + w_taps), outer * channels * planned)
    if halving:
        # A 2x2 mean: in integers for uint8 (exact), and for float32 with the
        # operations of the order chosen, without its tables and tiles.
        # Two additions per item of the source rows it reads (2 per output row).
        halving_work = max(work, 2 * outer * 2 * h_out * w_in * channels)
        (h_step, h_start), (w_step, w_start) = height.pair_mean, width.pair_mean
        across = bool(width_first and dtype == np.float32)

        def run_halving(source, result, num_threads):
            threads = effective_num_threads(num_threads, halving_work)
            kernels.halve_pass(source, result, outer, h_in, w_in, channels, h_out, w_out,
                               threads, h_step, h_start, w_step, w_start, across)

        return run_halving
    h_index, h_weights = height.offsets(1), height.weights
    w_offsets, w_weights, w_doubling = width.offsets(channels), width.weights, width.doubling
    stream = _streaming.ENABLED and size * dtype.itemsize >= WEIGHTED_STREAM_MIN_BYTES
    index_length = kernels.planar_index_length(h_taps, row_tiles)
    if dtype == np.uint8:
        # Scratch per thread, in bytes (float32 rows).
        row_bytes = 4 * kernels.planar_uint8_scratch_length(h_taps, w_in, w_out, channels,
                                                            width_first, row_tiles)

        def run_uint8(source, result, num_threads):
            threads = effective_num_threads(num_threads, work)
            rows, index = scratches(threads * row_bytes, threads * index_length)
            kernels.planar_pass_uint8(
                source, result, outer, h_in, w_in, channels, h_out, w_out, h_index, h_weights,
                h_taps, w_offsets, w_weights, w_taps, w_doubling, width_first, row_tiles, rows,
                index, stream, threads,
            )

        return run_uint8
    row_bytes = dtype.itemsize * kernels.planar_scratch_length(h_taps, w_in, w_out, channels,
                                                               width_first, row_tiles)

    def run(source, result, num_threads):
        threads = effective_num_threads(num_threads, work)
        rows, index = scratches(threads * row_bytes, threads * index_length)
        kernels.planar_pass(
            source, result, outer, h_in, w_in, channels, h_out, w_out, h_index, h_weights,
            h_taps, w_offsets, w_weights, w_taps, w_doubling, width_first, row_tiles, rows,
            index, stream, threads,
        )

    return run


def _volume_fits(in_shape, out_shape, tables, dtype):
    """Whether three spatial axes go in one sweep: when the depth does not shrink.

    The fused pass keeps a ring of d_taps resampled planes per thread, so it
    is used only while that ring stays small next to the shared cache.
    """
    if len(in_shape) != 5:
        return False
    _, d_in, h_in, w_in, channels = in_shape
    d_out, h_out, w_out = out_shape[1:4]
    depth, height, width = tables[1], tables[2], tables[3]
    plane = h_out * w_out * channels
    if d_out < d_in or depth.taps * plane * dtype.itemsize > VOLUME_RING_BYTES:
        return False
    return _width_first_is_cheaper(height.rows_used, w_in, w_out, h_out, channels,
                                   height.taps, width.taps)


def _volume_row_tiles(in_shape, out_shape, tables, dtype):
    """Whether the fused 3-D pass resamples its planes' rows through the row tiles."""
    h_in, w_in, channels = in_shape[2:]
    h_out, w_out = out_shape[2:4]
    height, width = tables[2], tables[3]
    return _use_row_tiles(dtype, True, width, height.rows_used == h_in, height.taps, w_in,
                          w_out, channels)


def _volume_pass(in_shape, out_shape, tables, dtype, row_tiles):
    """Three spatial axes in one sweep (see _volume_fits), each plane width first."""
    outer, d_in, h_in, w_in, channels = in_shape
    d_out, h_out, w_out = out_shape[1:4]
    depth, height, width = tables[1], tables[2], tables[3]
    d_taps, h_taps, w_taps = depth.taps, height.taps, width.taps
    plane = h_out * w_out * channels
    size = math.prod(out_shape)
    # Scratch per thread, in bytes: the ring of planes and the planar pass' rows.
    plane_bytes = d_taps * plane * dtype.itemsize
    scratch_bytes = (kernels.planar_scratch_length(h_taps, w_in, w_out, channels, True,
                                                   row_tiles) * dtype.itemsize)
    index_length = kernels.volume_index_length(d_taps, h_taps, row_tiles)
    fixed = (outer, d_in, h_in, w_in, channels, d_out, h_out, w_out, depth.offsets(1),
             depth.weights, d_taps, height.offsets(1), height.weights, h_taps,
             width.offsets(channels), width.weights, w_taps, width.doubling, row_tiles)
    stream = _streaming.ENABLED and size * dtype.itemsize >= WEIGHTED_STREAM_MIN_BYTES

    def run(source, target, num_threads):
        threads = effective_num_threads(num_threads, size * (d_taps + h_taps + w_taps))
        rows, index = scratches(threads * scratch_bytes, threads * index_length)
        kernels.volume_pass(source, target, *fixed, scratch("planes", threads * plane_bytes),
                            rows, index, stream, threads)

    return run


def _use_row_tiles(dtype, width_first, width, every_row_used, h_taps, w_in, w_out, channels):
    """Resample rows eight at a time (see the kernels' row tiles)?

    Pays for pixels of few channels at scales other than 2 (those have their
    own vector loop), whatever the width, as long as the rows the tiles keep
    going back to stay within ROW_TILE_SCRATCH_BYTES; float32 data, or uint8
    data converted to float32 row by row. Width first, the tiles are source
    rows, so every source row must be needed anyway; height first, they are
    combined rows, one per output row. Height first, RGBA rows shrunk to
    FOUR_CHANNEL_PLAIN_RATIO of their width or less are faster one vector per
    pixel (ups_pixels_four, for 2 or 4 taps).
    """
    if not (ROW_TILES and dtype in (np.float32, np.uint8) and not width.doubling
            and width.sorted and channels < 8):
        return False
    if width_first and not every_row_used:
        return False
    if (not width_first and channels == 4 and width.taps in (2, 4)
            and w_out <= FOUR_CHANNEL_PLAIN_RATIO * w_in):
        return False
    return _row_tile_footprint(dtype, width_first, width.taps, h_taps, w_in, w_out,
                               channels) <= ROW_TILE_SCRATCH_BYTES


def _row_tile_footprint(dtype, width_first, w_taps, h_taps, w_in, w_out, channels):
    """Bytes of scratch the row tiles keep going back to, per thread.

    Width first: the ring of h_taps + 7 resampled rows (uint8 rows are read
    and converted by the tiles themselves); height first: eight combined rows,
    and for uint8 eight output rows. The tile itself only holds the stretch of
    source read by one block of output pixels, plus the block.
    """
    rows = (h_taps + ROW_TILE - 1) * w_out if width_first else ROW_TILE * w_in
    if dtype == np.uint8 and not width_first:
        rows += ROW_TILE * w_out
    stretch = min(w_in, -(-ROW_TILE_PIXELS * w_in // w_out) + w_taps + 1)
    tiles = ROW_TILE * (stretch + ROW_TILE_PIXELS)
    return 4 * channels * (rows + tiles)


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
