# What every kernel file uses: the real types, the shared constants, the checks
# of the entry points' arrays and the dealing out of work items to threads.

ctypedef fused real:
    float
    double

cdef enum:
    # Longest run of elements combined in one go by the generic (many-tap)
    # vertical combine: small enough that the partial sums stay in L1.
    COMBINE_BLOCK = 1024
    # Most bytes of source rows a height-first pass prefetches for its next
    # output row or pair (half of a 512 KiB L2, so smaller per-core L2s keep up).
    AHEAD_BYTES = 262144
    # Bytes staged in L1 before being streamed to a large output.
    STAGE_BYTES = 8192
    STAGE_DOUBLES = 1024
    # numpy arrays have at most 64 dimensions.
    MAX_AXES = 64


cdef enum:
    # Source rows resampled together by the row-tile kernel.
    ROW_TILE = 8


cdef extern from "ups_simd.h":
    const char* ups_simd_name() noexcept nogil


def simd():
    """The vector instruction set this build's fast paths were compiled for, read from
    the compiler's macros (include/ups_simd.h): "avx2", "neon" (AArch64), or "none"
    (every path a C loop the compiler vectorises as it can)."""
    return ups_simd_name().decode("ascii")


# ---------------------------------------------------------------------------
# Arguments of the entry points
# ---------------------------------------------------------------------------
#
# The entry points take their arrays as ndarrays and check each one here
# (dtype, C order, length, writeable) before using its data pointer: typed
# memoryviews would do part of that at about 0.15 µs per argument, which for
# a small image costs more than resampling it. A wrong call then raises
# instead of reading or writing outside an array. The contents of the tables
# are not checked (the Python layer builds them and guarantees every offset
# is inside the source).

cdef void* _items(cnp.ndarray array, int typenum, Py_ssize_t count, bint writeable,
                  str name) except? NULL:
    """The data of ``array``, checked to hold at least ``count`` items of ``typenum``."""
    cdef int found = cnp.PyArray_TYPE(array)
    if found != typenum and not cnp.PyArray_EquivTypenums(found, typenum):
        raise TypeError(f"{name} must have dtype {cnp.PyArray_DescrFromType(typenum)}, "
                        f"got {array.dtype}")
    return _span(array, count * cnp.PyArray_ITEMSIZE(array), writeable, name)


cdef void* _span(cnp.ndarray array, Py_ssize_t nbytes, bint writeable,
                 str name) except? NULL:
    """The data of ``array`` (any dtype), checked to be C-contiguous and ``nbytes`` long."""
    if not cnp.PyArray_IS_C_CONTIGUOUS(array):
        raise ValueError(f"{name} must be C-contiguous")
    if cnp.PyArray_NBYTES(array) < nbytes:
        raise ValueError(f"{name} holds {cnp.PyArray_NBYTES(array)} bytes, {nbytes} needed")
    if writeable and not cnp.PyArray_ISWRITEABLE(array):
        raise ValueError(f"{name} must be writeable")
    return cnp.PyArray_DATA(array)


cdef void* _scratch_bytes(cnp.ndarray array, Py_ssize_t nbytes, str name) except? NULL:
    """Scratch of any dtype, handed out as reals: also checked to be aligned for a double."""
    if <size_t>cnp.PyArray_DATA(array) % sizeof(double) != 0:
        raise ValueError(f"{name} must be aligned to {sizeof(double)} bytes")
    return _span(array, nbytes, True, name)


cdef int _check_threads(int num_threads) except -1:
    if num_threads < 1:
        raise ValueError(f"num_threads must be at least 1, got {num_threads}")
    return 0


cdef inline int _real_typenum(real tag) noexcept:
    return cnp.NPY_FLOAT32 if real is float else cnp.NPY_FLOAT64


cdef void _preset_index(Py_ssize_t* index, Py_ssize_t count) noexcept nogil:
    """Index scratch starts at -1 everywhere: the kernels' "no row here yet"."""
    cdef Py_ssize_t i
    for i in range(count):
        index[i] = -1


# ---------------------------------------------------------------------------
# Work items (one call per item of a parallel loop)
# ---------------------------------------------------------------------------
#
# The entry points are called from upsample._engine with validated, contiguous
# data. The weighted ones take float32 or float64 data (the dtype of `src`;
# every other real array must match it), and each runs in the calling thread,
# without entering an OpenMP region, when the job is dealt out as one chunk:
# entering one costs about 0.7 µs even for a single thread.

cdef inline Py_ssize_t _chunk_start(Py_ssize_t chunk, Py_ssize_t n_chunks,
                                    Py_ssize_t n_items) noexcept nogil:
    return (chunk * n_items) // n_chunks


cdef inline Py_ssize_t _parallel_chunks(Py_ssize_t n_items, int num_threads) noexcept nogil:
    """How many chunks to deal out: one when serial, a few per thread otherwise
    (dynamic scheduling then evens out a thread slowed by a noisy neighbour)."""
    if num_threads <= 1 or n_items <= 1:
        return 1
    if n_items < 4 * num_threads:
        return n_items
    return 4 * num_threads
