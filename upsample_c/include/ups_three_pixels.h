/* ups_three_pixels.h: one row of three-channel float32 pixels (RGB) resampled from the
   tables, one 16-byte vector per pixel (ups_pixels_three), in place of the scalar loop of
   _resample_pixels_small (_rows.pxi), which the compiler leaves scalar: a 720p RGB image
   at x0.25 in linear spent 61% of its time there (issue 19).

   Three channels fill three lanes of four; the fourth holds a neighbour's value, computed
   and thrown away. So that no load or store leaves the rows, each vector starts one
   value BEFORE its pixel: a tap at element offset o is loaded from o - 1 (the previous
   pixel's last channel, then the tap's three: inside the row when o >= 1), and output
   pixel j is stored at 3j - 1, which overwrites the last channel of pixel j - 1. The
   pixels are therefore done from the last to the first, so that pixel j - 1 writes its
   own value there afterwards; pixel 0, and any pixel with a tap at offset 0, is done by
   the scalar loop.

   Each lane's arithmetic is the scalar loop's, in its order (the first product, then
   each further product added in tap order) and, as every module is compiled with
   -ffp-contract=off (setup.py), never fused: the results are that loop's to the bit on
   every build. An earlier attempt at a four-lane RGB path was one ulp off on some values
   of the AVX2 build (ups_four_pixels.h); the scalar code was then contracted into fused
   multiply-adds by -mfma, which -ffp-contract=off has ruled out since. */
#ifndef UPSAMPLE_UPS_THREE_PIXELS_H
#define UPSAMPLE_UPS_THREE_PIXELS_H
#include "ups_four_pixels.h"
#if defined(__GNUC__)
/* Four floats, or one, of a row from element i on: what the loop below reads (a float
   row here, a uint8 row in ups_uint8_pixels.h). */
typedef ups_four (*ups_four_reader)(const void *row, Py_ssize_t i);
typedef float (*ups_value_reader)(const void *row, Py_ssize_t i);

/* Pixels [0, n_out) of an RGB row, last first (see above); pixel 0 and those with a tap
   at offset 0 by the scalar loop's operations. Always inlined with literal `taps`,
   `read4` and `read1`: the calls become straight-line code. */
UPS_SPECIALISED void ups_three_row(float *restrict dst, const void *row, Py_ssize_t n_out,
                                   const Py_ssize_t *restrict offsets,
                                   const float *restrict weights, Py_ssize_t taps,
                                   ups_four_reader read4, ups_value_reader read1) {
    Py_ssize_t j, k, c;
    for (j = n_out - 1; j >= 0; j--) {
        const Py_ssize_t *o = offsets + j * taps;
        const float *w = weights + j * taps;
        int inside = j > 0;
        ups_four sum;
        for (k = 0; k < taps; k++) inside &= o[k] > 0;
        if (!inside) {
            for (c = 0; c < 3; c++) {
                float acc = w[0] * read1(row, o[0] + c);
                for (k = 1; k < taps; k++) acc = acc + w[k] * read1(row, o[k] + c);
                dst[3 * j + c] = acc;
            }
            continue;
        }
        sum = ups_four_set(w[0]) * read4(row, o[0] - 1);
        for (k = 1; k < taps; k++) sum = sum + ups_four_set(w[k]) * read4(row, o[k] - 1);
        memcpy(dst + 3 * j - 1, &sum, sizeof sum);
    }
}

/* ups_three_row with the tap counts of the common tables (linear 2, cubic 4) literal. */
UPS_SPECIALISED void ups_three_row_taps(float *dst, const void *row, Py_ssize_t n_out,
                                        const Py_ssize_t *offsets, const float *weights,
                                        Py_ssize_t taps, ups_four_reader read4,
                                        ups_value_reader read1) {
    if (taps == 2) ups_three_row(dst, row, n_out, offsets, weights, 2, read4, read1);
    else if (taps == 4) ups_three_row(dst, row, n_out, offsets, weights, 4, read4, read1);
    else ups_three_row(dst, row, n_out, offsets, weights, taps, read4, read1);
}

static inline ups_four ups_four_read_float(const void *row, Py_ssize_t i) {
    return ups_four_load((const float *)row + i);
}

static inline float ups_read_float(const void *row, Py_ssize_t i) {
    return ((const float *)row)[i];
}
#endif

/* Returns 0 (nothing done) without vector extensions, and for fewer than 8 pixels (the
   edges of scale-2 rows, _resample_pixels), where the scalar loop is cheaper: through
   this loop the suite's 512x512 RGB x2 cubic took 0.5% more kernel instructions. */
static int ups_pixels_three(float *dst, const float *src, Py_ssize_t n_out,
                            const Py_ssize_t *offsets, const float *weights, Py_ssize_t taps) {
#if defined(__GNUC__)
    if (n_out < 8) return 0;
    ups_three_row_taps(dst, src, n_out, offsets, weights, taps, ups_four_read_float,
                       ups_read_float);
    return 1;
#else
    (void)dst; (void)src; (void)n_out; (void)offsets; (void)weights; (void)taps;
    return 0;
#endif
}
#endif  /* UPSAMPLE_UPS_THREE_PIXELS_H */
