/* ups_combine.h: the vertical combination of float rows, dst[i] = sum_k w[k] *
   base[offsets[k] + i], with the sums kept in registers, streaming stores on request,
   aligned loads for many taps, and prefetching of the rows the next combination reads
   (ups_combine_float, ups_combine_float_ahead; vector builds only (UPS_SIMD), the Cython loops of
   _combine.pxi otherwise). Used by every pass that combines whole rows: vertical
   (_combine.pxi), planar and volume (_planar.pxi, _volume.pxi). */
#ifndef UPSAMPLE_UPS_COMBINE_H
#define UPSAMPLE_UPS_COMBINE_H
#include "ups_common.h"
/* dst[i] = sum_k w[k] * base[offsets[k] + i] for float rows (the vertical
   combination that writes every weighted output), 16 outputs per step,
   with an explicit operation order (a product, then a product added per
   tap, in tap order, never fused) so that the result does not depend on how it is stored.
   With `stream`, the sums go to memory with streaming stores straight
   from the registers; the part before the first 64-byte boundary and the
   tail are stored normally. Returns 0 (nothing done) without a vector build (UPS_SIMD).

   `ahead` lists up to UPS_AHEAD_ROWS rows (at the same positions as the
   taps) that the next combination will read and this one does not: each
   step asks for their next lines to be brought into L2. A shrinking height
   reads new source rows at every output row, and the hardware prefetcher
   alone leaves their first reads waiting on memory. */
#define UPS_AHEAD_ROWS 4
#if defined(UPS_SIMD)
static inline void ups_prefetch_ahead(const float *const *ahead, int n_ahead, Py_ssize_t i,
                                      Py_ssize_t span) {
    int a;
    Py_ssize_t e;
    for (a = 0; a < n_ahead; a++)
        for (e = 0; e < span; e += 16)
            ups_prefetch_l2(ahead[a] + i + e);
}
/* Elements before the first 32-byte boundary of a float row (0 when the
   row is not even 4-byte aligned, where no boundary can be reached), for
   combinations of UPS_ALIGN_TAPS taps and more. Those are the ones whose
   loads outnumber their stores enough for aligned loads to pay for the
   stores they misalign: a pair of nine-tap rows reads eleven rows for two
   stores, and the antialiased 1024² cubic downscale ran 1.12x faster
   aligned at 1 and 2 threads (benchmarks/ab.py, 40 rounds), while
   four-tap rows showed no gain. */
#define UPS_ALIGN_TAPS 9
static inline Py_ssize_t ups_align_head(const float *row, Py_ssize_t taps) {
    size_t mis = (size_t)row & 31;
    if (taps < UPS_ALIGN_TAPS || (mis & 3)) return 0;
    return (Py_ssize_t)(((32 - mis) & 31) / sizeof(float));
}
static inline float ups_sum1(const float *base, const Py_ssize_t *offsets, const float *w,
                             Py_ssize_t taps, Py_ssize_t i) {
    Py_ssize_t k;
    float acc = w[0] * base[offsets[0] + i];
    for (k = 1; k < taps; k++) acc = acc + w[k] * base[offsets[k] + i];
    return acc;
}
UPS_SPECIALISED void ups_combine_vec(float *dst, const float *base, const Py_ssize_t *offsets,
                                    const float *w, Py_ssize_t taps, Py_ssize_t n,
                                    int stream, const float *const *ahead, int n_ahead) {
    Py_ssize_t i = 0, head;
    /* Streaming stores need an aligned destination. Otherwise the loads
       are what to align: they outnumber the stores by the tap count, and
       NumPy's buffers usually start 16 bytes past a 64-byte line, where
       every other 32-byte load straddles two lines. */
    if (stream) head = (Py_ssize_t)(((64 - ((size_t)dst & 63)) & 63) / sizeof(float));
    else head = ups_align_head(base + offsets[0], taps);
    if (head > n) head = n;
    if (!stream && n >= 8 && head) {
        /* The outputs before the boundary as one vector (reaching past
           it: the loop below writes those again, with the same values).
           Not before streaming stores, which would then share a line
           with ordinary ones. */
        ups_v8_storeu(dst, ups_dot8(base, offsets, w, taps));
        i = head;
    }
    for (; i < head; i++) dst[i] = ups_sum1(base, offsets, w, taps, i);
    if (taps <= 16) {
        /* Row pointers and broadcast weights in locals: dst is a float
           pointer too, so the compiler would otherwise reload the tables
           after every store. 16 taps cover antialiased downscaling to
           1/7 in linear and 0.3 in cubic. */
        const float *rows[16];
        ups_v8 wv[16];
        Py_ssize_t k;
        for (k = 0; k < taps; k++) {
            rows[k] = base + offsets[k];
            wv[k] = ups_v8_set1(w[k]);
        }
        /* With many taps each sum is a long chain of dependent
           multiply-adds: four independent sums keep the units busy. */
        if (taps > 4) {
            for (; i + 32 <= n; i += 32) {
                ups_prefetch_ahead(ahead, n_ahead, i, 32);
                ups_v8 a = ups_v8_mul(wv[0], ups_v8_loadu(rows[0] + i));
                ups_v8 b = ups_v8_mul(wv[0], ups_v8_loadu(rows[0] + i + 8));
                ups_v8 c = ups_v8_mul(wv[0], ups_v8_loadu(rows[0] + i + 16));
                ups_v8 d = ups_v8_mul(wv[0], ups_v8_loadu(rows[0] + i + 24));
                for (k = 1; k < taps; k++) {
                    a = UPS_MADD(wv[k], ups_v8_loadu(rows[k] + i), a);
                    b = UPS_MADD(wv[k], ups_v8_loadu(rows[k] + i + 8), b);
                    c = UPS_MADD(wv[k], ups_v8_loadu(rows[k] + i + 16), c);
                    d = UPS_MADD(wv[k], ups_v8_loadu(rows[k] + i + 24), d);
                }
                if (stream) {
                    ups_v8_stream(dst + i, a);
                    ups_v8_stream(dst + i + 8, b);
                    ups_v8_stream(dst + i + 16, c);
                    ups_v8_stream(dst + i + 24, d);
                } else {
                    ups_v8_storeu(dst + i, a);
                    ups_v8_storeu(dst + i + 8, b);
                    ups_v8_storeu(dst + i + 16, c);
                    ups_v8_storeu(dst + i + 24, d);
                }
            }
        }
        for (; i + 16 <= n; i += 16) {
            ups_prefetch_ahead(ahead, n_ahead, i, 16);
            ups_v8 a = ups_v8_mul(wv[0], ups_v8_loadu(rows[0] + i));
            ups_v8 b = ups_v8_mul(wv[0], ups_v8_loadu(rows[0] + i + 8));
            for (k = 1; k < taps; k++) {
                a = UPS_MADD(wv[k], ups_v8_loadu(rows[k] + i), a);
                b = UPS_MADD(wv[k], ups_v8_loadu(rows[k] + i + 8), b);
            }
            if (stream) {
                ups_v8_stream(dst + i, a);
                ups_v8_stream(dst + i + 8, b);
            } else {
                ups_v8_storeu(dst + i, a);
                ups_v8_storeu(dst + i + 8, b);
            }
        }
    }
    for (; i + 16 <= n; i += 16) {
        ups_v8 a = ups_dot8(base + i, offsets, w, taps);
        ups_v8 b = ups_dot8(base + i + 8, offsets, w, taps);
        if (stream) {
            ups_v8_stream(dst + i, a);
            ups_v8_stream(dst + i + 8, b);
        } else {
            ups_v8_storeu(dst + i, a);
            ups_v8_storeu(dst + i + 8, b);
        }
    }
    /* The tail as vectors too, the last one ending at n (rewriting some
       outputs with the same values; after streaming stores only where
       it stays clear of their lines): one element at a time, each sum
       is a chain of dependent multiply-adds. */
    for (; i + 8 <= n; i += 8)
        ups_v8_storeu(dst + i, ups_dot8(base + i, offsets, w, taps));
    if (i < n && n >= 8 && (!stream || ((size_t)(dst + n - 8) & ~(size_t)63) >=
                                       ((size_t)(dst + i) & ~(size_t)63))) {
        ups_v8_storeu(dst + n - 8, ups_dot8(base + n - 8, offsets, w, taps));
        i = n;
    }
    for (; i < n; i++) dst[i] = ups_sum1(base, offsets, w, taps, i);
}
#endif
static int ups_combine_float(float *dst, const float *base, const Py_ssize_t *offsets,
                             const float *w, Py_ssize_t taps, Py_ssize_t n, int stream) {
#if defined(UPS_SIMD)
    if (((size_t)dst & 3) != 0) return 0;
    /* Literal tap counts let the tap loop unroll. */
    if (taps == 2) ups_combine_vec(dst, base, offsets, w, 2, n, stream, NULL, 0);
    else if (taps == 4) ups_combine_vec(dst, base, offsets, w, 4, n, stream, NULL, 0);
    else ups_combine_vec(dst, base, offsets, w, taps, n, stream, NULL, 0);
    return 1;
#else
    (void)dst; (void)base; (void)offsets; (void)w; (void)taps; (void)n; (void)stream;
    return 0;
#endif
}
/* ups_combine_float into a row in cache, with rows to prefetch (see
   ups_combine_vec). Kept apart from ups_combine_float so that the calls
   without rows ahead (every other vertical combination) compile with no
   prefetch loop at all. */
static int ups_combine_float_ahead(float *dst, const float *base, const Py_ssize_t *offsets,
                                   const float *w, Py_ssize_t taps, Py_ssize_t n,
                                   const float *const *ahead, int n_ahead) {
#if defined(UPS_SIMD)
    if (((size_t)dst & 3) != 0) return 0;
    if (taps == 2) ups_combine_vec(dst, base, offsets, w, 2, n, 0, ahead, n_ahead);
    else if (taps == 4) ups_combine_vec(dst, base, offsets, w, 4, n, 0, ahead, n_ahead);
    else ups_combine_vec(dst, base, offsets, w, taps, n, 0, ahead, n_ahead);
    return 1;
#else
    (void)dst; (void)base; (void)offsets; (void)w; (void)taps; (void)n;
    (void)ahead; (void)n_ahead;
    return 0;
#endif
}
#endif  /* UPSAMPLE_UPS_COMBINE_H */
