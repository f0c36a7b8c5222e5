/* ups_wide_pixels.h: one row of pixels of 8 or more float channels resampled from the
   tables, eight channels per vector (ups_pixels_wide, vector builds only, UPS_SIMD). Used by
   _resample_pixels_wide (_rows.pxi), wherever such a row is resampled. */
#ifndef UPSAMPLE_UPS_WIDE_PIXELS_H
#define UPSAMPLE_UPS_WIDE_PIXELS_H
#include "ups_common.h"
/* One row of pixels of 8 or more float channels, from the tables: per
   output pixel, its taps' source pointers and broadcast weights are read
   once into locals, then every 8 channels are a product and products
   added in tap order (never fused), as every other float sum here. Returns 0
   (nothing done) without a vector build (UPS_SIMD) or with more than 16 taps. */
#if defined(UPS_SIMD)
UPS_SPECIALISED void ups_pixels_wide_vec(float *dst, const float *src, Py_ssize_t n_out,
                                        Py_ssize_t channels, const Py_ssize_t *offsets,
                                        const float *weights, Py_ssize_t taps) {
    Py_ssize_t j, c, k;
    for (j = 0; j < n_out; j++, dst += channels, offsets += taps, weights += taps) {
        const float *p[16];
        ups_v8 wv[16];
        float ws[16];
        for (k = 0; k < taps; k++) {
            p[k] = src + offsets[k];
            ws[k] = weights[k];
            wv[k] = ups_v8_set1(ws[k]);
        }
        for (c = 0; c + 8 <= channels; c += 8) {
            ups_v8 acc = ups_v8_mul(wv[0], ups_v8_loadu(p[0] + c));
            for (k = 1; k < taps; k++)
                acc = UPS_MADD(wv[k], ups_v8_loadu(p[k] + c), acc);
            ups_v8_storeu(dst + c, acc);
        }
        for (; c < channels; c++) {
            float acc = ws[0] * p[0][c];
            for (k = 1; k < taps; k++) acc = acc + ws[k] * p[k][c];
            dst[c] = acc;
        }
    }
}
#endif
static int ups_pixels_wide(float *dst, const float *src, Py_ssize_t n_out,
                           Py_ssize_t channels, const Py_ssize_t *offsets,
                           const float *weights, Py_ssize_t taps) {
#if defined(UPS_SIMD)
    /* Literal counts let the loops they bound unroll. */
    if (channels == 8 && taps == 2) ups_pixels_wide_vec(dst, src, n_out, 8, offsets, weights, 2);
    else if (channels == 8 && taps == 4) ups_pixels_wide_vec(dst, src, n_out, 8, offsets, weights, 4);
    else if (taps == 2) ups_pixels_wide_vec(dst, src, n_out, channels, offsets, weights, 2);
    else if (taps == 4) ups_pixels_wide_vec(dst, src, n_out, channels, offsets, weights, 4);
    else if (taps <= 16) ups_pixels_wide_vec(dst, src, n_out, channels, offsets, weights, taps);
    else return 0;
    return 1;
#else
    (void)dst; (void)src; (void)n_out; (void)channels; (void)offsets; (void)weights; (void)taps;
    return 0;
#endif
}
#endif  /* UPSAMPLE_UPS_WIDE_PIXELS_H */
