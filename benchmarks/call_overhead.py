"""What one call costs besides its kernels: small inputs, with warm and with cold caches.

A pipeline calls ``upsample`` between other work, so the caches are mostly cold
when a call starts. This script times calls on a tiny input, once right after
the previous call (warm) and once after writing a buffer larger than the last
level cache (cold), with the call's plan remembered (the default for a
repeated call) and planned afresh (the remembered plans dropped before the
timed call). OpenCV's ``cv2.resize`` of the same image is shown for scale
when it is installed.

    python benchmarks/call_overhead.py [--repeat 101]
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402

from upsample import _api, upsample  # noqa: E402

try:
    import cv2
except ImportError:
    cv2 = None

EVICT_BYTES = 96 << 20  # three times a 32 MB last level cache


def _median_us(call, before, repeat):
    times = []
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=101)
    parser.add_argument("--shape", default="1,10,10,3")
    args = parser.parse_args(argv)
    shape = tuple(int(n) for n in args.shape.split(","))
    x = np.random.default_rng(0).random(shape, dtype=np.float32)
    evict = np.zeros(EVICT_BYTES, dtype=np.uint8)

    def cold():
        evict[::64] += 1  # one write per cache line: every line of the buffer is touched

    def warm():
        pass

    def cold_afresh():
        _api._PLANS.clear()
        cold()

    def warm_afresh():
        _api._PLANS.clear()

    print(f"input {shape} float32, scale 1.7, 1 thread; median of {args.repeat} calls, in µs\n")
    header = "| mode | warm, plan remembered | warm, planned afresh | cold, plan remembered " \
             "| cold, planned afresh |"
    if cv2 is not None:
        cv2.setNumThreads(1)
        header += " cold, cv2.resize |"
    print(header)
    print("|---" + "|---:" * (header.count("|") - 2) + "|")
    size = (int(shape[2] * 1.7), int(shape[1] * 1.7))
    flags = {"nearest": "INTER_NEAREST", "linear": "INTER_LINEAR", "cubic": "INTER_CUBIC"}
    for mode in ("nearest", "linear", "cubic"):
        def call(mode=mode):
            upsample(x, 1.7, mode, num_threads=1)

        call()
        cells = [_median_us(call, before, args.repeat)
                 for before in (warm, warm_afresh, cold, cold_afresh)]
        if cv2 is not None:
            flag = getattr(cv2, flags[mode])
            image = x[0]
            cells.append(_median_us(lambda: cv2.resize(image, size, interpolation=flag), cold,
                                    args.repeat))
        print(f"| {mode} | " + " | ".join(f"{cell:.1f}" for cell in cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
