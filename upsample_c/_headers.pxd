# The C kernels that several kernel files call, declared once: each .pxi
# cimports the names it uses from here. The code is in include/*.h, one header
# per concern (a header used by one .pxi only is declared in that file). These
# declarations hold for both builds: in the baseline build a function that
# needs AVX2 does nothing (those that return an int return 0, "nothing done",
# and the caller's Cython loop runs instead).

cdef extern from "ups_stream.h":
    void ups_stream_copy(void* dst, const void* src, Py_ssize_t nbytes) noexcept nogil
    void ups_store_fence() noexcept nogil

cdef extern from "ups_combine.h":
    int ups_combine_float(float* dst, const float* base, const Py_ssize_t* offsets,
                          const float* w, Py_ssize_t taps, Py_ssize_t n, int stream) noexcept nogil
    int ups_combine_float_ahead(float* dst, const float* base, const Py_ssize_t* offsets,
                                const float* w, Py_ssize_t taps, Py_ssize_t n,
                                const float* const* ahead, int n_ahead) noexcept nogil
    enum: UPS_AHEAD_ROWS

cdef extern from "ups_combine_pairs.h":
    int ups_combine_float_pair(float* dst0, float* dst1, const float* base,
                               const Py_ssize_t* offsets0, const Py_ssize_t* offsets1,
                               const float* w0, const float* w1, Py_ssize_t taps, Py_ssize_t n,
                               const float* const* ahead, int n_ahead) noexcept nogil
    int ups_combine_uint8_float_pair(float* dst0, float* dst1, const unsigned char* base,
                                     const Py_ssize_t* offsets0, const Py_ssize_t* offsets1,
                                     const float* w0, const float* w1, Py_ssize_t taps,
                                     Py_ssize_t n, const unsigned char* const* ahead,
                                     int n_ahead) noexcept nogil

cdef extern from "ups_row_tiles.h":
    int ups_row_tiles_available() noexcept nogil
    void ups_resample_rows8(const float* const* rows, float* const* outs, Py_ssize_t in_len,
                            Py_ssize_t n_out, Py_ssize_t channels, const Py_ssize_t* offsets,
                            const float* weights, Py_ssize_t taps, float* tile,
                            float* block) noexcept nogil
    void ups_resample_rows8_uint8(const unsigned char* const* rows, float* const* outs,
                                  Py_ssize_t in_len, Py_ssize_t n_out, Py_ssize_t channels,
                                  const Py_ssize_t* offsets, const float* weights,
                                  Py_ssize_t taps, float* tile, float* block) noexcept nogil
    enum: ROW_TILE_PIXELS
