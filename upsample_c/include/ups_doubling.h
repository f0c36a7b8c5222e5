/* ups_doubling.h: scale 2 along a row of 3-channel float pixels: the interior output
   pairs, eight source pixels per step, interleaved in registers (ups_double_rgb, AVX2
   and FMA or NEON). Used by _double_pairs (_rows.pxi), wherever a row is doubled: the
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
#if defined(UPS_SIMD_AVX2)
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
#elif defined(UPS_SIMD_NEON)
/* Eight 3-channel pixels from p, one ups_v8 per channel. */
static inline void ups_load_rgb8(const float *p, ups_v8 ch[3]) {
    float32x4x3_t a = vld3q_f32(p), b = vld3q_f32(p + 12);
    int c;
    for (c = 0; c < 3; c++) ch[c] = ups_v8_make(a.val[c], b.val[c]);
}
/* Eight output pixels from four even and four odd ones given by channel:
   even pixel p, then odd pixel p. */
static inline void ups_store_rgb_pairs(float *out, float32x4_t er, float32x4_t or_,
                                       float32x4_t eg, float32x4_t og, float32x4_t eb,
                                       float32x4_t ob) {
    float32x4x2_t r = vzipq_f32(er, or_), g = vzipq_f32(eg, og), b = vzipq_f32(eb, ob);
    float32x4x3_t first, second;
    first.val[0] = r.val[0]; first.val[1] = g.val[0]; first.val[2] = b.val[0];
    second.val[0] = r.val[1]; second.val[1] = g.val[1]; second.val[2] = b.val[1];
    vst3q_f32(out, first);
    vst3q_f32(out + 12, second);
}
#endif
static Py_ssize_t ups_double_rgb(float *dst, const float *src, Py_ssize_t i0,
                                 Py_ssize_t i1, const float *w, Py_ssize_t taps) {
    Py_ssize_t i = i0;
#if defined(UPS_SIMD_AVX2)
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
                e[v] = ups_v8_add(ups_v8_mul(wv[0], left), ups_v8_mul(wv[1], centre));
                o[v] = ups_v8_add(ups_v8_mul(wv[2], centre), ups_v8_mul(wv[3], right));
            } else {
                __m256 left2 = _mm256_loadu_ps(k - 6), right2 = _mm256_loadu_ps(k + 6);
                e[v] = ups_v8_add(ups_v8_mul(wv[0], left2), ups_v8_mul(wv[1], left));
                e[v] = UPS_MADD(wv[3], right, UPS_MADD(wv[2], centre, e[v]));
                o[v] = ups_v8_add(ups_v8_mul(wv[4], left), ups_v8_mul(wv[5], centre));
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
#elif defined(UPS_SIMD_NEON)
    /* The same sums, element for element, on the channels apart: vld3q
       splits four pixels into their three channels, each ups_v8 holds one
       channel of eight pixels, and zips then vst3q put even and odd
       outputs back in pixel order. Same loads, reach and bounds. */
    ups_v8 wv[8];
    int v, c;
    if (taps != 2 && taps != 4) return i;
    for (v = 0; v < 2 * taps; v++) wv[v] = ups_v8_set1(w[v]);
    for (; i + 8 <= i1; i += 8) {
        const float *px = src + 3 * i;
        float *out = dst + 6 * i;
        ups_v8 left[3], centre[3], right[3], e[3], o[3];
        ups_load_rgb8(px - 3, left);
        ups_load_rgb8(px, centre);
        ups_load_rgb8(px + 3, right);
        if (taps == 2) {
            for (c = 0; c < 3; c++) {
                e[c] = ups_v8_add(ups_v8_mul(wv[0], left[c]), ups_v8_mul(wv[1], centre[c]));
                o[c] = ups_v8_add(ups_v8_mul(wv[2], centre[c]), ups_v8_mul(wv[3], right[c]));
            }
        } else {
            ups_v8 left2[3], right2[3];
            ups_load_rgb8(px - 6, left2);
            ups_load_rgb8(px + 6, right2);
            for (c = 0; c < 3; c++) {
                e[c] = ups_v8_add(ups_v8_mul(wv[0], left2[c]), ups_v8_mul(wv[1], left[c]));
                e[c] = UPS_MADD(wv[3], right[c], UPS_MADD(wv[2], centre[c], e[c]));
                o[c] = ups_v8_add(ups_v8_mul(wv[4], left[c]), ups_v8_mul(wv[5], centre[c]));
                o[c] = UPS_MADD(wv[7], right2[c], UPS_MADD(wv[6], right[c], o[c]));
            }
        }
        ups_store_rgb_pairs(out, e[0].lo, o[0].lo, e[1].lo, o[1].lo, e[2].lo, o[2].lo);
        ups_store_rgb_pairs(out + 24, e[0].hi, o[0].hi, e[1].hi, o[1].hi, e[2].hi, o[2].hi);
    }
#else
    (void)dst; (void)src; (void)i1; (void)w; (void)taps;
#endif
    return i;
}
#endif  /* UPSAMPLE_UPS_DOUBLING_H */
