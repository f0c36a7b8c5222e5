"""Kernel-ready sampling tables, one per spatial axis.

An :class:`AxisTable` is what every weighted pass reads for one axis: for
each output position, ``taps`` source indices and their weights. The tables
of the options of a call (mode, scale, align_corners, antialias) are built
from ``_tables.weighted_table`` by :func:`axis_table` and remembered between
calls; any other (index, weights) pair becomes one through
:meth:`AxisTable.from_arrays` and runs through the same passes
(``_plan_weighted.weighted_passes``).
"""

import numpy as np

from . import _tables
from ._cache import BoundedCache

# Sampling tables are remembered between calls, up to this many bytes in all:
# pipelines resample the same shapes over and over (73ad666).
TABLE_CACHE_BYTES = 32 << 20

TABLES = BoundedCache(TABLE_CACHE_BYTES)


class AxisTable:
    """One axis' sampling table, ready for the kernels.

    ``index`` (int64, n_out x taps source indices into an axis of ``n_in``)
    and ``weights`` (flat, n_out * taps values in the compute's real dtype,
    float32 or float64) are made read-only and may be shared between calls
    and threads. ``doubling`` marks the scale-2 half-pixel pattern that the
    kernels special-case (see :func:`is_doubling`); ``offsets(m)`` is the flat
    index times ``m`` (element offsets for rows of ``m`` elements),
    remembered for a few values of ``m``.

    The passes need every index within ``0 .. n_in - 1`` and the taps of each
    output within ``taps`` consecutive source positions (the planar and 3-D
    passes keep a ring of that many resampled rows or planes, one slot per
    source position modulo its size). Every table built here is also sorted
    (see :attr:`sorted`); :meth:`from_arrays` checks the first two.
    """

    def __init__(self, index, weights, doubling, n_in):
        index.flags.writeable = False
        weights.flags.writeable = False
        self.index = index
        self.n_out, self.taps = index.shape
        self.weights = weights
        self.doubling = doubling
        self.n_in = n_in
        # Output j is source sample j with weight 1: the axis needs no pass at all.
        self.identity = bool(
            self.taps == 1 and index.shape[0] == n_in and np.all(weights == 1)
            and np.array_equal(index[:, 0], np.arange(n_in)))
        self._rows_used = None
        self._offsets = {}
        self._sorted = None
        self._selected = None
        self._pair_mean = False  # not yet worked out (None: not a pair mean)

    @classmethod
    def from_arrays(cls, index, weights, n_in, real_dtype, doubling=False):
        """A table from any ``index`` (n_out x taps integers) and ``weights`` (as many values).

        Both are copied (the caller's arrays stay writeable and untouched);
        the weights are converted to ``real_dtype`` (float32 or float64, the
        real dtype the passes compute in). Raises ValueError when an index
        leaves ``0 .. n_in - 1`` or an output's taps span more than ``taps``
        consecutive positions, which the passes could not apply.

        ``doubling``: the kernels may take output 2i + phase to read source
        pixel i and its fixed neighbours wherever they need no clamping (see
        :func:`is_doubling`); only for rows that follow the scale-2 pattern
        from output 0 and source 0 on (a block of a scale-2 output cut at an
        even output, ``_blocks``).
        """
        real = np.dtype(real_dtype)
        if real not in (np.float32, np.float64):
            raise ValueError(f"real_dtype must be float32 or float64, not {real}")
        n_in = int(n_in)
        if n_in < 1:
            raise ValueError(f"n_in must be at least 1, not {n_in}")
        index = np.array(index, copy=True)
        if index.dtype.kind not in "iu" or index.ndim != 2 or index.shape[1] < 1:
            raise ValueError(f"index must be a 2-D integer array (n_out, taps), not "
                             f"{index.dtype} of shape {index.shape}")
        if index.size and (index.min() < 0 or index.max() >= n_in):
            raise ValueError(f"index must lie in 0 .. {n_in - 1} (n_in = {n_in}), found "
                             f"{index.min()} .. {index.max()}")
        index = index.astype(np.int64, copy=False)
        taps = index.shape[1]
        if index.size and np.any(index.max(axis=1) - index.min(axis=1) >= taps):
            raise ValueError(f"the taps of each output must lie within {taps} consecutive "
                             f"source positions (index has {taps} taps per output)")
        weights = np.array(weights, dtype=real, copy=True).reshape(-1)
        if weights.size != index.size:
            raise ValueError(f"weights must hold {index.size} values (one per index), "
                             f"not {weights.size}")
        return cls(index, weights, bool(doubling), n_in)

    @property
    def pair_mean(self):
        """(step, start) when output j is exactly the mean of source positions
        step * j + start and the next one for every j, with an even step (linear at
        1 / step without antialias: x0.5 gives (2, 0), x0.25 gives (4, 1)); else None."""
        if self._pair_mean is False:
            self._pair_mean = self._find_pair_mean()
        return self._pair_mean

    def _find_pair_mean(self):
        index = self.index
        n_out = index.shape[0]
        if self.taps != 2 or n_out == 0 or not np.all(self.weights == 0.5):
            return None
        start = int(index[0, 0])
        step = int(index[1, 0] - start) if n_out > 1 else 2
        if step < 2 or step % 2:
            return None
        first = step * np.arange(n_out, dtype=index.dtype) + start
        if np.array_equal(index[:, 0], first) and np.array_equal(index[:, 1], first + 1):
            return step, start
        return None

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
                    self._selected = AxisTable(index, ones, False, n_in)
        return self._selected


_FLOAT32 = np.dtype(np.float32)
_FLOAT64 = np.dtype(np.float64)
_COMPLEX128 = np.dtype(np.complex128)


def real_dtype(work_dtype):
    """The weights' dtype for sums computed in ``work_dtype``: float64 for float64 and
    complex128, float32 otherwise."""
    # Compared with dtypes, not scalar types: each of those comparisons would
    # build a dtype first (about 1 µs in all for a call planned afresh).
    return _FLOAT64 if work_dtype == _FLOAT64 or work_dtype == _COMPLEX128 else _FLOAT32


def axis_tables(in_shape, in_dtype, out_shape, options, real):
    """The table of every spatial axis, by axis; selections reduced to one tap where the
    input holds no NaN or infinity (integers and bool, see AxisTable.selected).

    ``options`` is (scales, mode, align_corners, antialias); ``real`` the
    weights' dtype (float32 or float64).
    """
    scales, mode, align_corners, antialias = options
    finite = in_dtype.kind in "biu"
    tables = {}
    for axis, scale in enumerate(scales, start=1):
        table = axis_table(in_shape[axis], out_shape[axis], scale, mode, align_corners,
                           antialias, real)
        tables[axis] = table.selected(in_shape[axis]) if finite else table
    return tables


def axis_table(n_in, n_out, scale, mode, align_corners, antialias, real):
    """The table of one axis, remembered (TABLE_CACHE_BYTES in all): pipelines
    resample the same shapes over and over, and for small images building the
    tables costs more than applying them."""
    key = (n_in, n_out, scale, mode, align_corners, antialias, real.char)
    table = TABLES.get(key)
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
        table = AxisTable(index, weights.astype(real).reshape(-1),
                          is_doubling(n_in, scale, mode, align_corners, antialias),
                          n_in)
        TABLES.put(key, table, table.nbytes)
    return table


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
