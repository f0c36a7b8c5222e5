"""The benchmark suite of issue 3, shared by compare.py (times) and instructions.py (counts),
and a timing helper the scripts share."""

import statistics
import time

import numpy as np

ALL_MODES = ("nearest", "linear", "cubic")
# (shape, scale, modes, antialias, dtype)
WORKLOADS = [
    ((1, 512, 512, 3), 2.0, ALL_MODES, False, "float32"),
    ((1, 1024, 1024, 3), 2.0, ALL_MODES, False, "float32"),
    ((8, 128, 128, 64), 2.0, ALL_MODES, False, "float32"),
    ((1, 64, 64, 64, 8), 2.0, ALL_MODES, False, "float32"),
    ((4, 48000, 2), 2.0, ALL_MODES, False, "float32"),
    ((1, 500, 500, 3), 1.7, ALL_MODES, False, "float32"),
    ((1, 1024, 1024, 3), 0.5, ("linear", "cubic"), True, "float32"),
    # The common image case: 8-bit in, 8-bit out.
    ((1, 1080, 1920, 3), 2.0, ("linear", "cubic"), False, "uint8"),
]


def workload_label(shape, scale, antialias, dtype):
    """The row label used in every table: shape, scale, and what is not the default."""
    return (f"{shape} x{scale}" + (" antialias" if antialias else "")
            + ("" if dtype == "float32" else f" {dtype}"))


def make_input(shape, dtype):
    """The same seeded data for every contender and every run."""
    rng = np.random.default_rng(0)
    if dtype == "uint8":
        return rng.integers(0, 256, shape, dtype=np.uint8)
    return rng.random(shape, dtype=np.float32)


def median_ms(call, repeats):
    """Median wall time of ``call()`` in milliseconds over `repeats` calls, after one
    warm-up call (caches stay as the calls leave them: a warm loop)."""
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def by_workload(records):
    """Timing records ordered so that each workload's rows (one per thread count) are
    together, in the order the suite first ran them."""
    def key(record):
        return (tuple(record["shape"]), record["scale"], record["mode"], record["antialias"])

    rank = {}
    for record in records:
        rank.setdefault(key(record), len(rank))
    return sorted(records, key=lambda record: (rank[key(record)], record["threads"]))
