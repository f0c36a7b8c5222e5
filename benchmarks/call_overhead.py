"""What one call costs besides its kernels: small inputs, with warm and with cold caches.

A pipeline calls ``upsample`` between other work, so the caches are mostly cold
when a call starts. This script times calls on a tiny input, once right after
the previous call (warm) and once after writing a buffer larger than the last
level cache (cold), with the call's plan remembered (the default for a
repeated call) and planned afresh (the remembered plans dropped before the
timed call). OpenCV's ``cv2.resize`` of the same image is shown for scale
when it is installed.

With ``--loop`` it times instead what a repeated call costs in a warm loop, on
small jobs of benchmarks/sweep.py (64 x 64 and 96 x 128 images, the calls
that sweep.py makes, served from the remembered plan by identity): the
fastest of ``--repeat`` batches of ``--number`` calls, in µs per call, for
``upsample`` and for ``cv2.resize`` (after ``cv2.setNumThreads``, as sweep.py
calls it), the two alternating batch by batch. Batches rather than single
calls: a timer read costs about 0.05 µs, a few percent of these calls. Its last
lines time a loop that builds ``size=(h, w)`` at every call, and one call returning a
new array against the same call into ``out=``.

    python benchmarks/call_overhead.py [--repeat 101]
    python benchmarks/call_overhead.py --loop [--threads 1] [--number 2000]
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


# Small jobs of sweep.py, (height, width, channels, dtype, scale, mode): every mode
# and path (gathers, planar, halving, the fused uint8 passes), where the fixed cost of
# a call is most of it.
LOOP_JOBS = [
    (64, 64, 1, "float32", 0.25, "nearest"), (64, 64, 3, "uint8", 0.75, "nearest"),
    (96, 128, 1, "uint8", 0.5, "nearest"), (64, 64, 1, "float32", 0.25, "linear"),
    (64, 64, 4, "float32", 0.5, "linear"), (64, 64, 3, "float32", 0.75, "linear"),
    (96, 128, 1, "float32", 1.25, "linear"), (64, 64, 1, "uint8", 0.25, "linear"),
    (64, 64, 4, "uint8", 0.5, "linear"), (64, 64, 1, "float32", 0.25, "cubic"),
    (64, 64, 4, "uint8", 0.25, "cubic"), (96, 128, 1, "float32", 0.25, "cubic"),
]


def _batch_us(call, number):
    """µs per call of ``number`` calls in a row."""
    start = time.perf_counter()
    for _ in range(number):
        call()
    return (time.perf_counter() - start) / number * 1e6


def loop(args):
    """The --loop table: repeated calls of small sweep jobs against cv2.resize, warm."""
    print(f"warm loops, {args.threads} thread(s): fastest of {args.repeat} batches of "
          f"{args.number} calls, µs per call; load average "
          f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}\n")
    print("| job | upsample µs | cv2.resize µs | cv2 / upsample |")
    print("|---|---:|---:|---:|")
    rng = np.random.default_rng(0)
    flags = {"nearest": "INTER_NEAREST", "linear": "INTER_LINEAR", "cubic": "INTER_CUBIC"}
    for height, width, channels, dtype, scale, mode in LOOP_JOBS:
        shape = (1, height, width, channels)
        if dtype == "uint8":
            x = rng.integers(0, 256, shape, dtype=np.uint8)
        else:
            x = rng.random(shape, dtype=np.float32)
        # sweep.py's calls (compare.make_upsample and make_opencv).
        out_dtype = x.dtype if x.dtype.kind in "iu" else None
        threads = args.threads

        def ours():
            upsample(x, scale, mode=mode, antialias=False, dtype=out_dtype,
                     num_threads=threads)

        contenders = [ours]
        if cv2 is not None:
            image, size, flag = x[0], (int(width * scale), int(height * scale)), \
                getattr(cv2, flags[mode])

            def theirs():
                cv2.setNumThreads(threads)
                cv2.resize(image, size, interpolation=flag)

            contenders.append(theirs)
        best = [float("inf")] * len(contenders)
        for call in contenders:
            call()
            call()
        for _ in range(args.repeat):
            for i, call in enumerate(contenders):
                best[i] = min(best[i], _batch_us(call, args.number))
        cells = [f"{best[0]:.2f}"]
        cells += [f"{best[1]:.2f}", f"{best[1] / best[0]:.2f}"] if cv2 is not None else ["-", "-"]
        print(f"| {height}x{width}x{channels} {dtype} x{scale:g} {mode} | "
              + " | ".join(cells) + " |", flush=True)
    # A loop that builds its arguments at every call (size=(h, w) from variables): equal
    # values in new objects, served as the last call again or through the plans' keys.
    x = rng.random((1, 64, 64, 1), dtype=np.float32)
    height = width = 16

    def built():
        upsample(x, size=(height, width), mode="nearest", num_threads=args.threads)

    built()
    best = min(_batch_us(built, args.number) for _ in range(args.repeat))
    print(f"\n64x64x1 float32 nearest, size=(h, w) built at every call: {best:.2f} µs per call")
    # The same call returning a new array and writing into out= (a preallocated result).
    x = rng.random((1, 16, 16, 3), dtype=np.float32)
    into = upsample(x, 0.5, mode="linear")

    def returned():
        upsample(x, 0.5, mode="linear", num_threads=args.threads)

    def written():
        upsample(x, 0.5, mode="linear", out=into, num_threads=args.threads)

    times = {}
    for call in (returned, written):
        call()
        times[call.__name__] = min(_batch_us(call, args.number) for _ in range(args.repeat))
    print(f"16x16x3 float32 x0.5 linear: {times['returned']:.2f} µs per call returning a new "
          f"array, {times['written']:.2f} µs into out=")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=101)
    parser.add_argument("--shape", default="1,10,10,3")
    parser.add_argument("--loop", action="store_true",
                        help="warm loops of small sweep jobs against cv2.resize")
    parser.add_argument("--threads", type=int, default=1, help="with --loop")
    parser.add_argument("--number", type=int, default=2000,
                        help="calls per timed batch, with --loop")
    args = parser.parse_args(argv)
    if args.loop:
        return loop(args)
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
