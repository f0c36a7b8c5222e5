"""A short tour of ``upsample``: each mode on a tiny array, a timed large image, and the
command line on generated image files.

Run it with ``upsample-demo`` (installed with the package) or
``python -m upsample.demo`` from outside the source tree. The image part
needs Pillow (``pip install "upsample[images]"``) and writes its files to
``./upsample-demo/``.
"""

import os
import time

import numpy as np

from . import Upsample, cli, kernel_info, upsample

DEMO_FOLDER = "upsample-demo"


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

    photo = np.random.default_rng(0).integers(0, 256, (1080, 1920, 3), dtype=np.uint8)
    print("\nA 1920x1080 uint8 RGB image (H, W, C) to 3840x2160, staying uint8:")
    for mode in ("linear", "cubic"):
        ms = _median_ms(lambda: upsample(photo, size=(2160, 3840), mode=mode, axes=(0, 1),
                                         dtype=np.uint8))
        print(f"  {mode:8s}: {ms:7.2f} ms")

    _command_line_demo()


def _test_card(height, width):
    """A synthetic picture with edges, gradients and fine detail (RGB, uint8)."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    rings = 0.5 + 0.5 * np.cos(((x - width / 2) ** 2 + (y - height / 2) ** 2) / (width * 1.5))
    red = 255 * x / (width - 1)
    green = 255 * rings
    blue = np.where((x // 16 + y // 16) % 2 == 0, 230, 25)
    return np.dstack([red, green, blue]).round().astype(np.uint8)


def _command_line_demo():
    """Write two small images, then run the ``upsample`` command on them."""
    try:
        from PIL import Image
    except ImportError:
        print('\n(Skipping the command line demo: it needs Pillow, pip install "upsample[images]")')
        return
    inputs = os.path.join(DEMO_FOLDER, "in")
    outputs = os.path.join(DEMO_FOLDER, "out")
    os.makedirs(inputs, exist_ok=True)
    card = _test_card(120, 160)
    Image.fromarray(card).save(os.path.join(inputs, "card.png"))
    depth = (card[..., 0].astype(np.uint16) * 257)  # a 16-bit grayscale ramp
    Image.fromarray(depth).save(os.path.join(inputs, "ramp16.png"))
    files = [os.path.join(inputs, name) for name in ("card.png", "ramp16.png")]
    command = ["upsample", *files, "-o", outputs, "--scale", "4", "--mode", "cubic",
               "--overwrite"]
    print(f"\nCommand line: {' '.join(command)}")
    status = cli.main(command[1:])
    for name in ("card.png", "ramp16.png"):
        with Image.open(os.path.join(outputs, name)) as result:
            print(f"  {outputs}/{name}: {result.size[0]}x{result.size[1]} mode {result.mode}")
    if status != 0:
        raise SystemExit(status)


if __name__ == "__main__":
    main()
