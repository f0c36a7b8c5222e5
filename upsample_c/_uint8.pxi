# uint8 in, uint8 out: float32 arithmetic on rows converted while in cache
# (planar_pass_uint8, the planar pass's twin), and float32 rounded to uint8
# (round_to_uint8, for the results of the other passes).

from upsample_c._headers cimport (
    ROW_TILE_PIXELS, UPS_AHEAD_ROWS, ups_combine_uint8_float_pair, ups_resample_rows8,
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

cdef extern from "ups_uint8_pixels.h":
    int ups_pixels_from_uint8(float* dst, const unsigned char* src, Py_ssize_t n_out,
                              Py_ssize_t channels, const Py_ssize_t* offsets,
                              const float* weights, Py_ssize_t taps) noexcept nogil


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
    prefetching the rows in `ahead`, see ups_combine_vec)."""
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
                                float* tile) noexcept nogil:
    """_fill_ring_rows for uint8 source rows, converted to float by the row-tile
    kernel as it reads the stretches it needs (not whole rows beforehand)."""
    cdef Py_ssize_t count = h_in - s if h_in - s < ROW_TILE else ROW_TILE
    _tile_rows_into_ring(NULL, src + (o * h_in + s) * in_len, count, s, o * h_in + s, ring,
                         in_len, out_len, w_out, channels, w_offsets, w_weights, w_taps,
                         ring_n, ring_rows, tile)


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


cdef bint _resample_uint8_row(float* dst, const uint8_t* src, Py_ssize_t o, Py_ssize_t j,
                             Py_ssize_t k, Py_ssize_t h_in, Py_ssize_t in_len,
                             Py_ssize_t h_out, const Py_ssize_t* h_index, Py_ssize_t h_taps,
                             bint far, Py_ssize_t w_out, Py_ssize_t channels,
                             const Py_ssize_t* offsets, const float* weights,
                             Py_ssize_t taps) noexcept nogil:
    """Source row h_index[j, k] of image o, uint8 pixels, resampled straight from its
    bytes (ups_pixels_from_uint8); when `far`, AHEAD_PIXELS output pixels at a time,
    each stretch preceded by a prefetch of what those pixels read in the next source
    row (_next_source_row). False, with nothing written, for the channel counts that
    function leaves to the float rows."""
    cdef const uint8_t* row = src + (o * h_in + h_index[j * h_taps + k]) * in_len
    cdef Py_ssize_t next_row = _next_source_row(h_index, h_taps, h_out, j, k) if far else -1
    cdef const uint8_t* ahead
    cdef Py_ssize_t first = 0, last
    if next_row < 0:
        return ups_pixels_from_uint8(dst, row, w_out, channels, offsets, weights, taps)
    ahead = src + (o * h_in + next_row) * in_len
    while first < w_out:
        last = first + AHEAD_PIXELS if first + AHEAD_PIXELS < w_out else w_out
        ups_prefetch_span(ahead, offsets[first * taps], offsets[last * taps - 1] + channels)
        if not ups_pixels_from_uint8(dst + first * channels, row, last - first, channels,
                                     offsets + first * taps, weights + first * taps, taps):
            return False
        first = last
    return True


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
    row-tile kernel at a time, as in the float passes; width first, it reads
    the uint8 rows itself, and the ring starts the scratch.
    """
    cdef Py_ssize_t in_len = w_in * channels
    cdef Py_ssize_t out_len = w_out * channels
    cdef Py_ssize_t ring_n = h_taps + (ROW_TILE - 1 if row_tiles else 0)
    cdef float* in_rows = scratch
    cdef float* ring = scratch if row_tiles else scratch + in_len
    cdef float* tile = ring + ring_n * out_len
    cdef Py_ssize_t r, o, j, k, s, g, slot
    # Width first without the tiles, a source row of 3 or 4 channels is resampled
    # straight from its uint8 values (ups_uint8_pixels.h, which says where that pays)
    # rather than converted whole first; scale-2 rows keep their doubling loops.
    cdef bint direct = w_double == 0
    # Prefetch the next source row only when the image is too large to stay in cache
    # (AHEAD_IMAGE_BYTES, _planar.pxi).
    cdef bint far = h_in * in_len >= AHEAD_IMAGE_BYTES
    cdef Py_ssize_t ahead_rows[UPS_AHEAD_ROWS]
    cdef const uint8_t* ahead[UPS_AHEAD_ROWS]
    cdef int n_ahead
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
                                              ring_rows, tile)
                    elif direct and _resample_uint8_row(
                            ring + slot * out_len, src, o, j, k, h_in, in_len, h_out,
                            h_index, h_taps, far, w_out, channels, w_offsets, w_weights,
                            w_taps):
                        ring_rows[slot] = g
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
            # The rows the next output row adds, prefetched as in the tiles' combines
            # (from cold memory, RGBA x0.25 of 720p ran 0.87x main's tiles without).
            n_ahead = _rows_ahead(h_index, h_taps, j, 1, h_out, in_len, ahead_rows)
            for k in range(n_ahead):
                ahead[k] = src + (o * h_in + ahead_rows[k]) * in_len
            _combine_uint8_rows(in_rows, src + o * h_in * in_len, row_offsets,
                                h_weights + j * h_taps, h_taps, in_len, ahead, n_ahead)
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
        raise ValueError("row tiles need a vector build (AVX2 or NEON)")
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
    resampled rows (width first) or one output row. With them, width first:
    the ring of h_taps + 7 rows (the kernel reads the uint8 rows itself);
    height first: eight combined rows at input width and eight output rows.
    Then the transposed source tile and one transposed output block.
    """
    if not row_tiles:
        return (w_in + (h_taps if width_first else 1) * w_out) * channels
    if width_first:
        return ((h_taps + ROW_TILE - 1) * w_out + ROW_TILE * w_in
                + ROW_TILE * ROW_TILE_PIXELS) * channels
    return (2 * ROW_TILE * w_in + ROW_TILE * w_out + ROW_TILE * ROW_TILE_PIXELS) * channels


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
