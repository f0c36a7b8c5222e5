# The compiled kernels of upsample. This file is included by
# _kernels_base.pyx (baseline instruction set) and _kernels_avx2.pyx (built
# with -mavx2 -mfma); the package picks one at import time.
#
# Every kernel applies tables built in Python: for each output position along
# one axis, `taps` source positions (as element offsets) and `taps` weights.
# The kernels never validate user input; they trust the tables and shapes they
# are given (the Python layer guarantees every offset is inside the source).
#
# Parallel loops hand each work item to one cdef function, so all loop state
# lives in ordinary C locals and nothing is shared between threads except the
# read-only tables and disjoint slices of the output and scratch buffers.

from cython.parallel cimport parallel, prange, threadid
from libc.string cimport memcpy

cimport numpy as cnp

cnp.import_array()

# The C with intrinsics is in include/*.h, one header per concern; those that
# several parts of this file use are declared in _headers.pxd.
from upsample_c._headers cimport (
    ROW_TILE_PIXELS, UPS_AHEAD_ROWS, ups_combine_float, ups_combine_float_ahead,
    ups_combine_float_pair, ups_combine_uint8_float_pair, ups_resample_rows8,
    ups_row_tiles_available, ups_store_fence, ups_stream_copy,
)

cdef extern from "ups_uint8.h":
    void ups_round_store_uint8(unsigned char* dst, const float* src, Py_ssize_t n) noexcept nogil
    int ups_combine_store_uint8(unsigned char* dst, const float* base, const Py_ssize_t* offsets,
                                const float* w, Py_ssize_t taps, Py_ssize_t n,
                                int stream) noexcept nogil
    int ups_combine_uint8_float(float* dst, const unsigned char* base,
                                const Py_ssize_t* offsets, const float* w, Py_ssize_t taps,
                                Py_ssize_t n, const unsigned char* const* ahead,
                                int n_ahead) noexcept nogil

cdef extern from "ups_halving.h":
    void ups_halve_row_uint8(unsigned char* out, const unsigned char* r0,
                             const unsigned char* r1, Py_ssize_t w_out,
                             Py_ssize_t channels) noexcept nogil
    int ups_halve_row_float(float* out, const float* r0, const float* r1, Py_ssize_t w_out,
                            Py_ssize_t channels) noexcept nogil

cdef extern from "ups_wide_pixels.h":
    int ups_pixels_wide(float* dst, const float* src, Py_ssize_t n_out, Py_ssize_t channels,
                        const Py_ssize_t* offsets, const float* weights,
                        Py_ssize_t taps) noexcept nogil

cdef extern from "ups_gather.h":
    void ups_gather_stepped(char* dst, const char* src, Py_ssize_t n, Py_ssize_t elem_bytes,
                            Py_ssize_t step) noexcept nogil
    void ups_gather_permuted(char* dst, const char* src_row, const Py_ssize_t* offsets,
                             Py_ssize_t n, Py_ssize_t elem_bytes) noexcept nogil

cdef extern from "ups_doubling.h":
    Py_ssize_t ups_double_rgb(float* dst, const float* src, Py_ssize_t i0, Py_ssize_t i1,
                              const float* w, Py_ssize_t taps) noexcept nogil

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
# Weighted combination of whole rows (every axis but the last)
# ---------------------------------------------------------------------------

cdef inline void _combine_rows(real* dst, const real* base, const Py_ssize_t* row_offsets,
                               const real* weights, Py_ssize_t taps,
                               Py_ssize_t n) noexcept nogil:
    """dst[i] = sum_k weights[k] * base[row_offsets[k] + i], for i < n.

    The sum runs over the taps in order, as MLX adds its weighted samples, and
    keeps zero-weight taps so that a NaN under any tap reaches the output.
    Float rows in the AVX2 build go through ups_combine_float (sums kept in
    registers), in the same order.
    """
    cdef Py_ssize_t i, k, start, stop
    cdef const real* r0 = base + row_offsets[0]
    cdef const real* r1
    cdef const real* r2
    cdef const real* r3
    cdef const real* rk
    cdef real w0 = weights[0]
    cdef real w1, w2, w3, wk
    if real is float:
        if ups_combine_float(dst, base, row_offsets, weights, taps, n, 0):
            return
    if taps == 1:
        for i in range(n):
            dst[i] = w0 * r0[i]
    elif taps == 2:
        r1 = base + row_offsets[1]
        w1 = weights[1]
        for i in range(n):
            dst[i] = w0 * r0[i] + w1 * r1[i]
    elif taps == 4:
        r1 = base + row_offsets[1]
        r2 = base + row_offsets[2]
        r3 = base + row_offsets[3]
        w1 = weights[1]
        w2 = weights[2]
        w3 = weights[3]
        for i in range(n):
            dst[i] = w0 * r0[i] + w1 * r1[i] + w2 * r2[i] + w3 * r3[i]
    else:
        # Many taps (antialiased downscaling): accumulate block by block so
        # the running sums stay in L1 while every tap row streams past.
        start = 0
        while start < n:
            stop = start + COMBINE_BLOCK if start + COMBINE_BLOCK < n else n
            for i in range(start, stop):
                dst[i] = w0 * r0[i]
            for k in range(1, taps):
                rk = base + row_offsets[k]
                wk = weights[k]
                for i in range(start, stop):
                    dst[i] = dst[i] + wk * rk[i]
            start = stop


cdef void _combine_rows_out(real* dst, const real* base, const Py_ssize_t* row_offsets,
                            const real* weights, Py_ssize_t taps, Py_ssize_t n,
                            bint stream) noexcept nogil:
    """_combine_rows into the output; with `stream`, written with streaming stores.

    Float rows in the AVX2 build go through ups_combine_float (streaming
    straight from the registers); otherwise the sums are staged in L1 and
    streamed out.
    """
    cdef real stage[STAGE_DOUBLES]
    cdef Py_ssize_t step = STAGE_DOUBLES
    cdef Py_ssize_t start = 0, length
    if real is float:
        if ups_combine_float(dst, base, row_offsets, weights, taps, n, stream):
            return
    if not stream:
        _combine_rows(dst, base, row_offsets, weights, taps, n)
        return
    while start < n:
        length = step if start + step <= n else n - start
        _combine_rows(stage, base + start, row_offsets, weights, taps, length)
        ups_stream_copy(dst + start, stage, length * sizeof(real))
        start += length


# ---------------------------------------------------------------------------
# Weighted resampling along the last spatial axis (rows of pixels)
# ---------------------------------------------------------------------------

cdef inline void _resample_pixels_small(real* dst, const real* src, Py_ssize_t n_out,
                                        Py_ssize_t channels, const Py_ssize_t* offsets,
                                        const real* weights,
                                        Py_ssize_t taps) noexcept nogil:
    """One row of pixels with few channels: a scalar loop per output pixel.

    Called with literal `channels` and `taps`, so that the compiler unrolls
    both inner loops into straight-line code. The taps' offsets and weights
    are copied into locals first: the compiler cannot prove that storing a
    result leaves the tables unchanged, and would reload them after every
    store otherwise.
    """
    cdef Py_ssize_t j, c, k
    cdef Py_ssize_t o0, o1, o2, o3
    cdef real w0, w1, w2, w3
    cdef real acc
    if taps == 2:
        for j in range(n_out):
            o0 = offsets[0]
            o1 = offsets[1]
            w0 = weights[0]
            w1 = weights[1]
            for c in range(channels):
                dst[c] = w0 * src[o0 + c] + w1 * src[o1 + c]
            dst += channels
            offsets += 2
            weights += 2
    elif taps == 4:
        for j in range(n_out):
            o0 = offsets[0]
            o1 = offsets[1]
            o2 = offsets[2]
            o3 = offsets[3]
            w0 = weights[0]
            w1 = weights[1]
            w2 = weights[2]
            w3 = weights[3]
            for c in range(channels):
                dst[c] = (w0 * src[o0 + c] + w1 * src[o1 + c]) + w2 * src[o2 + c] \
                    + w3 * src[o3 + c]
            dst += channels
            offsets += 4
            weights += 4
    else:
        for j in range(n_out):
            for c in range(channels):
                acc = 0
                for k in range(taps):
                    acc = acc + weights[k] * src[offsets[k] + c]
                dst[c] = acc
            dst += channels
            offsets += taps
            weights += taps


cdef inline void _resample_pixels_wide(real* dst, const real* src, Py_ssize_t n_out,
                                       Py_ssize_t channels, const Py_ssize_t* offsets,
                                       const real* weights, Py_ssize_t taps) noexcept nogil:
    """One row of pixels with many channels: vector loops over the channels."""
    cdef Py_ssize_t j, c, k
    cdef const real* px
    cdef real w
    if real is float:
        if ups_pixels_wide(dst, src, n_out, channels, offsets, weights, taps):
            return
    for j in range(n_out):
        px = src + offsets[0]
        w = weights[0]
        for c in range(channels):
            dst[c] = w * px[c]
        for k in range(1, taps):
            px = src + offsets[k]
            w = weights[k]
            for c in range(channels):
                dst[c] = dst[c] + w * px[c]
        dst += channels
        offsets += taps
        weights += taps


cdef void _resample_pixels_table(real* dst, const real* src, Py_ssize_t n_out,
                                 Py_ssize_t channels, const Py_ssize_t* offsets,
                                 const real* weights, Py_ssize_t taps) noexcept nogil:
    """Resample `n_out` pixels of `channels` values each, taps read from the tables.

    offsets[j * taps + k] is the element offset in `src` of tap k of output
    pixel j (source pixel index times channels).
    """
    if channels >= 8:
        _resample_pixels_wide(dst, src, n_out, channels, offsets, weights, taps)
    elif channels == 1:
        if taps == 2:
            _resample_pixels_small(dst, src, n_out, 1, offsets, weights, 2)
        elif taps == 4:
            _resample_pixels_small(dst, src, n_out, 1, offsets, weights, 4)
        else:
            _resample_pixels_small(dst, src, n_out, 1, offsets, weights, taps)
    elif channels == 2:
        if taps == 2:
            _resample_pixels_small(dst, src, n_out, 2, offsets, weights, 2)
        elif taps == 4:
            _resample_pixels_small(dst, src, n_out, 2, offsets, weights, 4)
        else:
            _resample_pixels_small(dst, src, n_out, 2, offsets, weights, taps)
    elif channels == 3:
        if taps == 2:
            _resample_pixels_small(dst, src, n_out, 3, offsets, weights, 2)
        elif taps == 4:
            _resample_pixels_small(dst, src, n_out, 3, offsets, weights, 4)
        else:
            _resample_pixels_small(dst, src, n_out, 3, offsets, weights, taps)
    elif channels == 4:
        if taps == 2:
            _resample_pixels_small(dst, src, n_out, 4, offsets, weights, 2)
        elif taps == 4:
            _resample_pixels_small(dst, src, n_out, 4, offsets, weights, 4)
        else:
            _resample_pixels_small(dst, src, n_out, 4, offsets, weights, taps)
    else:
        _resample_pixels_small(dst, src, n_out, channels, offsets, weights, taps)


cdef inline void _double_pixel(real* out, const real* px, const real* w, Py_ssize_t channels,
                               Py_ssize_t taps, Py_ssize_t phase) noexcept nogil:
    """Output pixel 2i + phase of a scale-2 row; px points at source pixel i.

    At scale 2 with the half-pixel rule, output 2i sits at i - 0.25 and 2i + 1
    at i + 0.25, so the taps are fixed neighbours of pixel i (linear: i - 1, i
    or i, i + 1; cubic: i - 2 .. i + 1 or i - 1 .. i + 2). Knowing them at
    compile time spares the offset loads and lets neighbouring outputs share
    their source loads.
    """
    cdef Py_ssize_t c
    cdef Py_ssize_t C = channels
    if taps == 2:
        if phase == 0:
            for c in range(C):
                out[c] = w[0] * px[c - C] + w[1] * px[c]
        else:
            for c in range(C):
                out[c] = w[0] * px[c] + w[1] * px[c + C]
    else:
        if phase == 0:
            for c in range(C):
                out[c] = w[0] * px[c - 2 * C] + w[1] * px[c - C] + w[2] * px[c] + w[3] * px[c + C]
        else:
            for c in range(C):
                out[c] = w[0] * px[c - C] + w[1] * px[c] + w[2] * px[c + C] + w[3] * px[c + 2 * C]


cdef inline void _double_pairs(real* dst, const real* src, Py_ssize_t i0, Py_ssize_t i1,
                               Py_ssize_t channels, const real* weights,
                               Py_ssize_t taps) noexcept nogil:
    """Output pixels 2i and 2i + 1 for every i in [i0, i1) of a scale-2 row.

    Every interior pair has the same weights (the coordinates i - 0.25 and
    i + 0.25 are exact in float32), so they are read once from the table and
    held in registers; with constant weights and fixed neighbours the loop
    vectorises across pixels.
    """
    cdef Py_ssize_t i, c
    cdef Py_ssize_t C = channels
    cdef const real* px
    cdef real* out
    cdef const real* w = weights + 2 * i0 * taps
    cdef real w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3]
    cdef real w4, w5, w6, w7
    cdef real left2, left, centre, right, right2
    if real is float:
        if channels == 3:
            i0 = ups_double_rgb(dst, src, i0, i1, w, taps)
    if taps == 2:
        for i in range(i0, i1):
            px = src + i * C
            out = dst + 2 * i * C
            for c in range(C):
                left = px[c - C]
                centre = px[c]
                right = px[c + C]
                out[c] = w0 * left + w1 * centre
                out[C + c] = w2 * centre + w3 * right
    else:
        w4 = w[4]
        w5 = w[5]
        w6 = w[6]
        w7 = w[7]
        for i in range(i0, i1):
            px = src + i * C
            out = dst + 2 * i * C
            for c in range(C):
                left2 = px[c - 2 * C]
                left = px[c - C]
                centre = px[c]
                right = px[c + C]
                right2 = px[c + 2 * C]
                out[c] = w0 * left2 + w1 * left + w2 * centre + w3 * right
                out[C + c] = w4 * left + w5 * centre + w6 * right + w7 * right2


cdef void _resample_pixels(real* dst, const real* src, Py_ssize_t first, Py_ssize_t last,
                           Py_ssize_t channels, const Py_ssize_t* offsets, const real* weights,
                           Py_ssize_t taps, Py_ssize_t double_n_in) noexcept nogil:
    """Output pixels first..last-1 of one row; dst and src point at the rows' starts.

    double_n_in > 0 marks a scale-2 half-pixel row of that input length whose
    interior follows the fixed pattern of _double_pixel (checked in Python).
    Which code computes a pixel depends only on its position, never on how the
    row was split between threads, so results do not depend on the thread count.
    """
    cdef Py_ssize_t margin, inner_first, inner_last, j, i0, i1
    # Wide pixels are faster through the table path, whose inner loop runs
    # over the channels and vectorises.
    if double_n_in == 0 or channels > 4:
        _resample_pixels_table(dst + first * channels, src, last - first, channels,
                               offsets + first * taps, weights + first * taps, taps)
        return
    # Interior output pixels: those whose taps need no clamping.
    margin = 1 if taps == 2 else 2
    inner_first = 2 * margin
    inner_last = 2 * (double_n_in - margin)
    if inner_first < first:
        inner_first = first
    if inner_last > last:
        inner_last = last
    if inner_first >= inner_last:
        _resample_pixels_table(dst + first * channels, src, last - first, channels,
                               offsets + first * taps, weights + first * taps, taps)
        return
    _resample_pixels_table(dst + first * channels, src, inner_first - first, channels,
                           offsets + first * taps, weights + first * taps, taps)
    j = inner_first
    if j % 2 == 1:
        _double_pixel(dst + j * channels, src + (j // 2) * channels, weights + j * taps,
                      channels, taps, 1)
        j += 1
    i0 = j // 2
    i1 = inner_last // 2
    if channels == 1:
        _double_pairs(dst, src, i0, i1, 1, weights, taps)
    elif channels == 2:
        _double_pairs(dst, src, i0, i1, 2, weights, taps)
    elif channels == 3:
        _double_pairs(dst, src, i0, i1, 3, weights, taps)
    else:
        _double_pairs(dst, src, i0, i1, 4, weights, taps)
    j = 2 * i1
    if j < inner_last:
        _double_pixel(dst + j * channels, src + i1 * channels, weights + j * taps,
                      channels, taps, 0)
        j += 1
    _resample_pixels_table(dst + j * channels, src, last - j, channels, offsets + j * taps,
                           weights + j * taps, taps)


# ---------------------------------------------------------------------------
# Work items (one call per item of a parallel loop)
# ---------------------------------------------------------------------------

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


cdef void _vertical_chunk(const real* src, real* dst, Py_ssize_t first, Py_ssize_t last,
                          Py_ssize_t n_in, Py_ssize_t inner, Py_ssize_t n_out,
                          Py_ssize_t n_blocks, Py_ssize_t block,
                          const Py_ssize_t* row_offsets, const real* weights,
                          Py_ssize_t taps, bint stream) noexcept nogil:
    """Work items first..last-1 of a vertical pass; item = (output row, block of inner)."""
    cdef Py_ssize_t item, row, b, o, j, start, length
    for item in range(first, last):
        row = item // n_blocks
        b = item - row * n_blocks
        o = row // n_out
        j = row - o * n_out
        start = b * block
        length = block if start + block <= inner else inner - start
        _combine_rows_out(dst + row * inner + start, src + o * n_in * inner + start,
                          row_offsets + j * taps, weights + j * taps, taps, length, stream)
    if stream:
        ups_store_fence()


cdef void _horizontal_chunk(const real* src, real* dst, Py_ssize_t first, Py_ssize_t last,
                            Py_ssize_t n_in, Py_ssize_t channels, Py_ssize_t n_out,
                            Py_ssize_t n_blocks, Py_ssize_t block,
                            const Py_ssize_t* offsets, const real* weights,
                            Py_ssize_t taps, Py_ssize_t double_n_in) noexcept nogil:
    """Work items first..last-1 of a last-axis pass; item = (row, block of output pixels)."""
    cdef Py_ssize_t item, row, b, start, count
    for item in range(first, last):
        row = item // n_blocks
        b = item - row * n_blocks
        start = b * block
        count = block if start + block <= n_out else n_out - start
        _resample_pixels(dst + row * n_out * channels, src + row * n_in * channels, start,
                         start + count, channels, offsets, weights, taps, double_n_in)


cdef enum:
    # Source rows resampled together by the row-tile kernel.
    ROW_TILE = 8


cdef void _tile_rows_into_ring(const float* first_row, Py_ssize_t count, Py_ssize_t s,
                               Py_ssize_t g, float* ring, Py_ssize_t in_len, Py_ssize_t out_len,
                               Py_ssize_t w_out, Py_ssize_t channels,
                               const Py_ssize_t* w_offsets, const float* w_weights,
                               Py_ssize_t w_taps, Py_ssize_t ring_n, Py_ssize_t* ring_rows,
                               float* tile) noexcept nogil:
    """Resample `count` (at most eight) consecutive float rows from first_row, source
    rows s... (ring ids g...), into their ring slots at once by the row-tile kernel.

    Past the last row the tile is padded by repeating it (same input, same
    slot, same values).
    """
    cdef const float* rows[ROW_TILE]
    cdef float* outs[ROW_TILE]
    cdef Py_ssize_t b, row
    for b in range(ROW_TILE):
        row = b if b < count else count - 1
        rows[b] = first_row + row * in_len
        outs[b] = ring + ((s + row) % ring_n) * out_len
    ups_resample_rows8(rows, outs, in_len, w_out, channels, w_offsets, w_weights, w_taps,
                       tile, tile + in_len * ROW_TILE)
    for b in range(count):
        ring_rows[(s + b) % ring_n] = g + b


cdef void _fill_ring_rows(const real* src, real* ring, Py_ssize_t o, Py_ssize_t s,
                          Py_ssize_t h_in, Py_ssize_t in_len, Py_ssize_t out_len,
                          Py_ssize_t w_out, Py_ssize_t channels, const Py_ssize_t* w_offsets,
                          const real* w_weights, Py_ssize_t w_taps, Py_ssize_t ring_n,
                          Py_ssize_t* ring_rows, real* tile) noexcept nogil:
    """Resample source rows s .. s + 7 of image o into their ring slots, eight at once.

    Only for float rows with the row-tile kernel.
    """
    cdef Py_ssize_t count = h_in - s if h_in - s < ROW_TILE else ROW_TILE
    if real is float:
        _tile_rows_into_ring(src + (o * h_in + s) * in_len, count, s, o * h_in + s, ring,
                             in_len, out_len, w_out, channels, w_offsets, w_weights, w_taps,
                             ring_n, ring_rows, tile)


cdef void _planar_chunk_width_first(const real* src, real* dst, Py_ssize_t first,
                                    Py_ssize_t last, Py_ssize_t h_in, Py_ssize_t w_in,
                                    Py_ssize_t channels, Py_ssize_t h_out, Py_ssize_t w_out,
                                    const Py_ssize_t* h_index, const real* h_weights,
                                    Py_ssize_t h_taps, const Py_ssize_t* w_offsets,
                                    const real* w_weights, Py_ssize_t w_taps,
                                    Py_ssize_t w_double, real* ring, Py_ssize_t ring_n,
                                    bint row_tiles, real* tile,
                                    Py_ssize_t* ring_rows, Py_ssize_t* row_offsets,
                                    bint stream) noexcept nogil:
    """Output rows first..last-1 of a 2-D pass, resampling along the width first.

    Each source row is resampled along the width once into a ring of ring_n
    rows (kept in cache), and every output row is a vertical combination of
    ring rows. The taps of one output row are consecutive source rows, so
    slot = source row mod ring_n never evicts a row still needed by that
    output row; ring_rows remembers which source row each slot holds.

    With row_tiles (every source row is used, float data), a missing row is
    resampled together with the seven after it by the row-tile kernel; the
    ring then has h_taps + 7 slots, enough for the taps of the current
    output row and the whole tile.
    """
    cdef Py_ssize_t in_len = w_in * channels
    cdef Py_ssize_t out_len = w_out * channels
    cdef Py_ssize_t r, o, j, k, s, g, slot
    for r in range(first, last):
        o = r // h_out
        j = r - o * h_out
        for k in range(h_taps):
            s = h_index[j * h_taps + k]
            g = o * h_in + s
            slot = s % ring_n
            if ring_rows[slot] != g:
                if row_tiles:
                    _fill_ring_rows(src, ring, o, s, h_in, in_len, out_len, w_out, channels,
                                    w_offsets, w_weights, w_taps, ring_n, ring_rows, tile)
                else:
                    _resample_pixels(ring + slot * out_len, src + g * in_len, 0, w_out,
                                     channels, w_offsets, w_weights, w_taps, w_double)
                    ring_rows[slot] = g
            row_offsets[k] = slot * out_len
        _combine_rows_out(dst + r * out_len, ring, row_offsets, h_weights + j * h_taps,
                          h_taps, out_len, stream)
    if stream:
        ups_store_fence()


cdef inline int _rows_ahead(const Py_ssize_t* h_index, Py_ssize_t h_taps, Py_ssize_t j,
                            Py_ssize_t span, Py_ssize_t h_out, Py_ssize_t row_bytes,
                            Py_ssize_t* rows) noexcept nogil:
    """Fill rows with the source rows that output rows j + 1 .. j + span read beyond
    those of output row j (the tables are sorted), at most UPS_AHEAD_ROWS of them and
    none when that many rows would take more than AHEAD_BYTES; return how many. A
    single row passes its own j and span 1, a pair j and j + 1 passes j + 1 and 2."""
    cdef Py_ssize_t k, s, newest
    cdef Py_ssize_t following = h_out - j - 1
    cdef int n = 0
    if following <= 0 or row_bytes > AHEAD_BYTES // UPS_AHEAD_ROWS:
        return 0
    if span > following:
        span = following
    newest = h_index[j * h_taps + h_taps - 1]
    for k in range(span * h_taps):
        s = h_index[(j + 1) * h_taps + k]
        if s > newest and n < UPS_AHEAD_ROWS:
            rows[n] = s
            n += 1
            newest = s
    return n


cdef inline void _combine_source_rows(real* row, const real* src, Py_ssize_t r,
                                      Py_ssize_t h_in, Py_ssize_t h_out, Py_ssize_t in_len,
                                      const Py_ssize_t* h_index, const real* h_weights,
                                      Py_ssize_t h_taps,
                                      Py_ssize_t* row_offsets) noexcept nogil:
    """row = output row r of a height-first pass, before the width: its source rows combined."""
    cdef Py_ssize_t o = r // h_out
    cdef Py_ssize_t j = r - o * h_out
    cdef Py_ssize_t k
    cdef Py_ssize_t ahead_rows[UPS_AHEAD_ROWS]
    cdef const float* ahead[UPS_AHEAD_ROWS]
    cdef int n_ahead
    for k in range(h_taps):
        row_offsets[k] = h_index[j * h_taps + k] * in_len
    if real is float:
        n_ahead = _rows_ahead(h_index, h_taps, j, 1, h_out, in_len * sizeof(float), ahead_rows)
        for k in range(n_ahead):
            ahead[k] = src + (o * h_in + ahead_rows[k]) * in_len
        if n_ahead and ups_combine_float_ahead(row, src + o * h_in * in_len, row_offsets,
                                               h_weights + j * h_taps, h_taps, in_len,
                                               ahead, n_ahead):
            return
    _combine_rows(row, src + o * h_in * in_len, row_offsets, h_weights + j * h_taps, h_taps,
                  in_len)


cdef inline bint _combine_source_row_pair(float* row, const float* src, Py_ssize_t r,
                                         Py_ssize_t h_in, Py_ssize_t h_out, Py_ssize_t in_len,
                                         const Py_ssize_t* h_index, const float* h_weights,
                                         Py_ssize_t h_taps,
                                         Py_ssize_t* row_offsets) noexcept nogil:
    """Rows r and r + 1 of a height-first pass into row and row + in_len, in one sweep
    over their shared source rows (ups_combine_float_pair); False (nothing written)
    when they belong to different images or their taps do not overlap as it needs."""
    cdef Py_ssize_t o = r // h_out
    cdef Py_ssize_t j = r - o * h_out
    cdef Py_ssize_t k
    cdef Py_ssize_t ahead_rows[UPS_AHEAD_ROWS]
    cdef const float* ahead[UPS_AHEAD_ROWS]
    cdef int n_ahead
    if j + 1 >= h_out:
        return False
    for k in range(2 * h_taps):
        row_offsets[k] = h_index[j * h_taps + k] * in_len
    n_ahead = _rows_ahead(h_index, h_taps, j + 1, 2, h_out, in_len * sizeof(float),
                          ahead_rows)
    for k in range(n_ahead):
        ahead[k] = src + (o * h_in + ahead_rows[k]) * in_len
    return ups_combine_float_pair(row, row + in_len, src + o * h_in * in_len, row_offsets,
                                  row_offsets + h_taps, h_weights + j * h_taps,
                                  h_weights + (j + 1) * h_taps, h_taps, in_len, ahead,
                                  n_ahead) != 0


cdef void _planar_chunk_height_first(const real* src, real* dst, Py_ssize_t first,
                                     Py_ssize_t last, Py_ssize_t h_in, Py_ssize_t w_in,
                                     Py_ssize_t channels, Py_ssize_t h_out, Py_ssize_t w_out,
                                     const Py_ssize_t* h_index, const real* h_weights,
                                     Py_ssize_t h_taps, const Py_ssize_t* w_offsets,
                                     const real* w_weights, Py_ssize_t w_taps,
                                     Py_ssize_t w_double, bint row_tiles, real* row,
                                     Py_ssize_t* row_offsets) noexcept nogil:
    """Output rows first..last-1 of a 2-D pass, combining source rows first.

    Cheaper than width-first when the height shrinks: each output row is one
    vertical combination (at input width) and one resampling of that row.
    With row_tiles (float data), eight combined rows at a time are resampled
    together by the row-tile kernel; a last group of fewer rows repeats its
    last row (same input, same output row, same values). The rows of a group
    are combined two per sweep where their taps allow, so row_offsets holds
    2 * h_taps integers.
    """
    cdef Py_ssize_t in_len = w_in * channels
    cdef Py_ssize_t out_len = w_out * channels
    cdef Py_ssize_t r, b, count
    cdef const float* rows[ROW_TILE]
    cdef float* outs[ROW_TILE]
    if real is float:
        if row_tiles:
            r = first
            while r < last:
                count = last - r if last - r < ROW_TILE else ROW_TILE
                b = 0
                while b < count:
                    if b + 1 < count and _combine_source_row_pair(
                            row + b * in_len, src, r + b, h_in, h_out, in_len, h_index,
                            h_weights, h_taps, row_offsets):
                        b += 2
                    else:
                        _combine_source_rows(row + b * in_len, src, r + b, h_in, h_out, in_len,
                                             h_index, h_weights, h_taps, row_offsets)
                        b += 1
                for b in range(ROW_TILE):
                    rows[b] = row + (b if b < count else count - 1) * in_len
                    outs[b] = dst + (r + (b if b < count else count - 1)) * out_len
                ups_resample_rows8(rows, outs, in_len, w_out, channels, w_offsets, w_weights,
                                   w_taps, row + ROW_TILE * in_len,
                                   row + 2 * ROW_TILE * in_len)
                r += count
            return
    for r in range(first, last):
        _combine_source_rows(row, src, r, h_in, h_out, in_len, h_index, h_weights, h_taps,
                             row_offsets)
        _resample_pixels(dst + r * out_len, row, 0, w_out, channels, w_offsets, w_weights,
                         w_taps, w_double)


# ---------------------------------------------------------------------------
# uint8 in, uint8 out: float32 arithmetic on rows converted while in cache
# ---------------------------------------------------------------------------

ctypedef unsigned char uint8_t

cdef inline void _load_uint8(float* dst, const uint8_t* src, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        dst[i] = src[i]


cdef inline void _store_uint8(uint8_t* dst, const float* src, Py_ssize_t n) noexcept nogil:
    """Round to nearest (ties to even, as numpy.rint) and saturate to 0..255; NaN gives 0."""
    ups_round_store_uint8(dst, src, n)


cdef void _combine_rows_uint8_out(uint8_t* dst, const float* base,
                                  const Py_ssize_t* row_offsets, const float* weights,
                                  Py_ssize_t taps, Py_ssize_t n, bint stream) noexcept nogil:
    """_combine_rows of float rows, rounded to uint8; with `stream`, written with
    streaming stores (from the registers when it can, else staged in L1)."""
    cdef uint8_t packed[STAGE_BYTES]
    cdef Py_ssize_t start = 0, length
    if ups_combine_store_uint8(dst, base, row_offsets, weights, taps, n, stream):
        return
    while start < n:
        length = STAGE_BYTES if start + STAGE_BYTES <= n else n - start
        ups_combine_store_uint8(packed, base + start, row_offsets, weights, taps, length, 0)
        ups_stream_copy(dst + start, packed, length)
        start += length


cdef void _combine_uint8_rows(float* dst, const uint8_t* base, const Py_ssize_t* row_offsets,
                              const float* weights, Py_ssize_t taps, Py_ssize_t n,
                              const uint8_t* const* ahead=NULL, int n_ahead=0) noexcept nogil:
    """dst[i] = sum_k weights[k] * base[row_offsets[k] + i], reading uint8 rows (and
    prefetching the rows in `ahead`, see ups_combine_avx2)."""
    cdef Py_ssize_t i, k
    cdef const uint8_t* rk = base + row_offsets[0]
    cdef float wk = weights[0]
    if ups_combine_uint8_float(dst, base, row_offsets, weights, taps, n, ahead, n_ahead):
        return
    for i in range(n):
        dst[i] = wk * rk[i]
    for k in range(1, taps):
        rk = base + row_offsets[k]
        wk = weights[k]
        for i in range(n):
            dst[i] = dst[i] + wk * rk[i]


cdef void _fill_ring_rows_uint8(const uint8_t* src, float* ring, Py_ssize_t o, Py_ssize_t s,
                                Py_ssize_t h_in, Py_ssize_t in_len, Py_ssize_t out_len,
                                Py_ssize_t w_out, Py_ssize_t channels,
                                const Py_ssize_t* w_offsets, const float* w_weights,
                                Py_ssize_t w_taps, Py_ssize_t ring_n, Py_ssize_t* ring_rows,
                                float* in_rows, float* tile) noexcept nogil:
    """_fill_ring_rows for uint8 source rows, converted to float in in_rows first."""
    cdef Py_ssize_t b
    cdef Py_ssize_t count = h_in - s if h_in - s < ROW_TILE else ROW_TILE
    for b in range(count):
        _load_uint8(in_rows + b * in_len, src + (o * h_in + s + b) * in_len, in_len)
    _tile_rows_into_ring(in_rows, count, s, o * h_in + s, ring, in_len, out_len, w_out,
                         channels, w_offsets, w_weights, w_taps, ring_n, ring_rows, tile)


cdef void _planar_uint8_tiles_height_first(const uint8_t* src, uint8_t* dst, Py_ssize_t first,
                                           Py_ssize_t last, Py_ssize_t h_in, Py_ssize_t in_len,
                                           Py_ssize_t channels, Py_ssize_t h_out,
                                           Py_ssize_t w_out, const Py_ssize_t* h_index,
                                           const float* h_weights, Py_ssize_t h_taps,
                                           const Py_ssize_t* w_offsets, const float* w_weights,
                                           Py_ssize_t w_taps, float* scratch,
                                           Py_ssize_t* row_offsets) noexcept nogil:
    """Output rows first..last-1 of a height-first uint8 pass, eight rows at a time.

    Eight output rows' source rows are combined into float rows, two rows per
    sweep where their taps allow, resampled together by the row-tile kernel,
    then rounded into the output. row_offsets holds 2 * h_taps integers.
    """
    cdef Py_ssize_t out_len = w_out * channels
    cdef float* in_rows = scratch
    cdef float* out_rows = in_rows + ROW_TILE * in_len
    cdef float* tile = out_rows + ROW_TILE * out_len
    cdef const float* rows[ROW_TILE]
    cdef float* outs[ROW_TILE]
    cdef Py_ssize_t r = first, b, k, o, j, row, count
    cdef Py_ssize_t ahead_rows[UPS_AHEAD_ROWS]
    cdef const uint8_t* ahead[UPS_AHEAD_ROWS]
    cdef int n_ahead
    while r < last:
        count = last - r if last - r < ROW_TILE else ROW_TILE
        b = 0
        while b < count:
            o = (r + b) // h_out
            j = r + b - o * h_out
            if b + 1 < count and j + 1 < h_out:
                # Two rows in one sweep where their taps allow (ups_combine_uint8_float_pair).
                for k in range(2 * h_taps):
                    row_offsets[k] = h_index[j * h_taps + k] * in_len
                n_ahead = _rows_ahead(h_index, h_taps, j + 1, 2, h_out, in_len, ahead_rows)
                for k in range(n_ahead):
                    ahead[k] = src + (o * h_in + ahead_rows[k]) * in_len
                if ups_combine_uint8_float_pair(
                        in_rows + b * in_len, in_rows + (b + 1) * in_len,
                        src + o * h_in * in_len, row_offsets, row_offsets + h_taps,
                        h_weights + j * h_taps, h_weights + (j + 1) * h_taps, h_taps, in_len,
                        ahead, n_ahead):
                    b += 2
                    continue
            for k in range(h_taps):
                row_offsets[k] = h_index[j * h_taps + k] * in_len
            n_ahead = _rows_ahead(h_index, h_taps, j, 1, h_out, in_len, ahead_rows)
            for k in range(n_ahead):
                ahead[k] = src + (o * h_in + ahead_rows[k]) * in_len
            _combine_uint8_rows(in_rows + b * in_len, src + o * h_in * in_len, row_offsets,
                                h_weights + j * h_taps, h_taps, in_len, ahead, n_ahead)
            b += 1
        for b in range(ROW_TILE):
            row = b if b < count else count - 1
            rows[b] = in_rows + row * in_len
            outs[b] = out_rows + row * out_len
        ups_resample_rows8(rows, outs, in_len, w_out, channels, w_offsets, w_weights, w_taps,
                           tile, tile + in_len * ROW_TILE)
        for b in range(count):
            _store_uint8(dst + (r + b) * out_len, out_rows + b * out_len, out_len)
        r += count


cdef void _planar_uint8_chunk(const uint8_t* src, uint8_t* dst, Py_ssize_t first,
                              Py_ssize_t last, Py_ssize_t h_in, Py_ssize_t w_in,
                              Py_ssize_t channels, Py_ssize_t h_out, Py_ssize_t w_out,
                              const Py_ssize_t* h_index, const float* h_weights,
                              Py_ssize_t h_taps, const Py_ssize_t* w_offsets,
                              const float* w_weights, Py_ssize_t w_taps, Py_ssize_t w_double,
                              bint width_first, bint row_tiles, float* scratch,
                              Py_ssize_t* ring_rows, Py_ssize_t* row_offsets,
                              bint stream) noexcept nogil:
    """Output rows first..last-1 of a 2-D uint8 pass (see the float planar chunks).

    scratch holds one float row of the input width, then (width first) the
    ring of h_taps resampled rows, or (height first) one output row. With
    row_tiles (see planar_uint8_scratch_length) eight rows go through the
    row-tile kernel at a time, as in the float passes.
    """
    cdef Py_ssize_t in_len = w_in * channels
    cdef Py_ssize_t out_len = w_out * channels
    cdef Py_ssize_t ring_n = h_taps + (ROW_TILE - 1 if row_tiles else 0)
    cdef float* in_rows = scratch
    cdef float* ring = scratch + (ROW_TILE if row_tiles else 1) * in_len
    cdef float* tile = ring + ring_n * out_len
    cdef Py_ssize_t r, o, j, k, s, g, slot
    if row_tiles and not width_first:
        # No ring height first: the whole index scratch (ring_rows onwards, 2 * h_taps
        # and more) holds the row offsets of a pair of rows.
        _planar_uint8_tiles_height_first(src, dst, first, last, h_in, in_len, channels, h_out,
                                         w_out, h_index, h_weights, h_taps, w_offsets,
                                         w_weights, w_taps, scratch, ring_rows)
        return
    for r in range(first, last):
        o = r // h_out
        j = r - o * h_out
        if width_first:
            for k in range(h_taps):
                s = h_index[j * h_taps + k]
                g = o * h_in + s
                slot = s % ring_n
                if ring_rows[slot] != g:
                    if row_tiles:
                        _fill_ring_rows_uint8(src, ring, o, s, h_in, in_len, out_len, w_out,
                                              channels, w_offsets, w_weights, w_taps, ring_n,
                                              ring_rows, in_rows, tile)
                    else:
                        _load_uint8(in_rows, src + g * in_len, in_len)
                        _resample_pixels(ring + slot * out_len, in_rows, 0, w_out, channels,
                                         w_offsets, w_weights, w_taps, w_double)
                        ring_rows[slot] = g
                row_offsets[k] = slot * out_len
            _combine_rows_uint8_out(dst + r * out_len, ring, row_offsets,
                                    h_weights + j * h_taps, h_taps, out_len, stream)
        else:
            for k in range(h_taps):
                row_offsets[k] = h_index[j * h_taps + k] * in_len
            _combine_uint8_rows(in_rows, src + o * h_in * in_len, row_offsets,
                                h_weights + j * h_taps, h_taps, in_len)
            _resample_pixels(ring, in_rows, 0, w_out, channels, w_offsets, w_weights, w_taps,
                             w_double)
            _store_uint8(dst + r * out_len, ring, out_len)
    if stream:
        ups_store_fence()


def planar_pass_uint8(cnp.ndarray src not None, cnp.ndarray dst not None, Py_ssize_t outer,
                      Py_ssize_t h_in, Py_ssize_t w_in, Py_ssize_t channels, Py_ssize_t h_out,
                      Py_ssize_t w_out, cnp.ndarray h_index not None,
                      cnp.ndarray h_weights not None, Py_ssize_t h_taps,
                      cnp.ndarray w_offsets not None, cnp.ndarray w_weights not None,
                      Py_ssize_t w_taps, bint w_doubling, bint width_first, bint row_tiles,
                      cnp.ndarray scratch not None, cnp.ndarray index_scratch not None,
                      bint stream, int num_threads):
    """planar_pass for uint8 input and output, computing in float32.

    Results are rounded to nearest and saturated. Tables and scratch as for
    planar_pass, with planar_uint8_scratch_length(...) floats of scratch per
    thread.
    """
    _check_threads(num_threads)
    cdef Py_ssize_t n_rows = outer * h_out
    cdef Py_ssize_t n_chunks = _parallel_chunks(n_rows, num_threads)
    cdef Py_ssize_t w_double = w_in if w_doubling else 0
    cdef Py_ssize_t scratch_len = planar_uint8_scratch_length(h_taps, w_in, w_out, channels,
                                                              width_first, row_tiles)
    cdef Py_ssize_t index_len = planar_index_length(h_taps, row_tiles)
    cdef Py_ssize_t ring_n = h_taps + (ROW_TILE - 1 if row_tiles else 0)
    cdef Py_ssize_t chunk, first, last
    cdef int tid = 0
    cdef const uint8_t* src_ptr = <const uint8_t*>_items(
        src, cnp.NPY_UINT8, outer * h_in * w_in * channels, False, "src")
    cdef uint8_t* dst_ptr = <uint8_t*>_items(
        dst, cnp.NPY_UINT8, n_rows * w_out * channels, True, "dst")
    cdef const Py_ssize_t* h_index_ptr = <const Py_ssize_t*>_items(
        h_index, cnp.NPY_INTP, h_out * h_taps, False, "h_index")
    cdef const float* h_weights_ptr = <const float*>_items(
        h_weights, cnp.NPY_FLOAT32, h_out * h_taps, False, "h_weights")
    cdef const Py_ssize_t* w_offsets_ptr = <const Py_ssize_t*>_items(
        w_offsets, cnp.NPY_INTP, w_out * w_taps, False, "w_offsets")
    cdef const float* w_weights_ptr = <const float*>_items(
        w_weights, cnp.NPY_FLOAT32, w_out * w_taps, False, "w_weights")
    cdef float* scratch_ptr = <float*>_scratch_bytes(
        scratch, num_threads * scratch_len * sizeof(float), "scratch")
    cdef Py_ssize_t* index_ptr = <Py_ssize_t*>_items(
        index_scratch, cnp.NPY_INTP, num_threads * index_len, True, "index_scratch")
    if row_tiles and not ups_row_tiles_available():
        raise ValueError("row tiles need the AVX2 kernels")
    if n_chunks == 1:
        with nogil:
            _preset_index(index_ptr, index_len)
            _planar_uint8_chunk(
                src_ptr, dst_ptr, 0, n_rows, h_in, w_in, channels, h_out, w_out, h_index_ptr,
                h_weights_ptr, h_taps, w_offsets_ptr, w_weights_ptr, w_taps, w_double,
                width_first, row_tiles, scratch_ptr, index_ptr, index_ptr + ring_n, stream)
        return
    with nogil:
        _preset_index(index_ptr, num_threads * index_len)
    with nogil, parallel(num_threads=num_threads):
        tid = threadid()
        for chunk in prange(n_chunks, schedule="dynamic"):
            first = _chunk_start(chunk, n_chunks, n_rows)
            last = _chunk_start(chunk + 1, n_chunks, n_rows)
            _planar_uint8_chunk(
                src_ptr, dst_ptr, first, last, h_in, w_in, channels, h_out, w_out,
                h_index_ptr, h_weights_ptr, h_taps, w_offsets_ptr, w_weights_ptr, w_taps,
                w_double, width_first, row_tiles, scratch_ptr + tid * scratch_len,
                index_ptr + tid * index_len, index_ptr + tid * index_len + ring_n, stream)


cpdef Py_ssize_t planar_uint8_scratch_length(Py_ssize_t h_taps, Py_ssize_t w_in,
                                             Py_ssize_t w_out, Py_ssize_t channels,
                                             bint width_first, bint row_tiles) noexcept nogil:
    """Floats of scratch one thread of planar_pass_uint8 needs.

    Without row tiles: a source row at input width, then the ring of h_taps
    resampled rows (width first) or one output row. With them: eight rows at
    input width, then the ring of h_taps + 7 rows (width first) or eight
    output rows, then the transposed source tile and one transposed output
    block.
    """
    if not row_tiles:
        return (w_in + (h_taps if width_first else 1) * w_out) * channels
    return (2 * ROW_TILE * w_in + (h_taps + ROW_TILE - 1 if width_first else ROW_TILE) * w_out
            + ROW_TILE * ROW_TILE_PIXELS) * channels


ctypedef fused halved:
    uint8_t
    float


def halve_pass(cnp.ndarray src not None, cnp.ndarray dst not None, Py_ssize_t outer,
               Py_ssize_t h_in, Py_ssize_t w_in, Py_ssize_t channels, Py_ssize_t h_out,
               Py_ssize_t w_out, int num_threads):
    """Linear at exactly 0.5 on both axes of images viewed as (outer, h_in, w_in, channels):
    output pixel (i, j) is the mean of source rows 2i, 2i + 1 and columns 2j, 2j + 1,
    every weight 0.5 (the caller checks the tables).

    uint8: the integer mean rounded half to even. float32 (see halve_float_available):
    the height-first planar pass's own operations. Needs 2 * h_out <= h_in and
    2 * w_out <= w_in.
    """
    if cnp.PyArray_TYPE(src) == cnp.NPY_UINT8:
        _halve(<uint8_t>0, src, dst, outer, h_in, w_in, channels, h_out, w_out, num_threads)
    else:
        _halve(<float>0, src, dst, outer, h_in, w_in, channels, h_out, w_out, num_threads)


cdef int _halve(halved tag, cnp.ndarray src, cnp.ndarray dst, Py_ssize_t outer,
                Py_ssize_t h_in, Py_ssize_t w_in, Py_ssize_t channels, Py_ssize_t h_out,
                Py_ssize_t w_out, int num_threads) except -1:
    _check_threads(num_threads)
    cdef int typenum = cnp.NPY_UINT8 if halved is uint8_t else cnp.NPY_FLOAT32
    cdef Py_ssize_t n_rows = outer * h_out
    cdef Py_ssize_t n_chunks = _parallel_chunks(n_rows, num_threads)
    cdef Py_ssize_t chunk
    if 2 * h_out > h_in or 2 * w_out > w_in or channels < 1:
        raise ValueError("halve_pass needs 2 * h_out <= h_in and 2 * w_out <= w_in")
    if halved is float and not halve_float_available(channels):
        raise ValueError("halve_pass on float32 needs the AVX2 kernels and at most 1024 "
                         "channels")
    cdef const halved* src_ptr = <const halved*>_items(
        src, typenum, outer * h_in * w_in * channels, False, "src")
    cdef halved* dst_ptr = <halved*>_items(
        dst, typenum, n_rows * w_out * channels, True, "dst")
    if n_chunks == 1:
        with nogil:
            _halve_rows(dst_ptr, src_ptr, 0, n_rows, h_in, w_in, channels, h_out, w_out)
        return 0
    for chunk in prange(n_chunks, nogil=True, schedule="static", num_threads=num_threads):
        _halve_rows(dst_ptr, src_ptr, _chunk_start(chunk, n_chunks, n_rows),
                    _chunk_start(chunk + 1, n_chunks, n_rows), h_in, w_in, channels, h_out,
                    w_out)
    return 0


cdef void _halve_rows(halved* dst, const halved* src, Py_ssize_t first, Py_ssize_t last,
                      Py_ssize_t h_in, Py_ssize_t w_in, Py_ssize_t channels, Py_ssize_t h_out,
                      Py_ssize_t w_out) noexcept nogil:
    """Output rows first..last-1 of halve_pass."""
    cdef Py_ssize_t in_len = w_in * channels
    cdef Py_ssize_t out_len = w_out * channels
    cdef Py_ssize_t row, o, i
    for row in range(first, last):
        o = row // h_out
        i = row - o * h_out
        if halved is float:
            ups_halve_row_float(dst + row * out_len, src + (o * h_in + 2 * i) * in_len,
                                src + (o * h_in + 2 * i + 1) * in_len, w_out, channels)
        else:
            ups_halve_row_uint8(dst + row * out_len, src + (o * h_in + 2 * i) * in_len,
                                src + (o * h_in + 2 * i + 1) * in_len, w_out, channels)


def halve_float_available(Py_ssize_t channels):
    """Whether halve_pass runs here on float32 pixels of `channels` floats."""
    return bool(ups_row_tiles_available()) and 0 < channels <= 1024


def round_to_uint8(cnp.ndarray src not None, cnp.ndarray dst not None, int num_threads):
    """dst = src rounded to nearest (ties to even) and saturated to 0..255; NaN gives 0."""
    _check_threads(num_threads)
    cdef Py_ssize_t n = cnp.PyArray_SIZE(src)
    cdef Py_ssize_t n_chunks = _parallel_chunks((n + 65535) // 65536, num_threads)
    cdef Py_ssize_t chunk, first, last
    cdef const float* src_ptr = <const float*>_items(src, cnp.NPY_FLOAT32, n, False, "src")
    cdef uint8_t* dst_ptr = <uint8_t*>_items(dst, cnp.NPY_UINT8, n, True, "dst")
    if n_chunks == 1:
        with nogil:
            _store_uint8(dst_ptr, src_ptr, n)
        return
    for chunk in prange(n_chunks, nogil=True, schedule="static", num_threads=num_threads):
        first = _chunk_start(chunk, n_chunks, n)
        last = _chunk_start(chunk + 1, n_chunks, n)
        _store_uint8(dst_ptr + first, src_ptr + first, last - first)


# ---------------------------------------------------------------------------
# Entry points (called from upsample._engine with validated, contiguous data)
# ---------------------------------------------------------------------------
#
# Each takes float32 or float64 data (the dtype of `src`; every other real
# array must match it) and runs in the calling thread, without entering an
# OpenMP region, when the job is dealt out as one chunk: entering one costs
# about 0.7 µs even for a single thread.

def vertical_pass(cnp.ndarray src not None, cnp.ndarray dst not None, Py_ssize_t outer,
                  Py_ssize_t n_in, Py_ssize_t inner, Py_ssize_t n_out,
                  cnp.ndarray row_offsets not None, cnp.ndarray weights not None,
                  Py_ssize_t taps, Py_ssize_t block, bint stream, int num_threads):
    """Resample axis 1 of `src` viewed as (outer, n_in, inner) into (outer, n_out, inner).

    row_offsets[j * taps + k] = (source index of tap k of output j) * inner.
    Output rows are split into blocks of `block` elements for load balance.
    `stream` writes the output with non-temporal stores (for outputs much
    larger than the caches).
    """
    if cnp.PyArray_TYPE(src) == cnp.NPY_FLOAT64:
        _vertical(<double>0, src, dst, outer, n_in, inner, n_out, row_offsets, weights, taps,
                  block, stream, num_threads)
    else:
        _vertical(<float>0, src, dst, outer, n_in, inner, n_out, row_offsets, weights, taps,
                  block, stream, num_threads)


cdef int _vertical(real tag, cnp.ndarray src, cnp.ndarray dst, Py_ssize_t outer,
                   Py_ssize_t n_in, Py_ssize_t inner, Py_ssize_t n_out, cnp.ndarray row_offsets,
                   cnp.ndarray weights, Py_ssize_t taps, Py_ssize_t block, bint stream,
                   int num_threads) except -1:
    _check_threads(num_threads)
    if block < 1:
        raise ValueError(f"block must be at least 1, got {block}")
    cdef int typenum = _real_typenum(tag)
    cdef Py_ssize_t n_blocks = (inner + block - 1) // block
    cdef Py_ssize_t n_items = outer * n_out * n_blocks
    cdef Py_ssize_t n_chunks = _parallel_chunks(n_items, num_threads)
    cdef Py_ssize_t chunk
    cdef const real* src_ptr = <const real*>_items(src, typenum, outer * n_in * inner, False,
                                                   "src")
    cdef real* dst_ptr = <real*>_items(dst, typenum, outer * n_out * inner, True, "dst")
    cdef const Py_ssize_t* offsets_ptr = <const Py_ssize_t*>_items(
        row_offsets, cnp.NPY_INTP, n_out * taps, False, "row_offsets")
    cdef const real* weights_ptr = <const real*>_items(weights, typenum, n_out * taps, False,
                                                       "weights")
    if n_chunks == 1:
        with nogil:
            _vertical_chunk(src_ptr, dst_ptr, 0, n_items, n_in, inner, n_out, n_blocks, block,
                            offsets_ptr, weights_ptr, taps, stream)
        return 0
    for chunk in prange(n_chunks, nogil=True, schedule="dynamic", num_threads=num_threads):
        _vertical_chunk(src_ptr, dst_ptr, _chunk_start(chunk, n_chunks, n_items),
                        _chunk_start(chunk + 1, n_chunks, n_items), n_in, inner, n_out,
                        n_blocks, block, offsets_ptr, weights_ptr, taps, stream)
    return 0


def horizontal_pass(cnp.ndarray src not None, cnp.ndarray dst not None, Py_ssize_t outer,
                    Py_ssize_t n_in, Py_ssize_t channels, Py_ssize_t n_out,
                    cnp.ndarray offsets not None, cnp.ndarray weights not None,
                    Py_ssize_t taps, bint doubling, Py_ssize_t block, int num_threads):
    """Resample axis 1 of `src` viewed as (outer, n_in, channels) into (outer, n_out, channels).

    offsets[j * taps + k] = (source index of tap k of output j) * channels.
    Each row is split into blocks of `block` output pixels for load balance.
    `doubling` marks a scale-2 half-pixel table (see _resample_pixels).
    """
    if cnp.PyArray_TYPE(src) == cnp.NPY_FLOAT64:
        _horizontal(<double>0, src, dst, outer, n_in, channels, n_out, offsets, weights, taps,
                    doubling, block, num_threads)
    else:
        _horizontal(<float>0, src, dst, outer, n_in, channels, n_out, offsets, weights, taps,
                    doubling, block, num_threads)


cdef int _horizontal(real tag, cnp.ndarray src, cnp.ndarray dst, Py_ssize_t outer,
                     Py_ssize_t n_in, Py_ssize_t channels, Py_ssize_t n_out,
                     cnp.ndarray offsets, cnp.ndarray weights, Py_ssize_t taps, bint doubling,
                     Py_ssize_t block, int num_threads) except -1:
    _check_threads(num_threads)
    if block < 1:
        raise ValueError(f"block must be at least 1, got {block}")
    cdef int typenum = _real_typenum(tag)
    cdef Py_ssize_t double_n_in = n_in if doubling else 0
    cdef Py_ssize_t n_blocks = (n_out + block - 1) // block
    cdef Py_ssize_t n_items = outer * n_blocks
    cdef Py_ssize_t n_chunks = _parallel_chunks(n_items, num_threads)
    cdef Py_ssize_t chunk
    cdef const real* src_ptr = <const real*>_items(src, typenum, outer * n_in * channels,
                                                   False, "src")
    cdef real* dst_ptr = <real*>_items(dst, typenum, outer * n_out * channels, True, "dst")
    cdef const Py_ssize_t* offsets_ptr = <const Py_ssize_t*>_items(
        offsets, cnp.NPY_INTP, n_out * taps, False, "offsets")
    cdef const real* weights_ptr = <const real*>_items(weights, typenum, n_out * taps, False,
                                                       "weights")
    if n_chunks == 1:
        with nogil:
            _horizontal_chunk(src_ptr, dst_ptr, 0, n_items, n_in, channels, n_out, n_blocks,
                              block, offsets_ptr, weights_ptr, taps, double_n_in)
        return 0
    for chunk in prange(n_chunks, nogil=True, schedule="dynamic", num_threads=num_threads):
        _horizontal_chunk(src_ptr, dst_ptr, _chunk_start(chunk, n_chunks, n_items),
                          _chunk_start(chunk + 1, n_chunks, n_items), n_in, channels, n_out,
                          n_blocks, block, offsets_ptr, weights_ptr, taps, double_n_in)
    return 0


def planar_pass(cnp.ndarray src not None, cnp.ndarray dst not None, Py_ssize_t outer,
                Py_ssize_t h_in, Py_ssize_t w_in, Py_ssize_t channels, Py_ssize_t h_out,
                Py_ssize_t w_out, cnp.ndarray h_index not None, cnp.ndarray h_weights not None,
                Py_ssize_t h_taps, cnp.ndarray w_offsets not None,
                cnp.ndarray w_weights not None, Py_ssize_t w_taps, bint w_doubling,
                bint width_first, bint row_tiles, cnp.ndarray scratch not None,
                cnp.ndarray index_scratch not None, bint stream, int num_threads):
    """Resample the two axes of `src` viewed as (outer, h_in, w_in, channels) in one sweep.

    The intermediate (one axis done, the other not) never exists in full: it
    lives in per-thread scratch rows that stay in cache. h_index[j * h_taps + k]
    is a source row index; w_offsets are element offsets within a row.
    `scratch` (any dtype) holds at least num_threads times
    planar_scratch_length(...) reals, `index_scratch` num_threads times
    planar_index_length(h_taps, row_tiles) integers (their contents do not
    matter). row_tiles (float32 data; see row_tiles_available) resamples rows
    eight at a time: source rows when width first (every source row must be
    used), combined rows when height first.
    """
    if cnp.PyArray_TYPE(src) == cnp.NPY_FLOAT64:
        _planar(<double>0, src, dst, outer, h_in, w_in, channels, h_out, w_out, h_index,
                h_weights, h_taps, w_offsets, w_weights, w_taps, w_doubling, width_first,
                row_tiles, scratch, index_scratch, stream, num_threads)
    else:
        _planar(<float>0, src, dst, outer, h_in, w_in, channels, h_out, w_out, h_index,
                h_weights, h_taps, w_offsets, w_weights, w_taps, w_doubling, width_first,
                row_tiles, scratch, index_scratch, stream, num_threads)


cdef int _planar(real tag, cnp.ndarray src, cnp.ndarray dst, Py_ssize_t outer,
                 Py_ssize_t h_in, Py_ssize_t w_in, Py_ssize_t channels, Py_ssize_t h_out,
                 Py_ssize_t w_out, cnp.ndarray h_index, cnp.ndarray h_weights,
                 Py_ssize_t h_taps, cnp.ndarray w_offsets, cnp.ndarray w_weights,
                 Py_ssize_t w_taps, bint w_doubling, bint width_first, bint row_tiles,
                 cnp.ndarray scratch, cnp.ndarray index_scratch, bint stream,
                 int num_threads) except -1:
    _check_threads(num_threads)
    cdef int typenum = _real_typenum(tag)
    cdef Py_ssize_t n_rows = outer * h_out
    cdef Py_ssize_t n_chunks = _parallel_chunks(n_rows, num_threads)
    cdef Py_ssize_t w_double = w_in if w_doubling else 0
    cdef Py_ssize_t ring_n = h_taps + (ROW_TILE - 1 if row_tiles else 0)
    cdef Py_ssize_t scratch_len = planar_scratch_length(h_taps, w_in, w_out, channels,
                                                        width_first, row_tiles)
    cdef Py_ssize_t index_len = planar_index_length(h_taps, row_tiles)
    cdef Py_ssize_t chunk, first, last
    cdef int tid = 0
    if row_tiles and (real is double or not ups_row_tiles_available()):
        raise ValueError("row tiles need float32 data and the AVX2 kernels")
    cdef const real* src_ptr = <const real*>_items(src, typenum, outer * h_in * w_in * channels,
                                                   False, "src")
    cdef real* dst_ptr = <real*>_items(dst, typenum, n_rows * w_out * channels, True, "dst")
    cdef const Py_ssize_t* h_index_ptr = <const Py_ssize_t*>_items(
        h_index, cnp.NPY_INTP, h_out * h_taps, False, "h_index")
    cdef const real* h_weights_ptr = <const real*>_items(h_weights, typenum, h_out * h_taps,
                                                         False, "h_weights")
    cdef const Py_ssize_t* w_offsets_ptr = <const Py_ssize_t*>_items(
        w_offsets, cnp.NPY_INTP, w_out * w_taps, False, "w_offsets")
    cdef const real* w_weights_ptr = <const real*>_items(w_weights, typenum, w_out * w_taps,
                                                         False, "w_weights")
    cdef real* scratch_ptr = <real*>_scratch_bytes(
        scratch, num_threads * scratch_len * sizeof(real), "scratch")
    cdef Py_ssize_t* index_ptr = <Py_ssize_t*>_items(
        index_scratch, cnp.NPY_INTP, num_threads * index_len, True, "index_scratch")
    if n_chunks == 1:
        with nogil:
            _preset_index(index_ptr, index_len)
            _planar_chunk(src_ptr, dst_ptr, 0, n_rows, h_in, w_in, channels, h_out, w_out,
                          h_index_ptr, h_weights_ptr, h_taps, w_offsets_ptr, w_weights_ptr,
                          w_taps, w_double, width_first, row_tiles, ring_n, scratch_ptr,
                          scratch_len, index_ptr, stream)
        return 0
    with nogil:
        _preset_index(index_ptr, num_threads * index_len)
    with nogil, parallel(num_threads=num_threads):
        tid = threadid()
        for chunk in prange(n_chunks, schedule="dynamic"):
            first = _chunk_start(chunk, n_chunks, n_rows)
            last = _chunk_start(chunk + 1, n_chunks, n_rows)
            _planar_chunk(src_ptr, dst_ptr, first, last, h_in, w_in, channels, h_out, w_out,
                          h_index_ptr, h_weights_ptr, h_taps, w_offsets_ptr, w_weights_ptr,
                          w_taps, w_double, width_first, row_tiles, ring_n,
                          scratch_ptr + tid * scratch_len, scratch_len,
                          index_ptr + tid * index_len, stream)
    return 0


cdef void _planar_chunk(const real* src, real* dst, Py_ssize_t first, Py_ssize_t last,
                        Py_ssize_t h_in, Py_ssize_t w_in, Py_ssize_t channels,
                        Py_ssize_t h_out, Py_ssize_t w_out, const Py_ssize_t* h_index,
                        const real* h_weights, Py_ssize_t h_taps, const Py_ssize_t* w_offsets,
                        const real* w_weights, Py_ssize_t w_taps, Py_ssize_t w_double,
                        bint width_first, bint row_tiles, Py_ssize_t ring_n, real* scratch,
                        Py_ssize_t scratch_len, Py_ssize_t* index,
                        bint stream) noexcept nogil:
    """Output rows first..last-1 of a planar pass, with one thread's scratch."""
    if width_first:
        _planar_chunk_width_first(
            src, dst, first, last, h_in, w_in, channels, h_out, w_out, h_index, h_weights,
            h_taps, w_offsets, w_weights, w_taps, w_double, scratch, ring_n, row_tiles,
            scratch + ring_n * w_out * channels, index, index + ring_n, stream)
    else:
        _planar_chunk_height_first(
            src, dst, first, last, h_in, w_in, channels, h_out, w_out, h_index, h_weights,
            h_taps, w_offsets, w_weights, w_taps, w_double, row_tiles, scratch, index)


cdef void _volume_chunk(const real* src, real* dst, Py_ssize_t first, Py_ssize_t last,
                        Py_ssize_t d_in, Py_ssize_t h_in, Py_ssize_t w_in, Py_ssize_t channels,
                        Py_ssize_t d_out, Py_ssize_t h_out, Py_ssize_t w_out,
                        const Py_ssize_t* d_index, const real* d_weights, Py_ssize_t d_taps,
                        const Py_ssize_t* h_index, const real* h_weights, Py_ssize_t h_taps,
                        const Py_ssize_t* w_offsets, const real* w_weights, Py_ssize_t w_taps,
                        Py_ssize_t w_double, bint row_tiles, real* planes, real* scratch,
                        Py_ssize_t* plane_ids, Py_ssize_t* plane_offsets, Py_ssize_t* ring_rows,
                        bint stream) noexcept nogil:
    """Output planes first..last-1 of a 3-D pass: the planar pass inside a ring of planes.

    Each source plane (h_in x w_in) used is resampled once, by the width-first
    planar chunk, into a ring of d_taps planes at output size; every output
    plane is then one combination of ring planes along the depth. The
    half-done volumes never exist in full, so a 3-D upsampling reads its
    input once and writes its output once.
    """
    cdef Py_ssize_t in_plane = h_in * w_in * channels
    cdef Py_ssize_t out_plane = h_out * w_out * channels
    cdef Py_ssize_t ring_n = h_taps + (ROW_TILE - 1 if row_tiles else 0)
    cdef real* row_ring = scratch
    cdef real* tile = scratch + ring_n * w_out * channels
    cdef Py_ssize_t p, o, k, t, s, g, slot, i
    for p in range(first, last):
        o = p // d_out
        k = p - o * d_out
        for t in range(d_taps):
            s = d_index[k * d_taps + t]
            g = o * d_in + s
            slot = s % d_taps
            if plane_ids[slot] != g:
                # Row ids restart with every plane: forget the previous plane's rows.
                for i in range(ring_n):
                    ring_rows[i] = -1
                _planar_chunk_width_first(
                    src + g * in_plane, planes + slot * out_plane, 0, h_out, h_in, w_in,
                    channels, h_out, w_out, h_index, h_weights, h_taps, w_offsets, w_weights,
                    w_taps, w_double, row_ring, ring_n, row_tiles, tile, ring_rows,
                    ring_rows + ring_n, False)
                plane_ids[slot] = g
            plane_offsets[t] = slot * out_plane
        _combine_rows_out(dst + p * out_plane, planes, plane_offsets, d_weights + k * d_taps,
                          d_taps, out_plane, stream)
    if stream:
        ups_store_fence()


def volume_pass(cnp.ndarray src not None, cnp.ndarray dst not None, Py_ssize_t outer,
                Py_ssize_t d_in, Py_ssize_t h_in, Py_ssize_t w_in, Py_ssize_t channels,
                Py_ssize_t d_out, Py_ssize_t h_out, Py_ssize_t w_out,
                cnp.ndarray d_index not None, cnp.ndarray d_weights not None, Py_ssize_t d_taps,
                cnp.ndarray h_index not None, cnp.ndarray h_weights not None, Py_ssize_t h_taps,
                cnp.ndarray w_offsets not None, cnp.ndarray w_weights not None,
                Py_ssize_t w_taps, bint w_doubling, bint row_tiles, cnp.ndarray planes not None,
                cnp.ndarray scratch not None, cnp.ndarray index_scratch not None, bint stream,
                int num_threads):
    """Resample three axes of `src` viewed as (outer, d_in, h_in, w_in, channels) in one sweep.

    Tables as for planar_pass, plus d_index / d_weights for the depth. Per
    thread, `planes` (any dtype) holds d_taps output planes (h_out * w_out *
    channels reals), `scratch` planar_scratch_length(h_taps, w_in, w_out,
    channels, True, row_tiles) reals and `index_scratch`
    volume_index_length(d_taps, h_taps, row_tiles) integers. The output planes
    are split into one contiguous run per thread, so each thread's ring
    restarts only once.
    """
    if cnp.PyArray_TYPE(src) == cnp.NPY_FLOAT64:
        _volume(<double>0, src, dst, outer, d_in, h_in, w_in, channels, d_out, h_out, w_out,
                d_index, d_weights, d_taps, h_index, h_weights, h_taps, w_offsets, w_weights,
                w_taps, w_doubling, row_tiles, planes, scratch, index_scratch, stream,
                num_threads)
    else:
        _volume(<float>0, src, dst, outer, d_in, h_in, w_in, channels, d_out, h_out, w_out,
                d_index, d_weights, d_taps, h_index, h_weights, h_taps, w_offsets, w_weights,
                w_taps, w_doubling, row_tiles, planes, scratch, index_scratch, stream,
                num_threads)


cdef int _volume(real tag, cnp.ndarray src, cnp.ndarray dst, Py_ssize_t outer,
                 Py_ssize_t d_in, Py_ssize_t h_in, Py_ssize_t w_in, Py_ssize_t channels,
                 Py_ssize_t d_out, Py_ssize_t h_out, Py_ssize_t w_out, cnp.ndarray d_index,
                 cnp.ndarray d_weights, Py_ssize_t d_taps, cnp.ndarray h_index,
                 cnp.ndarray h_weights, Py_ssize_t h_taps, cnp.ndarray w_offsets,
                 cnp.ndarray w_weights, Py_ssize_t w_taps, bint w_doubling, bint row_tiles,
                 cnp.ndarray planes, cnp.ndarray scratch, cnp.ndarray index_scratch,
                 bint stream, int num_threads) except -1:
    _check_threads(num_threads)
    cdef int typenum = _real_typenum(tag)
    cdef Py_ssize_t n_planes = outer * d_out
    cdef Py_ssize_t n_chunks = num_threads if num_threads < n_planes else n_planes
    cdef Py_ssize_t w_double = w_in if w_doubling else 0
    cdef Py_ssize_t plane_len = d_taps * h_out * w_out * channels
    cdef Py_ssize_t scratch_len = planar_scratch_length(h_taps, w_in, w_out, channels, True,
                                                        row_tiles)
    cdef Py_ssize_t index_len = volume_index_length(d_taps, h_taps, row_tiles)
    cdef Py_ssize_t chunk, first, last
    cdef int tid = 0
    if row_tiles and (real is double or not ups_row_tiles_available()):
        raise ValueError("row tiles need float32 data and the AVX2 kernels")
    cdef const real* src_ptr = <const real*>_items(
        src, typenum, outer * d_in * h_in * w_in * channels, False, "src")
    cdef real* dst_ptr = <real*>_items(dst, typenum, n_planes * h_out * w_out * channels, True,
                                       "dst")
    cdef const Py_ssize_t* d_index_ptr = <const Py_ssize_t*>_items(
        d_index, cnp.NPY_INTP, d_out * d_taps, False, "d_index")
    cdef const real* d_weights_ptr = <const real*>_items(d_weights, typenum, d_out * d_taps,
                                                         False, "d_weights")
    cdef const Py_ssize_t* h_index_ptr = <const Py_ssize_t*>_items(
        h_index, cnp.NPY_INTP, h_out * h_taps, False, "h_index")
    cdef const real* h_weights_ptr = <const real*>_items(h_weights, typenum, h_out * h_taps,
                                                         False, "h_weights")
    cdef const Py_ssize_t* w_offsets_ptr = <const Py_ssize_t*>_items(
        w_offsets, cnp.NPY_INTP, w_out * w_taps, False, "w_offsets")
    cdef const real* w_weights_ptr = <const real*>_items(w_weights, typenum, w_out * w_taps,
                                                         False, "w_weights")
    cdef real* planes_ptr = <real*>_scratch_bytes(
        planes, num_threads * plane_len * sizeof(real), "planes")
    cdef real* scratch_ptr = <real*>_scratch_bytes(
        scratch, num_threads * scratch_len * sizeof(real), "scratch")
    cdef Py_ssize_t* index_ptr = <Py_ssize_t*>_items(
        index_scratch, cnp.NPY_INTP, num_threads * index_len, True, "index_scratch")
    if n_chunks < 1:
        n_chunks = 1
    with nogil:
        _preset_index(index_ptr, num_threads * index_len)
    if n_chunks == 1:
        with nogil:
            _volume_chunk(src_ptr, dst_ptr, 0, n_planes, d_in, h_in, w_in, channels, d_out,
                          h_out, w_out, d_index_ptr, d_weights_ptr, d_taps, h_index_ptr,
                          h_weights_ptr, h_taps, w_offsets_ptr, w_weights_ptr, w_taps,
                          w_double, row_tiles, planes_ptr, scratch_ptr, index_ptr,
                          index_ptr + d_taps, index_ptr + 2 * d_taps, stream)
        return 0
    with nogil, parallel(num_threads=num_threads):
        tid = threadid()
        for chunk in prange(n_chunks, schedule="static"):
            first = _chunk_start(chunk, n_chunks, n_planes)
            last = _chunk_start(chunk + 1, n_chunks, n_planes)
            _volume_chunk(
                src_ptr, dst_ptr, first, last, d_in, h_in, w_in, channels, d_out, h_out,
                w_out, d_index_ptr, d_weights_ptr, d_taps, h_index_ptr, h_weights_ptr, h_taps,
                w_offsets_ptr, w_weights_ptr, w_taps, w_double, row_tiles,
                planes_ptr + tid * plane_len, scratch_ptr + tid * scratch_len,
                index_ptr + tid * index_len, index_ptr + tid * index_len + d_taps,
                index_ptr + tid * index_len + 2 * d_taps, stream)
    return 0


cpdef Py_ssize_t volume_index_length(Py_ssize_t d_taps, Py_ssize_t h_taps,
                                     bint row_tiles) noexcept nogil:
    """Integers of index scratch one thread of volume_pass needs."""
    return 2 * d_taps + planar_index_length(h_taps, row_tiles)


cpdef Py_ssize_t planar_scratch_length(Py_ssize_t h_taps, Py_ssize_t w_in, Py_ssize_t w_out,
                                       Py_ssize_t channels, bint width_first,
                                       bint row_tiles) noexcept nogil:
    """Reals of scratch one thread of planar_pass needs."""
    if not width_first:
        if not row_tiles:
            return w_in * channels
        # Eight combined rows, their transposed tile and one transposed output block.
        return 2 * ROW_TILE * w_in * channels + ROW_TILE * ROW_TILE_PIXELS * channels
    if not row_tiles:
        return h_taps * w_out * channels
    # The ring, the transposed source tile and one transposed output block.
    return ((h_taps + ROW_TILE - 1) * w_out * channels + ROW_TILE * w_in * channels
            + ROW_TILE * ROW_TILE_PIXELS * channels)


cpdef Py_ssize_t planar_index_length(Py_ssize_t h_taps, bint row_tiles) noexcept nogil:
    """Integers of index scratch one thread of planar_pass needs (ring rows, row offsets)."""
    return 2 * h_taps + (ROW_TILE - 1 if row_tiles else 0)


def row_tiles_available():
    """Whether this build has the eight-row tile kernel (the AVX2 build)."""
    return bool(ups_row_tiles_available())


def row_tile_shape():
    """(rows, pixels): a row tile resamples ROW_TILE rows at once, ROW_TILE_PIXELS
    output pixels at a time."""
    return ROW_TILE, ROW_TILE_PIXELS


# ---------------------------------------------------------------------------
# Nearest: a pure gather of whole elements, any dtype, any source strides
# ---------------------------------------------------------------------------

cdef void _gather_elements(char* dst, const char* src_row, const Py_ssize_t* offsets,
                           Py_ssize_t n, Py_ssize_t elem_bytes) noexcept nogil:
    """dst[j] = src_row[offsets[j]] for elements of elem_bytes contiguous bytes.

    Common sizes get a memcpy of constant length, which compiles to plain
    (unaligned-safe) loads and stores.
    """
    cdef Py_ssize_t j, last
    if elem_bytes == 1:
        for j in range(n):
            dst[j] = src_row[offsets[j]]
    elif elem_bytes == 2:
        for j in range(n):
            memcpy(dst + 2 * j, src_row + offsets[j], 2)
    elif elem_bytes == 3:
        # uint8 RGB: without its own case, each pixel was a library call.
        for j in range(n):
            memcpy(dst + 3 * j, src_row + offsets[j], 3)
    elif elem_bytes == 4 or elem_bytes == 8:
        ups_gather_permuted(dst, src_row, offsets, n, elem_bytes)
    elif elem_bytes == 6:
        for j in range(n):
            memcpy(dst + 6 * j, src_row + offsets[j], 6)
    elif elem_bytes == 12:
        # float32 RGB: one 16-byte move where it is safe, whose last 4 bytes the next
        # pixel overwrites. The source bytes past the pixel are inside the row when a
        # later pixel of the run starts at least 4 bytes further on.
        last = offsets[n - 1] if n > 0 else 0
        for j in range(n - 1):
            if offsets[j] + 4 <= last:
                memcpy(dst + 12 * j, src_row + offsets[j], 16)
            else:
                memcpy(dst + 12 * j, src_row + offsets[j], 12)
        if n > 0:
            memcpy(dst + 12 * (n - 1), src_row + last, 12)
    elif elem_bytes == 16:
        for j in range(n):
            memcpy(dst + 16 * j, src_row + offsets[j], 16)
    elif elem_bytes == 24:
        for j in range(n):
            memcpy(dst + 24 * j, src_row + offsets[j], 24)
    else:
        for j in range(n):
            memcpy(dst + elem_bytes * j, src_row + offsets[j], elem_bytes)


ctypedef unsigned int u32_t
ctypedef unsigned long long u64_t


cdef inline bint _double_elements(char* dst, const char* src, Py_ssize_t n_src,
                                  Py_ssize_t elem_bytes) noexcept nogil:
    """Write each of n_src contiguous elements of src twice; False if not handled here.

    A scale-2 row of pixels is a plain repetition: with the element moved as
    whole machine words the loop vectorises (duplicating lanes), where the
    general gather copies one element per table entry. Only aligned data of
    common element sizes takes this path.
    """
    cdef Py_ssize_t i
    cdef size_t addresses = <size_t> dst | <size_t> src
    cdef const u32_t* s4 = <const u32_t*> src
    cdef u32_t* d4 = <u32_t*> dst
    cdef const u64_t* s8 = <const u64_t*> src
    cdef u64_t* d8 = <u64_t*> dst
    if elem_bytes == 4 and addresses % 4 == 0:
        for i in range(n_src):
            d4[2 * i] = s4[i]
            d4[2 * i + 1] = s4[i]
    elif elem_bytes == 3:
        for i in range(n_src):
            memcpy(dst + 6 * i, src + 3 * i, 3)
            memcpy(dst + 6 * i + 3, src + 3 * i, 3)
    elif elem_bytes == 12:
        for i in range(n_src):
            memcpy(dst + 24 * i, src + 12 * i, 12)
            memcpy(dst + 24 * i + 12, src + 12 * i, 12)
    elif elem_bytes == 8 and addresses % 8 == 0:
        for i in range(n_src):
            d8[2 * i] = s8[i]
            d8[2 * i + 1] = s8[i]
    elif elem_bytes == 16 and addresses % 8 == 0:
        for i in range(n_src):
            d8[4 * i] = s8[2 * i]
            d8[4 * i + 1] = s8[2 * i + 1]
            d8[4 * i + 2] = s8[2 * i]
            d8[4 * i + 3] = s8[2 * i + 1]
    else:
        return False
    return True


cdef inline void _gather_strided_items(char* dst, const char* src_row,
                                       const Py_ssize_t* offsets, Py_ssize_t n,
                                       Py_ssize_t n_items, Py_ssize_t itemsize,
                                       Py_ssize_t item_stride) noexcept nogil:
    """Like _gather_elements, when the items of one element are not adjacent."""
    cdef Py_ssize_t j, c
    for j in range(n):
        for c in range(n_items):
            memcpy(dst, src_row + offsets[j] + c * item_stride, itemsize)
            dst += itemsize


cdef inline Py_ssize_t _gcd(Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    cdef Py_ssize_t t
    while b:
        t = a % b
        a = b
        b = t
    return a


cdef inline Py_ssize_t _row_base(Py_ssize_t row, const Py_ssize_t* offsets,
                                 const Py_ssize_t* counts, const Py_ssize_t* starts,
                                 Py_ssize_t n_row_axes) noexcept nogil:
    """Byte offset of the source row of output row `row` (all axes but the last)."""
    cdef Py_ssize_t rem = row, base = 0, a = n_row_axes - 1, index
    while a >= 0:
        index = rem % counts[a]
        rem = rem // counts[a]
        base = base + offsets[starts[a] + index]
        a -= 1
    return base


cdef inline void _gather_run(char* out, const char* src_row, const Py_ssize_t* col_offsets,
                             Py_ssize_t start, Py_ssize_t count, Py_ssize_t n_items,
                             Py_ssize_t itemsize, Py_ssize_t item_stride,
                             bint col_double, Py_ssize_t col_stride) noexcept nogil:
    """Output columns start..start+count-1 of one row; out points at column start.

    col_double: the columns repeat contiguous source pixels twice each
    (scale 2 on the last axis), so the even-aligned middle of the run can be
    copied as a repetition. col_stride > 0: consecutive columns read source
    pixels that many bytes apart (an integral downscale).
    """
    cdef Py_ssize_t elem_bytes = n_items * itemsize
    cdef Py_ssize_t head = start % 2
    cdef Py_ssize_t pairs
    if item_stride != itemsize:
        _gather_strided_items(out, src_row, col_offsets + start, count, n_items, itemsize,
                              item_stride)
        return
    if col_stride > 0:
        if count > 0:
            ups_gather_stepped(out, src_row + col_offsets[start], count, elem_bytes, col_stride)
        return
    if col_double and count - head >= 2:
        pairs = (count - head) // 2
        if _double_elements(out + head * elem_bytes, src_row + col_offsets[start + head],
                            pairs, elem_bytes):
            _gather_elements(out, src_row, col_offsets + start, head, elem_bytes)
            _gather_elements(out + (head + 2 * pairs) * elem_bytes, src_row,
                             col_offsets + start + head + 2 * pairs,
                             count - head - 2 * pairs, elem_bytes)
            return
    _gather_elements(out, src_row, col_offsets + start, count, elem_bytes)


cdef void _gather_chunk(const char* src, char* dst, Py_ssize_t first, Py_ssize_t last,
                        const Py_ssize_t* offsets, const Py_ssize_t* counts,
                        const Py_ssize_t* starts, Py_ssize_t n_row_axes,
                        Py_ssize_t n_blocks, Py_ssize_t block, Py_ssize_t n_items,
                        Py_ssize_t itemsize, Py_ssize_t item_stride, bint col_double,
                        Py_ssize_t col_stride, bint stream) noexcept nogil:
    """Work items first..last-1 of a nearest gather; item = (output row, block of pixels).

    Consecutive output rows with the same source row (every repeated row of an
    upscale) are gathered once and written as many times. With `stream`, the
    gathered pixels are staged in L1 and written with streaming stores.
    """
    cdef char stage[STAGE_BYTES]
    cdef Py_ssize_t n_cols = counts[n_row_axes]
    cdef Py_ssize_t elem_bytes = n_items * itemsize
    cdef Py_ssize_t row_bytes = n_cols * elem_bytes
    cdef const Py_ssize_t* col_offsets = offsets + starts[n_row_axes]
    # Stage a whole number of 64-byte lines where the element size allows.
    cdef Py_ssize_t line_elems = 64 // _gcd(elem_bytes, 64)
    cdef Py_ssize_t per_stage = STAGE_BYTES // elem_bytes
    if per_stage >= line_elems:
        per_stage -= per_stage % line_elems
    # A repeated row is copied from the one above only when both rows start at the same
    # offset within 32 bytes. Otherwise the copy's loads overlap, in their low address
    # bits, stores still waiting for their cache lines (the output is mostly not
    # cached), and stall until those land: gathering the row again is faster then.
    cdef bint copy_rows = row_bytes % 32 == 0
    cdef Py_ssize_t item, row, b, base, start, count, copies, copy, done, length
    cdef char* out
    item = first
    while item < last:
        row = item // n_blocks
        b = item - row * n_blocks
        base = _row_base(row, offsets, counts, starts, n_row_axes)
        start = b * block
        count = block if start + block <= n_cols else n_cols - start
        copies = 1
        if n_blocks == 1:
            while (item + copies < last and
                   _row_base(row + copies, offsets, counts, starts, n_row_axes) == base):
                copies += 1
        out = dst + row * row_bytes + start * elem_bytes
        if stream and per_stage > 0:
            done = 0
            while done < count:
                length = per_stage if done + per_stage <= count else count - done
                _gather_run(stage, src + base, col_offsets, start + done, length, n_items,
                            itemsize, item_stride, col_double, col_stride)
                for copy in range(copies):
                    ups_stream_copy(out + copy * row_bytes + done * elem_bytes, stage,
                                    length * elem_bytes)
                done += length
        else:
            _gather_run(out, src + base, col_offsets, start, count, n_items, itemsize,
                        item_stride, col_double, col_stride)
            for copy in range(1, copies):
                if copy_rows:
                    memcpy(out + copy * row_bytes, out, count * elem_bytes)
                else:
                    _gather_run(out + copy * row_bytes, src + base, col_offsets, start, count,
                                n_items, itemsize, item_stride, col_double, col_stride)
        item += copies
    if stream:
        ups_store_fence()


cdef Py_ssize_t _nearest_tables(cnp.ndarray counts, cnp.ndarray offsets, bint last_tabled,
                             Py_ssize_t* starts, const Py_ssize_t** counts_ptr,
                             const Py_ssize_t** offsets_ptr, str name) except -1:
    """Check the per-axis lengths and offset tables of a nearest kernel; the number of
    output rows (every axis but the last).

    ``counts`` holds one length per output axis, batch first; ``offsets`` the
    axes' tables one after another, the last axis' only if ``last_tabled``.
    Fills ``starts`` (where each axis' table begins) and the two pointers.
    """
    cdef Py_ssize_t n_axes = cnp.PyArray_SIZE(counts)
    cdef Py_ssize_t a, n_rows = 1, total = 0
    if n_axes < 1 or n_axes > MAX_AXES:
        raise ValueError(f"{name} needs 1 to {MAX_AXES} axes, got {n_axes}")
    counts_ptr[0] = <const Py_ssize_t*>_items(counts, cnp.NPY_INTP, n_axes, False, "counts")
    for a in range(n_axes):
        starts[a] = total
        if a < n_axes - 1:
            total += counts_ptr[0][a]
            n_rows *= counts_ptr[0][a]
        elif last_tabled:
            total += counts_ptr[0][a]
    if cnp.PyArray_SIZE(offsets) != total:
        raise ValueError("offset tables do not match the axis lengths")
    offsets_ptr[0] = <const Py_ssize_t*>_items(offsets, cnp.NPY_INTP, total, False, "offsets")
    return n_rows


def gather_nearest(cnp.ndarray src not None, cnp.ndarray dst not None,
                   cnp.ndarray offsets not None, cnp.ndarray counts not None, Py_ssize_t n_items,
                   Py_ssize_t itemsize, Py_ssize_t item_stride, bint col_double,
                   Py_ssize_t block, bint stream, int num_threads, Py_ssize_t col_stride=0):
    """Nearest-neighbour gather over every axis at once, straight from strided memory.

    The source is the array `src`, read through its data pointer and the
    offsets alone (any strides; Python checked them). Axis a of the output (batch,
    then spatial axes) has counts[a] positions; the byte offset of position i
    along axis a is offsets[starts[a] + i], with the per-axis tables stored one
    after another in `offsets`. The last axis' tables give offsets of elements
    of `n_items` items of `itemsize` bytes, `item_stride` bytes apart (the
    channels). `dst` is the C-contiguous output (any dtype; its bytes are
    written). col_double promises that output column j reads source pixel
    j // 2 and that source pixels are contiguous (scale 2 on the last axis).
    col_stride > 0 promises that the last axis' offsets are col_stride bytes
    apart, one after the other.
    """
    _check_threads(num_threads)
    if block < 1:
        raise ValueError(f"block must be at least 1, got {block}")
    cdef Py_ssize_t starts[MAX_AXES]
    cdef const Py_ssize_t* counts_ptr
    cdef const Py_ssize_t* offsets_ptr
    cdef Py_ssize_t n_axes = cnp.PyArray_SIZE(counts)
    cdef Py_ssize_t n_rows = _nearest_tables(counts, offsets, True, starts, &counts_ptr,
                                             &offsets_ptr, "gather_nearest")
    cdef Py_ssize_t n_cols = counts_ptr[n_axes - 1]
    cdef char* dst_ptr = <char*>_span(dst, n_rows * n_cols * n_items * itemsize, True, "dst")
    cdef Py_ssize_t n_blocks = (n_cols + block - 1) // block
    cdef const Py_ssize_t* col_offsets = offsets_ptr + starts[n_axes - 1]
    cdef Py_ssize_t i
    if col_stride < 0:
        raise ValueError(f"col_stride must be 0 or positive, got {col_stride}")
    if col_stride:
        # The stepped copies read from the first column's offset on: the table
        # must say the same.
        for i in range(n_cols - 1):
            if col_offsets[i + 1] - col_offsets[i] != col_stride:
                raise ValueError(f"gather_nearest: the last axis' offsets are not "
                                 f"{col_stride} bytes apart")
    cdef Py_ssize_t n_items_total = n_rows * n_blocks
    cdef Py_ssize_t n_chunks = _parallel_chunks(n_items_total, num_threads)
    cdef Py_ssize_t chunk
    cdef const char* src_ptr = <const char*> cnp.PyArray_DATA(src)
    if n_chunks == 1:
        with nogil:
            _gather_chunk(src_ptr, dst_ptr, 0, n_items_total, offsets_ptr, counts_ptr, starts,
                          n_axes - 1, n_blocks, block, n_items, itemsize, item_stride,
                          col_double, col_stride, stream)
        return
    for chunk in prange(n_chunks, nogil=True, schedule="dynamic", num_threads=num_threads):
        _gather_chunk(src_ptr, dst_ptr, _chunk_start(chunk, n_chunks, n_items_total),
                      _chunk_start(chunk + 1, n_chunks, n_items_total), offsets_ptr,
                      counts_ptr, starts, n_axes - 1, n_blocks, block, n_items, itemsize,
                      item_stride, col_double, col_stride, stream)


# ---------------------------------------------------------------------------
# Nearest along very long rows at an integral scale: no per-column table
# ---------------------------------------------------------------------------

cdef inline void _repeat_groups(char* out, const char* src, Py_ssize_t n, Py_ssize_t elem_bytes,
                                Py_ssize_t factor) noexcept nogil:
    """Each of n contiguous source pixels written factor times in a row."""
    cdef Py_ssize_t i, r
    cdef u32_t v4
    cdef u64_t v8
    if factor == 2 and _double_elements(out, src, n, elem_bytes):
        return
    if elem_bytes == 4:
        for i in range(n):
            memcpy(&v4, src + 4 * i, 4)
            for r in range(factor):
                memcpy(out + 4 * (i * factor + r), &v4, 4)
    elif elem_bytes == 8:
        for i in range(n):
            memcpy(&v8, src + 8 * i, 8)
            for r in range(factor):
                memcpy(out + 8 * (i * factor + r), &v8, 8)
    elif elem_bytes == 2:
        for i in range(n):
            for r in range(factor):
                memcpy(out + 2 * (i * factor + r), src + 2 * i, 2)
    elif elem_bytes == 1:
        for i in range(n):
            for r in range(factor):
                out[i * factor + r] = src[i]
    else:
        for i in range(n):
            for r in range(factor):
                memcpy(out + elem_bytes * (i * factor + r), src + elem_bytes * i, elem_bytes)


cdef void _repeat_columns(char* out, const char* src_row, Py_ssize_t start, Py_ssize_t count,
                          Py_ssize_t elem_bytes, Py_ssize_t factor) noexcept nogil:
    """Columns start..start+count-1 where column j is contiguous source pixel j // factor:
    the rest of a partly written pixel's group, whole groups, then a part of one."""
    cdef Py_ssize_t pixel = start // factor
    cdef Py_ssize_t step = start - pixel * factor
    cdef const char* src = src_row + pixel * elem_bytes
    cdef Py_ssize_t groups, r
    while count > 0 and step != 0:
        memcpy(out, src, elem_bytes)
        out += elem_bytes
        count -= 1
        step += 1
        if step == factor:
            step = 0
            src += elem_bytes
    groups = count // factor
    _repeat_groups(out, src, groups, elem_bytes, factor)
    out += groups * factor * elem_bytes
    src += groups * elem_bytes
    for r in range(count - groups * factor):
        memcpy(out + r * elem_bytes, src, elem_bytes)


cdef void _repeat_chunk(const char* src, char* dst, Py_ssize_t first, Py_ssize_t last,
                        const Py_ssize_t* offsets, const Py_ssize_t* counts,
                        const Py_ssize_t* starts, Py_ssize_t n_row_axes, Py_ssize_t n_blocks,
                        Py_ssize_t block, Py_ssize_t elem_bytes,
                        Py_ssize_t factor) noexcept nogil:
    """Work items first..last-1 of repeat_nearest; item = (output row, block of columns)."""
    cdef Py_ssize_t n_cols = counts[n_row_axes]
    cdef Py_ssize_t row_bytes = n_cols * elem_bytes
    cdef Py_ssize_t item, row, b, start, count
    for item in range(first, last):
        row = item // n_blocks
        b = item - row * n_blocks
        start = b * block
        count = block if start + block <= n_cols else n_cols - start
        _repeat_columns(dst + row * row_bytes + start * elem_bytes,
                        src + _row_base(row, offsets, counts, starts, n_row_axes), start, count,
                        elem_bytes, factor)


def repeat_nearest(cnp.ndarray src not None, cnp.ndarray dst not None,
                   cnp.ndarray offsets not None, cnp.ndarray counts not None,
                   Py_ssize_t elem_bytes, Py_ssize_t factor, Py_ssize_t block, int num_threads):
    """Nearest at an integral scale `factor` on the last axis of contiguous pixels.

    As gather_nearest, but the last axis has no table in `offsets`: output
    column j is source pixel j // factor of its row, worked out as the copy
    runs. For very long rows (signals), whose table would hold one entry per
    output sample and take longer to build than the copy takes to run.
    `counts` still gives every axis' length; `offsets` the tables of the
    others (batch first), one after another.
    """
    _check_threads(num_threads)
    if block < 1 or factor < 1 or elem_bytes < 1:
        raise ValueError("repeat_nearest needs block, factor and elem_bytes of at least 1")
    cdef Py_ssize_t starts[MAX_AXES]
    cdef const Py_ssize_t* counts_ptr
    cdef const Py_ssize_t* offsets_ptr
    cdef Py_ssize_t n_axes = cnp.PyArray_SIZE(counts)
    cdef Py_ssize_t n_rows = _nearest_tables(counts, offsets, False, starts, &counts_ptr,
                                             &offsets_ptr, "repeat_nearest")
    cdef Py_ssize_t n_cols = counts_ptr[n_axes - 1]
    cdef char* dst_ptr = <char*>_span(dst, n_rows * n_cols * elem_bytes, True, "dst")
    cdef Py_ssize_t n_blocks = (n_cols + block - 1) // block
    cdef Py_ssize_t n_items_total = n_rows * n_blocks
    cdef Py_ssize_t n_chunks = _parallel_chunks(n_items_total, num_threads)
    cdef Py_ssize_t chunk
    cdef const char* src_ptr = <const char*> cnp.PyArray_DATA(src)
    if n_chunks == 1:
        with nogil:
            _repeat_chunk(src_ptr, dst_ptr, 0, n_items_total, offsets_ptr, counts_ptr, starts,
                          n_axes - 1, n_blocks, block, elem_bytes, factor)
        return
    for chunk in prange(n_chunks, nogil=True, schedule="dynamic", num_threads=num_threads):
        _repeat_chunk(src_ptr, dst_ptr, _chunk_start(chunk, n_chunks, n_items_total),
                      _chunk_start(chunk + 1, n_chunks, n_items_total), offsets_ptr,
                      counts_ptr, starts, n_axes - 1, n_blocks, block, elem_bytes, factor)
