# The last two spatial axes in one sweep (planar_pass): the half-done array
# lives only in per-thread scratch rows. Width first, each source row is
# resampled once into a ring of rows, then combined; height first, source rows
# are combined first, then resampled. Either way, with row tiles (AVX2, float
# data), eight rows are resampled at once. The scratch sizes the planner asks
# for are here too.

from upsample_c._headers cimport (
    ROW_TILE_PIXELS, UPS_AHEAD_ROWS, ups_combine_float_ahead, ups_combine_float_pair,
    ups_resample_rows8, ups_resample_rows8_uint8, ups_row_tiles_available, ups_store_fence,
)


# ---------------------------------------------------------------------------
# Width first: source rows resampled once into a ring, then combined
# ---------------------------------------------------------------------------

cdef extern from "ups_row_ahead.h":
    void ups_prefetch_span(const void* p, Py_ssize_t first, Py_ssize_t last) noexcept nogil

cdef enum:
    # Output pixels of a row resampled per stretch of the next source row prefetched
    # (ups_row_ahead.h): the stretch they read there, 32 lines at RGBA x0.25 in uint8.
    AHEAD_PIXELS = 32
    # Images (one outer index) of fewer bytes are resampled without the prefetches: at
    # x0.25 in linear, 1 thread, repeated calls, they gained 1.7-2x on 4K RGBA uint8,
    # 1080p RGBA and 4K RGB float32 (33-100 MB, beyond this machine's 32 MB L3) but
    # cost 5-20% on 720p RGB uint8 and float32 (3-11 MB, in L3), benchmarks/ab.py,
    # load 2.4.
    AHEAD_IMAGE_BYTES = 16777216


cdef inline Py_ssize_t _next_source_row(const Py_ssize_t* h_index, Py_ssize_t h_taps,
                                        Py_ssize_t h_out, Py_ssize_t j,
                                        Py_ssize_t k) noexcept nogil:
    """The source row a width-first pass resamples after tap k of output row j: the
    first tap beyond it among those of rows j and j + 1 of the same image, or -1."""
    cdef Py_ssize_t s = h_index[j * h_taps + k]
    cdef Py_ssize_t t
    cdef Py_ssize_t end = (j + 2) * h_taps if j + 1 < h_out else (j + 1) * h_taps
    for t in range(j * h_taps + k + 1, end):
        if h_index[t] > s:
            return h_index[t]
    return -1


cdef void _resample_row_ahead(real* dst, const real* src, Py_ssize_t o, Py_ssize_t j,
                              Py_ssize_t k, Py_ssize_t h_in, Py_ssize_t in_len,
                              Py_ssize_t h_out, const Py_ssize_t* h_index, Py_ssize_t h_taps,
                              Py_ssize_t w_out, Py_ssize_t channels,
                              const Py_ssize_t* offsets, const real* weights, Py_ssize_t taps,
                              Py_ssize_t w_double) noexcept nogil:
    """_resample_pixels of source row h_index[j, k] of image o, AHEAD_PIXELS output
    pixels at a time, each stretch preceded by a prefetch of what those pixels read
    in the next source row (_next_source_row). Which code computes a pixel depends
    only on its position (_resample_pixels), so the blocks change no value.
    Prefetching the whole next row at once before the row instead was slower than no
    prefetch at all (0.89-0.93x, ab.py, same cases as AHEAD_IMAGE_BYTES). A function
    of its own, so that the loop of the smaller images keeps its registers (inlined,
    the suite's volume pass took 0.3% more instructions)."""
    cdef const real* row = src + (o * h_in + h_index[j * h_taps + k]) * in_len
    cdef Py_ssize_t next_row = _next_source_row(h_index, h_taps, h_out, j, k)
    cdef const real* ahead
    cdef Py_ssize_t first = 0, last
    if next_row < 0:
        _resample_pixels(dst, row, 0, w_out, channels, offsets, weights, taps, w_double)
        return
    ahead = src + (o * h_in + next_row) * in_len
    while first < w_out:
        last = first + AHEAD_PIXELS if first + AHEAD_PIXELS < w_out else w_out
        ups_prefetch_span(ahead, offsets[first * taps] * sizeof(real),
                          (offsets[last * taps - 1] + channels) * sizeof(real))
        _resample_pixels(dst, row, first, last, channels, offsets, weights, taps, w_double)
        first = last


cdef void _tile_rows_into_ring(const float* first_row, const unsigned char* first_bytes,
                               Py_ssize_t count, Py_ssize_t s,
                               Py_ssize_t g, float* ring, Py_ssize_t in_len, Py_ssize_t out_len,
                               Py_ssize_t w_out, Py_ssize_t channels,
                               const Py_ssize_t* w_offsets, const float* w_weights,
                               Py_ssize_t w_taps, Py_ssize_t ring_n, Py_ssize_t* ring_rows,
                               float* tile) noexcept nogil:
    """Resample `count` (at most eight) consecutive rows, source rows s... (ring ids
    g...), into their ring slots at once by the row-tile kernel: float rows from
    first_row, or (first_bytes not NULL) uint8 rows from first_bytes, converted
    as the kernel reads them.

    Past the last row the tile is padded by repeating it (same input, same
    slot, same values).
    """
    cdef const float* rows[ROW_TILE]
    cdef const unsigned char* byte_rows[ROW_TILE]
    cdef float* outs[ROW_TILE]
    cdef Py_ssize_t b, row
    for b in range(ROW_TILE):
        row = b if b < count else count - 1
        if first_bytes != NULL:
            byte_rows[b] = first_bytes + row * in_len
        else:
            rows[b] = first_row + row * in_len
        outs[b] = ring + ((s + row) % ring_n) * out_len
    if first_bytes != NULL:
        ups_resample_rows8_uint8(byte_rows, outs, in_len, w_out, channels, w_offsets,
                                 w_weights, w_taps, tile, tile + in_len * ROW_TILE)
    else:
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
        _tile_rows_into_ring(src + (o * h_in + s) * in_len, NULL, count, s, o * h_in + s,
                             ring, in_len, out_len, w_out, channels, w_offsets, w_weights,
                             w_taps, ring_n, ring_rows, tile)


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
    cdef bint far = h_in * in_len * sizeof(real) >= AHEAD_IMAGE_BYTES
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
                    if far:
                        _resample_row_ahead(ring + slot * out_len, src, o, j, k, h_in,
                                            in_len, h_out, h_index, h_taps, w_out, channels,
                                            w_offsets, w_weights, w_taps, w_double)
                    else:
                        _resample_pixels(ring + slot * out_len, src + g * in_len, 0, w_out,
                                         channels, w_offsets, w_weights, w_taps, w_double)
                    ring_rows[slot] = g
            row_offsets[k] = slot * out_len
        _combine_rows_out(dst + r * out_len, ring, row_offsets, h_weights + j * h_taps,
                          h_taps, out_len, stream)
    if stream:
        ups_store_fence()


# ---------------------------------------------------------------------------
# Height first: source rows combined (two output rows per sweep where the
# taps allow), then resampled
# ---------------------------------------------------------------------------

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
# The entry point, and the scratch the planner gives it
# ---------------------------------------------------------------------------

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
        raise ValueError("row tiles need float32 data and a vector build (AVX2 or NEON)")
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
    """Whether this build has the eight-row tile kernel (a vector build: AVX2 or NEON)."""
    return bool(ups_row_tiles_available())


def row_tile_shape():
    """(rows, pixels): a row tile resamples ROW_TILE rows at once, ROW_TILE_PIXELS
    output pixels at a time."""
    return ROW_TILE, ROW_TILE_PIXELS
