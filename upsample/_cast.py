"""Converting a computed result into the dtype the caller asked for.

``cast_into`` rounds and saturates to integers (float32 to uint8 in a
kernel, other pairs with NumPy); ``through`` wraps a pass that computes in
one dtype so that its result lands, cast, in a target of another.
"""

import numpy as np

from upsample_c import _memory, effective_num_threads, kernels


def through(fill, shape, dtype):
    """``fill`` into a temporary of ``dtype``, then cast into the real target.

    The cast for the target's dtype is decided at the first call and kept
    while the targets keep that dtype object: deciding it (``np.iinfo`` and
    the dtype tests) took longer than casting a small image.
    """
    # (target dtype, its cast), replaced as a whole so that threads sharing the
    # plan never see a dtype paired with another dtype's cast.
    decided = [(None, None)]

    def run(x, target, num_threads):
        temporary = _memory.empty(shape, dtype)
        fill(x, temporary, num_threads)
        target_dtype, cast = decided[0]
        if target_dtype is not target.dtype:
            target_dtype = target.dtype
            cast = caster(temporary.dtype, target_dtype)
            decided[0] = (target_dtype, cast)
        cast(temporary, target, num_threads)

    return run


def cast_into(source, target, num_threads=None):
    """Write ``source`` into ``target``'s dtype; integers are rounded and saturated.

    ``source`` is scratch and may be overwritten. Rounding is to nearest,
    saturation to the target's range, and NaN becomes 0.
    """
    caster(source.dtype, target.dtype)(source, target, num_threads)


def caster(source_dtype, target_dtype):
    """``cast(source, target, num_threads)`` doing :func:`cast_into` for arrays of these
    dtypes, with every decision that depends on the dtypes alone already made."""
    if target_dtype.kind not in "iu":
        return _copy
    info = np.iinfo(target_dtype)
    if source_dtype.kind in "iub":
        if source_dtype.kind == "b":
            return _copy
        inner = np.iinfo(source_dtype)
        low, high = max(info.min, inner.min), min(info.max, inner.max)

        def clip_integers(source, target, num_threads):
            np.clip(source, low, high, out=source)
            np.copyto(target, source, casting="unsafe")

        return clip_integers
    if source_dtype == np.float32 and target_dtype == np.uint8:
        def to_uint8(source, target, num_threads):
            if target.flags.c_contiguous:
                threads = effective_num_threads(num_threads, target.size)
                kernels.round_to_uint8(source, target, threads)
            else:
                _round_float(source, target, info)

        return to_uint8
    return lambda source, target, num_threads: _round_float(source, target, info)


def _copy(source, target, num_threads):
    np.copyto(target, source, casting="unsafe")


def _round_float(source, target, info):
    """Floats rounded half to even and saturated to the range ``info`` of ``target``'s
    integer dtype, NaN to 0 (``source`` is overwritten)."""
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
