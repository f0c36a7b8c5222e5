"""Exact, chunked resampling of Dask arrays (extra ``[dask]``: dask, distributed, zarr).

>>> import dask.array as da
>>> import upsample.dask
>>> x = da.ones((4, 512, 512, 3), dtype="float32", chunks=(1, 256, 256, 3))
>>> y = upsample.dask.upsample(x, 2, mode="linear")   # lazy, (4, 1024, 1024, 3)

One task per output chunk reads the input slab its rows of the sampling
tables name (the halo follows from the tables, whatever the mode, scale or
options) and computes that chunk with the tables and the order of passes of
the whole call, so the result holds the very bits of
``upsample.upsample(x.compute(), ...)`` whatever the input and output chunks.
Tasks hold plain data and module-level functions, so they run on a
``dask.distributed`` cluster as well as on the local schedulers.
"""

import itertools
import math
import operator

import numpy as np

from . import _blocks

try:
    import dask.array as da
    from dask.base import tokenize
    from dask.highlevelgraph import HighLevelGraph
except ImportError as error:  # pragma: no cover - exercised without the extra
    raise ImportError(
        'upsample.dask needs Dask: pip install "upsample[dask]" (dask, distributed, zarr; '
        "Python 3.11 and later)"
    ) from error

__all__ = ["upsample"]

# A block is refused on a worker when computing it would hold more than this
# fraction of the worker's memory limit: Dask pauses a worker at 80%.
WORKER_MEMORY_FRACTION = 0.8


def upsample(x, scale_factor=None, mode="nearest", align_corners=False, antialias=False, *,
             size=None, axes=None, dtype=None, chunks=None):
    """Resample the spatial axes of the Dask array ``x`` lazily, chunk by chunk.

    The options are :func:`upsample.upsample`'s (``out`` and ``num_threads``
    aside) and so are the result's shape, dtype and values, bit for bit,
    whatever the chunks of ``x`` and of the result.

    Parameters
    ----------
    x : dask.array.Array
        Laid out ``(batch, *spatial, channels)`` unless ``axes`` says otherwise.
    chunks : optional
        The result's chunks, in any form ``dask.array`` accepts for an array
        of the output's shape. Default: the input's chunks, scaled along the
        spatial axes. Along the non-spatial axes after the first spatial one
        (channels), linear and cubic compute whole and then split as asked.

    Returns
    -------
    dask.array.Array
        One task per output chunk (plus a small task per halo, which cuts an
        input block where it lives, and a rechunk when channels are split);
        each reads only the input slab its output positions need. A task runs
        the kernels on one thread, or ``UPSAMPLE_NUM_THREADS`` threads when the
        worker's environment sets it.
    """
    if not isinstance(x, da.Array):
        raise TypeError(f"x must be a dask.array.Array, got {type(x).__name__}; "
                        "use upsample.upsample for in-memory arrays")
    if any(math.isnan(n) for n in x.shape):
        raise ValueError(f"x must have known chunk sizes, got shape {x.shape} "
                         "(call x.compute_chunk_sizes() first)")
    plan = _blocks.BlockPlan(x.shape, x.dtype, scale_factor, mode, align_corners, antialias,
                             size=size, axes=axes, out_dtype=dtype)
    out_chunks = _output_chunks(plan, x.chunks, chunks)
    # Linear and cubic see the channels (the trailing non-spatial axes) whole: the
    # kernels' loops depend on how many there are.
    compute_chunks = tuple(
        (n,) if axis in plan.trailing and not plan.gather and n > 0 else out_chunks[axis]
        for axis, n in enumerate(plan.out_shape))
    name = "upsample-" + tokenize(x, scale_factor, mode, align_corners, antialias, size, axes,
                                  str(plan.out_dtype), compute_chunks)
    graph = {}
    offsets = [np.cumsum((0,) + c) for c in x.chunks]
    out_offsets = [np.cumsum((0,) + c).tolist() for c in compute_chunks]
    for index in itertools.product(*(range(len(c)) for c in compute_chunks)):
        ranges = [(bounds[i], bounds[i + 1]) for bounds, i in zip(out_offsets, index)]
        block = plan.block(ranges)
        pieces = _pieces(x.name, offsets, block.slab_ranges, "halo-" + name, graph)
        graph[(name,) + index] = (_compute, block, pieces)
    layer = HighLevelGraph.from_collections(name, graph, dependencies=[x])
    meta = np.empty((0,) * x.ndim, dtype=plan.out_dtype)
    result = da.Array(layer, name, compute_chunks, meta=meta)
    if compute_chunks != out_chunks:
        result = result.rechunk(out_chunks)
    return result


def _output_chunks(plan, in_chunks, chunks):
    """The result's chunks: ``chunks`` checked against the output shape, or by default the
    input's chunks with the spatial axes' boundaries scaled."""
    out_shape = plan.out_shape
    if chunks is not None:
        try:
            normalized = da.core.normalize_chunks(chunks, shape=out_shape, dtype=plan.out_dtype)
        except (ValueError, TypeError) as error:
            raise ValueError(f"chunks {chunks!r} do not fit the output shape {out_shape}: "
                             f"{error}") from None
        if tuple(sum(c) for c in normalized) != out_shape:
            raise ValueError(f"chunks {chunks!r} do not add up to the output shape {out_shape}")
        return tuple(tuple(int(n) for n in c) for c in normalized)
    result = []
    for axis, c in enumerate(in_chunks):
        if axis not in plan.axes:
            result.append(tuple(c))
            continue
        n_in, n_out = plan.shape[axis], out_shape[axis]
        if n_in == 0 or n_out == 0:
            result.append((n_out,))
            continue
        bounds = [b * n_out // n_in for b in np.cumsum((0,) + tuple(c)).tolist()]
        sizes = tuple(high - low for low, high in zip(bounds, bounds[1:]) if high > low)
        result.append(sizes)
    return tuple(result)


def _pieces(name, offsets, slab_ranges, cut_name, graph):
    """The input blocks a slab overlaps, as nested lists of keys (one level per axis, as
    ``np.block`` takes them). A block only partly inside the slab (a halo) is cut by a
    task of its own, added to ``graph``: the scheduler runs it where the block is, so
    only the rows the slab needs travel to another worker."""
    per_axis = []
    for bounds, (first, last) in zip(offsets, slab_ranges):
        if last <= first:
            # An empty slab: any one block, cut to nothing.
            block = min(max(int(np.searchsorted(bounds, first, side="right")) - 1, 0),
                        len(bounds) - 2)
            per_axis.append([(block, slice(0, 0), False)])
            continue
        low = int(np.searchsorted(bounds, first, side="right")) - 1
        high = int(np.searchsorted(bounds, last, side="left"))
        axis_pieces = []
        for block in range(low, high):
            start = max(first, int(bounds[block])) - int(bounds[block])
            stop = min(last, int(bounds[block + 1])) - int(bounds[block])
            whole = start == 0 and stop == int(bounds[block + 1] - bounds[block])
            axis_pieces.append((block, slice(start, stop), whole))
        per_axis.append(axis_pieces)

    def nest(axis, chosen):
        if axis < len(per_axis):
            return [nest(axis + 1, chosen + (piece,)) for piece in per_axis[axis]]
        key = (name,) + tuple(block for block, _, _ in chosen)
        if all(whole for _, _, whole in chosen):
            return key
        cuts = tuple(cut for _, cut, _ in chosen)
        cut_key = (cut_name,) + tuple(block for block, _, _ in chosen) + tuple(
            (cut.start, cut.stop) for cut in cuts)
        graph[cut_key] = (operator.getitem, key, cuts)
        return cut_key

    return nest(0, ())


def _compute(block, pieces):
    """Task: the slab from the input pieces it overlaps (each already cut), resampled."""
    _check_worker_memory(block)
    return block.compute(np.block(pieces) if _nested_count(pieces) > 1 else _first(pieces))


def _nested_count(pieces):
    """How many arrays the nested lists hold."""
    return sum(_nested_count(p) for p in pieces) if isinstance(pieces, list) else 1


def _first(pieces):
    """The first array of the nested lists."""
    while isinstance(pieces, list):
        pieces = pieces[0]
    return pieces


def _check_worker_memory(block):
    """On a dask.distributed worker with a memory limit, refuse a block that would not fit."""
    try:
        from distributed import get_worker
        worker = get_worker()
    except (ImportError, ValueError):
        return
    limit = getattr(getattr(worker, "memory_manager", None), "memory_limit", None)
    if limit and block.nbytes_needed > WORKER_MEMORY_FRACTION * limit:
        raise ValueError(
            f"chunks: an output chunk of shape {block.shape} needs about "
            f"{block.nbytes_needed / 2**20:.0f} MiB to compute (input slab "
            f"{block.slab_shape}), more than {WORKER_MEMORY_FRACTION:.0%} of this worker's "
            f"memory limit of {limit / 2**20:.0f} MiB; pass smaller chunks=")

