# Weighted combination of whole rows (every axis but the last): each output
# row is a weighted sum of source rows, contiguous runs of any length.
# vertical_pass resamples a spatial axis before the last two this way; the
# planar and volume passes end with the same combination (_combine_rows_out).

from upsample_c._headers cimport ups_combine_float, ups_store_fence, ups_stream_copy


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
