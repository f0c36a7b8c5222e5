/* ups_four_pixels.h: one row of four-channel float32 pixels (RGBA) resampled from the
   tables with 2 or 4 taps, one 16-byte vector per pixel (ups_pixels_four). Used by
   _resample_pixels_table (_rows.pxi) in place of its scalar loop over the channels,
   which the compiler leaves scalar: a 720p RGBA image at x0.25 in linear spent 21
   instructions per output pixel there (issue 19). Not for 3 channels: the same code
   with a fourth, neighbour's lane gave sums one ulp away from that scalar loop's on
   some values of the AVX2 build (not diagnosed), where results must stay the bits
   they were.

   The arithmetic is written with the compiler's vector extensions, not intrinsics,
   and exactly as the scalar loop writes it (products summed in tap order, the first
   two taps as one sum); every module is compiled with -ffp-contract=off (setup.py),
   so both are products then additions in that order, and the results are the
   scalar loop's to the bit on every build. */
#ifndef UPSAMPLE_UPS_FOUR_PIXELS_H
#define UPSAMPLE_UPS_FOUR_PIXELS_H
#include "ups_common.h"
#if defined(__GNUC__)
typedef float ups_four __attribute__((vector_size(16)));
static inline ups_four ups_four_load(const float *p) {
    ups_four v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline ups_four ups_four_set(float w) {
    ups_four v = {w, w, w, w};
    return v;
}
/* Output pixel j of the row: its taps summed as the scalar loop sums them. */
static inline ups_four ups_four_sum(const float *src, const Py_ssize_t *offsets,
                                    const float *weights, Py_ssize_t taps) {
    if (taps == 2)
        return ups_four_set(weights[0]) * ups_four_load(src + offsets[0])
               + ups_four_set(weights[1]) * ups_four_load(src + offsets[1]);
    return (ups_four_set(weights[0]) * ups_four_load(src + offsets[0])
            + ups_four_set(weights[1]) * ups_four_load(src + offsets[1]))
           + ups_four_set(weights[2]) * ups_four_load(src + offsets[2])
           + ups_four_set(weights[3]) * ups_four_load(src + offsets[3]);
}
#endif
/* Returns 0 (nothing done) for other tap counts, or without vector extensions. */
static int ups_pixels_four(float *dst, const float *src, Py_ssize_t n_out,
                           const Py_ssize_t *offsets, const float *weights, Py_ssize_t taps) {
#if defined(__GNUC__)
    Py_ssize_t j;
    ups_four sum;
    if (taps != 2 && taps != 4) return 0;
    for (j = 0; j < n_out; j++, dst += 4, offsets += taps, weights += taps) {
        sum = ups_four_sum(src, offsets, weights, taps);
        memcpy(dst, &sum, sizeof sum);
    }
    return 1;
#else
    (void)dst; (void)src; (void)n_out; (void)offsets; (void)weights; (void)taps;
    return 0;
#endif
}
#endif  /* UPSAMPLE_UPS_FOUR_PIXELS_H */
