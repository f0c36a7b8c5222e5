"""upsample against OpenCV on small float32 images in warm loops, one thread.

compare.py and sweep.py interleave the contenders, so every call finds its input and output
out of the caches, as in a pipeline that moves on to other work between two resizes. A
loop that calls one function over and over on the same small image (what `timeit` does)
keeps everything in cache instead, and there OpenCV's Intel IPP kernels are at their best.
This script times that case: medians of repeated calls, each contender in its own loop,
sizes from 32 x 32 to 384 x 384, 1, 3 and 4 channels, scales 2, 1.5 and 0.5.

    python benchmarks/warm_small.py            # every row
    python benchmarks/warm_small.py --behind   # only the rows where OpenCV is faster
"""

import argparse

import numpy as np

from upsample import upsample
from workloads import median_ms

try:
    import cv2
except ImportError:  # pragma: no cover - the benchmarks extra installs it
    raise SystemExit("warm_small.py needs OpenCV (pip install '.[benchmarks]')") from None

INTERPOLATION = {"nearest": cv2.INTER_NEAREST, "linear": cv2.INTER_LINEAR,
                 "cubic": cv2.INTER_CUBIC}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=41)
    parser.add_argument("--behind", action="store_true",
                        help="print only the rows where OpenCV is faster")
    args = parser.parse_args()
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
