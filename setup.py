"""Build script for the compiled kernels of ``upsample``.

Two decisions are made here, at build time, so that the package installs
everywhere:

* OpenMP: a tiny program is compiled and linked with ``-fopenmp``. If that
  fails (no OpenMP runtime, an unusual compiler), the kernels are built
  without it and run serially; ``upsample_c.openmp_enabled()`` reports which.
  Setting ``UPSAMPLE_DISABLE_OPENMP=1`` forces the serial build.
* SIMD: the kernels are compiled twice from one source, once for the
  baseline instruction set and, on x86-64, once more with AVX2 and FMA.
  ``upsample_c`` picks the AVX2 build at import time only when the CPU has
  it, so the wheel never needs ``-march=native`` to be fast and never
  executes an instruction the machine lacks.

For testing only, ``UPSAMPLE_SANITIZE=address`` (any ``-fsanitize=`` value)
builds the extensions with that sanitizer; ``tools/asan.sh`` uses it. The
default build is unaffected. Also for measuring only, ``UPSAMPLE_NO_SIMD=1``
leaves the vector paths out of every module (``UPS_NO_SIMD``, see
upsample_c/include/ups_simd.h; ``kernel_info()["simd"]`` is then ``none``), so
that what they gain can be counted on a machine with one build only (AArch64).
"""

import os
import platform
import shutil
import sys
import tempfile

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

OPENMP_TEST_PROGRAM = r"""
#include <omp.h>
int main(void) {
    int n = 0;
    #pragma omp parallel reduction(+:n)
    n += 1;
    return n > 0 ? 0 : 1;
}
"""

# -ffp-contract=off: the same bits on every build and CPU. Left to itself the
# compiler may contract a * b + c into one fused multiply-add, which rounds once
# instead of twice: GCC does so wherever the target has FMA (the AVX2 module here,
# every aarch64 build), clang within an expression, and each decides per loop. With
# contraction off every module rounds each product and each sum, as the kernels'
# explicit vector code does (see upsample_c/include/ups_common.h, UPS_MADD).
COMMON_COMPILE_ARGS = ["-O3", "-fno-math-errno", "-ffp-contract=off", "-Wno-unused-function"]
KERNEL_HEADERS = "upsample_c/include"


def _compiler_supports_openmp(compiler):
    """Return True when ``compiler`` can compile and link an OpenMP program."""
    if os.environ.get("UPSAMPLE_DISABLE_OPENMP", "") not in ("", "0"):
        return False
    tmpdir = tempfile.mkdtemp(prefix="upsample-omp-")
    try:
        source = os.path.join(tmpdir, "omp_check.c")
        with open(source, "w") as handle:
            handle.write(OPENMP_TEST_PROGRAM)
        objects = compiler.compile([source], output_dir=tmpdir, extra_postargs=["-fopenmp"])
        compiler.link_executable(
            objects, "omp_check", output_dir=tmpdir, extra_postargs=["-fopenmp"]
        )
        return True
    except Exception:  # any compile or link failure means: build serially
        return False
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _sanitizer_args():
    """Compile and link flags for an opt-in sanitizer build (``UPSAMPLE_SANITIZE=address``)."""
    value = os.environ.get("UPSAMPLE_SANITIZE", "").strip()
    if not value:
        return []
    if not all(part and part.replace("-", "").isalnum() for part in value.split(",")):
        raise ValueError(
            f"UPSAMPLE_SANITIZE must be a -fsanitize= value such as 'address', got {value!r}"
        )
    return [f"-fsanitize={value}", "-fno-omit-frame-pointer", "-g"]


def _no_simd():
    """Whether to build without the vector paths (``UPSAMPLE_NO_SIMD=1``, for measuring)."""
    return os.environ.get("UPSAMPLE_NO_SIMD", "") not in ("", "0")


def _is_x86_64():
    return platform.machine().lower() in ("x86_64", "amd64")


class BuildExtWithOptionalOpenMP(build_ext):
    """``build_ext`` that adds OpenMP flags only when a test program builds."""

    def build_extensions(self):
        use_openmp = self.compiler.compiler_type != "msvc" and _compiler_supports_openmp(
            self.compiler
        )
        print(f"upsample: building {'with' if use_openmp else 'WITHOUT'} OpenMP", file=sys.stderr)
        sanitize = _sanitizer_args() if self.compiler.compiler_type != "msvc" else []
        if sanitize:
            print(f"upsample: sanitizer build ({' '.join(sanitize)})", file=sys.stderr)
        if _no_simd():
            print("upsample: building WITHOUT the vector paths (UPSAMPLE_NO_SIMD)", file=sys.stderr)
        for ext in self.extensions:
            if self.compiler.compiler_type != "msvc":
                ext.extra_compile_args = COMMON_COMPILE_ARGS + ext.extra_compile_args
            if use_openmp:
                ext.extra_compile_args.append("-fopenmp")
                ext.extra_link_args.append("-fopenmp")
            ext.define_macros.append(("UPSAMPLE_OPENMP", "1" if use_openmp else "0"))
            if _no_simd():
                ext.define_macros.append(("UPS_NO_SIMD", "1"))
            ext.extra_compile_args.extend(sanitize)
            ext.extra_link_args.extend(sanitize)
        super().build_extensions()


def _extensions():
    import numpy
    from Cython.Build import cythonize

    # Modules that cimport numpy (its C API: array data pointers, memory handlers).
    numpy_c = dict(
        include_dirs=[numpy.get_include()],
        # NumPy 1.22's C API is the oldest with memory handlers (NEP 49). Targeting
        # it explicitly makes every NumPy 2.x build expose them through the API
        # table (NumPy 2.0-2.2 target 1.19 by default, and the handler calls then
        # became undefined symbols at import) and refuses older NumPy at import.
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_22_API_VERSION"),
                       ("NPY_TARGET_VERSION", "NPY_1_22_API_VERSION")],
    )
    # The kernels' C with intrinsics is in headers (upsample_c/include), which the
    # generated modules include by name: a compile error there names the header's line.
    kernels_c = dict(numpy_c, include_dirs=numpy_c["include_dirs"] + [KERNEL_HEADERS])
    # C headers of the runtime glue (fork handler, output cache).
    glue = dict(include_dirs=[KERNEL_HEADERS])
    if sys.platform.startswith("linux"):
        # dladdr and dlopen, in libdl before glibc 2.34.
        glue["libraries"] = ["dl"]
    extensions = [
        Extension("upsample_c._threads", ["upsample_c/_threads.pyx"],
                  depends=["upsample_c/include/ups_fork_guard.h"], **glue),
        Extension("upsample_c._memory", ["upsample_c/_memory.pyx"],
                  include_dirs=numpy_c["include_dirs"] + glue["include_dirs"],
                  define_macros=numpy_c["define_macros"],
                  depends=["upsample_c/include/ups_output_cache.h"]),
        Extension("upsample_c._cpu", ["upsample_c/_cpu.pyx"]),
        Extension("upsample_c._kernels_base", ["upsample_c/_kernels_base.pyx"], **kernels_c),
    ]
    if _is_x86_64() and sys.platform != "win32":
        extensions.append(
            Extension(
                "upsample_c._kernels_avx2",
                ["upsample_c/_kernels_avx2.pyx"],
                extra_compile_args=["-mavx2", "-mfma"],
                **kernels_c,
            )
        )
    return cythonize(
        extensions,
        language_level=3,
        compiler_directives={"embedsignature": True},
    )


setup(
    ext_modules=_extensions(),
    cmdclass={"build_ext": BuildExtWithOptionalOpenMP},
)
