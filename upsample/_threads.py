"""What a pass takes from the threads that run it.

Each Python thread's scratch buffers, kept between its calls, and the split
of a pass' rows into blocks for the kernels' OpenMP threads. The planners
(``_plan_nearest``, ``_plan_weighted``) call these inside their run
functions, at every call, because only the thread count is decided then.
"""

import threading

import numpy as np

# Narrowest slice of a row handed to one thread when rows are too few to share:
# elements for the vertical pass, pixels for gathers and horizontal passes
# (set with the first kernels, 52d0861; not measured since).
MIN_BLOCK_ELEMENTS = 2048
MIN_BLOCK_PIXELS = 256

# Per Python thread, the kernels' scratch buffers are kept between calls: a
# fresh buffer of more than 128 KB is a fresh mapping from the C library, and
# its page faults cost more than a small resampling. A Python thread runs one
# call at a time, so its buffers are never in use twice.
_local = threading.local()


def scratch(name, nbytes):
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


def index_scratch(count):
    """Integer scratch for the kernels' row bookkeeping (they preset it themselves)."""
    buffer = getattr(_local, "index", None)
    if buffer is None or buffer.size < count:
        buffer = np.empty(max(count, 1), dtype=np.int64)
        _local.index = buffer
    return buffer


def block(n_rows, row_length, threads, min_block):
    """Split rows into blocks only when there are too few rows to keep every thread busy."""
    if threads <= 1 or n_rows >= 4 * threads:
        return max(row_length, 1)
    blocks_per_row = -(-4 * threads // n_rows)
    block_length = max(min_block, -(-row_length // blocks_per_row))
    # Even, so that a block never splits the output pairs of a scale-2 row.
    return block_length + block_length % 2
