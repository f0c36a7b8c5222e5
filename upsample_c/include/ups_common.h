/* ups_common.h: what every kernel header needs: the C library, the intrinsics the build
   may use (immintrin.h when the compiler targets AVX2, as for _kernels_avx2 built with
   -mavx2 -mfma; emmintrin.h for SSE2, the x86-64 baseline of _kernels_base; arm_neon.h
   on AArch64, through ups_simd.h), UPS_SPECIALISED, and the vector pieces several
   headers share (written in ups_simd.h's eight-float vector, so AVX2 and NEON alike):
   UPS_MADD (a product then a sum, never fused), ups_dot8 (eight sums in tap order) and the loads of eight floats or eight
   uint8 values as floats. Every function in these headers is static: each build
   compiles its own copy, chosen by UPS_SIMD (ups_simd.h) and __SSE2__. */
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
#include "ups_simd.h"
#if defined(UPS_SIMD)
#define UPS_MADD(w, x, acc) ups_v8_madd(w, x, acc)
/* sum_k w[k] * p[offsets[k] + j] for j < 8: a product, then multiply-adds
   in tap order (the order every vertical combination uses). */
static inline ups_v8 ups_dot8(const float *p, const Py_ssize_t *offsets, const float *w,
                              Py_ssize_t taps) {
    Py_ssize_t k;
    ups_v8 acc = ups_v8_mul(ups_v8_set1(w[0]), ups_v8_loadu(p + offsets[0]));
    for (k = 1; k < taps; k++)
        acc = UPS_MADD(ups_v8_set1(w[k]), ups_v8_loadu(p + offsets[k]), acc);
    return acc;
}
/* Eight floats, or eight uint8 values converted to floats, as one vector
   (the combinations of float rows and of uint8 rows read one or the other). */
static inline ups_v8 ups_load8_float(const float *p) { return ups_v8_loadu(p); }
static inline ups_v8 ups_load8_uint8(const unsigned char *p) { return ups_v8_load_uint8(p); }
#endif
#endif  /* UPSAMPLE_UPS_COMMON_H */
