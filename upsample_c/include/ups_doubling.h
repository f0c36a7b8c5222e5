/* ups_doubling.h: scale 2 along a row of 3-channel float pixels: the interior output
   pairs, eight source pixels per step, interleaved in registers (ups_double_rgb, AVX2
   and FMA only). Used by _double_pairs (_rows.pxi), wherever a row is doubled: the
   horizontal, planar and volume passes. */
#ifndef UPSAMPLE_UPS_DOUBLING_H
#define UPSAMPLE_UPS_DOUBLING_H
#include "ups_common.h"
/* The interior pairs of a scale-2 row of 3-channel float pixels (see
   _double_pairs), eight source pixels at a time. Over the row's floats,
   the even outputs are E[k] = w0 s[k - 3] + w1 s[k] (and the cubic's two
   further taps) and the odd ones O[k] likewise, each a contiguous vector
   of loads and multiply-adds; pixel p of the output is then E[3p..3p+2]
   followed by O[3p..3p+2]. That interleaving of three-float groups is
   done in registers: each of the six output vectors of eight pixels is a
   permutation of one E vector (or a blend of two) and of one O vector,
   blended. GCC vectorised the C loop across pixels with a scalar extract
   per value instead. The arithmetic is the C loop's, left to right
   (the first two products added, then each further product in order,
   nothing fused), so the results are the same bits. Returns the first pair not done: the loop
   stops where its last loads would reach past source pixel i1 + 1 (linear)
   or i1 + 2 (cubic), which the interior pairs may read. */
#if defined(__AVX2__) && defined(__FMA__)
static const int UPS_RGB_PAIR_LANES[12][8] = {
    {0, 1, 2, 0, 0, 0, 3, 4}, {0, 0, 0, 0, 1, 2, 0, 0},
    {5, 0, 0, 0, 6, 7, 0, 0}, {0, 3, 4, 5, 0, 0, 0, 6},
    {0, 0, 1, 2, 3, 0, 0, 0}, {7, 0, 0, 0, 0, 1, 2, 3},
    {4, 5, 6, 0, 0, 0, 7, 0}, {0, 0, 0, 4, 5, 6, 0, 0},
    {1, 0, 0, 0, 2, 3, 4, 0}, {0, 7, 0, 1, 0, 0, 0, 2},
    {0, 0, 5, 6, 7, 0, 0, 0}, {3, 4, 0, 0, 0, 5, 6, 7},
};
#define UPS_RGB_OUT(u, ev, ov, odd_lanes) \
    _mm256_storeu_ps(out + 8 * (u), _mm256_blend_ps( \
        _mm256_permutevar8x32_ps((ev), lanes[2 * (u)]), \
        _mm256_permutevar8x32_ps((ov), lanes[2 * (u) + 1]), (odd_lanes)))
#endif
static Py_ssize_t ups_double_rgb(float *dst, const float *src, Py_ssize_t i0,
                                 Py_ssize_t i1, const float *w, Py_ssize_t taps) {
    Py_ssize_t i = i0;
#if defined(__AVX2__) && defined(__FMA__)
    __m256i lanes[12];
    __m256 wv[8];
    int v;
    if (taps != 2 && taps != 4) return i;
    for (v = 0; v < 12; v++)
        lanes[v] = _mm256_loadu_si256((const __m256i *)UPS_RGB_PAIR_LANES[v]);
    for (v = 0; v < 2 * taps; v++) wv[v] = _mm256_set1_ps(w[v]);
    for (; i + 8 <= i1; i += 8) {
        const float *px = src + 3 * i;
        float *out = dst + 6 * i;
        __m256 e[3], o[3];
        for (v = 0; v < 3; v++) {
            const float *k = px + 8 * v;
            __m256 left = _mm256_loadu_ps(k - 3), centre = _mm256_loadu_ps(k);
            __m256 right = _mm256_loadu_ps(k + 3);
            if (taps == 2) {
                e[v] = _mm256_add_ps(_mm256_mul_ps(wv[0], left), _mm256_mul_ps(wv[1], centre));
                o[v] = _mm256_add_ps(_mm256_mul_ps(wv[2], centre), _mm256_mul_ps(wv[3], right));
            } else {
                __m256 left2 = _mm256_loadu_ps(k - 6), right2 = _mm256_loadu_ps(k + 6);
                e[v] = _mm256_add_ps(_mm256_mul_ps(wv[0], left2), _mm256_mul_ps(wv[1], left));
                e[v] = UPS_MADD(wv[3], right, UPS_MADD(wv[2], centre, e[v]));
                o[v] = _mm256_add_ps(_mm256_mul_ps(wv[4], left), _mm256_mul_ps(wv[5], centre));
                o[v] = UPS_MADD(wv[7], right2, UPS_MADD(wv[6], right, o[v]));
            }
        }
        UPS_RGB_OUT(0, e[0], o[0], 0x38);
        UPS_RGB_OUT(1, _mm256_blend_ps(e[0], e[1], 0x01), o[0], 0x8E);
        UPS_RGB_OUT(2, e[1], _mm256_blend_ps(o[0], o[1], 0x0F), 0xE3);
        UPS_RGB_OUT(3, _mm256_blend_ps(e[1], e[2], 0x01), o[1], 0x38);
        UPS_RGB_OUT(4, e[2], _mm256_blend_ps(o[1], o[2], 0x07), 0x8E);
        UPS_RGB_OUT(5, e[2], o[2], 0xE3);
    }
#else
    (void)dst; (void)src; (void)i1; (void)w; (void)taps;
#endif
    return i;
}
#endif  /* UPSAMPLE_UPS_DOUBLING_H */
