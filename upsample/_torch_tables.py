"""PyTorch's sampling conventions, as tables for the weighted passes.

``torch.nn.functional.interpolate`` and MLX sample differently (how a given
scale enters the source coordinate, nearest's rounding, the clamping of linear
coordinates, ``area`` as adaptive average pooling, the antialiased filters'
supports). Each convention here is a table builder: for one axis, the source
indices of every output and their weights, which ``_axis_table.AxisTable``
makes kernel-ready and ``_plan_weighted.weighted_passes`` applies (nearest's
indices go to the gather instead). No new kernel is involved.

The rules follow ATen's ``UpSample.h`` and ``cpu/UpSampleKernel.cpp`` (2.13),
including the precision each step is computed in: for float32 tensors the
coordinates are float32 (PyTorch's ``opmath`` type), for float64 tensors
float64, with the few double-precision steps that ATen's C++ promotions take
(a literal ``0.5`` is a double). PyTorch's two nearest kernels compute the
index differently (see :func:`nearest_index`); the builder takes which one
runs, so that our nearest is bit-identical to PyTorch's for every input.

``scale`` below is the user's scale factor as PyTorch passes it to its
kernels (``None`` when the output size was given or the scale recomputed):
then ``1 / scale`` is the step between output and input coordinates, else
``n_in / n_out``.
"""

import math

import numpy as np

from ._axis_table import TABLES, AxisTable

_F32 = np.float32
_F64 = np.float64


def step(n_in, n_out, scale, align_corners, real):
    """ATen's ``area_pixel_compute_scale`` in ``real``: the input distance between two
    outputs."""
    if align_corners:
        return real(n_in - 1) / real(n_out - 1) if n_out > 1 else real(0)
    return inverse_scale(n_in, n_out, scale, real)


def inverse_scale(n_in, n_out, scale, real):
    """ATen's ``compute_scales_value``: ``1 / scale`` (computed in double, then rounded
    to ``real``) for a positive given scale, else ``n_in / n_out`` in ``real``."""
    if scale is not None and scale > 0:
        return real(1.0 / scale)
    return real(n_in) / real(n_out)


def source_coordinate(n_in, n_out, scale, align_corners, cubic, real):
    """ATen's ``area_pixel_compute_source_index`` for every output: the input coordinate
    (in ``real``) that output ``j`` samples; clamped at 0 except for cubic."""
    ratio = step(n_in, n_out, scale, align_corners, real)
    j = np.arange(n_out).astype(real)
    if align_corners:
        return ratio * j
    coordinate = ratio * (j + real(0.5)) - real(0.5)
    if not cubic:
        coordinate = np.maximum(coordinate, real(0))
    return coordinate


def _floor_and_fraction(coordinate, n_in, real):
    """ATen's ``guard_index_and_lambda``: the index below the coordinate (at most
    ``n_in - 1``; ``floorf`` rounds the coordinate to float first) and the fraction
    past it, clamped to [0, 1]."""
    index = np.minimum(np.floor(coordinate.astype(_F32)).astype(np.int64), n_in - 1)
    fraction = np.clip(coordinate - index.astype(real), real(0), real(1)).astype(real)
    return index, fraction


def nearest_index(n_in, n_out, scale, exact, vectorized, real):
    """The source index of every output for ``nearest`` (``exact``: ``nearest-exact``).

    PyTorch has two CPU kernels that compute it differently; ``vectorized``
    says which one runs (see :func:`vectorized_nearest`). The vectorized one
    (ATen's ``nearest_idx``, ``nearest_exact_idx``) uses a float32 step
    whatever the dtype, and for ``nearest`` the short cuts ``n_out == n_in``
    (the identity) and ``n_out == 2 * n_in`` (``j // 2``), even when a given
    scale factor says otherwise. The generic one computes in ``real`` (the
    tensor's opmath type: float64 for float64, else float32), without short
    cuts. ``floorf`` rounds a double coordinate to float32 first in both.
    """
    j = np.arange(n_out, dtype=np.int64)
    if vectorized:
        if not exact and n_out == n_in:
            return j
        if not exact and n_out == 2 * n_in:
            return j >> 1
        ratio = inverse_scale(n_in, n_out, scale, _F32)
        if exact:
            # (j + 0.5) is a double, so the product is too.
            coordinate = ((j + 0.5) * _F64(ratio)).astype(_F32)
        else:
            coordinate = j.astype(_F32) * ratio
    else:
        ratio = inverse_scale(n_in, n_out, scale, real)
        if exact:
            # The half-pixel source coordinate (clamped at 0), then floorf(x + 0.5).
            source = np.maximum(ratio * (j.astype(real) + real(0.5)) - real(0.5), real(0))
            coordinate = (source.astype(_F64) + 0.5).astype(_F32)
        else:
            coordinate = (ratio * j.astype(real)).astype(_F32)
    return np.minimum(np.floor(coordinate).astype(np.int64), n_in - 1)


def vectorized_nearest(channels_last_contiguous, channels, out_sizes):
    """Whether PyTorch 2.13 runs its vectorized nearest kernel: for 2-D, a channels-last
    tensor of more than 3 channels or an output with ``H + W <= 128``; for 3-D, a
    channels-last tensor of more than 3 channels; never for 1-D."""
    if len(out_sizes) == 2:
        return (channels_last_contiguous and channels > 3) or sum(out_sizes) <= 128
    if len(out_sizes) == 3:
        return channels_last_contiguous and channels > 3
    return False


def _identity(n, real):
    """The table of an axis left as it is: output j is sample j."""
    return np.arange(n, dtype=np.int64)[:, None], np.ones((n, 1), dtype=real)


def linear_table(n_in, n_out, scale, align_corners, real):
    """Linear: two taps per output, the index below the coordinate and the next one
    (the same at the last sample), weights ``1 - t`` and ``t``. ``n_out == n_in`` is
    the identity whatever the scale (ATen's ``compute_source_index_and_lambda``)."""
    if n_out == n_in:
        return _identity(n_in, real)
    coordinate = source_coordinate(n_in, n_out, scale, align_corners, False, real)
    below, fraction = _floor_and_fraction(coordinate, n_in, real)
    above = below + (below < n_in - 1)
    weights = np.stack([real(1) - fraction, fraction], axis=1)
    return np.stack([below, above], axis=1), weights


def cubic_coefficients(t, a, real):
    """Keys' cubic convolution weights of the four taps around fraction ``t`` (ATen's
    ``get_cubic_upsample_coefficients``, in ``real``)."""
    a = real(a)

    def near(x):  # |x| <= 1
        return ((a + real(2)) * x - (a + real(3))) * x * x + real(1)

    def far(x):  # 1 < |x| < 2
        return ((a * x - real(5) * a) * x + real(8) * a) * x - real(4) * a

    t = t.astype(real)
    rest = (real(1) - t).astype(real)
    return np.stack([far(t + real(1)), near(t), near(rest), far(rest + real(1))], axis=1)


def cubic_table(n_in, n_out, scale, align_corners, real):
    """Cubic (a = -0.75): four taps from the index below the coordinate minus one, each
    clamped into the axis (so border taps repeat a sample), no identity short cut."""
    coordinate = source_coordinate(n_in, n_out, scale, align_corners, True, real)
    below, fraction = _floor_and_fraction(coordinate, n_in, real)
    index = np.clip(below[:, None] + np.arange(-1, 3), 0, n_in - 1)
    return index, cubic_coefficients(fraction, -0.75, real)


def _triangle(x, real):
    """The antialiased bilinear filter: 1 - |x| inside (-1, 1)."""
    x = np.abs(x)
    return np.where(x < 1, real(1) - x, real(0)).astype(real)


def _keys_half(x, real):
    """The antialiased bicubic filter: Keys' cubic with a = -0.5 (Pillow's), support 2."""
    x = np.abs(x).astype(real)
    a = real(-0.5)
    near = ((a + real(2)) * x - (a + real(3))) * x * x + real(1)
    far = ((a * x - real(5) * a) * x + real(8) * a) * x - real(4) * a
    return np.where(x < 1, near, np.where(x < 2, far, real(0))).astype(real)


# The antialiased filters: (function, half-width of the filter at scale 1).
AA_FILTERS = {"bilinear": (_triangle, 1.0), "bicubic": (_keys_half, 2.0)}


def antialias_table(n_in, n_out, scale, align_corners, mode, real):
    """The antialiased filter of ``mode`` (bilinear or bicubic), as PyTorch's ``_aa``
    kernels and Pillow compute it: centred at ``step * (j + 0.5)``, widened by the
    step when downscaling, cut to the samples inside the axis and normalised to
    sum 1 over them (so no clamping at the borders). An axis whose length does not
    change is left as it is, whatever the scale (PyTorch's separable kernel skips
    it)."""
    if n_out == n_in:
        return _identity(n_in, real)
    function, half_width = AA_FILTERS[mode]
    ratio = step(n_in, n_out, scale, align_corners, real)
    # support and invscale: doubles rounded to real; the centre likewise.
    support = real(half_width * ratio) if ratio >= 1 else real(half_width)
    invscale = real(1.0 / ratio) if ratio >= 1 else real(1)
    taps_max = math.ceil(support) * 2 + 1
    j = np.arange(n_out, dtype=np.float64)
    center = (_F64(ratio) * (j + 0.5)).astype(real)
    # Truncation toward zero (a C cast), then clamped: negative starts become 0.
    first = np.maximum(np.trunc((center - support).astype(_F64) + 0.5), 0).astype(np.int64)
    last = np.minimum(np.trunc((center + support).astype(_F64) + 0.5).astype(np.int64), n_in)
    count = np.clip(last - first, 0, taps_max)
    taps = max(int(count.max(initial=1)), 1)
    offsets = np.arange(taps)
    index = first[:, None] + offsets
    distance = (index - center[:, None].astype(real)).astype(real)
    weights = function(((distance.astype(_F64) + 0.5) * _F64(invscale)).astype(real), real)
    weights = np.where(offsets < count[:, None], weights, real(0)).astype(real)
    # The total is summed tap by tap in real, as ATen does.
    total = np.zeros(n_out, dtype=real)
    for tap in range(taps):
        total = (total + weights[:, tap]).astype(real)
    safe = np.where(total != 0, total, real(1))
    weights = (weights / safe[:, None]).astype(real)
    return np.minimum(index, n_in - 1), weights


def area_table(n_in, n_out):
    """``area``: adaptive average pooling, output ``j`` the mean of input
    ``floor(j * n_in / n_out)`` up to ``ceil((j + 1) * n_in / n_out)`` (exclusive);
    windows shorter than the longest are padded with zero weights."""
    j = np.arange(n_out, dtype=np.int64)
    first = (j * n_in) // n_out
    last = -((-(j + 1) * n_in) // n_out)
    count = last - first
    taps = int(count.max(initial=1))  # an empty output (allowed for area) has no window
    offsets = np.arange(taps)
    index = np.minimum(first[:, None] + offsets, n_in - 1)
    weights = np.where(offsets < count[:, None], 1.0 / count[:, None], 0.0)
    return index, weights


def weighted_table(kind, n_in, n_out, scale, align_corners, antialias, real):
    """(index, weights) of one axis for ``kind`` "linear", "cubic" or "area"."""
    if kind == "area":
        return area_table(n_in, n_out)
    if antialias:
        return antialias_table(n_in, n_out, scale, align_corners,
                               "bilinear" if kind == "linear" else "bicubic", real)
    if kind == "linear":
        return linear_table(n_in, n_out, scale, align_corners, real)
    return cubic_table(n_in, n_out, scale, align_corners, real)


def axis_table(kind, n_in, n_out, scale, align_corners, antialias, real):
    """The kernel-ready :class:`AxisTable` of one axis, remembered with MLX's tables
    (``TABLE_CACHE_BYTES`` in all). ``real`` (float32 or float64) is both the precision
    of PyTorch's coordinates for the tensor's dtype and the weights' dtype."""
    real = np.dtype(real).type
    key = ("torch", kind, n_in, n_out, scale, align_corners, antialias, np.dtype(real).char)
    table = TABLES.get(key)
    if table is None:
        index, weights = weighted_table(kind, n_in, n_out, scale, align_corners, antialias,
                                        real)
        table = AxisTable.from_arrays(index, weights, n_in, real)
        TABLES.put(key, table, table.nbytes)
    return table
