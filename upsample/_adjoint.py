"""The adjoint's tables: for each input position, the outputs that read it, with their weights.

Along one axis the forward is a matrix ``A`` (``n_out x n_in``): output ``j``
is ``sum_i A[j, i] x[i]``, where ``A[j, i]`` adds up the weights of ``j``'s
taps that land on ``i`` (clamped border taps land on the same ``i``). The
gradient is ``A^T g``, and a row of ``A^T`` is a table row like any other:
the source positions it reads (here: outputs ``j``) and their weights. So the
backward is a table builder and the forward's separable passes apply it, as a
gather in a fixed order: no scatter, no atomics, the same bits whatever the
thread count.

Every table here is the transpose of exactly the table the forward applies
(``_axis_table.axis_table``, and nearest's source index with weight 1), built
in float64 and rounded once to the dtype of the passes.

Non-finite gradients. A table row holds only the outputs that read the input
with a nonzero weight (zero entries are dropped, merged duplicates included),
padded to the axis' tap count with copies of one of those entries under
weight 0. A NaN or infinity in ``grad_output[j]`` therefore reaches exactly
the inputs that ``j`` reads with a nonzero weight: they become NaN or
infinite (an infinity meets the zero weight of a padding copy, so it may
come out as NaN), and no other input is touched. An input that no output
reads has a row of zero weights only, which the caller overwrites with exact
zeros (see ``unread``), so it is 0 whatever ``grad_output`` holds.
"""

import numpy as np

from . import _axis_table, _plan_nearest

_F32 = np.dtype(np.float32)


def transpose_table(index, weights, n_in):
    """The transposed table of a forward table over ``n_in`` sources.

    ``index`` and ``weights`` are the forward's ``(n_out, taps)`` source
    indices and weights. Returns ``(index_t, weights_t, unread)``: the
    ``(n_in, taps_t)`` output positions (ascending along each row) and float64
    weights of ``A^T``, and the input positions that no output reads. Rows
    shorter than ``taps_t`` are padded with their own last entry under weight 0;
    a row with no entry repeats the last entry of the row before it (or the
    first entry of the table), so that the rows stay in order for the kernels.
    Every row's entries lie within ``taps_t`` consecutive output positions.
    """
    n_out, taps = index.shape
    if index.size == 0:
        # No output at all: nothing reads any input.
        return (np.zeros((n_in, 1), dtype=np.int64), np.zeros((n_in, 1)),
                np.arange(n_in, dtype=np.int64))
    outputs = np.repeat(np.arange(n_out, dtype=np.int64), taps)
    # One key per (input, output) pair; a stable sort keeps the taps of an
    # output that clamp onto the same input in tap order while they are added.
    keys = index.reshape(-1).astype(np.int64) * n_out + outputs
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    values = weights.reshape(-1).astype(np.float64)[order]
    firsts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    merged = np.add.reduceat(values, firsts)
    keys = keys[firsts]
    nonzero = merged != 0
    keys, merged = keys[nonzero], merged[nonzero]
    sources, readers = np.divmod(keys, n_out)
    counts = np.bincount(sources, minlength=n_in)
    row_starts = np.cumsum(counts) - counts
    # The kernels keep the rows of a table row's taps in a ring of `taps` slots
    # (slot = row mod taps): every row must read within `taps` consecutive
    # positions. A row whose readers skip a position (an output exactly on an
    # input sample reads its cubic neighbours with weight 0, which is dropped)
    # spans more positions than it has entries, so the tap count covers spans.
    read = counts > 0
    spans = (readers[row_starts[read] + counts[read] - 1] - readers[row_starts[read]] + 1
             if readers.size else counts)
    taps_t = max(int(counts.max(initial=0)), int(spans.max(initial=0)), 1)
    # Each row's last entry; for an empty row, the last entry of the rows
    # before it, or the very first entry when there is none.
    if readers.size:
        padding = readers[np.maximum(row_starts + counts - 1, 0)]
    else:
        padding = np.zeros(n_in, dtype=np.int64)
    index_t = np.repeat(padding[:, None], taps_t, axis=1)
    weights_t = np.zeros((n_in, taps_t), dtype=np.float64)
    positions = np.arange(sources.size, dtype=np.int64) - row_starts[sources]
    index_t[sources, positions] = readers
    weights_t[sources, positions] = merged
    return index_t, weights_t, np.flatnonzero(counts == 0)


def forward_table(n_in, n_out, scale, mode, align_corners, antialias, factor):
    """The forward's table of one axis: ``(index, weights)``, ``(n_out, taps)``.

    Linear and cubic: the table the forward's passes apply (float32 weights,
    which float64 runs use as they are). Nearest: the source index the
    forward gathers (``factor`` > 0: the repetition of an integral scale),
    weight 1.
    """
    if mode == "nearest":
        index = np.empty(n_out, dtype=np.int64)
        _plan_nearest.nearest_axis(n_in, n_out, factor, index)
        return index[:, None], np.ones((n_out, 1), dtype=_F32)
    table = _axis_table.axis_table(n_in, n_out, scale, mode, align_corners, antialias, _F32)
    return table.index, table.weights.reshape(table.index.shape)


class AdjointAxis:
    """One axis of the backward: the transposed :class:`_axis_table.AxisTable` (from the
    forward's output positions to its input positions) and the input positions no
    output reads (``unread``, read-only), which must come out as exact zeros."""

    __slots__ = ("table", "unread")

    def __init__(self, table, unread):
        unread.flags.writeable = False
        self.table = table
        self.unread = unread


def adjoint_axis(n_in, n_out, scale, mode, align_corners, antialias, factor, real):
    """The :class:`AdjointAxis` of one axis, weights in ``real``; remembered with the
    forward's tables (TABLE_CACHE_BYTES in all, the same cache)."""
    key = ("adjoint", n_in, n_out, scale, mode, align_corners, antialias, factor, real.char)
    found = _axis_table.TABLES.get(key)
    if found is None:
        index, weights = forward_table(n_in, n_out, scale, mode, align_corners, antialias,
                                       factor)
        index_t, weights_t, unread = transpose_table(index, weights, n_in)
        table = _axis_table.AxisTable.from_arrays(index_t, weights_t, n_out, real)
        found = AdjointAxis(table, unread)
        _axis_table.TABLES.put(key, found, table.nbytes + unread.nbytes)
    return found


def adjoint_axes(grad_shape, in_shape, scales, mode, align_corners, antialias, real):
    """The :class:`AdjointAxis` of every spatial axis of the canonical shapes, by axis.

    ``grad_shape`` is the forward's canonical output shape (the backward's
    source) and ``in_shape`` its canonical input shape (the gradient's).
    """
    factors = (_plan_nearest.nearest_factors(scales) if mode == "nearest"
               else (0,) * len(scales))
    return {
        axis: adjoint_axis(in_shape[axis], grad_shape[axis], scale, mode, align_corners,
                           antialias, factor, real)
        for axis, (scale, factor) in enumerate(zip(scales, factors), start=1)
    }
