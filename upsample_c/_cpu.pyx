# cython: boundscheck=False, wraparound=False, cdivision=True
"""What the CPU can run and who made it, asked once at import time to pick a kernel
build and the small-job limit of _threads."""

cdef extern from *:
    """
    #if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
    static int upsample_cpu_has_avx2_fma(void) {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    /* 1 for Intel, 2 for AMD, 0 for any other x86 maker. */
    static int upsample_cpu_vendor(void) {
        __builtin_cpu_init();
        if (__builtin_cpu_is("intel")) return 1;
        if (__builtin_cpu_is("amd")) return 2;
        return 0;
    }
    #else
    static int upsample_cpu_has_avx2_fma(void) { return 0; }
    static int upsample_cpu_vendor(void) { return 0; }
    #endif
    """
    int upsample_cpu_has_avx2_fma()
    int upsample_cpu_vendor()


def has_avx2_fma():
    """Return True when this CPU executes AVX2 and FMA instructions."""
    return bool(upsample_cpu_has_avx2_fma())


def vendor():
    """The x86 CPU's maker, "intel" or "amd"; "other" for any other CPU (ARM included)."""
    return {1: "intel", 2: "amd"}.get(upsample_cpu_vendor(), "other")
