/* ups_uint8_pixels.h: one row of uint8 pixels resampled from the tables into float32,
   each tap's value converted to float as it is read (ups_pixels_from_uint8).

   The uint8 planar pass width first (_planar_uint8_chunk, _uint8.pxi) converted every
   source row it needs whole into a float row, then resampled that row; a shrinking
   table reads only part of the row (linear at x0.25: half of it), and the conversion
   was a third of the time of a 1080p RGBA image at x0.25 (issue 19). Converting a
   uint8 value to float32 is exact, so a sum of products of the converted values is the
   sum the float row gives, bit for bit, when it is made with the same operations in
   the same order: the first product, then each further product added in tap order,
   never fused (-ffp-contract=off, setup.py), as _resample_pixels_small and
   ups_pixels_four/_wide/_three sum a float row.

   Four channels: one 16-byte vector per pixel (its four bytes widened). Three: the same
   with a neighbour's value in the fourth lane, loaded one value before the pixel and
   stored one value before it, last pixel first (ups_three_pixels.h's loop, reading
   bytes). Other channel counts keep the conversion of the whole row (see
   ups_pixels_from_uint8). */
#ifndef UPSAMPLE_UPS_UINT8_PIXELS_H
#define UPSAMPLE_UPS_UINT8_PIXELS_H
#include "ups_three_pixels.h"

#if defined(__GNUC__)
/* Four bytes at p as four floats (exact): widened to 32-bit integers, then converted.
   The compiler's own conversion of a four-byte vector (__builtin_convertvector) is
   four scalar conversions, slower than converting the whole row first. */
static inline ups_four ups_four_load_uint8(const unsigned char *p) {
#if defined(__SSE4_1__)
    int bits;
    memcpy(&bits, p, sizeof bits);
    return (ups_four)_mm_cvtepi32_ps(_mm_cvtepu8_epi32(_mm_cvtsi32_si128(bits)));
#elif defined(__SSE2__)
    int bits;
    __m128i zero = _mm_setzero_si128();
    memcpy(&bits, p, sizeof bits);
    return (ups_four)_mm_cvtepi32_ps(
        _mm_unpacklo_epi16(_mm_unpacklo_epi8(_mm_cvtsi32_si128(bits), zero), zero));
#elif defined(UPS_SIMD_NEON)
    uint32_t bits;
    memcpy(&bits, p, sizeof bits);
    return (ups_four)vcvtq_f32_u32(
        vmovl_u16(vget_low_u16(vmovl_u8(vreinterpret_u8_u32(vdup_n_u32(bits))))));
#else
    ups_four v = {p[0], p[1], p[2], p[3]};
    return v;
#endif
}

UPS_SPECIALISED void ups_u8_pixels_four(float *restrict dst, const unsigned char *src,
                                        Py_ssize_t n_out, const Py_ssize_t *restrict offsets,
                                        const float *restrict weights, Py_ssize_t taps) {
    Py_ssize_t j, k;
    for (j = 0; j < n_out; j++, dst += 4, offsets += taps, weights += taps) {
        ups_four sum = ups_four_set(weights[0]) * ups_four_load_uint8(src + offsets[0]);
        for (k = 1; k < taps; k++)
            sum = sum + ups_four_set(weights[k]) * ups_four_load_uint8(src + offsets[k]);
        memcpy(dst, &sum, sizeof sum);
    }
}

static inline ups_four ups_four_read_uint8(const void *row, Py_ssize_t i) {
    return ups_four_load_uint8((const unsigned char *)row + i);
}

static inline float ups_read_uint8(const void *row, Py_ssize_t i) {
    return (float)((const unsigned char *)row)[i];
}
#endif

/* Literal tap counts for the common tables (linear 2, cubic 4) unroll the tap loops.
   Returns 0 (nothing done: the caller converts the row and resamples it as floats) for
   other channel counts, for which converting each tap was slower: measured width first
   in the uint8 planar pass on 720p images at 1 thread (load 2.5; main's build against
   one converting every channel count, three rounds interleaved), 1 channel took 0.97x
   main's time at x0.25 and 1.08x at x0.5, 2 channels 1.24-1.45x (scalar loops), 8
   channels 2.7-3.9x (a loop over the channels per tap, against main's vectors); 3 and 4
   channels 0.39-0.91x from x0.25 to x3 in linear and cubic (the more of the row a table
   reads, the less it gains). Also 0 without vector extensions. */
static int ups_pixels_from_uint8(float *dst, const unsigned char *src, Py_ssize_t n_out,
                                 Py_ssize_t channels, const Py_ssize_t *offsets,
                                 const float *weights, Py_ssize_t taps) {
#if defined(__GNUC__)
    if (channels == 4) {
        if (taps == 2) ups_u8_pixels_four(dst, src, n_out, offsets, weights, 2);
        else if (taps == 4) ups_u8_pixels_four(dst, src, n_out, offsets, weights, 4);
        else ups_u8_pixels_four(dst, src, n_out, offsets, weights, taps);
        return 1;
    }
    if (channels == 3) {
        ups_three_row_taps(dst, src, n_out, offsets, weights, taps, ups_four_read_uint8,
                           ups_read_uint8);
        return 1;
    }
#endif
    (void)dst; (void)src; (void)n_out; (void)channels; (void)offsets; (void)weights;
    (void)taps;
    return 0;
}
#endif  /* UPSAMPLE_UPS_UINT8_PIXELS_H */
