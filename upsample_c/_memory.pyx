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
    cdef int i
    cdef cnp.dtype descr = dtype if isinstance(dtype, cnp.dtype) else np.dtype(dtype)
    cdef double nbytes = descr.itemsize  # a double cannot overflow here
    if ndim > 32:
        return np.empty(shape, dtype=descr)
    for i in range(ndim):
        dims[i] = shape[i]
        nbytes *= dims[i]
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


set_cache_limit(_read_limit())
