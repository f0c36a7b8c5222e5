/* ups_combine_pairs.h: two consecutive output rows of a shrinking height-first pass
   combined in one sweep over the source rows they share, from float or uint8 rows
   (ups_combine_float_pair, ups_combine_uint8_float_pair; vector builds only, UPS_SIMD). Used by
   the height-first planar passes with row tiles (_planar.pxi, _uint8.pxi). */
#ifndef UPSAMPLE_UPS_COMBINE_PAIRS_H
#define UPSAMPLE_UPS_COMBINE_PAIRS_H
#include "ups_combine.h"
/* Two consecutive output rows of a shrinking height-first pass in one
   sweep over the source rows they share. Row j + 1 reads the last
   `taps - shift` rows of row j plus `shift` new ones. Combined apart, each
   shared row came from L2 twice (a 1024-pixel RGB row is 12 KB, so nine
   of them overflow L1); here it is loaded (and for uint8 rows, converted)
   once for both sums. Each sum keeps its own order (a product, then a product added
   per tap in tap order, never fused), so the rows equal the rows combined one at
   a time bit for bit. The functions return 0 (nothing done) unless the
   taps overlap exactly that way, there are at most 16 of them, and the
   build has vector paths (UPS_SIMD). `ahead` is as in ups_combine_vec, for the rows
   the next pair adds. */
#if defined(UPS_SIMD)
#define UPS_FMA4(LOAD, a, w, p) \
    do { a##0 = UPS_MADD(w, LOAD(p), a##0); \
         a##1 = UPS_MADD(w, LOAD((p) + 8), a##1); \
         a##2 = UPS_MADD(w, LOAD((p) + 16), a##2); \
         a##3 = UPS_MADD(w, LOAD((p) + 24), a##3); } while (0)
/* One load of each vector for a multiply-add into both sums. */
#define UPS_FMA4_BOTH(LOAD, a, wa, b, wb, p) \
    do { ups_v8 x_; \
         x_ = LOAD(p); \
         a##0 = UPS_MADD(wa, x_, a##0); b##0 = UPS_MADD(wb, x_, b##0); \
         x_ = LOAD((p) + 8); \
         a##1 = UPS_MADD(wa, x_, a##1); b##1 = UPS_MADD(wb, x_, b##1); \
         x_ = LOAD((p) + 16); \
         a##2 = UPS_MADD(wa, x_, a##2); b##2 = UPS_MADD(wb, x_, b##2); \
         x_ = LOAD((p) + 24); \
         a##3 = UPS_MADD(wa, x_, a##3); b##3 = UPS_MADD(wb, x_, b##3); \
    } while (0)
#define UPS_MUL4(LOAD, a, w, p) \
    do { a##0 = ups_v8_mul(w, LOAD(p)); a##1 = ups_v8_mul(w, LOAD((p) + 8)); \
         a##2 = ups_v8_mul(w, LOAD((p) + 16)); a##3 = ups_v8_mul(w, LOAD((p) + 24)); \
    } while (0)
#define UPS_STORE4(p, a) \
    do { ups_v8_storeu(p, a##0); ups_v8_storeu((p) + 8, a##1); \
         ups_v8_storeu((p) + 16, a##2); ups_v8_storeu((p) + 24, a##3); } while (0)
/* Both sums for the eight elements from `at`, in the same order. */
#define UPS_PAIR8(LOAD, at) \
    do { \
        Py_ssize_t at_ = (at); \
        ups_v8 s0_ = ups_v8_mul(ups_v8_broadcast(w0), LOAD(base + offsets0[0] + at_)); \
        ups_v8 s1_ = ups_v8_mul(ups_v8_broadcast(w1), LOAD(base + offsets1[0] + at_)); \
        for (k = 1; k < taps; k++) { \
            s0_ = UPS_MADD(ups_v8_broadcast(w0 + k), \
                           LOAD(base + offsets0[k] + at_), s0_); \
            s1_ = UPS_MADD(ups_v8_broadcast(w1 + k), \
                           LOAD(base + offsets1[k] + at_), s1_); \
        } \
        ups_v8_storeu(dst0 + at_, s0_); \
        ups_v8_storeu(dst1 + at_, s1_); \
    } while (0)
/* The shared body: ELEM is the source element type, LOAD turns eight of
   them into floats. */
#define UPS_COMBINE_PAIR(ELEM, LOAD) \
    do { \
        const ELEM *rows[32]; \
        Py_ssize_t shift = 0, k, i = 0; \
        if (taps < 2 || taps > 16 || (((size_t)dst0 | (size_t)dst1) & 3) != 0) return 0; \
        while (shift < taps && offsets0[shift] < offsets1[0]) shift++; \
        /* Both ends must own a row: the first product of each sum is its own. */ \
        if (shift == 0 || shift == taps) return 0; \
        for (k = shift; k < taps; k++) \
            if (offsets0[k] != offsets1[k - shift]) return 0; \
        for (k = 0; k < taps; k++) rows[k] = base + offsets0[k]; \
        for (k = taps - shift; k < taps; k++) rows[k + shift] = base + offsets1[k]; \
        /* Float loads aligned, as in ups_combine_vec (a uint8 load is 8 \
           bytes): one step of eight covers the outputs before the boundary. */ \
        if (sizeof(ELEM) == 4 && n >= 8) { \
            Py_ssize_t head = ups_align_head((const float *)(const void *)rows[0], taps); \
            if (head) { \
                UPS_PAIR8(LOAD, 0); \
                i = head; \
            } \
        } \
        /* Four vectors per sum and step, so that each broadcast weight \
           serves four multiply-adds. */ \
        for (; i + 32 <= n; i += 32) { \
            ups_v8 a0, a1, a2, a3, b0, b1, b2, b3, w, v; \
            /* One prefetch per 64-byte line: two for 32 floats, one for \
               every other step of 32 bytes. */ \
            if (sizeof(ELEM) == 4 || (i & 63) == 0) \
                for (k = 0; k < n_ahead; k++) { \
                    ups_prefetch_l2(ahead[k] + i); \
                    if (sizeof(ELEM) == 4) \
                        ups_prefetch_l2(ahead[k] + i + 16); \
                } \
            w = ups_v8_broadcast(w0); \
            UPS_MUL4(LOAD, a, w, rows[0] + i); \
            for (k = 1; k < shift; k++) { \
                w = ups_v8_broadcast(w0 + k); \
                UPS_FMA4(LOAD, a, w, rows[k] + i); \
            } \
            /* Row `shift` is the first tap of row j + 1 and a later one of row j. */ \
            w = ups_v8_broadcast(w1); \
            UPS_MUL4(LOAD, b, w, rows[shift] + i); \
            w = ups_v8_broadcast(w0 + shift); \
            UPS_FMA4(LOAD, a, w, rows[shift] + i); \
            for (k = shift + 1; k < taps; k++) { \
                w = ups_v8_broadcast(w0 + k); \
                v = ups_v8_broadcast(w1 + k - shift); \
                UPS_FMA4_BOTH(LOAD, a, w, b, v, rows[k] + i); \
            } \
            for (; k < taps + shift; k++) { \
                w = ups_v8_broadcast(w1 + k - shift); \
                UPS_FMA4(LOAD, b, w, rows[k] + i); \
            } \
            UPS_STORE4(dst0 + i, a); \
            UPS_STORE4(dst1 + i, b); \
        } \
        for (; i + 8 <= n; i += 8) UPS_PAIR8(LOAD, i); \
        if (i < n && n >= 8) { \
            UPS_PAIR8(LOAD, n - 8); \
            i = n; \
        } \
        for (; i < n; i++) { \
            float acc0 = w0[0] * (float)base[offsets0[0] + i]; \
            float acc1 = w1[0] * (float)base[offsets1[0] + i]; \
            for (k = 1; k < taps; k++) { \
                acc0 = acc0 + w0[k] * (float)base[offsets0[k] + i]; \
                acc1 = acc1 + w1[k] * (float)base[offsets1[k] + i]; \
            } \
            dst0[i] = acc0; \
            dst1[i] = acc1; \
        } \
        return 1; \
    } while (0)
#endif
static int ups_combine_float_pair(float *dst0, float *dst1, const float *base,
                                  const Py_ssize_t *offsets0, const Py_ssize_t *offsets1,
                                  const float *w0, const float *w1, Py_ssize_t taps,
                                  Py_ssize_t n, const float *const *ahead, int n_ahead) {
#if defined(UPS_SIMD)
    UPS_COMBINE_PAIR(float, ups_load8_float);
#else
    (void)dst0; (void)dst1; (void)base; (void)offsets0; (void)offsets1; (void)w0;
    (void)w1; (void)taps; (void)n; (void)ahead; (void)n_ahead;
    return 0;
#endif
}
static int ups_combine_uint8_float_pair(float *dst0, float *dst1, const unsigned char *base,
                                        const Py_ssize_t *offsets0,
                                        const Py_ssize_t *offsets1, const float *w0,
                                        const float *w1, Py_ssize_t taps, Py_ssize_t n,
                                        const unsigned char *const *ahead, int n_ahead) {
#if defined(UPS_SIMD)
    UPS_COMBINE_PAIR(unsigned char, ups_load8_uint8);
#else
    (void)dst0; (void)dst1; (void)base; (void)offsets0; (void)offsets1; (void)w0;
    (void)w1; (void)taps; (void)n; (void)ahead; (void)n_ahead;
    return 0;
#endif
}
#endif  /* UPSAMPLE_UPS_COMBINE_PAIRS_H */
