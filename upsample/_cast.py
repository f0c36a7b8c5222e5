"""Converting a computed result into the dtype the caller asked for.

``cast_into`` rounds and saturates to integers (float32 to uint8 in a
kernel, other pairs with NumPy); ``through`` wraps a pass that computes in
one dtype so that its result lands, cast, in a target of another.
"""

import numpy as np

from upsample_c import _memory, effective_num_threads, kernels


def through(fill, shape, dtype):
    """``fill`` into a temporary of ``dtype``, then cast into the real target."""

    def run(x, target, num_threads):
        temporary = _memory.empty(shape, dtype)
        fill(x, temporary, num_threads)
        cast_into(temporary, target, num_threads)

    return run


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
