"""A short tour of ``upsample``: each mode on a tiny array, then a timed large image.

Run it with ``upsample-demo`` (installed with the package) or
``python -m upsample.demo`` from outside the source tree.
"""

import time

import numpy as np

from . import Upsample, kernel_info, upsample


def _show(title, array):
    print(f"\n{title}  (dtype {array.dtype}, shape {array.shape})")
    print(np.array2string(array, precision=3, suppress_small=True))


def _median_ms(function, repeats=7):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def main():
    """Print every mode on a 2x2 image, then time a 1024x1024 RGB upscale."""
    info = kernel_info()
    print(f"upsample: kernels={info['kernels']} openmp={info['openmp']} "
          f"default threads={info['default_num_threads']}")

    x = np.arange(1, 5, dtype=np.int32).reshape(1, 2, 2, 1)
    _show("input (1, 2, 2, 1), shown as its 2x2 plane", x[0, :, :, 0])
    for layer in (
        Upsample(2, mode="nearest"),
        Upsample(2, mode="linear"),
        Upsample(2, mode="linear", align_corners=True),
        Upsample(2, mode="cubic"),
        Upsample(1.5, mode="nearest"),
    ):
        _show(repr(layer), layer(x)[0, :, :, 0])

    ramp = np.linspace(0, 1, 8, dtype=np.float32).reshape(1, 8, 1)
    _show("Upsample(0.5, mode='linear', antialias=True) on an 8-sample ramp",
          upsample(ramp, 0.5, mode="linear", antialias=True)[0, :, 0])

    image = np.random.default_rng(0).random((1, 1024, 1024, 3), dtype=np.float32)
    print("\nTiming a (1, 1024, 1024, 3) float32 image at scale 2 (median of 7 runs):")
    for mode in ("nearest", "linear", "cubic"):
        for threads in sorted({1, info["default_num_threads"]}):
            ms = _median_ms(lambda: upsample(image, 2, mode=mode, num_threads=threads))
            print(f"  {mode:8s} threads={threads}: {ms:7.2f} ms")


if __name__ == "__main__":
    main()
