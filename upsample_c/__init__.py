"""Private compiled kernels of ``upsample`` (not a public API).

Two builds of the same kernels exist on x86-64: one for any CPU and one with
AVX2 and FMA. The faster one that this CPU can run is chosen here, once. On
AArch64 the one (baseline) build has the NEON fast paths, since every 64-bit ARM
CPU has NEON.
Set ``UPSAMPLE_KERNELS=base`` to force the baseline build (for testing).
"""

import os

from . import _cpu
from ._threads import default_num_threads, effective_num_threads, fork_info, openmp_enabled

_requested = os.environ.get("UPSAMPLE_KERNELS", "").strip().lower()
kernels = None
if _requested != "base" and _cpu.has_avx2_fma():
    try:
        from . import _kernels_avx2 as kernels
    except ImportError:  # a build without the AVX2 twin (non-x86 or MSVC)
        kernels = None
if kernels is None:
    from . import _kernels_base as kernels

kernel_build = "avx2" if kernels.__name__.endswith("avx2") else "base"
# The vector instruction set of the loaded build's fast paths, from its compiler's
# macros: "avx2" (the AVX2 build), "neon" (the baseline build on AArch64) or "none".
kernel_simd = kernels.simd()

__all__ = [
    "default_num_threads",
    "effective_num_threads",
    "fork_info",
    "kernel_build",
    "kernel_simd",
    "kernels",
    "openmp_enabled",
]
