/* ups_uint8.h: uint8 results: floats rounded to nearest and saturated to 0..255
   (ups_round_store_uint8), a vertical combination rounded to uint8 as it is stored
   (ups_combine_store_uint8), and uint8 rows combined into a float row
   (ups_combine_uint8_float). Used by the uint8 planar pass and round_to_uint8
   (_uint8.pxi). */
#ifndef UPSAMPLE_UPS_UINT8_H
#define UPSAMPLE_UPS_UINT8_H
#include "ups_common.h"
#if defined(UPS_SIMD)
/* Eight floats clamped to 0..255 (NaN to 0: max returns its second operand) and
   rounded to integers, ties to even: every vector path's rounding to uint8. */
static inline ups_v8i ups_v8_round_uint8(ups_v8 v) {
    return ups_v8_round_int(ups_v8_min(ups_v8_max(v, ups_v8_zero()), ups_v8_set1(255.0f)));
}
#endif
/* Round floats to nearest (ties to even, the default rounding mode) and
   saturate to 0..255; NaN gives 0. GCC does not vectorise the scalar
   form (the clamps become branches), and this runs once per output
   element, so it is written with SSE2 intrinsics (NEON on AArch64). max_ps(v, 0) returns
   0 when v is NaN, and the 32- and 16-bit packs saturate. */
static void ups_round_store_uint8(unsigned char *dst, const float *src, Py_ssize_t n) {
    Py_ssize_t i = 0;
#if defined(UPS_SIMD_AVX2)
    /* 32 at a time in 8-lane vectors, the same operations as the SSE2 loop
       below (which takes a 16-value rest): half the instructions on the
       height-first uint8 rows, whose rounding took 12 % of a 1080p RGBA
       x0.5 cubic call. */
    for (; i + 32 <= n; i += 32)
        ups_store_uint8_32(dst + i, ups_v8_round_uint8(ups_v8_loadu(src + i)),
                           ups_v8_round_uint8(ups_v8_loadu(src + i + 8)),
                           ups_v8_round_uint8(ups_v8_loadu(src + i + 16)),
                           ups_v8_round_uint8(ups_v8_loadu(src + i + 24)), 0);
#endif
#if defined(__SSE2__)
    const __m128 zero = _mm_setzero_ps(), top = _mm_set1_ps(255.0f);
    for (; i + 16 <= n; i += 16) {
        __m128i a = _mm_cvtps_epi32(_mm_min_ps(_mm_max_ps(_mm_loadu_ps(src + i), zero), top));
        __m128i b = _mm_cvtps_epi32(_mm_min_ps(_mm_max_ps(_mm_loadu_ps(src + i + 4), zero), top));
        __m128i c = _mm_cvtps_epi32(_mm_min_ps(_mm_max_ps(_mm_loadu_ps(src + i + 8), zero), top));
        __m128i d = _mm_cvtps_epi32(_mm_min_ps(_mm_max_ps(_mm_loadu_ps(src + i + 12), zero), top));
        _mm_storeu_si128((__m128i *)(dst + i),
                         _mm_packus_epi16(_mm_packs_epi32(a, b), _mm_packs_epi32(c, d)));
    }
#elif defined(UPS_SIMD_NEON)
    /* The same with NEON: ups_v8_max and ups_v8_min have x86's NaN rule,
       FCVTNS rounds ties to even, and the narrowings saturate as the packs. */
    for (; i + 16 <= n; i += 16) {
        uint8x8_t a = ups_v8i_to_uint8(ups_v8_round_uint8(ups_v8_loadu(src + i)));
        uint8x8_t b = ups_v8i_to_uint8(ups_v8_round_uint8(ups_v8_loadu(src + i + 8)));
        vst1q_u8(dst + i, vcombine_u8(a, b));
    }
#endif
    for (; i < n; i++) {
        float v = src[i];
        v = v > 0.0f ? v : 0.0f;
        v = v < 255.0f ? v : 255.0f;
        v = (v + 12582912.0f) - 12582912.0f;  /* 1.5 * 2**23: rounds to an integer */
        dst[i] = (unsigned char)(int)v;
    }
}
/* dst[i] = uint8(sum_k w[k] * base[offsets[k] + i]), rounded and saturated
   as ups_round_store_uint8: the vertical combine of the uint8 kernels,
   done in registers so the float sums never go through memory. The tap
   count is a literal in the common cases so the tap loop unrolls. */
#if defined(UPS_SIMD)
static inline ups_v8i ups_sum8(const float *p, const Py_ssize_t *offsets, const float *w,
                               Py_ssize_t taps) {
    return ups_v8_round_uint8(ups_dot8(p, offsets, w, taps));
}
/* The 32 rounded sums from item i on, into v (see ups_combine_store_uint8_vec). */
static inline void ups_sum32_uint8(ups_v8i v[4], const float *const *rows, const ups_v8 *wv,
                                   Py_ssize_t taps, Py_ssize_t i) {
    Py_ssize_t k, q;
    for (q = 0; q < 4; q++) {
        ups_v8 acc = ups_v8_mul(wv[0], ups_v8_loadu(rows[0] + i + 8 * q));
        for (k = 1; k < taps; k++)
            acc = UPS_MADD(wv[k], ups_v8_loadu(rows[k] + i + 8 * q), acc);
        v[q] = ups_v8_round_uint8(acc);
    }
}
/* With `stream` (dst 32-byte aligned), the bytes go to memory with
   streaming stores straight from the registers (ups_store_uint8_32), a
   whole 64-byte line at a time: with the two halves of a line stored an
   iteration apart, the write-combining buffer was flushed half full in
   between on an Intel Xeon VM, and each half went out on its own (1.5x-1.9x
   slower than not streaming; benchmarks/streaming.py). */
UPS_SPECIALISED void ups_combine_store_uint8_vec(unsigned char *dst, const float *base,
                                                const Py_ssize_t *offsets, const float *w,
                                                Py_ssize_t taps, Py_ssize_t n, int stream) {
    Py_ssize_t i = 0;
    if (taps <= 16) {
        /* Row pointers and broadcast weights in locals: a byte store may
           alias anything, so the compiler would otherwise reload the
           tables after every store. */
        const float *rows[16];
        ups_v8 wv[16];
        ups_v8i v[4], u[4];
        Py_ssize_t k;
        for (k = 0; k < taps; k++) {
            rows[k] = base + offsets[k];
            wv[k] = ups_v8_set1(w[k]);
        }
        if (stream) {
            if (((size_t)dst & 63) != 0 && n >= 32) {  /* up to the next line */
                ups_sum32_uint8(v, rows, wv, taps, 0);
                ups_store_uint8_32(dst, v[0], v[1], v[2], v[3], stream);
                i = 32;
            }
            for (; i + 64 <= n; i += 64) {
                ups_sum32_uint8(v, rows, wv, taps, i);
                ups_sum32_uint8(u, rows, wv, taps, i + 32);
                ups_store_uint8_32(dst + i, v[0], v[1], v[2], v[3], stream);
                ups_store_uint8_32(dst + i + 32, u[0], u[1], u[2], u[3], stream);
            }
        }
        for (; i + 32 <= n; i += 32) {
            ups_sum32_uint8(v, rows, wv, taps, i);
            ups_store_uint8_32(dst + i, v[0], v[1], v[2], v[3], stream);
        }
    }
    for (; i + 32 <= n; i += 32) {
        const float *p = base + i;
        ups_v8i a = ups_sum8(p, offsets, w, taps), b = ups_sum8(p + 8, offsets, w, taps);
        ups_v8i c = ups_sum8(p + 16, offsets, w, taps), d = ups_sum8(p + 24, offsets, w, taps);
        ups_store_uint8_32(dst + i, a, b, c, d, stream);
    }
}
#endif
/* Returns 0 (nothing done) when asked to stream without a vector build
   or to an unaligned destination: the caller then stages the bytes. */
static int ups_combine_store_uint8(unsigned char *dst, const float *base,
                                   const Py_ssize_t *offsets, const float *w,
                                   Py_ssize_t taps, Py_ssize_t n, int stream) {
    Py_ssize_t i = 0, k;
#if defined(UPS_SIMD)
    if (stream && ((size_t)dst & 31) != 0) return 0;
    if (taps == 2) ups_combine_store_uint8_vec(dst, base, offsets, w, 2, n, stream);
    else if (taps == 4) ups_combine_store_uint8_vec(dst, base, offsets, w, 4, n, stream);
    else ups_combine_store_uint8_vec(dst, base, offsets, w, taps, n, stream);
    i = n - n % 32;
#else
    if (stream) return 0;
#endif
    for (; i < n; i++) {
        float acc = w[0] * base[offsets[0] + i];
        for (k = 1; k < taps; k++) acc = acc + w[k] * base[offsets[k] + i];
        ups_round_store_uint8(dst + i, &acc, 1);
    }
    return 1;
}
/* The vertical combination of uint8 rows into a float row, with the same
   operations as the C loop it replaces (a product, then a product added
   per tap in tap order, nothing fused) but the sums
   kept in registers instead of going through the row once per tap, and
   the rows in `ahead` prefetched as in ups_combine_vec. Returns 0
   (nothing done) without a vector build (UPS_SIMD) or with more than 16 taps.
   ups_combine_uint8_float_vec is its body, called with a literal tap count
   for 2 and 4 taps so that the tap loop unrolls with the row pointers and
   weights in registers. */
#if defined(UPS_SIMD)
UPS_SPECIALISED void ups_combine_uint8_float_vec(float *dst, const unsigned char *base,
                                                 const Py_ssize_t *offsets, const float *w,
                                                 Py_ssize_t taps, Py_ssize_t n,
                                                 const unsigned char *const *ahead,
                                                 int n_ahead) {
    const unsigned char *rows[16];
    ups_v8 wv[16];
    Py_ssize_t i = 0, k;
    int a;
    for (k = 0; k < taps; k++) {
        rows[k] = base + offsets[k];
        wv[k] = ups_v8_set1(w[k]);
    }
    for (; i + 16 <= n; i += 16) {
        /* One prefetch per 64-byte line of each row ahead, not one per
           16 bytes (each line asked for four times). */
        if ((i & 63) == 0)
            for (a = 0; a < n_ahead; a++)
                ups_prefetch_l2(ahead[a] + i);
        ups_v8 lo = ups_v8_mul(wv[0], ups_load8_uint8(rows[0] + i));
        ups_v8 hi = ups_v8_mul(wv[0], ups_load8_uint8(rows[0] + i + 8));
        for (k = 1; k < taps; k++) {
            lo = UPS_MADD(wv[k], ups_load8_uint8(rows[k] + i), lo);
            hi = UPS_MADD(wv[k], ups_load8_uint8(rows[k] + i + 8), hi);
        }
        ups_v8_storeu(dst + i, lo);
        ups_v8_storeu(dst + i + 8, hi);
    }
    /* The tail as vectors, the last one ending at n, as in
       ups_combine_vec. */
    while (i < n && n >= 8) {
        Py_ssize_t at = i + 8 <= n ? i : n - 8;
        ups_v8 v = ups_v8_mul(wv[0], ups_load8_uint8(rows[0] + at));
        for (k = 1; k < taps; k++) v = UPS_MADD(wv[k], ups_load8_uint8(rows[k] + at), v);
        ups_v8_storeu(dst + at, v);
        i = at + 8;
    }
    for (; i < n; i++) {
        float acc = w[0] * (float)rows[0][i];
        for (k = 1; k < taps; k++) acc = acc + w[k] * (float)rows[k][i];
        dst[i] = acc;
    }
}
#endif
static int ups_combine_uint8_float(float *dst, const unsigned char *base,
                                   const Py_ssize_t *offsets, const float *w,
                                   Py_ssize_t taps, Py_ssize_t n,
                                   const unsigned char *const *ahead, int n_ahead) {
#if defined(UPS_SIMD)
    if (taps > 16) return 0;
    if (taps == 4) ups_combine_uint8_float_vec(dst, base, offsets, w, 4, n, ahead, n_ahead);
    else if (taps == 2) ups_combine_uint8_float_vec(dst, base, offsets, w, 2, n, ahead, n_ahead);
    else ups_combine_uint8_float_vec(dst, base, offsets, w, taps, n, ahead, n_ahead);
    return 1;
#else
    (void)dst; (void)base; (void)offsets; (void)w; (void)taps; (void)n;
    (void)ahead; (void)n_ahead;
    return 0;
#endif
}
#endif  /* UPSAMPLE_UPS_UINT8_H */
