# Linear at exactly 0.5 on both axes (halve_pass): every output pixel the
# mean of a 2x2 block, without tables, for uint8 and (AVX2 or NEON) float32 images;
# and at 1 / step for an even step (x0.25: the 2x2 blocks 4 apart, from row and
# column 1), through the same row kernels.

from upsample_c._headers cimport ups_row_tiles_available

cdef extern from "ups_halving.h":
    void ups_halve_row_uint8(unsigned char* out, const unsigned char* r0,
                             const unsigned char* r1, Py_ssize_t w_out,
                             Py_ssize_t channels) noexcept nogil
    int ups_halve_row_float(float* out, const float* r0, const float* r1, Py_ssize_t w_out,
                            Py_ssize_t channels) noexcept nogil
    int ups_halve_row_strided(void* out, const void* r0, const void* r1, Py_ssize_t w_out,
                              Py_ssize_t channels, Py_ssize_t item_bytes, Py_ssize_t step,
                              Py_ssize_t start, int across) noexcept nogil


ctypedef fused halved:
    uint8_t
    float


def halve_pass(cnp.ndarray src not None, cnp.ndarray dst not None, Py_ssize_t outer,
               Py_ssize_t h_in, Py_ssize_t w_in, Py_ssize_t channels, Py_ssize_t h_out,
               Py_ssize_t w_out, int num_threads, Py_ssize_t h_step=2, Py_ssize_t h_start=0,
               Py_ssize_t w_step=2, Py_ssize_t w_start=0, bint width_first=False):
    """Linear at exactly 0.5 on both axes of images viewed as (outer, h_in, w_in, channels):
    output pixel (i, j) is the mean of source rows 2i, 2i + 1 and columns 2j, 2j + 1,
    every weight 0.5 (the caller checks the tables). With other steps and starts
    (linear at 1 / step, step even), of rows h_step * i + h_start and the next and
    columns w_step * j + w_start and the next; a column step other than 2 needs at
    most 4 channels.

    uint8: the integer mean rounded half to even. float32 (see halve_float_available):
    the height-first planar pass's own operations, or with ``width_first`` (at most 4
    channels) the width-first pass's. Every row and column read must lie in the
    source.
    """
    if cnp.PyArray_TYPE(src) == cnp.NPY_UINT8:
        _halve(<uint8_t>0, src, dst, outer, h_in, w_in, channels, h_out, w_out, num_threads,
               h_step, h_start, w_step, w_start, False)
    else:
        _halve(<float>0, src, dst, outer, h_in, w_in, channels, h_out, w_out, num_threads,
               h_step, h_start, w_step, w_start, width_first)


cdef int _halve(halved tag, cnp.ndarray src, cnp.ndarray dst, Py_ssize_t outer,
                Py_ssize_t h_in, Py_ssize_t w_in, Py_ssize_t channels, Py_ssize_t h_out,
                Py_ssize_t w_out, int num_threads, Py_ssize_t h_step, Py_ssize_t h_start,
                Py_ssize_t w_step, Py_ssize_t w_start, bint across) except -1:
    _check_threads(num_threads)
    cdef int typenum = cnp.NPY_UINT8 if halved is uint8_t else cnp.NPY_FLOAT32
    cdef Py_ssize_t n_rows = outer * h_out
    cdef Py_ssize_t n_chunks = _parallel_chunks(n_rows, num_threads)
    cdef Py_ssize_t chunk
    if channels < 1 or h_step < 2 or w_step < 2 or h_start < 0 or w_start < 0:
        raise ValueError(f"halve_pass needs channels >= 1, steps of 2 or more and starts of "
                         f"0 or more, got channels={channels}, h_step={h_step}, "
                         f"h_start={h_start}, w_step={w_step}, w_start={w_start}")
    if ((h_out > 0 and h_step * (h_out - 1) + h_start + 2 > h_in)
            or (w_out > 0 and w_step * (w_out - 1) + w_start + 2 > w_in)):
        raise ValueError("halve_pass reads rows or columns beyond the source: needs "
                         "step * (n_out - 1) + start + 2 <= n_in on both axes")
    if (w_step != 2 or w_start != 0 or across) and channels > 4:
        raise ValueError(f"halve_pass with a column step other than 2 or width first takes "
                         f"at most 4 channels, got {channels}")
    if halved is float and not halve_float_available(channels):
        raise ValueError("halve_pass on float32 needs a vector build (AVX2 or NEON) and at "
                         "most 1024 channels")
    cdef const halved* src_ptr = <const halved*>_items(
        src, typenum, outer * h_in * w_in * channels, False, "src")
    cdef halved* dst_ptr = <halved*>_items(
        dst, typenum, n_rows * w_out * channels, True, "dst")
    if n_chunks == 1:
        with nogil:
            _halve_rows(dst_ptr, src_ptr, 0, n_rows, h_in, w_in, channels, h_out, w_out,
                        h_step, h_start, w_step, w_start, across)
        return 0
    for chunk in prange(n_chunks, nogil=True, schedule="static", num_threads=num_threads):
        _halve_rows(dst_ptr, src_ptr, _chunk_start(chunk, n_chunks, n_rows),
                    _chunk_start(chunk + 1, n_chunks, n_rows), h_in, w_in, channels, h_out,
                    w_out, h_step, h_start, w_step, w_start, across)
    return 0


cdef void _halve_rows(halved* dst, const halved* src, Py_ssize_t first, Py_ssize_t last,
                      Py_ssize_t h_in, Py_ssize_t w_in, Py_ssize_t channels, Py_ssize_t h_out,
                      Py_ssize_t w_out, Py_ssize_t h_step, Py_ssize_t h_start,
                      Py_ssize_t w_step, Py_ssize_t w_start, bint across) noexcept nogil:
    """Output rows first..last-1 of halve_pass."""
    cdef Py_ssize_t in_len = w_in * channels
    cdef Py_ssize_t out_len = w_out * channels
    cdef Py_ssize_t row, o, i
    cdef const halved* r0
    cdef bint paired = w_step == 2 and w_start == 0 and not across
    for row in range(first, last):
        o = row // h_out
        i = row - o * h_out
        r0 = src + (o * h_in + h_step * i + h_start) * in_len
        if not paired:
            ups_halve_row_strided(dst + row * out_len, r0, r0 + in_len, w_out, channels,
                                  sizeof(halved), w_step, w_start, across)
        elif halved is float:
            ups_halve_row_float(dst + row * out_len, r0, r0 + in_len, w_out, channels)
        else:
            ups_halve_row_uint8(dst + row * out_len, r0, r0 + in_len, w_out, channels)


def halve_float_available(Py_ssize_t channels):
    """Whether halve_pass runs here on float32 pixels of `channels` floats."""
    return bool(ups_row_tiles_available()) and 0 < channels <= 1024
