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
1 GiB; 0 disables the cache). A cached block is only ever reused after NumPy
has freed the array that owned it, so no two live arrays share memory.
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

cdef extern from *:
    """
    #include <stdint.h>
    #include <stdlib.h>
    #include <string.h>
    #include <numpy/ndarraytypes.h>
    #if defined(__linux__)
    #include <sys/mman.h>
    #endif
    #if defined(_WIN32)
    #define UPS_HAVE_PTHREAD 0
    #else
    #include <pthread.h>
    #define UPS_HAVE_PTHREAD 1
    #endif

    /* Every block carries a 64-byte header in front of the data (which keeps
       the data 64-byte aligned): the capacity, so that free and reuse never
       depend on the size NumPy passes back. */
    #define UPS_HEADER 64
    #define UPS_MAGIC 0x5550534d504c4531ULL
    #define UPS_MIN_CACHED ((size_t)1 << 20)
    #define UPS_SLOTS 32

    typedef struct { uint64_t magic; size_t capacity; } ups_header;
    typedef struct { char *base; size_t capacity; } ups_slot;

    static ups_slot ups_cache[UPS_SLOTS];
    static size_t ups_cached_bytes = 0;
    static size_t ups_cache_limit = (size_t)1 << 30;
    #if UPS_HAVE_PTHREAD
    static pthread_mutex_t ups_lock = PTHREAD_MUTEX_INITIALIZER;
    #define UPS_LOCK() pthread_mutex_lock(&ups_lock)
    #define UPS_UNLOCK() pthread_mutex_unlock(&ups_lock)
    #else
    #define UPS_LOCK()
    #define UPS_UNLOCK()
    #endif

    static void ups_advise_huge(char *base, size_t length) {
    #if defined(__linux__) && defined(MADV_HUGEPAGE)
        /* As NumPy does for large arrays: fewer, larger page faults. */
        uintptr_t start = ((uintptr_t)base + 4095u) & ~(uintptr_t)4095u;
        uintptr_t stop = ((uintptr_t)base + length) & ~(uintptr_t)4095u;
        if (stop > start) madvise((void *)start, stop - start, MADV_HUGEPAGE);
    #else
        (void)base; (void)length;
    #endif
    }

    /* Take the smallest cached block that fits `size` without wasting more
       than a quarter of it; NULL if none. */
    static char *ups_take_cached(size_t size) {
        int best = -1, i;
        char *base = NULL;
        UPS_LOCK();
        for (i = 0; i < UPS_SLOTS; i++) {
            size_t cap = ups_cache[i].capacity;
            if (ups_cache[i].base && cap >= size && cap - size <= cap / 4 &&
                (best < 0 || cap < ups_cache[best].capacity)) best = i;
        }
        if (best >= 0) {
            base = ups_cache[best].base;
            ups_cached_bytes -= ups_cache[best].capacity;
            ups_cache[best].base = NULL;
            ups_cache[best].capacity = 0;
        }
        UPS_UNLOCK();
        return base;
    }

    /* Keep a freed block if there is room; return 1 if kept. */
    static int ups_keep(char *base, size_t capacity) {
        int i, kept = 0;
        UPS_LOCK();
        if (capacity >= UPS_MIN_CACHED && ups_cached_bytes + capacity <= ups_cache_limit) {
            for (i = 0; i < UPS_SLOTS; i++) {
                if (!ups_cache[i].base) {
                    ups_cache[i].base = base;
                    ups_cache[i].capacity = capacity;
                    ups_cached_bytes += capacity;
                    kept = 1;
                    break;
                }
            }
        }
        UPS_UNLOCK();
        return kept;
    }

    static void *ups_malloc(void *ctx, size_t size) {
        char *base = NULL;
        ups_header *header;
        (void)ctx;
        if (size == 0) size = 1;
        if (size > SIZE_MAX - UPS_HEADER) return NULL;
        if (size >= UPS_MIN_CACHED) base = ups_take_cached(size);
        if (base == NULL) {
            void *fresh = NULL;
            if (posix_memalign(&fresh, UPS_HEADER, UPS_HEADER + size) != 0) return NULL;
            base = (char *)fresh;
            if (size >= UPS_MIN_CACHED) ups_advise_huge(base, UPS_HEADER + size);
            header = (ups_header *)base;
            header->magic = UPS_MAGIC;
            header->capacity = size;
        }
        return base + UPS_HEADER;
    }

    static void ups_free(void *ctx, void *ptr, size_t size) {
        char *base;
        ups_header *header;
        (void)ctx; (void)size;
        if (ptr == NULL) return;
        base = (char *)ptr - UPS_HEADER;
        header = (ups_header *)base;
        if (header->magic != UPS_MAGIC) abort();  /* never ours: refuse to corrupt */
        if (!ups_keep(base, header->capacity)) free(base);
    }

    static void *ups_calloc(void *ctx, size_t nelem, size_t elsize) {
        void *ptr;
        if (elsize != 0 && nelem > SIZE_MAX / elsize) return NULL;
        ptr = ups_malloc(ctx, nelem * elsize);
        if (ptr) memset(ptr, 0, nelem * elsize);
        return ptr;
    }

    static void *ups_realloc(void *ctx, void *ptr, size_t new_size) {
        void *fresh;
        size_t old_capacity;
        if (ptr == NULL) return ups_malloc(ctx, new_size);
        old_capacity = ((ups_header *)((char *)ptr - UPS_HEADER))->capacity;
        fresh = ups_malloc(ctx, new_size);
        if (fresh == NULL) return NULL;
        memcpy(fresh, ptr, old_capacity < new_size ? old_capacity : new_size);
        ups_free(ctx, ptr, old_capacity);
        return fresh;
    }

    static PyDataMem_Handler ups_handler = {
        "upsample_output_cache", 1,
        {NULL, ups_malloc, ups_calloc, ups_realloc, ups_free}
    };

    static PyObject *ups_handler_capsule(void) {
        return PyCapsule_New(&ups_handler, "mem_handler", NULL);
    }

    static size_t ups_clear(void) {
        int i;
        size_t released = 0;
        UPS_LOCK();
        for (i = 0; i < UPS_SLOTS; i++) {
            if (ups_cache[i].base) {
                free(ups_cache[i].base);
                released += ups_cache[i].capacity;
                ups_cache[i].base = NULL;
                ups_cache[i].capacity = 0;
            }
        }
        ups_cached_bytes = 0;
        UPS_UNLOCK();
        return released;
    }
    """
    object ups_handler_capsule()
    size_t ups_clear()
    size_t ups_cached_bytes
    size_t ups_cache_limit
    size_t UPS_MIN_CACHED


cdef object _handler = ups_handler_capsule()


def _read_limit():
    text = os.environ.get("UPSAMPLE_CACHE_BYTES", "").strip()
    if not text:
        return 1 << 30
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"UPSAMPLE_CACHE_BYTES must be a non-negative integer, got {text!r}") from None
    if value < 0:
        raise ValueError(f"UPSAMPLE_CACHE_BYTES must be a non-negative integer, got {text!r}")
    return value


def set_cache_limit(size_t limit):
    """Cache at most ``limit`` bytes of freed output blocks (0 disables); returns the old limit.

    Blocks already cached beyond the new limit are released.
    """
    global ups_cache_limit
    old = ups_cache_limit
    ups_cache_limit = limit
    if ups_cached_bytes > limit:
        ups_clear()
    return old


def clear_cache():
    """Release every cached block; returns the number of bytes released."""
    return ups_clear()


def cached_bytes():
    """Bytes currently held in the cache (freed outputs kept for reuse)."""
    return ups_cached_bytes


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
