# Weighted resampling along the last spatial axis (rows of pixels): a loop per
# pixel for few channels, vectors over the channels for many, and the scale-2
# pattern whose taps are fixed neighbours. horizontal_pass resamples that axis
# alone; the planar and volume passes resample their rows with _resample_pixels.

cdef extern from "ups_doubling.h":
    Py_ssize_t ups_double_rgb(float* dst, const float* src, Py_ssize_t i0, Py_ssize_t i1,
                              const float* w, Py_ssize_t taps) noexcept nogil

cdef extern from "ups_four_pixels.h":
    int ups_pixels_four(float* dst, const float* src, Py_ssize_t n_out,
                        const Py_ssize_t* offsets, const float* weights,
                        Py_ssize_t taps) noexcept nogil

cdef extern from "ups_three_pixels.h":
    int ups_pixels_three(float* dst, const float* src, Py_ssize_t n_out,
                         const Py_ssize_t* offsets, const float* weights,
                         Py_ssize_t taps) noexcept nogil

cdef extern from "ups_wide_pixels.h":
    int ups_pixels_wide(float* dst, const float* src, Py_ssize_t n_out, Py_ssize_t channels,
                        const Py_ssize_t* offsets, const float* weights,
                        Py_ssize_t taps) noexcept nogil


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
                # The first product itself, not 0 + it: every other path starts
                # so, and 0 + -0.0 would be +0.0 here alone.
                acc = weights[0] * src[offsets[0] + c]
                for k in range(1, taps):
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
        if real is float:
            # One vector per pixel, a neighbour's value in the fourth lane
            # (ups_three_pixels.h), the same operations.
            if ups_pixels_three(dst, src, n_out, offsets, weights, taps):
                return
        if taps == 2:
            _resample_pixels_small(dst, src, n_out, 3, offsets, weights, 2)
        elif taps == 4:
            _resample_pixels_small(dst, src, n_out, 3, offsets, weights, 4)
        else:
            _resample_pixels_small(dst, src, n_out, 3, offsets, weights, taps)
    elif channels == 4:
        if real is float:
            # One vector per pixel, the same operations (ups_four_pixels.h).
            if ups_pixels_four(dst, src, n_out, offsets, weights, taps):
                return
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
