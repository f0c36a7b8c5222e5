"""Planning the gathers: nearest, and linear where every output sits on a sample.

Nearest copies whole channel vectors straight from the input's strides
(``kernels.gather_nearest``) through a table of byte offsets per spatial
axis, remembered per shape. Two shapes of table are special-cased: one pixel
of one or four bytes taken from every other column goes through vector packs
(``col_stride``), and very long rows at an integral scale repeat their pixels
without any column table (``kernels.repeat_nearest``).
"""

import hashlib
import math

import numpy as np

from upsample_c import effective_num_threads, kernels

from . import _streaming, _tables
from ._cache import BoundedCache
from ._threads import MIN_BLOCK_PIXELS, block

# Outputs at least this large are written with streaming stores: they cannot
# stay in the caches anyway, and streaming spares the read-for-ownership (31f7ce1),
# unless switched off (_streaming).
STREAM_MIN_BYTES = 16 << 20
# Nearest's offset tables are remembered up to this many bytes in all (c047f1f).
OFFSETS_CACHE_BYTES = 16 << 20
# Rows at least this long, at an integral scale on the last axis, repeat their
# pixels without a column table, which took longer to build than the copy (b9904f2).
LONG_REPEAT_COLUMNS = 1 << 20

OFFSETS = BoundedCache(OFFSETS_CACHE_BYTES)


def nearest_fill(in_shape, strides, dtype, scales, out_shape, selection=None):
    """Nearest is a gather of whole channel vectors, read straight from x's strides.

    So is linear where every output sits on a source sample: ``selection``
    (a key and one source index array per spatial axis, see
    ``_plan._selection``) then gives the source indices.
    """
    factors = (0,) * len(scales) if selection is not None else nearest_factors(scales)
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
    # One byte or one float from every other column goes through vector packs
    # instead of the table: 2.3x-4.7x faster in cache (7326676).
    every_other = (strides[-1] == itemsize and pixel_bytes in (1, 4)
                   and _steps_by(offsets[offsets.size - out_shape[-2]:], 2 * pixel_bytes))
    col_stride = 2 * pixel_bytes if every_other else 0
    # 12-byte pixels (float32 RGB) gathered one by one lose by streaming:
    # 1.12x-1.20x slower on a 1080p x1.5 frame (ac607f4).
    stream = (_streaming.ENABLED and size * itemsize >= STREAM_MIN_BYTES
              and (col_double or pixel_bytes != 12))
    n_items, item_stride = in_shape[-1], strides[-1]
    # The block of a call on one thread (the rule for small jobs), made once. The
    # arguments are passed one by one: f(x, out, *fixed) builds a list and a tuple
    # and calls without vectorcall (BENCHMARKS.md, "Fixed cost per call").
    serial_block = block(n_rows, out_shape[-2], 1, MIN_BLOCK_PIXELS)

    def run(x, out, num_threads):
        threads = effective_num_threads(num_threads, work)
        kernels.gather_nearest(
            x, out, offsets, counts, n_items, itemsize, item_stride, col_double,
            serial_block if threads == 1
            else block(n_rows, out_shape[-2], threads, MIN_BLOCK_PIXELS),
            stream, threads, col_stride,
        )

    return run


def gather_fill(in_shape, strides, dtype, out_shape, indices):
    """The fill that gathers whole channel vectors from a canonical array of ``in_shape``,
    ``strides`` and ``dtype``: along spatial axis k, output j reads source index
    ``indices[k][j]``. For blocks of a larger output (``_blocks``): a gather only
    copies, so it gives the bytes of any other plan of the same indices. The offset
    tables are remembered under a digest of the indices."""
    indices = [np.ascontiguousarray(index, dtype=np.int64) for index in indices]
    digest = hashlib.blake2b(digest_size=16)
    for index in indices:
        digest.update(index.tobytes())
        digest.update(b"|")
    selection = (("indices", digest.digest()), indices)
    return nearest_fill(tuple(in_shape), tuple(strides), np.dtype(dtype),
                        (1.0,) * len(indices), tuple(out_shape), selection)


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
                               block(n_rows, out_shape[-2], threads, MIN_BLOCK_PIXELS), threads)

    return run


def nearest_factors(scales):
    """Per axis, the repetition factor when every scale is integral (MLX's rule), else 0."""
    if all(float(s).is_integer() for s in scales):
        return tuple(int(s) for s in scales)
    return (0,) * len(scales)


def nearest_axis(n_in, n_out, factor, out):
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
    found = OFFSETS.get(key)
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
            nearest_axis(in_shape[axis], count, factors[axis - 1], view)
        view *= strides[axis]
        start += count
    offsets.flags.writeable = False
    counts.flags.writeable = False
    OFFSETS.put(key, (offsets, counts), offsets.nbytes + counts.nbytes)
    return offsets, counts


def _steps_by(columns, step):
    """Whether a column offset table runs ``step`` bytes apart, entry after entry (two
    entries at least)."""
    return columns.size >= 2 and bool((np.diff(columns) == step).all())
