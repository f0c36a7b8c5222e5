"""No growth over many calls: references, traced allocations and resident memory stay flat.

Thousands of small calls in every mode (and calls that raise) must not keep a
reference to their input, must not leave Python-visible allocations behind
(tracemalloc) and must not grow the process (resident set size, which also
sees C-level leaks that tracemalloc cannot). The output cache legitimately
holds freed large blocks, so it is cleared or bounded here and the memory is
measured at a steady state after a warm-up.
"""

import ctypes
import gc
import os
import sys
import tracemalloc

import numpy as np
import pytest

from upsample import Upsample, _api, upsample
from upsample_c import _memory


def _under_address_sanitizer():
    try:
        return hasattr(ctypes.CDLL(None), "__asan_init")
    except OSError:
        return False


# ASan (tools/asan.sh) holds freed memory in a quarantine, so the resident
# size grows by design there; its own checks replace these.
needs_plain_allocator = pytest.mark.skipif(
    _under_address_sanitizer(), reason="resident size is meaningless under AddressSanitizer"
)

N_CALLS = 3000
WARM_UP = 200

# Each case resamples a different dtype along a different path (gather,
# planar, vertical, antialias, complex as interleaved reals, integer input
# converted to float32). At scale (1.5, 2) every output is 8-70 KB, so
# keeping one per call would grow the process by 25-200 MB over N_CALLS.
RNG = np.random.default_rng(5)
BASE = RNG.standard_normal((2, 24, 20, 3)) * 40
CASES = [
    ("nearest", {}, BASE.astype(np.uint8)),
    ("nearest", {}, BASE.astype(np.float64)),
    ("linear", {}, BASE.astype(np.float32)),
    ("linear", {"antialias": True}, BASE.astype(np.int16)),
    ("cubic", {}, BASE.astype(np.complex64)),
    ("cubic", {"align_corners": True}, BASE.astype(np.float64)),
    ("linear", {}, RNG.random((1, 6, 8, 10, 2), dtype=np.float32)),  # a vertical pass too
]
CASE_IDS = [f"{mode}-{'-'.join(options) or 'plain'}-{x.dtype}-{x.ndim}d"
            for mode, options, x in CASES]

X = BASE.astype(np.float32)
AS_OBJECTS = X.astype(object)
AS_STRINGS = X.astype(str)
# A virtual (zero-stride) input whose outputs are far too large: one is
# refused by the shape check, one fails to allocate 1 PiB.
HUGE = np.broadcast_to(np.zeros((1, 1, 1, 1), dtype=np.float32), (1, 2**20, 2**20, 1))
# (name, call, its input, the error it must raise)
BAD_CALLS = [
    ("scale 0", lambda x: upsample(x, 0), X, ValueError),
    ("scale nan", lambda x: upsample(x, (2, float("nan"))), X, ValueError),
    ("scale string", lambda x: upsample(x, "2"), X, TypeError),
    ("three scales", lambda x: upsample(x, (2, 2, 2), "linear"), X, ValueError),
    ("bad mode", lambda x: upsample(x, 2, "bilinear"), X, ValueError),
    ("antialias nearest", lambda x: upsample(x, 2, "nearest", antialias=True), X, ValueError),
    ("bad num_threads", lambda x: upsample(x, 2, "cubic", num_threads=0), X, ValueError),
    ("object dtype", lambda x: upsample(x, 2), AS_OBJECTS, TypeError),
    ("string dtype", lambda x: upsample(x, 2, "linear"), AS_STRINGS, TypeError),
    ("2-d input", lambda x: upsample(x[0, :, :, 0], 2), X, ValueError),
    ("layer, wrong rank", lambda x: Upsample((2, 2, 2), "cubic")(x), X, ValueError),
    ("output too large", lambda x: upsample(x, 1024), HUGE, ValueError),
    ("allocation fails", lambda x: upsample(x, 16, "linear"), HUGE, MemoryError),
]


@pytest.fixture(autouse=True)
def empty_cache():
    """Start and end with an empty output cache, so that only leaks can grow memory."""
    _memory.clear_cache()
    yield
    _memory.clear_cache()


def run_cases(n):
    for mode, options, x in CASES:
        for _ in range(n):
            upsample(x, (1.5, 2) if x.ndim == 4 else (1.5, 2, 0.5), mode, **options)


def run_bad_calls(n):
    for _, call, x, error in BAD_CALLS:
        for _ in range(n):
            try:
                call(x)
            except error:
                pass
            else:
                raise AssertionError("expected an error")


def resident_bytes():
    """Current resident set size (Linux), else the peak (which must not grow either)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        scale = 1 if sys.platform == "darwin" else 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def test_bad_calls_raise_what_the_leak_tests_expect():
    for name, call, x, error in BAD_CALLS:
        with pytest.raises(error):
            call(x)


@pytest.mark.parametrize("mode, options, x", CASES, ids=CASE_IDS)
def test_input_reference_count_is_unchanged(mode, options, x):
    scales = (1.5, 2) if x.ndim == 4 else (1.5, 2, 0.5)
    layer = Upsample(scales, mode, **options)
    before = sys.getrefcount(x), sys.getrefcount(scales), sys.getrefcount(layer)
    for _ in range(N_CALLS // 2):
        upsample(x, scales, mode, **options)
        layer(x, num_threads=2)
    # The last call's immutable arguments (here the scales tuple) are held, by
    # design, until another call replaces them (see _api._PlanStore); nothing else.
    _api._PLANS.last = None
    gc.collect()
    assert (sys.getrefcount(x), sys.getrefcount(scales), sys.getrefcount(layer)) == before


@pytest.mark.parametrize("name, call, x, error", BAD_CALLS, ids=[b[0] for b in BAD_CALLS])
def test_failing_calls_keep_no_reference(name, call, x, error):
    before = sys.getrefcount(x)
    for _ in range(N_CALLS // 10):
        with pytest.raises(error):
            call(x)
    # The last exception (and its traceback, which holds x) must be gone.
    gc.collect()
    assert sys.getrefcount(x) == before


def test_traced_allocations_do_not_grow():
    tracemalloc.start()
    try:
        run_cases(WARM_UP // 4)
        run_bad_calls(WARM_UP // 4)
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        run_cases(N_CALLS // 6)
        run_bad_calls(N_CALLS // 6)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # 500 calls per case: keeping even one 8 KB output per call would be 4 MB.
    assert grown < 256 << 10, f"traced memory grew by {grown} bytes"


@needs_plain_allocator
def test_resident_memory_does_not_grow_over_many_calls():
    run_cases(WARM_UP)
    run_bad_calls(WARM_UP)
    gc.collect()
    before = resident_bytes()
    run_cases(N_CALLS)
    run_bad_calls(N_CALLS)
    gc.collect()
    grown = resident_bytes() - before
    assert grown < 4 << 20, f"resident memory grew by {grown / 2**20:.1f} MiB"


@needs_plain_allocator
def test_resident_memory_is_steady_with_large_outputs_and_the_cache():
    """Outputs of 4-10 MiB go through the cache; it stays within its limit and RSS levels off."""
    old = _memory.set_cache_limit(96 << 20)
    try:
        shapes = [(1, 256, 256, 4), (1, 320, 256, 4), (1, 256, 384, 4), (2, 256, 256, 5)]
        inputs = [np.ones(shape, dtype=np.float32) for shape in shapes]

        def cycle():
            for x in inputs:
                for mode in ("nearest", "linear", "cubic"):
                    out = upsample(x, 2, mode)
                    assert out[0, -1, -1, -1] == 1.0
                    del out
            assert _memory.cached_bytes() <= 96 << 20

        for _ in range(2):
            cycle()
        gc.collect()
        before = resident_bytes()
        for _ in range(6):
            cycle()
        gc.collect()
        grown = resident_bytes() - before
        # One leaked output per call would add 4-10 MiB each time.
        assert grown < 12 << 20, f"resident memory grew by {grown / 2**20:.1f} MiB"
    finally:
        _memory.set_cache_limit(old)
