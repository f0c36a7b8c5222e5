"""The test oracle: a small, slow, pure-NumPy ``upsample`` written from SEMANTICS.md.

This module is deliberately independent of the ``upsample`` package: it imports
nothing from it and shares no code with it. Every rule below is a direct
transcription of ``/work/shared/reference/SEMANTICS.md`` ("What ``Upsample``
computes"), so that the package can be checked against the specification
rather than against itself. It favours clarity over speed: each spatial axis
is resampled in turn by gathering whole slices with ``np.take`` and summing
them with their weights in float64.
"""

import math

import numpy as np

f32 = np.float32


def output_length(n, s):
    """``M = int(s * N)``: a Python float product, truncated."""
    return int(float(s) * n)


def coordinates(n, m, s, align_corners):
    """The float32 source coordinate ``x_j`` of each output sample ``j`` of one axis.

    One float32 operation at a time; the scalar constants are computed in
    Python doubles and then rounded to float32, as the spec says.
    """
    j = np.arange(m, dtype=f32)
    if align_corners:
        return j * f32((n - 1) / max(m - 1, 1))
    step = 1.0 / s
    start = ((m - 1) * step - n + 1) / 2
    return j * f32(step) - f32(start)


def nearest_indices(n, m, s, all_integer):
    """Source index of each output sample of one axis in ``nearest`` mode."""
    if all_integer:                    # every scale an integer: plain repetition
        return np.arange(m) // int(s)
    j = np.arange(m, dtype=f32)
    r = f32(n / m)
    if m > n:                          # round half to even (np.rint), in float32
        return np.rint((j + f32(0.5)) * r - f32(0.5)).astype(np.int64)
    return np.trunc(j * r).astype(np.int64)


def keys(d, a):
    """Keys cubic kernel at distance ``d >= 0``: inner piece below 1, outer piece below 2."""
    inner = ((a + 2) * d - (a + 3)) * d * d + 1
    outer = (((d - 5) * d + 8) * d - 4) * a
    return np.where(d <= 1, inner, np.where(d < 2, outer, 0.0))


def linear_taps(n, xj):
    """Taps ``floor``/``ceil`` of the clipped coordinate with weights ``1 - w`` and ``w``."""
    xc = np.clip(xj, f32(0), f32(n - 1))
    lo, hi = np.floor(xc), np.ceil(xc)
    w = (xc - lo).astype(np.float64)
    return np.stack([lo, hi], 1).astype(np.int64), np.stack([1 - w, w], 1)


def cubic_taps(n, xj):
    """Keys (a = -0.75) taps ``f-1 .. f+2`` with ``f = floor(x_j)``; third tap is ``f + 1``."""
    f = np.floor(xj).astype(np.int64)
    x = xj.astype(np.float64)
    taps = np.stack([f - 1, f, f + 1, f + 2], 1)
    d = np.abs(x[:, None] - taps)
    a = -0.75
    w = np.empty_like(d)
    w[:, 1:3] = ((a + 2) * d[:, 1:3] - (a + 3)) * d[:, 1:3] ** 2 + 1     # inner taps
    w[:, 0::3] = (((d[:, 0::3] - 5) * d[:, 0::3] + 8) * d[:, 0::3] - 4) * a  # outer taps
    return np.clip(taps, 0, n - 1), w      # clamped indices, weights not renormalised


def antialias_taps(n, xj, s, mode):
    """Stretched triangle / Keys (a = -0.5) taps, zero outside the axis, divided by their sum."""
    inv = 1.0 / s if s < 1 else 1.0
    radius = 1 if mode == "linear" else 2
    k = math.ceil(radius * inv) + 1
    x = xj.astype(np.float64)
    taps = np.floor(xj).astype(np.int64)[:, None] + np.arange(-(k - 1), k)
    d = np.abs(x[:, None] - taps) / inv
    w = np.maximum(1 - d, 0.0) if mode == "linear" else keys(d, -0.5)
    w = np.where((taps >= 0) & (taps <= n - 1), w, 0.0)
    total = np.zeros(len(x))
    for column in w.T:                 # the sum, accumulated tap by tap
        total = total + column
    w = np.where(total[:, None] > 0, w / np.where(total > 0, total, 1)[:, None], w)
    return np.clip(taps, 0, n - 1), w


def resample_axis(v, axis, idx, w):
    """``out[.., j, ..] = sum_k w[j, k] * v[.., idx[j, k], ..]`` (every tap multiplied)."""
    shape = [1] * v.ndim
    shape[axis] = idx.shape[0]
    out = np.zeros(v.shape[:axis] + (idx.shape[0],) + v.shape[axis + 1:])
    for k in range(idx.shape[1]):
        out = out + w[:, k].reshape(shape) * np.take(v, idx[:, k], axis=axis)
    return out


def oracle_upsample(x, scale_factor, mode="nearest", align_corners=False, antialias=False):
    """The reference ``upsample`` of SEMANTICS.md for ``x`` shaped ``(B, *spatial, C)``.

    nearest keeps the dtype and is exact; linear and cubic accumulate in float64
    and return float64 for float64 input, float32 otherwise.
    """
    x = np.asarray(x)
    if x.ndim < 3:
        raise ValueError("x needs at least one spatial axis: (B, *spatial, C)")
    n_spatial = x.ndim - 2
    if isinstance(scale_factor, (tuple, list)):
        if len(scale_factor) != n_spatial:
            raise ValueError("need one scale factor per spatial axis")
        scales = [float(s) for s in scale_factor]
    else:
        scales = [float(scale_factor)] * n_spatial
    if mode not in ("nearest", "linear", "cubic"):
        raise ValueError(f"unknown mode {mode!r}")
    if antialias and (mode == "nearest" or align_corners):
        raise ValueError("antialias needs linear or cubic without align_corners")
    if not all(math.isfinite(s) and s > 0 for s in scales):
        raise ValueError("scale factors must be finite and > 0")

    lengths = [output_length(n, s) for n, s in zip(x.shape[1:-1], scales)]
    out_shape = (x.shape[0], *lengths, x.shape[-1])
    out_dtype = x.dtype if mode == "nearest" else (
        np.float64 if x.dtype == np.float64 else np.float32)
    if 0 in out_shape or x.size == 0:
        return np.empty(out_shape, dtype=out_dtype)

    if mode == "nearest":
        all_integer = all(s.is_integer() for s in scales)
        v = x
        for axis, (n, m, s) in enumerate(zip(x.shape[1:-1], lengths, scales), start=1):
            v = np.take(v, nearest_indices(n, m, s, all_integer), axis=axis)
        return v.copy()

    v = x.astype(np.float64)
    for axis, (n, m, s) in enumerate(zip(x.shape[1:-1], lengths, scales), start=1):
        xj = coordinates(n, m, s, align_corners)
        if antialias:
            idx, w = antialias_taps(n, xj, s, mode)
        elif mode == "linear":
            idx, w = linear_taps(n, xj)
        else:
            idx, w = cubic_taps(n, xj)
        v = resample_axis(v, axis, idx, w)
    return v.astype(out_dtype)
