# cython: boundscheck=False, wraparound=False, cdivision=True
"""A small cache of large output buffers, plugged into NumPy's allocator hooks.

A fresh multi-megabyte array costs the kernel a page fault and a page of
zeroes per page touched: for a 50 MB output that is about as long as writing
the result itself. Outputs are allocated through a NumPy memory handler
(NEP 49) that keeps a few recently freed large blocks and hands them out
again, already mapped, when an output of about the same size is needed, as
pipelines that resample many same-sized images do.

Only arrays that ``upsample`` allocates use this handler, and only blocks of
at least 1 MiB are cached, up to a limit (``UPSAMPLE_CACHE_BYTES``, default
DEFAULT_LIMIT = 128 MiB; 0 disables the cache); a block freed into a full
cache evicts the least recently freed ones. A cached block is only ever
reused after NumPy has freed the array that owned it, so no two live arrays
share memory. The blocks are mapped from the system and unmapped when
released (include/ups_output_cache.h), so a released block leaves the process.
"""

import os

import numpy as np

cimport numpy as cnp
from cpython.ref cimport Py_INCREF
from libc.string cimport memcmp, memcpy

cdef extern from "numpy/arrayobject.h":
    # Declared here because numpy's own declaration is left out for the
    # reference it steals (see _new_array).
    ctypedef struct Descr "PyArray_Descr":
        pass
    object PyArray_Empty(int nd, cnp.npy_intp* dims, Descr* descr, int fortran)
    # Declared here because the numpy.pxd of NumPy 2.0 (the newest for Python
    # 3.9) lacks it; the build targets NumPy 1.22's C API, where it appeared.
    object PyDataMem_SetHandler(object handler)

cnp.import_array()

cdef extern from "ups_output_cache.h":
    object ups_handler_capsule()
    size_t ups_clear()
    size_t ups_set_limit(size_t limit)
    int ups_trim_heap()
    int ups_output_cache_install()
    size_t ups_cached_bytes
    size_t ups_cache_limit
    size_t UPS_MIN_CACHED


cdef object _handler = ups_handler_capsule()


# The default bound of the cache: with the other caches' bounds (see
# upsample.clear_caches), what a process keeps once every result is freed stays
# under 256 MiB, while a pipeline's same-sized outputs (up to 128 MiB) are reused.
DEFAULT_LIMIT = 128 << 20

if ups_output_cache_install() != 0:
    raise ImportError("upsample_c._memory: pthread_atfork failed to install the fork handlers")


def _read_limit():
    text = os.environ.get("UPSAMPLE_CACHE_BYTES", "").strip()
    if not text:
        return DEFAULT_LIMIT
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"UPSAMPLE_CACHE_BYTES must be a non-negative integer, got {text!r}") from None
    if value < 0:
        raise ValueError(f"UPSAMPLE_CACHE_BYTES must be a non-negative integer, got {text!r}")
    return value


def set_cache_limit(size_t limit):
    """Cache at most ``limit`` bytes of freed output blocks (0 disables); returns the old limit.

    Blocks already cached beyond the new limit are released, the least
    recently freed first.
    """
    old = ups_cache_limit
    ups_set_limit(limit)
    return old


def clear_cache():
    """Release every cached block; returns the number of bytes released."""
    return ups_clear()


def trim_heap():
    """Hand the C library's free heap memory back to the system (glibc's
    ``malloc_trim``); returns True if some was. Elsewhere a no-op returning False.

    Buffers under the allocator's mmap threshold (up to 32 MiB once large
    arrays have been freed) stay in the process after they are freed, unless
    trimmed.
    """
    return bool(ups_trim_heap())


def cached_bytes():
    """Bytes currently held in the cache (freed outputs kept for reuse)."""
    return ups_cached_bytes


def cache_limit():
    """The most bytes the cache may hold (``UPSAMPLE_CACHE_BYTES`` or ``set_cache_limit``)."""
    return ups_cache_limit


def empty(tuple shape, dtype):
    """``numpy.empty(shape, dtype)``, allocated through the output cache (when enabled).

    ``shape`` is a tuple of integers. Built with the C API rather than through
    ``numpy.empty``, and arrays too small ever to be cached (under
    UPS_MIN_CACHED) are left to NumPy's allocator: swapping the allocator in
    and out costs about 0.3 µs, a tenth of a small image's call.
    """
    cdef cnp.npy_intp dims[32]
    cdef int ndim = len(shape)
    cdef cnp.dtype descr = dtype if isinstance(dtype, cnp.dtype) else np.dtype(dtype)
    if ndim > 32:
        return np.empty(shape, dtype=descr)
    return _cached_empty(ndim, dims, descr, _dims_bytes(shape, dims, descr))


cdef double _dims_bytes(tuple shape, cnp.npy_intp* dims, cnp.dtype descr) except -1:
    """``shape`` (as many integers as ``dims`` holds) written to ``dims``; the bytes of such an array,
    in a double, which cannot overflow here."""
    cdef double nbytes = descr.itemsize
    cdef int i
    for i in range(len(shape)):
        dims[i] = shape[i]
        nbytes *= dims[i]
    return nbytes


cdef object _cached_empty(int ndim, cnp.npy_intp* dims, cnp.dtype descr, double nbytes):
    """An uninitialised C-contiguous array, through the output cache when it may be
    cached (see empty)."""
    if ups_cache_limit == 0 or nbytes < UPS_MIN_CACHED:
        return _new_array(ndim, dims, descr)
    old = PyDataMem_SetHandler(_handler)
    try:
        return _new_array(ndim, dims, descr)
    finally:
        PyDataMem_SetHandler(old)


cdef object _new_array(int ndim, cnp.npy_intp* dims, cnp.dtype descr):
    # PyArray_Empty steals a reference to the descriptor, even when it fails.
    Py_INCREF(descr)
    return PyArray_Empty(ndim, dims, <Descr*>descr, 0)


# ---------------------------------------------------------------------------
# Remembered calls, replayed (upsample._api keeps them: see _PlanStore there)
# ---------------------------------------------------------------------------
#
# A repeated call of a small image spends most of its time between upsample() and
# the kernel. These two classes do in C what the Python layer did there: check
# that a call is the last one again (the same argument objects, an array of the
# same geometry) without building x.shape and x.strides, and allocate the result
# with its dimensions worked out once.


cdef class Replay:
    """A checked and planned call, to run again on arrays of the same shape, strides and
    dtype: ``run(x)`` returns a new C-contiguous result of ``out_shape`` and
    ``out_dtype`` (through the output cache, as :func:`empty`), filled by
    ``fill(x, target, num_threads)`` (skipped when None: an empty result), ``x``
    reshaped to ``source_shape`` and the result viewed as ``target_shape`` first
    when those are not None."""

    cdef readonly object fill, num_threads, source_shape, target_shape
    cdef readonly tuple out_shape
    cdef readonly cnp.dtype out_dtype
    cdef int ndim
    cdef cnp.npy_intp dims[64]
    cdef double nbytes

    def __init__(self, fill, tuple out_shape, out_dtype, num_threads, source_shape=None,
                 target_shape=None):
        if len(out_shape) > 64:  # NumPy's own limit
            raise ValueError(f"out_shape has {len(out_shape)} axes, more than 64")
        self.fill, self.num_threads = fill, num_threads
        self.source_shape, self.target_shape = source_shape, target_shape
        self.out_shape, self.out_dtype = out_shape, np.dtype(out_dtype)
        self.ndim = len(out_shape)
        self.nbytes = _dims_bytes(out_shape, self.dims, self.out_dtype)

    def run(self, cnp.ndarray x not None):
        """The call on ``x``: a new result."""
        result = _cached_empty(self.ndim, self.dims, self.out_dtype, self.nbytes)
        if self.fill is None:
            return result
        if self.source_shape is None and self.target_shape is None:
            self.fill(x, result, self.num_threads)
        else:
            self.fill(x if self.source_shape is None else x.reshape(self.source_shape),
                      result if self.target_shape is None else result.reshape(self.target_shape),
                      self.num_threads)
        return result


cdef inline bint _same_option(object held, object given):
    """Whether ``given`` is the option ``held``: the same object, or an int, float or
    str of the same exact type and value, or a tuple of such numbers item by item (a
    call that builds its ``size=(h, w)`` or its scale at every call). As the remembered
    plans' keys, which hold each value with its type: True == 1 and 2.0 == 2, but only
    one of each pair is a valid argument."""
    cdef object kind, item_kind
    cdef Py_ssize_t i, n
    if held is given:
        return True
    kind = type(held)
    if kind is not type(given):
        return False
    if kind is int or kind is float or kind is str:
        return held == given
    if kind is not tuple:
        return False
    n = len(<tuple>held)
    if len(<tuple>given) != n:
        return False
    for i in range(n):
        item_kind = type((<tuple>held)[i])
        if (item_kind is not type((<tuple>given)[i])
                or not (item_kind is int or item_kind is float)
                or (<tuple>held)[i] != (<tuple>given)[i]):
            return False
    return True


cdef class LastCall:
    """A call served from a :class:`Replay`, to serve again: ``serves(...)`` says
    whether a call passes the ``options`` held here (scale_factor, size, mode,
    align_corners, antialias, axes, dtype, num_threads; each the same object, or a
    number, string or tuple of numbers of the same types and values: see
    _same_option) and an array of the same dtype object, shape and strides as ``x``;
    ``replay`` runs it. The caller holds only objects that cannot change in place, so
    the same object means the same value."""

    cdef tuple options
    cdef object dtype
    cdef int ndim
    cdef cnp.npy_intp shape[64]
    cdef cnp.npy_intp strides[64]
    cdef readonly Replay replay

    def __init__(self, tuple options, cnp.ndarray x not None, Replay replay not None):
        cdef int ndim = cnp.PyArray_NDIM(x)
        if len(options) != 8:
            raise ValueError(f"options must hold 8 objects, got {len(options)}")
        if ndim > 64:  # NumPy's own limit
            raise ValueError(f"x has {ndim} axes, more than 64")
        self.options, self.dtype, self.replay, self.ndim = options, x.dtype, replay, ndim
        memcpy(self.shape, cnp.PyArray_DIMS(x), ndim * sizeof(cnp.npy_intp))
        memcpy(self.strides, cnp.PyArray_STRIDES(x), ndim * sizeof(cnp.npy_intp))

    def serves(self, scale_factor, size, mode, align_corners, antialias, axes, dtype,
               num_threads, cnp.ndarray x not None):
        """Whether this call is the one held (see the class)."""
        cdef tuple held = self.options
        return (_same_option(held[0], scale_factor) and _same_option(held[1], size)
                and _same_option(held[2], mode) and _same_option(held[3], align_corners)
                and _same_option(held[4], antialias) and _same_option(held[5], axes)
                and _same_option(held[6], dtype) and _same_option(held[7], num_threads)
                and self._same_array(x))

    def serves_layer(self, layer_options, num_threads, cnp.ndarray x not None):
        """:meth:`serves` with the first seven options in a tuple (a layer's, a named
        tuple)."""
        cdef tuple held = self.options
        cdef int i
        if (not isinstance(layer_options, tuple) or len(layer_options) != 7
                or not _same_option(held[7], num_threads)):
            return False
        for i in range(7):
            if held[i] is not (<tuple>layer_options)[i]:
                return False
        return self._same_array(x)

    cdef bint _same_array(self, cnp.ndarray x):
        cdef int ndim = self.ndim
        return (<object>cnp.PyArray_DESCR(x) is self.dtype and cnp.PyArray_NDIM(x) == ndim
                and memcmp(cnp.PyArray_DIMS(x), self.shape, ndim * sizeof(cnp.npy_intp)) == 0
                and memcmp(cnp.PyArray_STRIDES(x), self.strides,
                           ndim * sizeof(cnp.npy_intp)) == 0)


set_cache_limit(_read_limit())
