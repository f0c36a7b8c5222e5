/* ups_simd.h: the eight-float vector that every fast path of the kernels is written in,
   and the few operations on it they use, for two instruction sets:

   - AVX2 with FMA (x86-64, _kernels_avx2 built with -mavx2 -mfma): each operation is
     the one intrinsic the kernels called before this header existed, spelled as a
     macro, so the machine code is the same;
   - NEON on AArch64 (every 64-bit ARM CPU has it, so _kernels_base gets it there): a
     pair of 4-float registers, each operation done on both halves with the NEON
     instruction that gives the same bits as the AVX2 one (rounding to nearest even,
     x86's min and max on NaN, the same saturation when packing).

   UPS_SIMD is defined (1) when one of the two is compiled in (never with UPS_NO_SIMD),
   UPS_SIMD_NAME names it ("avx2", "neon", or "none" without either); the kernels' vector paths are under
   #if defined(UPS_SIMD) and kernel_info() reports the name.

   Multiply-add (ups_v8_madd, acc + w * x) is a product then a sum, never fused: a fused
   multiply-add rounds once instead of twice, and every build and CPU (the baseline C
   loops, compiled with -ffp-contract=off, and every vector path) must round the same way
   for the results to be the same bits everywhere. UPS_MADD_FUSED is the one switch
   (0); were it 1, both sets would fuse alike (vfmaq_f32 is FMLA, always fused; vmlaq_f32
   is never used, since GCC may or may not fuse it). */
#ifndef UPSAMPLE_UPS_SIMD_H
#define UPSAMPLE_UPS_SIMD_H

#if defined(UPS_NO_SIMD)
/* A build without the vector paths, for measuring what they gain (setup.py,
   UPSAMPLE_NO_SIMD=1): every kernel takes its C loop. */
#define UPS_SIMD_NAME "none"
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define UPS_SIMD 1
#define UPS_SIMD_AVX2 1
#define UPS_SIMD_NAME "avx2"
#elif defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>
#define UPS_SIMD 1
#define UPS_SIMD_NEON 1
#define UPS_SIMD_NAME "neon"
#else
#define UPS_SIMD_NAME "none"
#endif

/* Never fused: see above. */
#define UPS_MADD_FUSED 0

#if defined(UPS_SIMD_AVX2)
typedef __m256 ups_v8;    /* eight floats */
typedef __m256i ups_v8i;  /* eight 32-bit integers */
#define ups_v8_loadu(p) _mm256_loadu_ps(p)
#define ups_v8_storeu(p, v) _mm256_storeu_ps(p, v)
/* A store that bypasses the caches (p 32-byte aligned). */
#define ups_v8_stream(p, v) _mm256_stream_ps(p, v)
#define ups_v8_set1(x) _mm256_set1_ps(x)
#define ups_v8_broadcast(p) _mm256_broadcast_ss(p)
#define ups_v8_zero() _mm256_setzero_ps()
#define ups_v8_add(a, b) _mm256_add_ps(a, b)
#define ups_v8_mul(a, b) _mm256_mul_ps(a, b)
/* w * x + acc */
#if UPS_MADD_FUSED
#define ups_v8_madd(w, x, acc) _mm256_fmadd_ps(w, x, acc)
#else
#define ups_v8_madd(w, x, acc) _mm256_add_ps(acc, _mm256_mul_ps(w, x))
#endif
/* x86's min and max: the second operand when either is NaN (or both are zeros). */
#define ups_v8_min(a, b) _mm256_min_ps(a, b)
#define ups_v8_max(a, b) _mm256_max_ps(a, b)
/* Eight uint8 values as floats. */
#define ups_v8_load_uint8(p) \
    _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(p))))
/* Rounded to the nearest integer, ties to even (the default rounding mode). */
#define ups_v8_round_int(v) _mm256_cvtps_epi32(v)
/* Ask for the cache line at p to be brought into L2. */
#define ups_prefetch_l2(p) _mm_prefetch((const char *)(p), _MM_HINT_T1)
/* The 32 integers of a, b, c, d (each 0..255 after the callers' clamps, saturated as
   the packs do otherwise) as 32 bytes at p, in order; with `stream`, p is 32-byte
   aligned and the bytes bypass the caches. The packs work within 128-bit lanes; the
   permutation puts the four 32-bit groups of each lane back in order. */
static inline void ups_store_uint8_32(unsigned char *p, ups_v8i a, ups_v8i b, ups_v8i c,
                                      ups_v8i d, int stream) {
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    __m256i bytes = _mm256_permutevar8x32_epi32(
        _mm256_packus_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d)), order);
    if (stream) _mm256_stream_si256((__m256i *)p, bytes);
    else _mm256_storeu_si256((__m256i *)p, bytes);
}
/* r[i][j] becomes r[j][i]: eight rows of eight floats transposed. */
static inline void ups_v8_transpose8(ups_v8 r[8]) {
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(s0, s4, 0x20); r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    r[2] = _mm256_permute2f128_ps(s2, s6, 0x20); r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    r[4] = _mm256_permute2f128_ps(s0, s4, 0x31); r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    r[6] = _mm256_permute2f128_ps(s2, s6, 0x31); r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

#elif defined(UPS_SIMD_NEON)
typedef struct { float32x4_t lo, hi; } ups_v8;
typedef struct { int32x4_t lo, hi; } ups_v8i;
static inline ups_v8 ups_v8_make(float32x4_t lo, float32x4_t hi) {
    ups_v8 v;
    v.lo = lo;
    v.hi = hi;
    return v;
}
static inline ups_v8 ups_v8_loadu(const float *p) {
    return ups_v8_make(vld1q_f32(p), vld1q_f32(p + 4));
}
static inline void ups_v8_storeu(float *p, ups_v8 v) {
    vst1q_f32(p, v.lo);
    vst1q_f32(p + 4, v.hi);
}
/* NEON has no cache-bypassing store intrinsic: an ordinary store. */
static inline void ups_v8_stream(float *p, ups_v8 v) { ups_v8_storeu(p, v); }
static inline ups_v8 ups_v8_set1(float x) {
    float32x4_t v = vdupq_n_f32(x);
    return ups_v8_make(v, v);
}
static inline ups_v8 ups_v8_broadcast(const float *p) {
    float32x4_t v = vld1q_dup_f32(p);
    return ups_v8_make(v, v);
}
static inline ups_v8 ups_v8_zero(void) { return ups_v8_set1(0.0f); }
static inline ups_v8 ups_v8_add(ups_v8 a, ups_v8 b) {
    return ups_v8_make(vaddq_f32(a.lo, b.lo), vaddq_f32(a.hi, b.hi));
}
static inline ups_v8 ups_v8_mul(ups_v8 a, ups_v8 b) {
    return ups_v8_make(vmulq_f32(a.lo, b.lo), vmulq_f32(a.hi, b.hi));
}
static inline ups_v8 ups_v8_madd(ups_v8 w, ups_v8 x, ups_v8 acc) {
#if UPS_MADD_FUSED
    return ups_v8_make(vfmaq_f32(acc.lo, w.lo, x.lo), vfmaq_f32(acc.hi, w.hi, x.hi));
#else
    return ups_v8_add(acc, ups_v8_mul(w, x));
#endif
}
/* x86's semantics, not NEON's vminq/vmaxq (which return NaN for a NaN operand):
   a < b ? a : b and a > b ? a : b, the second operand when either is NaN. */
static inline ups_v8 ups_v8_min(ups_v8 a, ups_v8 b) {
    return ups_v8_make(vbslq_f32(vcltq_f32(a.lo, b.lo), a.lo, b.lo),
                       vbslq_f32(vcltq_f32(a.hi, b.hi), a.hi, b.hi));
}
static inline ups_v8 ups_v8_max(ups_v8 a, ups_v8 b) {
    return ups_v8_make(vbslq_f32(vcgtq_f32(a.lo, b.lo), a.lo, b.lo),
                       vbslq_f32(vcgtq_f32(a.hi, b.hi), a.hi, b.hi));
}
static inline ups_v8 ups_v8_load_uint8(const unsigned char *p) {
    uint16x8_t u = vmovl_u8(vld1_u8(p));
    return ups_v8_make(vcvtq_f32_u32(vmovl_u16(vget_low_u16(u))),
                       vcvtq_f32_u32(vmovl_u16(vget_high_u16(u))));
}
/* FCVTNS: to nearest, ties to even, whatever the rounding mode (x86 follows MXCSR,
   whose default is the same). */
static inline ups_v8i ups_v8_round_int(ups_v8 v) {
    ups_v8i r;
    r.lo = vcvtnq_s32_f32(v.lo);
    r.hi = vcvtnq_s32_f32(v.hi);
    return r;
}
static inline void ups_prefetch_l2(const void *p) { __builtin_prefetch(p, 0, 2); }
/* Saturating narrowings, as x86's packs: int32 to int16 signed, int16 to uint8. */
static inline uint8x8_t ups_v8i_to_uint8(ups_v8i v) {
    return vqmovun_s16(vcombine_s16(vqmovn_s32(v.lo), vqmovn_s32(v.hi)));
}
static inline void ups_store_uint8_32(unsigned char *p, ups_v8i a, ups_v8i b, ups_v8i c,
                                      ups_v8i d, int stream) {
    (void)stream;
    vst1q_u8(p, vcombine_u8(ups_v8i_to_uint8(a), ups_v8i_to_uint8(b)));
    vst1q_u8(p + 16, vcombine_u8(ups_v8i_to_uint8(c), ups_v8i_to_uint8(d)));
}
/* Four rows of four floats transposed, as 2x2 blocks of 64-bit pairs. */
static inline void ups_transpose4(float32x4_t *a, float32x4_t *b, float32x4_t *c,
                                  float32x4_t *d) {
    float32x4_t ab0 = vtrn1q_f32(*a, *b), ab1 = vtrn2q_f32(*a, *b);
    float32x4_t cd0 = vtrn1q_f32(*c, *d), cd1 = vtrn2q_f32(*c, *d);
    *a = vreinterpretq_f32_f64(vtrn1q_f64(vreinterpretq_f64_f32(ab0),
                                          vreinterpretq_f64_f32(cd0)));
    *b = vreinterpretq_f32_f64(vtrn1q_f64(vreinterpretq_f64_f32(ab1),
                                          vreinterpretq_f64_f32(cd1)));
    *c = vreinterpretq_f32_f64(vtrn2q_f64(vreinterpretq_f64_f32(ab0),
                                          vreinterpretq_f64_f32(cd0)));
    *d = vreinterpretq_f32_f64(vtrn2q_f64(vreinterpretq_f64_f32(ab1),
                                          vreinterpretq_f64_f32(cd1)));
}
/* The 8x8 transpose as four 4x4 ones: the top-right and bottom-left blocks swap. */
static inline void ups_v8_transpose8(ups_v8 r[8]) {
    float32x4_t t;
    int i;
    ups_transpose4(&r[0].lo, &r[1].lo, &r[2].lo, &r[3].lo);
    ups_transpose4(&r[0].hi, &r[1].hi, &r[2].hi, &r[3].hi);
    ups_transpose4(&r[4].lo, &r[5].lo, &r[6].lo, &r[7].lo);
    ups_transpose4(&r[4].hi, &r[5].hi, &r[6].hi, &r[7].hi);
    for (i = 0; i < 4; i++) {
        t = r[i].hi;
        r[i].hi = r[i + 4].lo;
        r[i + 4].lo = t;
    }
}
#endif

/* The name of the vector instruction set compiled in ("avx2", "neon" or "none"). */
static inline const char *ups_simd_name(void) { return UPS_SIMD_NAME; }

#endif  /* UPSAMPLE_UPS_SIMD_H */
