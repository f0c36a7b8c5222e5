# cython: boundscheck=False, wraparound=False, cdivision=True
"""Thread-count decisions and OpenMP facts, in one place.

Every kernel call asks ``effective_num_threads`` how many threads to use, so
the environment variable, ``threadpoolctl`` limits, the small-job rule and the
fork rule (include/ups_fork_guard.h) are applied identically everywhere.
"""

import os

from cython.parallel cimport prange
from libc.stdlib cimport getenv
from libc.string cimport memcpy

from upsample_c._cpu import vendor

cdef extern from *:
    """
    #if UPSAMPLE_OPENMP
    #include <omp.h>
    static int upsample_omp_max_threads(void) { return omp_get_max_threads(); }
    static int upsample_omp_num_procs(void) { return omp_get_num_procs(); }
    #else
    static int upsample_omp_max_threads(void) { return 1; }
    static int upsample_omp_num_procs(void) { return 1; }
    #endif
    """
    int UPSAMPLE_OPENMP
    int upsample_omp_max_threads() nogil
    int upsample_omp_num_procs() nogil

cdef extern from "ups_fork_guard.h":
    const char* ups_runtime_path
    int ups_fork_guard_install() nogil
    int ups_threads_allowed() nogil
    int ups_threads_usable() nogil
    int ups_is_forked_child() nogil
    int ups_fork_pause_available() nogil

# Below this much work a job runs on one thread: waking a second thread
# costs a few microseconds, more than such a job takes.
SERIAL_WORK_LIMIT = 1 << 17
# With OMP_WAIT_POLICY=PASSIVE the workers sleep as soon as a parallel region
# ends, so every call wakes them from scratch. On the AMD EPYC VMs this was
# first measured on (benchmarks/threads.py), that cost a small job about 50 us
# on two threads, and two threads only started to pay (against one) from about
# 4 MB of output or 4M multiply-adds. On an Intel Xeon VM the wake cost 15-20 us
# and two threads paid from about 1M (benchmarks/threads.py --sweep-jobs): a
# measured wake (an empty region) moved between 5 and 30 us from one process to
# the next there, too much to set a limit from at run time, so the limit
# follows the CPU's maker. The thread count never changes a result.
PASSIVE_SERIAL_WORK_LIMIT = 1 << 20 if vendor() == "intel" else 1 << 22


cdef str _env(const char* name):
    """An environment variable, stripped ("" when unset), read with the C library's getenv.

    getenv sees every change made through os.environ, and reading it costs no
    Python code (os.environ's mapping runs several Python functions per lookup,
    which shows on small calls).
    """
    cdef const char* raw = getenv(name)
    return raw.decode("utf-8", "replace").strip() if raw != NULL else ""


if ups_fork_guard_install() != 0:
    raise ImportError("upsample_c._threads: pthread_atfork failed to install the fork handler")

PASSIVE_WAIT = _env(b"OMP_WAIT_POLICY").lower() == "passive"
# More threads than this never help and each costs a thread start and a
# slice of scratch memory: requests beyond it are served with this many.
MAX_THREADS = 4 * max(1, upsample_omp_num_procs(), os.cpu_count() or 1)


def openmp_enabled():
    """Return True when the kernels were compiled with OpenMP (can run in parallel)."""
    return bool(UPSAMPLE_OPENMP)


def default_num_threads():
    """The thread count used when a call does not ask for one.

    ``UPSAMPLE_NUM_THREADS`` when set; otherwise OpenMP's own default, which
    honours ``OMP_NUM_THREADS`` and limits set through ``threadpoolctl``.
    """
    env = _env(b"UPSAMPLE_NUM_THREADS")
    if env:
        try:
            value = int(env)
        except ValueError:
            raise ValueError(
                f"UPSAMPLE_NUM_THREADS must be a positive integer, got {env!r}"
            ) from None
        if value < 1:
            raise ValueError(f"UPSAMPLE_NUM_THREADS must be a positive integer, got {env!r}")
        return value
    return max(1, upsample_omp_max_threads())


def effective_num_threads(requested, Py_ssize_t work):
    """Threads to use for a job of ``work`` multiply-adds (or bytes copied).

    ``requested`` is the caller's ``num_threads`` (None for the default). The
    answer is 1 without OpenMP and for small jobs, whatever was asked, and
    never more than MAX_THREADS (four per core). Under OMP_WAIT_POLICY=PASSIVE
    (read when this module is imported, as OpenMP reads it when it starts),
    "small" is larger: see PASSIVE_SERIAL_WORK_LIMIT. It is also 1 in a forked
    child for a thread whose OpenMP team could not be released before the
    fork (see fork_info). Call it from the thread that runs the job.
    """
    n = default_num_threads() if requested is None else requested
    limit = PASSIVE_SERIAL_WORK_LIMIT if PASSIVE_WAIT else SERIAL_WORK_LIMIT
    if not UPSAMPLE_OPENMP or work < limit:
        return 1
    n = max(1, min(n, MAX_THREADS))
    if n > 1 and not ups_threads_allowed():
        return 1
    return n


def fork_info():
    """What a forked child may do with threads, for ``kernel_info()``.

    ``fork_rule``: "threads" when the OpenMP runtime's workers are handed back
    before every fork (``omp_pause_resource_all``), so that children use threads
    as the parent does; "one thread after fork" when the runtime cannot do that,
    so that a thread whose team came through a fork runs on one thread;
    "serial" in a build without OpenMP. ``forked_child``: this process is a fork
    of one that had imported upsample. ``threads_usable``: the calling thread
    may run several threads now. ``openmp_runtime``: the OpenMP library the
    kernels are bound to ("" without OpenMP).
    """
    if not UPSAMPLE_OPENMP:
        rule = "serial"
    elif ups_fork_pause_available():
        rule = "threads"
    else:
        rule = "one thread after fork"
    return {
        "fork_rule": rule,
        "forked_child": bool(ups_is_forked_child()),
        "threads_usable": bool(ups_threads_usable()),
        "openmp_runtime": ups_runtime_path.decode("utf-8", "replace"),
    }


def parallel_copy(unsigned char[::1] dst, const unsigned char[::1] src, int num_threads):
    """Copy ``src`` into ``dst`` (same length, bytes) with ``num_threads`` threads.

    Used by the benchmarks to measure the streaming bandwidth that bounds
    every kernel from below.
    """
    cdef Py_ssize_t n = src.shape[0]
    if dst.shape[0] != n:
        raise ValueError(f"dst has {dst.shape[0]} bytes but src has {n}")
    if n == 0:
        return
    cdef Py_ssize_t n_blocks = num_threads * 8
    cdef Py_ssize_t block = (n + n_blocks - 1) // n_blocks
    cdef Py_ssize_t b, start, length
    cdef unsigned char* dst_ptr = &dst[0]
    cdef const unsigned char* src_ptr = &src[0]
    for b in prange(n_blocks, nogil=True, schedule="static", num_threads=num_threads):
        start = b * block
        if start < n:
            length = block if start + block <= n else n - start
            memcpy(dst_ptr + start, src_ptr + start, length)
