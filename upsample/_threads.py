"""What a pass takes from the threads that run it.

Each Python thread's scratch buffers, kept between its calls, and the split
of a pass' rows into blocks for the kernels' OpenMP threads. The planners
(``_plan_nearest``, ``_plan_weighted``) call these inside their run
functions, at every call, because only the thread count is decided then.
"""

import threading
import weakref

import numpy as np

from upsample_c import _memory

from ._fork import fork_safe_lock

# Narrowest slice of a row handed to one thread when rows are too few to share:
# elements for the vertical pass, pixels for gathers and horizontal passes
# (set with the first kernels, 52d0861; not measured since).
MIN_BLOCK_ELEMENTS = 2048
MIN_BLOCK_PIXELS = 256

# Per Python thread, the kernels' small scratch buffers are kept between calls:
# a fresh buffer of more than 128 KB is a fresh mapping from the C library, and
# its page faults cost more than a small resampling. A Python thread runs one
# call at a time, so its buffers are never in use twice. Buffers of
# SCRATCH_KEPT_BYTES and more are taken from the output cache at every call and
# go back to it (so they count against its bound, and a thread keeps at most a
# few MB); jobs that need them are large enough not to notice.
SCRATCH_KEPT_BYTES = 1 << 20


class _ThreadScratch:
    """One thread's kept scratch buffers, by name; ``pair``: the kept "rows" and "index"
    buffers that scratches last returned (None until then, and after clear_scratch)."""

    __slots__ = ("buffers", "pair", "__weakref__")

    def __init__(self):
        self.buffers = {}
        self.pair = None


_local = threading.local()
# Every thread's _ThreadScratch, so that clear_scratch reaches them all; a
# thread's entry goes when the thread ends.
_EVERY_SCRATCH = weakref.WeakSet()
_EVERY_SCRATCH_LOCK = fork_safe_lock()
_BYTES = np.dtype(np.uint8)
_INDEX = np.dtype(np.int64)


def _thread_buffer(name, count, dtype):
    """This thread's scratch buffer ``name``: at least ``count`` items of ``dtype``."""
    kept = getattr(_local, "scratch", None)
    if kept is None:
        kept = _local.scratch = _ThreadScratch()
        with _EVERY_SCRATCH_LOCK:
            _EVERY_SCRATCH.add(kept)
    buffer = kept.buffers.get(name)
    if buffer is not None and buffer.size >= count:
        return buffer
    if count * dtype.itemsize >= SCRATCH_KEPT_BYTES:
        return _memory.empty((count,), dtype)
    buffer = np.empty(max(count, 1), dtype=dtype)
    kept.buffers[name] = buffer
    return buffer


def scratch(name, nbytes):
    """This thread's scratch buffer ``name``, at least ``nbytes`` long.

    The buffer is bytes, handed to the kernels as it is (they check its
    length): slicing it and viewing it as the kernel's dtype would cost a
    small call about 1 µs.
    """
    return _thread_buffer(name, nbytes, _BYTES)


def index_scratch(count):
    """Integer scratch for the kernels' row bookkeeping (they preset it themselves)."""
    return _thread_buffer("index", count, _INDEX)


def scratches(nbytes, index_count):
    """``(scratch("rows", nbytes), index_scratch(index_count))``, the pair a planar pass
    takes: the pair last returned when both are kept and long enough, without a look-up
    by name (the two calls were part of a small call's fixed cost)."""
    try:
        pair = _local.scratch.pair
    except AttributeError:  # this thread's first scratch
        pair = None
    # Both 1-D: len is their size.
    if pair is not None and len(pair[0]) >= nbytes and len(pair[1]) >= index_count:
        return pair
    pair = scratch("rows", nbytes), index_scratch(index_count)
    kept = _local.scratch
    # Only kept buffers are remembered as the pair: larger ones go back to the
    # output cache when the call is done with them.
    if pair[0] is kept.buffers.get("rows") and pair[1] is kept.buffers.get("index"):
        kept.pair = pair
    return pair


def clear_scratch():
    """Forget every thread's kept scratch buffers. A thread in the middle of a call
    keeps the buffers it is using until the call returns."""
    with _EVERY_SCRATCH_LOCK:
        every = list(_EVERY_SCRATCH)
    for kept in every:
        kept.buffers = {}
        kept.pair = None


def block(n_rows, row_length, threads, min_block):
    """Split rows into blocks only when there are too few rows to keep every thread busy."""
    if threads <= 1 or n_rows >= 4 * threads:
        return max(row_length, 1)
    blocks_per_row = -(-4 * threads // n_rows)
    block_length = max(min_block, -(-row_length // blocks_per_row))
    # Even, so that a block never splits the output pairs of a scale-2 row.
    return block_length + block_length % 2
