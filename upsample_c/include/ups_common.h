/* ups_common.h: what every kernel header needs: the C library, the intrinsics the build
   may use (immintrin.h when the compiler targets AVX2, as for _kernels_avx2 built with
   -mavx2 -mfma; emmintrin.h for SSE2, the x86-64 baseline of _kernels_base; neither
   elsewhere), UPS_SPECIALISED, and the AVX2 pieces several headers share: UPS_MADD (a
   product then a sum, never fused),
   ups_dot8 (eight sums in tap order) and the loads of eight floats or eight uint8
   values as floats. Every function in these headers is static: each of the two builds
   compiles its own copy, chosen by __AVX2__, __FMA__ and __SSE2__. */
#ifndef UPSAMPLE_UPS_COMMON_H
#define UPSAMPLE_UPS_COMMON_H
#include <Python.h>  /* Py_ssize_t; already included by the Cython module */
#include <math.h>
#include <string.h>
/* Kernels called with literal tap and channel counts (one call per case)
   only get loops unrolled for those counts if they are inlined at every
   call; left to itself the compiler makes one shared copy instead. */
#if defined(__GNUC__)
#define UPS_SPECIALISED static inline __attribute__((always_inline))
#else
#define UPS_SPECIALISED static inline
#endif
#if defined(__AVX2__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__AVX2__)
/* acc + w * x as a product, then a sum: never a fused multiply-add, which
   rounds once instead of twice. Every build and CPU (the baseline C loops,
   compiled with -ffp-contract=off, and any vector path) must round the
   same way for the results to be the same bits everywhere. */
#define UPS_MADD(w, x, acc) _mm256_add_ps(acc, _mm256_mul_ps(w, x))
/* sum_k w[k] * p[offsets[k] + j] for j < 8: a product, then multiply-adds
   in tap order (the order every vertical combination uses). */
static inline __m256 ups_dot8(const float *p, const Py_ssize_t *offsets, const float *w,
                              Py_ssize_t taps) {
    Py_ssize_t k;
    __m256 acc = _mm256_mul_ps(_mm256_set1_ps(w[0]), _mm256_loadu_ps(p + offsets[0]));
    for (k = 1; k < taps; k++)
        acc = UPS_MADD(_mm256_set1_ps(w[k]), _mm256_loadu_ps(p + offsets[k]), acc);
    return acc;
}
/* Eight floats, or eight uint8 values converted to floats, as one vector
   (the combinations of float rows and of uint8 rows read one or the other). */
static inline __m256 ups_load8_float(const float *p) { return _mm256_loadu_ps(p); }
static inline __m256 ups_load8_uint8(const unsigned char *p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)p)));
}
#endif
#endif  /* UPSAMPLE_UPS_COMMON_H */
