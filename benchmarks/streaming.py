"""Large outputs written with streaming stores against through the caches, beside OpenCV.

upsample._streaming decides per CPU whether the planners stream outputs of 4 MB
and more (16 MB for nearest). This times each job three ways in one run, in
rotating order: streaming forced on, forced off, and OpenCV's cv2.resize, and
prints the medians and the ratios (OpenCV's time over ours: above 1, faster).
The switch is the planners' own (``_streaming.ENABLED``, the plans dropped before
each call, the output block kept), so both variants run the same kernels and give the
same bits.

    python benchmarks/streaming.py                  # 1 thread, about a minute
    python benchmarks/streaming.py --threads 2
    python benchmarks/streaming.py --repeats 31
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402

import upsample  # noqa: E402
from upsample import _api, _streaming  # noqa: E402
from compare import machine_description, make_opencv  # noqa: E402
from sweep import make_input  # noqa: E402

# (size, channels, dtype, scale, mode): outputs from 13 MB to 133 MB (the 48 MB L3
# of the Intel VM this was written on lies in between).
JOBS = [
    ("720p", 4, "uint8", 1.25, "cubic"), ("1080p", 4, "uint8", 1.25, "cubic"),
    ("1080p", 3, "uint8", 2.0, "cubic"), ("720p", 3, "uint8", 3.0, "cubic"),
    ("1080p", 3, "uint8", 2.0, "linear"), ("4K", 3, "uint8", 2.0, "linear"),
    ("1080p", 3, "uint8", 4.0, "cubic"), ("1080p", 3, "float32", 2.0, "linear"),
    ("720p", 4, "float32", 1.25, "cubic"), ("4K", 1, "float32", 2.0, "linear"),
    ("1080p", 1, "uint8", 3.0, "nearest"), ("4K", 3, "uint8", 2.0, "nearest"),
]


def timed(x, scale, mode, threads, enabled):
    """A call of upsample with streaming on or off, returning its seconds."""
    dtype = x.dtype if x.dtype == np.uint8 else None

    def run():
        _streaming.ENABLED = enabled
        # The plans only: upsample.clear_caches() would hand back the output block
        # too, and every call would then pay for faulting in a fresh one.
        _api._PLANS.clear()
        start = time.perf_counter()
        upsample.upsample(x, scale, mode=mode, dtype=dtype, num_threads=threads)
        return time.perf_counter() - start

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    default = _streaming.ENABLED
    print(f"# {machine_description()}; this CPU's default: streaming "
          f"{'on' if default else 'off'}; {args.threads} thread(s)", file=sys.stderr)
    print("| job | streamed ms | not streamed ms | OpenCV ms | OpenCV / streamed "
          "| OpenCV / not streamed |")
    print("|---|---:|---:|---:|---:|---:|")
    for size, channels, dtype, scale, mode in JOBS:
        x = make_input(size, channels, dtype)
        opencv = make_opencv(x, scale, mode, False, args.threads)

        def opencv_timed():
            start = time.perf_counter()
            opencv()
            return time.perf_counter() - start

        calls = {"on": timed(x, scale, mode, args.threads, True),
                 "off": timed(x, scale, mode, args.threads, False), "opencv": opencv_timed}
        names = list(calls)
        samples = {name: [] for name in names}
        for name in names:  # warm-up
            calls[name]()
        for rep in range(args.repeats):
            for name in names[rep % 3:] + names[:rep % 3]:
                samples[name].append(calls[name]())
        on, off, cv = (1e3 * statistics.median(samples[name]) for name in names)
        print(f"| {size}x{channels} {dtype} x{scale:g} {mode} | {on:.2f} | {off:.2f} | "
              f"{cv:.2f} | {cv / on:.2f} | {cv / off:.2f} |", flush=True)
    _streaming.ENABLED = default
    upsample.clear_caches()


if __name__ == "__main__":
    main()
