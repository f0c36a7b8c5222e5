# cython: boundscheck=False, wraparound=False, cdivision=True
"""What the CPU can run, asked once at import time to pick a kernel build."""

cdef extern from *:
    """
    #if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
    static int upsample_cpu_has_avx2_fma(void) {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    #else
    static int upsample_cpu_has_avx2_fma(void) { return 0; }
    #endif
    """
    int upsample_cpu_has_avx2_fma()


def has_avx2_fma():
    """Return True when this CPU executes AVX2 and FMA instructions."""
    return bool(upsample_cpu_has_avx2_fma())
