# Three spatial axes in one sweep (volume_pass): each source plane used is
# resampled once by the width-first planar chunk into a ring of planes, and
# every output plane is a combination of ring planes along the depth.

from upsample_c._headers cimport ups_row_tiles_available, ups_store_fence


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
        raise ValueError("row tiles need float32 data and a vector build (AVX2 or NEON)")
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
