/* ups_gather.h: nearest gathers of whole pixels: 4- and 8-byte pixels several to a
   vector where their sources fit in one load (ups_gather_permuted), and one byte or one
   float from every other column of an integral downscale (ups_gather_stepped). Used by
   gather_nearest (_nearest.pxi). */
#ifndef UPSAMPLE_UPS_GATHER_H
#define UPSAMPLE_UPS_GATHER_H
#include "ups_common.h"
/* dst[j] = the elem_bytes (4 or 8) bytes at src_row + offsets[j], for j < n:
   a nearest gather of 4-byte pixels (uint8 RGBA, float32 of one channel) or
   8-byte ones (float32 pairs, float64). The outputs of one 32-byte vector
   (eight or four) whose sources lie within the 32 bytes from the first one
   (every vector of an upscale, most of a mild downscale) are one load, a
   lane permutation and one store, instead of one copy per output that
   waits on a load of its offset. A vector takes that path only where the
   run reads at least that far (its last offset is at least 32 - elem_bytes
   bytes past the vector's first), so the source row is never read past
   the run's last element; other vectors, the tail, and every element
   without AVX2 or NEON are copied one at a time (ups_copy_elements). */
static inline void ups_copy_elements(char *dst, const char *src_row,
                                     const Py_ssize_t *offsets, Py_ssize_t from,
                                     Py_ssize_t to, Py_ssize_t elem_bytes) {
    Py_ssize_t k;
    /* Literal lengths: each copy is one load and one store, not a call. */
    if (elem_bytes == 4)
        for (k = from; k < to; k++) memcpy(dst + 4 * k, src_row + offsets[k], 4);
    else
        for (k = from; k < to; k++) memcpy(dst + 8 * k, src_row + offsets[k], 8);
}
#if defined(UPS_SIMD_AVX2)
/* The `per` elements from offsets[j] as one load at src_row + base (base =
   offsets[j]), a lane permutation and one store, if every byte distance
   from base is a whole element within the 32 bytes; else 0, nothing done. */
static inline int ups_permute_vector(char *dst, const char *src_row,
                                     const Py_ssize_t *offsets, Py_ssize_t j,
                                     Py_ssize_t base, Py_ssize_t elem_bytes) {
    const Py_ssize_t reach = 32 - elem_bytes;
    const __m256i evens = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
    const __m256i limit = _mm256_set1_epi64x(reach), zero = _mm256_setzero_si256();
    const __m256i part = _mm256_set1_epi64x(elem_bytes - 1);
    const __m256i one_high = _mm256_set1_epi64x((long long)1 << 32);
    __m256i b = _mm256_set1_epi64x((long long)base), idx;
    __m256i d0 = _mm256_sub_epi64(_mm256_loadu_si256((const __m256i *)(offsets + j)), b);
    __m256i bad = _mm256_or_si256(_mm256_cmpgt_epi64(d0, limit),
                                  _mm256_cmpgt_epi64(zero, d0));
    __m256i d1 = zero;
    if (elem_bytes == 4) {
        d1 = _mm256_sub_epi64(_mm256_loadu_si256((const __m256i *)(offsets + j + 4)), b);
        bad = _mm256_or_si256(bad, _mm256_or_si256(_mm256_cmpgt_epi64(d1, limit),
                                                   _mm256_cmpgt_epi64(zero, d1)));
    }
    bad = _mm256_or_si256(bad, _mm256_and_si256(_mm256_or_si256(d0, d1), part));
    if (!_mm256_testz_si256(bad, bad)) return 0;
    if (elem_bytes == 4) {
        /* Element indices: both halves' 64-bit lanes packed into eight
           32-bit lanes. */
        __m256i lo = _mm256_permutevar8x32_epi32(_mm256_srli_epi64(d0, 2), evens);
        __m256i hi = _mm256_permutevar8x32_epi32(_mm256_srli_epi64(d1, 2), evens);
        idx = _mm256_permute2x128_si256(lo, hi, 0x20);
    } else {
        /* The two 32-bit halves of element e are lanes 2e and 2e + 1. */
        __m256i lanes = _mm256_srli_epi64(d0, 2);
        idx = _mm256_add_epi64(_mm256_or_si256(lanes, _mm256_slli_epi64(lanes, 32)),
                               one_high);
    }
    __m256i v = _mm256_loadu_si256((const __m256i *)(src_row + base));
    _mm256_storeu_si256((__m256i *)(dst + elem_bytes * j), _mm256_permutevar8x32_epi32(v, idx));
    return 1;
}
#elif defined(UPS_SIMD_NEON)
/* The same with NEON: the byte distances checked as unsigned (a negative
   one is huge), narrowed to 32 bits, each spread over its element's bytes
   (times 0x01010101, plus the byte's place) as the indices of one table
   lookup over the 32 source bytes. */
static inline int ups_permute_vector(char *dst, const char *src_row,
                                     const Py_ssize_t *offsets, Py_ssize_t j,
                                     Py_ssize_t base, Py_ssize_t elem_bytes) {
    static const unsigned char places4[16] = {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3};
    static const unsigned char places8[16] = {0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7};
    const uint64x2_t limit = vdupq_n_u64((uint64_t)(32 - elem_bytes));
    const uint64x2_t part = vdupq_n_u64((uint64_t)(elem_bytes - 1));
    const uint64x2_t b = vdupq_n_u64((uint64_t)base);
    const uint64_t *o = (const uint64_t *)(offsets + j);
    uint64x2_t d0 = vsubq_u64(vld1q_u64(o), b), d1 = vsubq_u64(vld1q_u64(o + 2), b);
    uint64x2_t d2 = vdupq_n_u64(0), d3 = vdupq_n_u64(0), bad;
    uint8x16_t place, idx0, idx1;
    uint32x4_t lo;
    if (elem_bytes == 4) {
        d2 = vsubq_u64(vld1q_u64(o + 4), b);
        d3 = vsubq_u64(vld1q_u64(o + 6), b);
    }
    bad = vorrq_u64(vorrq_u64(vcgtq_u64(d0, limit), vcgtq_u64(d1, limit)),
                    vorrq_u64(vcgtq_u64(d2, limit), vcgtq_u64(d3, limit)));
    bad = vorrq_u64(bad, vandq_u64(vorrq_u64(vorrq_u64(d0, d1), vorrq_u64(d2, d3)), part));
    if (vmaxvq_u32(vreinterpretq_u32_u64(bad)) != 0) return 0;
    lo = vmulq_n_u32(vcombine_u32(vmovn_u64(d0), vmovn_u64(d1)), 0x01010101u);
    if (elem_bytes == 4) {
        uint32x4_t hi = vmulq_n_u32(vcombine_u32(vmovn_u64(d2), vmovn_u64(d3)), 0x01010101u);
        place = vld1q_u8(places4);
        idx0 = vaddq_u8(vreinterpretq_u8_u32(lo), place);
        idx1 = vaddq_u8(vreinterpretq_u8_u32(hi), place);
    } else {
        place = vld1q_u8(places8);
        idx0 = vaddq_u8(vreinterpretq_u8_u32(vzip1q_u32(lo, lo)), place);
        idx1 = vaddq_u8(vreinterpretq_u8_u32(vzip2q_u32(lo, lo)), place);
    }
    uint8x16x2_t table = vld1q_u8_x2((const uint8_t *)(src_row + base));
    vst1q_u8((uint8_t *)(dst + elem_bytes * j), vqtbl2q_u8(table, idx0));
    vst1q_u8((uint8_t *)(dst + elem_bytes * j + 16), vqtbl2q_u8(table, idx1));
    return 1;
}
#endif
static void ups_gather_permuted(char *dst, const char *src_row, const Py_ssize_t *offsets,
                                Py_ssize_t n, Py_ssize_t elem_bytes) {
#if defined(UPS_SIMD)
    Py_ssize_t j = 0, last = n > 0 ? offsets[n - 1] : 0;
    const Py_ssize_t per = 32 / elem_bytes, reach = 32 - elem_bytes;
    /* A run that shrinks on average (a downscale) has few vectors whose sources
       fit: it skips the checks. */
    if (n > 1 && last - offsets[0] > (n - 1) * elem_bytes) {
        ups_copy_elements(dst, src_row, offsets, 0, n, elem_bytes);
        return;
    }
    for (; j + per <= n; j += per) {
        Py_ssize_t base = offsets[j];
        if (base + reach <= last && ups_permute_vector(dst, src_row, offsets, j, base, elem_bytes))
            continue;
        ups_copy_elements(dst, src_row, offsets, j, j + per, elem_bytes);
    }
    ups_copy_elements(dst, src_row, offsets, j, n, elem_bytes);
#else
    ups_copy_elements(dst, src_row, offsets, 0, n, elem_bytes);
#endif
}
/* dst[j] = the elem_bytes bytes at src + j * step, for j < n: the columns of a
   nearest downscale by an integral factor, whose source pixels are a fixed
   step apart. One byte or one float at every other position (masks and
   single-channel images halved) go through vector loads and packs: their
   one-element copies cost a load of the offset and of the element each.
   The vector loops stop short of the run's last source element, so that
   they never read past it. */
#if defined(__GNUC__)
__attribute__((noinline))  /* inlined, it changed how GCC compiled the table loops */
#endif
static void ups_gather_stepped(char *dst, const char *src, Py_ssize_t n,
                               Py_ssize_t elem_bytes, Py_ssize_t step) {
    Py_ssize_t j = 0;
#if defined(UPS_SIMD_AVX2)
    if (elem_bytes == 1 && step == 2) {
        const __m256i low = _mm256_set1_epi16(0x00FF);
        for (; j + 33 <= n; j += 32) {
            __m256i a = _mm256_and_si256(
                _mm256_loadu_si256((const __m256i *)(src + 2 * j)), low);
            __m256i b = _mm256_and_si256(
                _mm256_loadu_si256((const __m256i *)(src + 2 * j + 32)), low);
            /* The pack works within 128-bit lanes: put the quarters in order. */
            _mm256_storeu_si256((__m256i *)(dst + j),
                                _mm256_permute4x64_epi64(_mm256_packus_epi16(a, b), 0xD8));
        }
    } else if (elem_bytes == 4 && step == 8) {
        for (; j + 9 <= n; j += 8) {
            __m256 a = _mm256_loadu_ps((const float *)(src + 8 * j));
            __m256 b = _mm256_loadu_ps((const float *)(src + 8 * j + 32));
            __m256d even = _mm256_castps_pd(_mm256_shuffle_ps(a, b, 0x88));
            _mm256_storeu_ps((float *)(dst + 4 * j),
                             _mm256_castpd_ps(_mm256_permute4x64_pd(even, 0xD8)));
        }
    }
#elif defined(UPS_SIMD_NEON)
    /* The same steps and reach as the AVX2 loops above: vld2q splits
       even and odd elements, the even ones are kept. */
    if (elem_bytes == 1 && step == 2) {
        for (; j + 33 <= n; j += 32) {
            const uint8_t *s = (const uint8_t *)(src + 2 * j);
            vst1q_u8((uint8_t *)(dst + j), vld2q_u8(s).val[0]);
            vst1q_u8((uint8_t *)(dst + j + 16), vld2q_u8(s + 32).val[0]);
        }
    } else if (elem_bytes == 4 && step == 8) {
        for (; j + 9 <= n; j += 8) {
            const float *s = (const float *)(src + 8 * j);
            vst1q_f32((float *)(dst + 4 * j), vld2q_f32(s).val[0]);
            vst1q_f32((float *)(dst + 4 * j + 16), vld2q_f32(s + 8).val[0]);
        }
    }
#endif
    /* The rest of the run. The plan uses this kernel for the two sizes above
       only, whose short runs (small images) are all tail: literal lengths make
       their copies a plain load and store. */
    if (elem_bytes == 1)
        for (; j < n; j++) dst[j] = src[j * step];
    else if (elem_bytes == 4)
        for (; j < n; j++) memcpy(dst + 4 * j, src + j * step, 4);
    else
        for (; j < n; j++) memcpy(dst + elem_bytes * j, src + j * step, elem_bytes);
}
#endif  /* UPSAMPLE_UPS_GATHER_H */
