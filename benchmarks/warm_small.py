"""upsample against OpenCV on small float32 images in warm loops, one thread.

compare.py and sweep.py interleave the contenders, so every call finds its input and output
out of the caches, as in a pipeline that moves on to other work between two resizes. A
loop that calls one function over and over on the same small image (what `timeit` does)
keeps everything in cache instead, and there OpenCV's Intel IPP kernels are at their best.
This script times that case: medians of repeated calls, each contender in its own loop,
sizes from 32 x 32 to 384 x 384, 1, 3 and 4 channels, scales 2, 1.5 and 0.5. With
``--suite`` it times the 2-D float32 images of compare.py's suite the same way (warm), at 1
and 2 threads, the two contenders' calls alternating.

    python benchmarks/warm_small.py            # every row
    python benchmarks/warm_small.py --behind   # only the rows where OpenCV is faster
    python benchmarks/warm_small.py --suite    # the suite's images, warm, 1 and 2 threads
"""

import argparse
import statistics
import time

import numpy as np

from upsample import upsample
from workloads import WORKLOADS, make_input, median_ms

try:
    import cv2
except ImportError:  # pragma: no cover - the benchmarks extra installs it
    raise SystemExit("warm_small.py needs OpenCV (pip install '.[benchmarks]')") from None

INTERPOLATION = {"nearest": cv2.INTER_NEAREST, "linear": cv2.INTER_LINEAR,
                 "cubic": cv2.INTER_CUBIC}


def alternating_ms(ours, theirs, repeats):
    """Medians (ms) of two calls timed in turns, in alternating order, after a warm-up call
    of each: both keep the caches warm for the other, as two calls of one loop do."""
    ours()
    theirs()
    times = ([], [])
    for i in range(repeats):
        for which in ((0, 1) if i % 2 else (1, 0)):
            start = time.perf_counter()
            (ours, theirs)[which]()
            times[which].append(time.perf_counter() - start)
    return tuple(1e3 * statistics.median(t) for t in times)


def suite(repeats):
    """The 2-D float32 images of the suite (OpenCV resizes up to 4 channels), warm."""
    print("| workload | mode | threads | upsample ms | opencv ms | opencv / ups |")
    print("|---|---|---:|---:|---:|---:|")
    for shape, scale, modes, antialias, dtype in WORKLOADS:
        if len(shape) != 4 or shape[0] != 1 or shape[3] > 4 or antialias or dtype != "float32":
            continue
        x = make_input(shape, dtype)
        size = (int(shape[2] * scale), int(shape[1] * scale))
        for mode in modes:
            for threads in (1, 2):
                cv2.setNumThreads(threads)
                ours, theirs = alternating_ms(
                    lambda: upsample(x, scale, mode=mode, num_threads=threads),
                    lambda: cv2.resize(x[0], size, interpolation=INTERPOLATION[mode]),
                    repeats)
                print(f"| {shape} x{scale} | {mode} | {threads} | {ours:.3f} | {theirs:.3f} "
                      f"| {theirs / ours:.2f} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=41)
    parser.add_argument("--behind", action="store_true",
                        help="print only the rows where OpenCV is faster")
    parser.add_argument("--suite", action="store_true",
                        help="the suite's 2-D float32 images instead, at 1 and 2 threads")
    args = parser.parse_args()
    if args.suite:
        suite(args.repeats)
        return
    cv2.setNumThreads(1)
    rng = np.random.default_rng(0)
    print("| image | scale | mode | upsample µs | opencv µs | opencv / ups |")
    print("|---|---:|---|---:|---:|---:|")
    for side in (32, 64, 128, 256, 384):
        for channels in (1, 3, 4):
            x = rng.random((1, side, side, channels), dtype=np.float32)
            image = x[0] if channels > 1 else x[0, :, :, 0]
            for scale in (2.0, 1.5, 0.5):
                n = int(side * scale)
                for mode in ("nearest", "linear", "cubic"):
                    ours = 1e3 * median_ms(
                        lambda: upsample(x, scale, mode=mode, num_threads=1), args.repeats)
                    theirs = 1e3 * median_ms(lambda: cv2.resize(
                        image, (n, n), interpolation=INTERPOLATION[mode]), args.repeats)
                    if args.behind and theirs >= ours:
                        continue
                    print(f"| {side}x{side}x{channels} | {scale} | {mode} | {ours:.1f} | "
                          f"{theirs:.1f} | {theirs / ours:.2f} |")


if __name__ == "__main__":
    main()
