/* ups_halving.h: linear at exactly 0.5 on both axes, as 2x2 means: of uint8 rows in
   integer arithmetic (ups_halve_row_uint8, every build), and of float32 rows with the
   operations of the height-first planar pass (ups_halve_row_float, vector builds only:
   AVX2 and FMA, or NEON).
   Used by halve_pass (_halving.pxi). */
#ifndef UPSAMPLE_UPS_HALVING_H
#define UPSAMPLE_UPS_HALVING_H
#include <string.h>
#include "ups_common.h"
/* out = the 2x2 box averages of uint8 rows r0 and r1 (n_px output pixels):
   linear resampling at exactly 0.5 on both axes, where every weight is
   0.5. The float path's sums are then exact (multiples of 0.25 below
   256), so the integer sum of the four samples, divided by 4 and rounded
   half to even, is the same number. */
static inline unsigned char ups_mean4(unsigned s) {
    return (unsigned char)((s + 1 + ((s >> 2) & 1)) >> 2);
}
/* One pixel after the other: the compiler vectorises this for 1, 2 and 4
   channels, not for 3. */
UPS_SPECIALISED void ups_halve_pixels(unsigned char *out, const unsigned char *r0,
                                      const unsigned char *r1, Py_ssize_t n_px,
                                      Py_ssize_t channels) {
    Py_ssize_t p, c, k;
    for (p = 0; p < n_px; p++)
        for (c = 0; c < channels; c++) {
            k = 2 * p * channels + c;
            out[p * channels + c] = ups_mean4((unsigned)r0[k] + r0[k + channels]
                                              + r1[k] + r1[k + channels]);
        }
}
/* For other channel counts, in two steps: the mean of every item with the
   one a pixel further in both rows (a vectorised loop, into r, which holds
   2 * n_px * channels items), then every other pixel of that kept. With 3
   channels each pixel goes out as 4 bytes, the fourth overwritten by the
   next pixel. */
UPS_SPECIALISED void ups_halve_items(unsigned char *out, const unsigned char *r0,
                                     const unsigned char *r1, Py_ssize_t n_px,
                                     Py_ssize_t channels, unsigned char *r) {
    Py_ssize_t n = 2 * n_px * channels, i, p = 0;
    for (i = 0; i + channels < n; i++)
        r[i] = ups_mean4((unsigned)r0[i] + r1[i] + r0[i + channels] + r1[i + channels]);
    if (channels == 3)
        for (; p + 1 < n_px; p++) memcpy(out + p * 3, r + 6 * p, 4);
    for (; p < n_px; p++) memcpy(out + p * channels, r + 2 * p * channels, (size_t)channels);
}
/* 1, 2 and 4 channels in AVX2's 16-bit lanes, 32 output bytes a step (issue 19: uint8
   RGBA and grey images at x0.5 ran at 0.61x-0.74x OpenCV's time through the loops above,
   which the compiler widens to 32-bit lanes). A byte shuffle puts the two pixels of each
   pair side by side, one multiply-add of bytes by 1 sums each side-by-side pair into a
   16-bit lane, and the rounding is ups_mean4's on those lanes (sums up to 1020 fit), so
   the bytes are the loop's. Returns the output pixels done, a multiple of 32 / channels;
   the caller finishes the row. */
#if defined(UPS_SIMD_AVX2)
static inline __m256i ups_halve_sums16(__m256i a, __m256i b, __m256i pairs, int shuffle) {
    const __m256i ones = _mm256_set1_epi8(1);
    if (shuffle) {
        a = _mm256_shuffle_epi8(a, pairs);
        b = _mm256_shuffle_epi8(b, pairs);
    }
    return _mm256_add_epi16(_mm256_maddubs_epi16(a, ones), _mm256_maddubs_epi16(b, ones));
}
static inline __m256i ups_mean4_16(__m256i s) {
    const __m256i one = _mm256_set1_epi16(1);
    return _mm256_srli_epi16(
        _mm256_add_epi16(_mm256_add_epi16(s, one),
                         _mm256_and_si256(_mm256_srli_epi16(s, 2), one)), 2);
}
static Py_ssize_t ups_halve_uint8_lanes(unsigned char *out, const unsigned char *r0,
                                        const unsigned char *r1, Py_ssize_t w_out,
                                        Py_ssize_t channels) {
    /* Within each 16-byte lane: byte c of pixel 2k next to byte c of pixel 2k + 1. */
    const __m256i pairs2 = _mm256_setr_epi8(0, 2, 1, 3, 4, 6, 5, 7, 8, 10, 9, 11, 12, 14,
                                            13, 15, 0, 2, 1, 3, 4, 6, 5, 7, 8, 10, 9, 11,
                                            12, 14, 13, 15);
    const __m256i pairs4 = _mm256_setr_epi8(0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14,
                                            11, 15, 0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13,
                                            10, 14, 11, 15);
    const __m256i pairs = channels == 2 ? pairs2 : pairs4;
    const int shuffle = channels != 1;
    Py_ssize_t n = w_out * channels, q = 0;
    if (channels != 1 && channels != 2 && channels != 4) return 0;
    for (; q + 32 <= n; q += 32) {
        __m256i low = ups_mean4_16(ups_halve_sums16(
            _mm256_loadu_si256((const __m256i *)(r0 + 2 * q)),
            _mm256_loadu_si256((const __m256i *)(r1 + 2 * q)), pairs, shuffle));
        __m256i high = ups_mean4_16(ups_halve_sums16(
            _mm256_loadu_si256((const __m256i *)(r0 + 2 * q + 32)),
            _mm256_loadu_si256((const __m256i *)(r1 + 2 * q + 32)), pairs, shuffle));
        /* The pack interleaves the two by 128-bit lanes; the permute restores the order. */
        _mm256_storeu_si256((__m256i *)(out + q),
                            _mm256_permute4x64_epi64(_mm256_packus_epi16(low, high),
                                                     _MM_SHUFFLE(3, 1, 2, 0)));
    }
    return q / channels;
}
/* 3 channels, eight output pixels (24 bytes) a step: two pairs of source pixels per
   16-byte lane (12 bytes used), each pair's bytes side by side as above, summed in
   16-bit lanes, rounded, packed, and each lane's 12 bytes stored with 4 bytes more that
   the next step overwrites. The steps stop where their loads (6 * p + 52 bytes into the
   row) or stores (3 * p + 28) would pass the row; the caller finishes the row. */
static inline __m256i ups_halve_rgb_sums(const unsigned char *r0, const unsigned char *r1,
                                         Py_ssize_t low, Py_ssize_t high, __m256i pairs) {
    const __m256i ones = _mm256_set1_epi8(1);
    __m256i a = _mm256_inserti128_si256(
        _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(r0 + low))),
        _mm_loadu_si128((const __m128i *)(r0 + high)), 1);
    __m256i b = _mm256_inserti128_si256(
        _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(r1 + low))),
        _mm_loadu_si128((const __m128i *)(r1 + high)), 1);
    return _mm256_add_epi16(_mm256_maddubs_epi16(_mm256_shuffle_epi8(a, pairs), ones),
                            _mm256_maddubs_epi16(_mm256_shuffle_epi8(b, pairs), ones));
}
static Py_ssize_t ups_halve_uint8_rgb(unsigned char *out, const unsigned char *r0,
                                      const unsigned char *r1, Py_ssize_t w_out) {
    const __m256i pairs = _mm256_setr_epi8(0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11, -1, -1, -1,
                                           -1, 0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11, -1, -1,
                                           -1, -1);
    /* After the pack each lane holds two runs of six bytes, eight apart: close the gap. */
    const __m256i runs = _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, -1, -1, -1,
                                          -1, 0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, -1, -1,
                                          -1, -1);
    Py_ssize_t p = 0;
    for (; p + 10 <= w_out; p += 8) {
        /* Output pixels p, p + 1 | p + 4, p + 5 and p + 2, p + 3 | p + 6, p + 7, so that
           the pack puts p .. p + 3 in the low lane and p + 4 .. p + 7 in the high one. */
        __m256i first = ups_mean4_16(ups_halve_rgb_sums(r0, r1, 6 * p, 6 * p + 24, pairs));
        __m256i second = ups_mean4_16(ups_halve_rgb_sums(r0, r1, 6 * p + 12, 6 * p + 36,
                                                         pairs));
        __m256i bytes = _mm256_shuffle_epi8(_mm256_packus_epi16(first, second), runs);
        _mm_storeu_si128((__m128i *)(out + 3 * p), _mm256_castsi256_si128(bytes));
        _mm_storeu_si128((__m128i *)(out + 3 * p + 12), _mm256_extracti128_si256(bytes, 1));
    }
    return p;
}
#elif defined(UPS_SIMD_NEON)
/* NEON: vldN splits 16 source pixels into one vector per channel, a pairwise widening
   add sums each pixel pair into a 16-bit lane, ups_mean4 rounds there, and vstN
   interleaves the eight output pixels back; the same bytes as the loop. */
static inline uint8x8_t ups_halve_neon(uint8x16_t a, uint8x16_t b) {
    const uint16x8_t one = vdupq_n_u16(1);
    uint16x8_t s = vaddq_u16(vpaddlq_u8(a), vpaddlq_u8(b));
    return vmovn_u16(vshrq_n_u16(vaddq_u16(vaddq_u16(s, one),
                                           vandq_u16(vshrq_n_u16(s, 2), one)), 2));
}
static Py_ssize_t ups_halve_uint8_lanes(unsigned char *out, const unsigned char *r0,
                                        const unsigned char *r1, Py_ssize_t w_out,
                                        Py_ssize_t channels) {
    Py_ssize_t p = 0;
    if (channels == 1) {
        for (; p + 8 <= w_out; p += 8)
            vst1_u8(out + p, ups_halve_neon(vld1q_u8(r0 + 2 * p), vld1q_u8(r1 + 2 * p)));
    } else if (channels == 2) {
        for (; p + 8 <= w_out; p += 8) {
            uint8x16x2_t a = vld2q_u8(r0 + 4 * p), b = vld2q_u8(r1 + 4 * p);
            uint8x8x2_t o;
            o.val[0] = ups_halve_neon(a.val[0], b.val[0]);
            o.val[1] = ups_halve_neon(a.val[1], b.val[1]);
            vst2_u8(out + 2 * p, o);
        }
    } else if (channels == 4) {
        for (; p + 8 <= w_out; p += 8) {
            uint8x16x4_t a = vld4q_u8(r0 + 8 * p), b = vld4q_u8(r1 + 8 * p);
            uint8x8x4_t o;
            o.val[0] = ups_halve_neon(a.val[0], b.val[0]);
            o.val[1] = ups_halve_neon(a.val[1], b.val[1]);
            o.val[2] = ups_halve_neon(a.val[2], b.val[2]);
            o.val[3] = ups_halve_neon(a.val[3], b.val[3]);
            vst4_u8(out + 4 * p, o);
        }
    }
    return p;
}
static Py_ssize_t ups_halve_uint8_rgb(unsigned char *out, const unsigned char *r0,
                                      const unsigned char *r1, Py_ssize_t w_out) {
    Py_ssize_t p = 0;
    for (; p + 8 <= w_out; p += 8) {
        uint8x16x3_t a = vld3q_u8(r0 + 6 * p), b = vld3q_u8(r1 + 6 * p);
        uint8x8x3_t o;
        o.val[0] = ups_halve_neon(a.val[0], b.val[0]);
        o.val[1] = ups_halve_neon(a.val[1], b.val[1]);
        o.val[2] = ups_halve_neon(a.val[2], b.val[2]);
        vst3_u8(out + 3 * p, o);
    }
    return p;
}
#else
static Py_ssize_t ups_halve_uint8_lanes(unsigned char *out, const unsigned char *r0,
                                        const unsigned char *r1, Py_ssize_t w_out,
                                        Py_ssize_t channels) {
    (void)out; (void)r0; (void)r1; (void)w_out; (void)channels;
    return 0;
}
static Py_ssize_t ups_halve_uint8_rgb(unsigned char *out, const unsigned char *r0,
                                      const unsigned char *r1, Py_ssize_t w_out) {
    (void)out; (void)r0; (void)r1; (void)w_out;
    return 0;
}
#endif  /* UPS_SIMD_AVX2, UPS_SIMD_NEON */
#define UPS_HALVE_ITEMS 4096
/* Where, in a scratch buffer of `size` + 4096 bytes, to put `size` bytes so that
   they sit half a page from `from` in the low 12 address bits. A store to
   scratch and a later load from `from` that agree in those bits are taken
   for a dependence (4K aliasing); with the buffer on the stack, where it
   fell decided whether the halving ran at full speed (0.23 or 0.29 ms on
   a 720p frame). */
static inline void *ups_half_page_from(void *buffer, const void *from) {
    size_t shift = ((size_t)from + 2048 - (size_t)buffer) & 4095;
    return (char *)buffer + (shift & ~(size_t)63);
}
/* One output row of the 2x2 box average. */
static void ups_halve_row_uint8(unsigned char *out, const unsigned char *r0,
                                const unsigned char *r1, Py_ssize_t w_out,
                                Py_ssize_t channels) {
    unsigned char buffer[UPS_HALVE_ITEMS + 4096];
    unsigned char *r = (unsigned char *)ups_half_page_from(buffer, r0);
    Py_ssize_t step, p, n, at;
    Py_ssize_t done = channels == 3 ? ups_halve_uint8_rgb(out, r0, r1, w_out)
                                    : ups_halve_uint8_lanes(out, r0, r1, w_out, channels);
    out += done * channels;
    r0 += 2 * done * channels;
    r1 += 2 * done * channels;
    w_out -= done;
    /* Literal channel counts let the loops vectorise and the copies be moves. */
    if (channels == 1) { ups_halve_pixels(out, r0, r1, w_out, 1); return; }
    if (channels == 2) { ups_halve_pixels(out, r0, r1, w_out, 2); return; }
    if (channels == 4) { ups_halve_pixels(out, r0, r1, w_out, 4); return; }
    step = UPS_HALVE_ITEMS / (2 * channels);
    if (step < 1) {
        ups_halve_pixels(out, r0, r1, w_out, channels);
        return;
    }
    for (p = 0; p < w_out; p += n) {
        n = w_out - p < step ? w_out - p : step;
        at = 2 * p * channels;
        if (channels == 3) ups_halve_items(out + p * 3, r0 + at, r1 + at, n, 3, r);
        else ups_halve_items(out + p * channels, r0 + at, r1 + at, n, channels, r);
    }
}
/* The float32 twin of ups_halve_row_uint8 (linear at exactly 0.5 on both
   axes), with the operations of the height-first planar pass on the row
   tiles: each pair of rows combined as 0.5 * r0 + 0.5 * r1
   (two products, then their sum), then each pair of pixels of that the
   same way. The result is the same to the bit. Returns 0
   (nothing done) without a vector build (UPS_SIMD). */
#if defined(UPS_SIMD)
/* n_px output pixels from source items: each item's two rows combined,
   then with the same for the item a pixel further, into u (2 * n_px *
   channels floats); then every other pixel of u kept. The row sums are
   made twice, which costs less than storing and reloading them. */
UPS_SPECIALISED void ups_halve_float_items(float *out, const float *r0, const float *r1,
                                           Py_ssize_t n_px, Py_ssize_t channels,
                                           float *u) {
    const ups_v8 h = ups_v8_set1(0.5f);
    Py_ssize_t n = 2 * n_px * channels - channels, i = 0, p = 0;
    for (; i + 8 <= n; i += 8) {
        ups_v8 near = UPS_MADD(h, ups_v8_loadu(r1 + i),
                                  ups_v8_mul(h, ups_v8_loadu(r0 + i)));
        ups_v8 far = UPS_MADD(h, ups_v8_loadu(r1 + i + channels),
                                 ups_v8_mul(h, ups_v8_loadu(r0 + i + channels)));
        ups_v8_storeu(u + i, UPS_MADD(h, far, ups_v8_mul(h, near)));
    }
    for (; i < n; i++)
        u[i] = 0.5f * (0.5f * r0[i] + 0.5f * r1[i])
               + 0.5f * (0.5f * r0[i + channels] + 0.5f * r1[i + channels]);
    if (channels == 3)  /* 16 bytes a pixel, the last 4 overwritten by the next one */
        for (; p + 1 < n_px; p++) memcpy(out + p * 3, u + 6 * p, 16);
    for (; p < n_px; p++)
        memcpy(out + p * channels, u + 2 * p * channels, (size_t)channels * sizeof(float));
}
/* The sums of ups_halve_float_items with each row sum made once: 1, 3 and 4 channels,
   where vectors of row sums split into the two pixels of each pair with shuffles
   (issue 19: 720p to 4K at x0.5 ran at 0.53x-0.9x OpenCV's time; RGB at x0.5 and
   x0.25 1.13x-1.7x faster than ups_halve_float_items, benchmarks/ab.py). The
   shuffles are AVX2's; the NEON build has no such block yet and takes
   ups_halve_float_items, with the same sums. */
#if defined(UPS_SIMD_AVX2)
/* 0.5 * a + 0.5 * b (two products, then their sum): every step of the means, in
   either order. */
static inline __m256 ups_halve_pair_sum(__m256 a, __m256 b) {
    const __m256 h = _mm256_set1_ps(0.5f);
    return UPS_MADD(h, b, _mm256_mul_ps(h, a));
}
static inline __m256 ups_halve_rows8(const float *r0, const float *r1) {
    return ups_halve_pair_sum(_mm256_loadu_ps(r0), _mm256_loadu_ps(r1));
}
static inline float ups_halve_one(const float *r0, const float *r1, Py_ssize_t i,
                                  Py_ssize_t channels) {
    return 0.5f * (0.5f * r1[i + channels] + 0.5f * r0[i + channels])
           + 0.5f * (0.5f * r1[i] + 0.5f * r0[i]);
}
/* The lanes i0..i7 of a (i: a lane of a), then the lanes of b where `mask` has a
   bit, then (UPS_PICK3) those of c where `mask_c` has one. */
#define UPS_PICK2(a, i0, i1, i2, i3, i4, i5, i6, i7, b, j0, j1, j2, j3, j4, j5, j6, j7, \
                  mask) \
    _mm256_blend_ps(_mm256_permutevar8x32_ps(a, _mm256_setr_epi32(i0, i1, i2, i3, i4, i5, \
                                                                   i6, i7)), \
                    _mm256_permutevar8x32_ps(b, _mm256_setr_epi32(j0, j1, j2, j3, j4, j5, \
                                                                   j6, j7)), mask)
#define UPS_PICK3(a, i0, i1, i2, i3, i4, i5, i6, i7, b, j0, j1, j2, j3, j4, j5, j6, j7, \
                  mask, c, k0, k1, k2, k3, k4, k5, k6, k7, mask_c) \
    _mm256_blend_ps(UPS_PICK2(a, i0, i1, i2, i3, i4, i5, i6, i7, b, j0, j1, j2, j3, j4, \
                              j5, j6, j7, mask), \
                    _mm256_permutevar8x32_ps(c, _mm256_setr_epi32(k0, k1, k2, k3, k4, k5, \
                                                                   k6, k7)), mask_c)
/* Returns the output pixels done: all w_out of them for 1 channel (eight at a time),
   3 (eight at a time) and 4 (two at a time), the last ones one by one; 0 for other
   channel counts, whose rows go through ups_halve_float_items. */
static Py_ssize_t ups_halve_float_paired(float *out, const float *r0, const float *r1,
                                         Py_ssize_t w_out, Py_ssize_t channels) {
    Py_ssize_t p = 0, i;
    if (channels == 1) {
        for (; p + 8 <= w_out; p += 8) {
            __m256 a = ups_halve_rows8(r0 + 2 * p, r1 + 2 * p);
            __m256 b = ups_halve_rows8(r0 + 2 * p + 8, r1 + 2 * p + 8);
            /* Even and odd items of a then b, each in order (the shuffle works per
               128-bit lane; the permute puts the lanes' halves back in order). */
            __m256 near = _mm256_castpd_ps(_mm256_permute4x64_pd(
                _mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0))),
                _MM_SHUFFLE(3, 1, 2, 0)));
            __m256 far = _mm256_castpd_ps(_mm256_permute4x64_pd(
                _mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1))),
                _MM_SHUFFLE(3, 1, 2, 0)));
            _mm256_storeu_ps(out + p, ups_halve_pair_sum(near, far));
        }
        for (; p < w_out; p++) out[p] = ups_halve_one(r0, r1, 2 * p, 1);
        return p;
    }
    if (channels == 4) {
        for (; p + 2 <= w_out; p += 2) {
            __m256 a = ups_halve_rows8(r0 + 8 * p, r1 + 8 * p);
            __m256 b = ups_halve_rows8(r0 + 8 * p + 8, r1 + 8 * p + 8);
            __m256 near = _mm256_permute2f128_ps(a, b, 0x20);
            __m256 far = _mm256_permute2f128_ps(a, b, 0x31);
            _mm256_storeu_ps(out + 4 * p, ups_halve_pair_sum(near, far));
        }
        for (; p < w_out; p++)
            for (i = 0; i < 4; i++) out[4 * p + i] = ups_halve_one(r0, r1, 8 * p + i, 4);
        return p;
    }
    if (channels == 3) {
        /* Eight output pixels (24 floats) from 16 source pixels: the six vectors
           of row sums hold the near item of output float (pixel q, channel c) at
           6q + c and the far one at 6q + 3 + c; each output vector of near (and
           of far) items is picked from two or three of them (UPS_PICK2/3), so
           that every row sum is made once. */
        for (; p + 8 <= w_out; p += 8) {
            const float *a0 = r0 + 6 * p, *a1 = r1 + 6 * p;
            __m256 s0 = ups_halve_rows8(a0, a1), s1 = ups_halve_rows8(a0 + 8, a1 + 8);
            __m256 s2 = ups_halve_rows8(a0 + 16, a1 + 16);
            __m256 s3 = ups_halve_rows8(a0 + 24, a1 + 24);
            __m256 s4 = ups_halve_rows8(a0 + 32, a1 + 32);
            __m256 s5 = ups_halve_rows8(a0 + 40, a1 + 40);
            __m256 near, far;
            near = UPS_PICK2(s0, 0, 1, 2, 6, 7, 0, 0, 0, s1, 0, 0, 0, 0, 0, 0, 4, 5, 0xE0);
            far = UPS_PICK3(s0, 3, 4, 5, 0, 0, 0, 0, 0, s1, 0, 0, 0, 1, 2, 3, 7, 0, 0x78,
                            s2, 0, 0, 0, 0, 0, 0, 0, 0, 0x80);
            _mm256_storeu_ps(out + 3 * p, ups_halve_pair_sum(near, far));
            near = UPS_PICK3(s1, 6, 0, 0, 0, 0, 0, 0, 0, s2, 0, 2, 3, 4, 0, 0, 0, 0, 0x0E,
                             s3, 0, 0, 0, 0, 0, 1, 2, 6, 0xF0);
            far = UPS_PICK3(s2, 1, 5, 6, 7, 0, 0, 0, 0, s3, 0, 0, 0, 0, 3, 4, 5, 0, 0x70,
                            s4, 0, 0, 0, 0, 0, 0, 0, 1, 0x80);
            _mm256_storeu_ps(out + 3 * p + 8, ups_halve_pair_sum(near, far));
            near = UPS_PICK3(s3, 7, 0, 0, 0, 0, 0, 0, 0, s4, 0, 0, 4, 5, 6, 0, 0, 0, 0x1E,
                             s5, 0, 0, 0, 0, 0, 2, 3, 4, 0xE0);
            far = UPS_PICK2(s4, 2, 3, 7, 0, 0, 0, 0, 0, s5, 0, 0, 0, 0, 1, 5, 6, 7, 0xF8);
            _mm256_storeu_ps(out + 3 * p + 16, ups_halve_pair_sum(near, far));
        }
        for (; p < w_out; p++)
            for (i = 0; i < 3; i++) out[3 * p + i] = ups_halve_one(r0, r1, 6 * p + i, 3);
        return p;
    }
    return 0;
}
#else
static Py_ssize_t ups_halve_float_paired(float *out, const float *r0, const float *r1,
                                         Py_ssize_t w_out, Py_ssize_t channels) {
    (void)out; (void)r0; (void)r1; (void)w_out; (void)channels;
    return 0;
}
#endif  /* UPS_SIMD_AVX2 */
#endif  /* UPS_SIMD */
#define UPS_HALVE_FLOATS 2048
static int ups_halve_row_float(float *out, const float *r0, const float *r1,
                               Py_ssize_t w_out, Py_ssize_t channels) {
#if defined(UPS_SIMD)
    float buffer[UPS_HALVE_FLOATS + 1024];
    float *u = (float *)ups_half_page_from(buffer, r0);
    Py_ssize_t step = UPS_HALVE_FLOATS / (2 * channels), p, n, at;
    if (step < 1) return 0;
    if (ups_halve_float_paired(out, r0, r1, w_out, channels) == w_out) return 1;
    for (p = 0; p < w_out; p += n) {
        n = w_out - p < step ? w_out - p : step;
        at = 2 * p * channels;
        /* Literal channel counts make the per-pixel copies plain moves. */
        if (channels == 3) ups_halve_float_items(out + p * 3, r0 + at, r1 + at, n, 3, u);
        else if (channels == 1) ups_halve_float_items(out + p, r0 + at, r1 + at, n, 1, u);
        else if (channels == 4) ups_halve_float_items(out + p * 4, r0 + at, r1 + at, n, 4, u);
        else ups_halve_float_items(out + p * channels, r0 + at, r1 + at, n, channels, u);
    }
    return 1;
#else
    (void)out; (void)r0; (void)r1; (void)w_out; (void)channels;
    return 0;
#endif
}
/* Linear at exactly 1 / step on both axes, step even (x0.25: step 4): output
   pixel j is again the mean of two neighbours in each of two rows, but the
   pairs of a row start step pixels apart, at step * j + start. They are
   copied side by side into scratch, UPS_PAIR_PIXELS pairs at a time, and that
   goes through the row kernels above as a pair of contiguous rows: the same
   sums in the same order, so the same bits. At most 4 channels (the scratch
   is on the stack); float32 needs a vector build, as ups_halve_row_float. */
#define UPS_PAIR_PIXELS 256
#define UPS_PAIR_BYTES (UPS_PAIR_PIXELS * 2 * 4 * 4)
/* n pairs of pair_bytes each, step_bytes apart in src, side by side in dst.
   Literal sizes make each copy one or two moves. */
#define UPS_COPY_PAIRS(size) \
    for (j = 0; j < n; j++) memcpy(dst + j * (size), src + j * step_bytes, (size)); \
    break
static void ups_gather_pairs(unsigned char *dst, const unsigned char *src, Py_ssize_t n,
                             Py_ssize_t step_bytes, Py_ssize_t pair_bytes) {
    Py_ssize_t j;
    switch (pair_bytes) {
    case 2: UPS_COPY_PAIRS(2);
    case 4: UPS_COPY_PAIRS(4);
    case 6: UPS_COPY_PAIRS(6);
    case 8: UPS_COPY_PAIRS(8);
    case 16: UPS_COPY_PAIRS(16);
    case 24: UPS_COPY_PAIRS(24);
    case 32: UPS_COPY_PAIRS(32);
    default: UPS_COPY_PAIRS(pair_bytes);
    }
}
#undef UPS_COPY_PAIRS
/* The width-first order of the float32 sums (each row's pair first, then the
   two rows), from the height-first kernel: p0 gets the left pixel of each
   pair from both rows and p1 the right one, so that the kernel's first step,
   0.5 * p0 + 0.5 * p1, is each row's horizontal mean and its second step
   their mean: the width-first planar pass's operations in its order. */
static inline void ups_gather_pairs_across(unsigned char *p0, unsigned char *p1,
                                           const unsigned char *s0, const unsigned char *s1,
                                           Py_ssize_t n, Py_ssize_t step_bytes,
                                           Py_ssize_t pixel) {
    Py_ssize_t j;
    for (j = 0; j < n; j++) {
        const unsigned char *a = s0 + j * step_bytes, *b = s1 + j * step_bytes;
        memcpy(p0 + 2 * j * pixel, a, (size_t)pixel);
        memcpy(p0 + (2 * j + 1) * pixel, b, (size_t)pixel);
        memcpy(p1 + 2 * j * pixel, a + pixel, (size_t)pixel);
        memcpy(p1 + (2 * j + 1) * pixel, b + pixel, (size_t)pixel);
    }
}
/* The strided float32 means straight from the rows, without the gather (AVX2): RGBA
   pairs at any step, two output pixels a step (each pair is one 8-float load), RGB
   pairs at any step, one pixel a step, and grey pairs at step 4 (x0.25), eight output
   pixels a step (a shuffle keeps items start and start + 1 of each group of four). Both orders of the sums: height first
   (each item's two rows, then the pair) or `across` (each row's pair, then the two
   rows), each as the gathered rows would go through ups_halve_row_float, so the bits
   are the gather's. Returns the output pixels done (the caller gathers the rest);
   grey leaves at least the last eight, whose groups of four may end past the row.
   (issue 19: the gather copied every pair twice, and grey x0.25 of 720p and 1080p
   ran at 0.73x-0.78x OpenCV's time.) */
#if defined(UPS_SIMD_AVX2)
/* Below, `near` and `far` are the two operands of ups_halve_pair_sum's last step
   (across: the first row's sum, then the second's). */
#define UPS_GREY_QUARTER(SEL)                                                             \
    for (; j + 8 < w_out; j += 8) {                                                       \
        const float *a = r0 + 4 * j, *b = r1 + 4 * j;                                     \
        /* lane 0: outputs j, j + 2 (then j + 4, j + 6); lane 1: j + 1, j + 3 (...) */    \
        __m256 pa = _mm256_shuffle_ps(_mm256_loadu_ps(a), _mm256_loadu_ps(a + 8), SEL);   \
        __m256 qa = _mm256_shuffle_ps(_mm256_loadu_ps(a + 16), _mm256_loadu_ps(a + 24), SEL); \
        __m256 pb = _mm256_shuffle_ps(_mm256_loadu_ps(b), _mm256_loadu_ps(b + 8), SEL);   \
        __m256 qb = _mm256_shuffle_ps(_mm256_loadu_ps(b + 16), _mm256_loadu_ps(b + 24), SEL); \
        __m256 near, far, sum;                                                            \
        if (across) {                                                                     \
            near = ups_halve_pair_sum(_mm256_shuffle_ps(pa, qa, _MM_SHUFFLE(2, 0, 2, 0)), \
                                      _mm256_shuffle_ps(pa, qa, _MM_SHUFFLE(3, 1, 3, 1))); \
            far = ups_halve_pair_sum(_mm256_shuffle_ps(pb, qb, _MM_SHUFFLE(2, 0, 2, 0)),  \
                                     _mm256_shuffle_ps(pb, qb, _MM_SHUFFLE(3, 1, 3, 1))); \
        } else {                                                                          \
            __m256 sp = ups_halve_pair_sum(pa, pb), sq = ups_halve_pair_sum(qa, qb);      \
            near = _mm256_shuffle_ps(sp, sq, _MM_SHUFFLE(2, 0, 2, 0));                    \
            far = _mm256_shuffle_ps(sp, sq, _MM_SHUFFLE(3, 1, 3, 1));                     \
        }                                                                                 \
        sum = ups_halve_pair_sum(near, far);                                              \
        _mm256_storeu_ps(out + j, _mm256_permutevar8x32_ps(sum, order));                  \
    }
static Py_ssize_t ups_halve_strided_direct(float *out, const float *r0, const float *r1,
                                           Py_ssize_t w_out, Py_ssize_t channels,
                                           Py_ssize_t step, Py_ssize_t start, int across) {
    Py_ssize_t j = 0;
    if (channels == 4) {
        for (; j + 2 <= w_out; j += 2) {
            const float *a = r0 + 4 * (step * j + start), *b = r1 + 4 * (step * j + start);
            /* [left | right] of pair j and of pair j + 1, from each row */
            __m256 a0 = _mm256_loadu_ps(a), a1 = _mm256_loadu_ps(a + 4 * step);
            __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 4 * step);
            __m256 near, far;
            if (across) {
                near = ups_halve_pair_sum(_mm256_permute2f128_ps(a0, a1, 0x20),
                                          _mm256_permute2f128_ps(a0, a1, 0x31));
                far = ups_halve_pair_sum(_mm256_permute2f128_ps(b0, b1, 0x20),
                                         _mm256_permute2f128_ps(b0, b1, 0x31));
            } else {
                __m256 s0 = ups_halve_pair_sum(a0, b0), s1 = ups_halve_pair_sum(a1, b1);
                near = _mm256_permute2f128_ps(s0, s1, 0x20);
                far = _mm256_permute2f128_ps(s0, s1, 0x31);
            }
            _mm256_storeu_ps(out + 4 * j, ups_halve_pair_sum(near, far));
        }
        return j;
    }
    if (channels == 3) {
        /* One pixel a step: its pair is six floats, loaded as eight (the two after it
           belong to the next pair); the right pixel is moved onto the left one's
           lanes, and the eight floats stored hold the pixel in their first three (the
           rest is overwritten by the next pixel). The last two pixels are left to the
           gather: their loads and stores would run past the rows. */
        const __m256i right = _mm256_setr_epi32(3, 4, 5, 0, 0, 0, 0, 0);
        for (; j + 3 <= w_out; j++) {
            __m256 a = _mm256_loadu_ps(r0 + 3 * (step * j + start));
            __m256 b = _mm256_loadu_ps(r1 + 3 * (step * j + start));
            __m256 near, far;
            if (across) {
                near = ups_halve_pair_sum(a, _mm256_permutevar8x32_ps(a, right));
                far = ups_halve_pair_sum(b, _mm256_permutevar8x32_ps(b, right));
            } else {
                near = ups_halve_pair_sum(a, b);
                far = _mm256_permutevar8x32_ps(near, right);
            }
            _mm256_storeu_ps(out + 3 * j, ups_halve_pair_sum(near, far));
        }
        return j;
    }
    if (channels == 1 && step == 4) {
        const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
        if (start == 0) { UPS_GREY_QUARTER(_MM_SHUFFLE(1, 0, 1, 0)); }
        else if (start == 1) { UPS_GREY_QUARTER(_MM_SHUFFLE(2, 1, 2, 1)); }
        else if (start == 2) { UPS_GREY_QUARTER(_MM_SHUFFLE(3, 2, 3, 2)); }
    }
    return j;
}
#undef UPS_GREY_QUARTER
#endif
/* One output row of the strided mean; item_bytes 1 (uint8) or 4 (float32);
   `across` (float32) for the width-first order of the sums (see above), any
   step. Returns 0 (nothing done) for more than 4 channels or where
   ups_halve_row_float does nothing. */
static int ups_halve_row_strided(void *out, const void *r0, const void *r1, Py_ssize_t w_out,
                                 Py_ssize_t channels, Py_ssize_t item_bytes, Py_ssize_t step,
                                 Py_ssize_t start, int across) {
    unsigned char buffer[2 * UPS_PAIR_BYTES + 4096];
    unsigned char *p0 = (unsigned char *)ups_half_page_from(buffer, r0);
    unsigned char *p1 = p0 + UPS_PAIR_BYTES;
    const unsigned char *s0 = (const unsigned char *)r0, *s1 = (const unsigned char *)r1;
    Py_ssize_t pixel = channels * item_bytes, j, n;
    if (channels > 4 || (item_bytes != 1 && item_bytes != 4)) return 0;
    j = 0;
#if defined(UPS_SIMD_AVX2)
    if (item_bytes == 4)
        j = ups_halve_strided_direct((float *)out, (const float *)r0, (const float *)r1,
                                     w_out, channels, step, start, across);
#endif
    for (; j < w_out; j += n) {
        n = w_out - j < UPS_PAIR_PIXELS ? w_out - j : UPS_PAIR_PIXELS;
        if (across) {
            /* Literal pixel sizes make the copies plain moves. */
            const unsigned char *a = s0 + (step * j + start) * pixel;
            const unsigned char *b = s1 + (step * j + start) * pixel;
            if (pixel == 4) ups_gather_pairs_across(p0, p1, a, b, n, step * 4, 4);
            else if (pixel == 12) ups_gather_pairs_across(p0, p1, a, b, n, step * 12, 12);
            else if (pixel == 16) ups_gather_pairs_across(p0, p1, a, b, n, step * 16, 16);
            else ups_gather_pairs_across(p0, p1, a, b, n, step * pixel, pixel);
        } else {
            ups_gather_pairs(p0, s0 + (step * j + start) * pixel, n, step * pixel, 2 * pixel);
            ups_gather_pairs(p1, s1 + (step * j + start) * pixel, n, step * pixel, 2 * pixel);
        }
        if (item_bytes == 1)
            ups_halve_row_uint8((unsigned char *)out + j * channels, p0, p1, n, channels);
        else if (!ups_halve_row_float((float *)out + j * channels, (const float *)p0,
                                      (const float *)p1, n, channels))
            return 0;
    }
    return 1;
}
#endif  /* UPSAMPLE_UPS_HALVING_H */
