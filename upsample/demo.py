"""A short tour of ``upsample``: each mode on a tiny array, a timed large image, the
command line on generated image files, and images with alpha and in linear light
side by side.

Run it with ``upsample-demo`` (installed with the package) or
``python -m upsample.demo`` from outside the source tree. The image part
needs Pillow (``pip install "upsample[images]"``) and writes its files to
``./upsample-demo/``; ``tools/figures.py`` draws the README's figure with the
pictures made here.
"""

import os
import time

import numpy as np

from . import Upsample, cli, kernel_info, upsample, upsample_image

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
    _colour_demo(Image, inputs)


# --- Images that look right: premultiplied alpha and linear light -------------------------

def red_square():
    """A 10 x 10 opaque red square on a transparent 16 x 16 image (RGBA, uint8)."""
    image = np.zeros((16, 16, 4), dtype=np.uint8)
    image[3:13, 3:13] = (255, 0, 0, 255)
    return image


def fine_detail(height=48, tile=128):
    """Four tiles of one-pixel detail (RGB, uint8): black and white stripes, a black and white
    checkerboard, a red and green checkerboard, blue and yellow stripes."""
    y, x = np.mgrid[0:height, 0:tile]
    stripes = (x % 2 == 0)[..., None]
    checks = ((x + y) % 2 == 0)[..., None]
    black, white = np.array([0, 0, 0]), np.array([255, 255, 255])
    tiles = [
        np.where(stripes, white, black),
        np.where(checks, white, black),
        np.where(checks, np.array([255, 0, 0]), np.array([0, 255, 0])),
        np.where(stripes, np.array([0, 0, 255]), np.array([255, 255, 0])),
    ]
    return np.concatenate(tiles, axis=1).astype(np.uint8)


# The cases shown: the red square enlarged, the fine detail shrunk (1 / 4, antialiased).
ALPHA_CASE = {"scale_factor": 8, "mode": "linear", "axes": (0, 1)}
LIGHT_CASE = {"scale_factor": 0.25, "mode": "linear", "antialias": True, "axes": (0, 1)}


def alpha_comparison():
    """The red square enlarged: (channel by channel, premultiplied), RGBA uint8."""
    square = red_square()
    return (upsample(square, dtype=np.uint8, **ALPHA_CASE),
            upsample_image(square, alpha=3, **ALPHA_CASE))


def linear_light_comparison():
    """The fine detail shrunk: (in sRGB values, in linear light), RGB uint8."""
    pattern = fine_detail()
    return upsample_image(pattern, **LIGHT_CASE), upsample_image(pattern, linear_light=True,
                                                                 **LIGHT_CASE)


def _over_checkerboard(rgba, square=8):
    """An RGBA image composited over a light grey checkerboard (RGB, uint8)."""
    y, x = np.mgrid[0:rgba.shape[0], 0:rgba.shape[1]]
    board = np.where(((y // square + x // square) % 2 == 0), 255.0, 204.0)[..., None]
    coverage = rgba[..., 3:] / 255.0
    return np.rint(rgba[..., :3] * coverage + board * (1 - coverage)).astype(np.uint8)


def _captioned(Image, rows, margin=10, caption_height=22):
    """One picture of ``rows``: each a list of (caption, RGB uint8 array) side by side."""
    from PIL import ImageDraw, ImageFont
    try:
        font = ImageFont.load_default(size=15)
    except TypeError:  # Pillow before 10.1: one bitmap size
        font = ImageFont.load_default()
    widths = [sum(panel.shape[1] for _, panel in row) + margin * (len(row) - 1) for row in rows]
    heights = [caption_height + max(panel.shape[0] for _, panel in row) for row in rows]
    canvas = Image.new("RGB", (max(widths) + 2 * margin,
                               sum(heights) + margin * (len(rows) + 1)), "white")
    draw = ImageDraw.Draw(canvas)
    top = margin
    for row, height in zip(rows, heights):
        left = margin
        for caption, panel in row:
            draw.text((left, top), caption, fill="black", font=font)
            canvas.paste(Image.fromarray(panel), (left, top + caption_height))
            left += panel.shape[1] + margin
        top += height + margin
    return canvas


def alpha_picture(Image):
    """The red square enlarged x8, channel by channel beside premultiplied, over a checkerboard."""
    before, after = alpha_comparison()
    enlarge = {"scale_factor": 2, "axes": (0, 1)}  # nearest: pixels shown as 2 x 2 blocks
    return _captioned(Image, [[
        ("channel by channel (dark fringe)", upsample(_over_checkerboard(before), **enlarge)),
        ("premultiplied alpha", upsample(_over_checkerboard(after), **enlarge)),
    ]])


def linear_light_picture(Image):
    """One-pixel detail, and the same shrunk x0.25 in sRGB values and in linear light (shown
    enlarged x4 with nearest)."""
    srgb, light = linear_light_comparison()
    enlarge = {"scale_factor": 4, "axes": (0, 1)}
    return _captioned(Image, [
        [("input: one-pixel detail (look from a distance)", fine_detail())],
        [("shrunk x0.25 in sRGB values: too dark", upsample(srgb, **enlarge))],
        [("shrunk x0.25 in linear light", upsample(light, **enlarge))],
    ])


def _colour_demo(Image, inputs):
    """Run the command on the two cases and write the pictures side by side."""
    square_path = os.path.join(inputs, "red-square.png")
    detail_path = os.path.join(inputs, "fine-detail.png")
    Image.fromarray(red_square()).save(square_path)
    Image.fromarray(fine_detail()).save(detail_path)
    runs = [
        (square_path, "out-alpha", ["--scale", "8", "--mode", "linear"], alpha_comparison()[1]),
        (detail_path, "out-srgb", ["--scale", "0.25", "--mode", "linear", "--antialias"],
         linear_light_comparison()[0]),
        (detail_path, "out-linear-light", ["--scale", "0.25", "--mode", "linear", "--antialias",
                                           "--linear-light"], linear_light_comparison()[1]),
    ]
    print("\nImages with alpha and in linear light:")
    for path, folder, options, expected in runs:
        outputs = os.path.join(DEMO_FOLDER, folder)
        command = ["upsample", path, "-o", outputs, *options, "--overwrite"]
        print(f"  {' '.join(command)}")
        if cli.main(command[1:]) != 0:
            raise SystemExit(1)
        with Image.open(os.path.join(outputs, os.path.basename(path))) as result:
            if not np.array_equal(np.asarray(result), expected):
                raise SystemExit(f"{outputs}: the command's output differs from upsample_image's")

    before, after = alpha_comparison()
    edge = (after[..., 3] > 0) & (after[..., 3] < 255)
    print(f"  red square x8, its {edge.sum()} partly transparent pixels: red "
          f"{before[..., 0][edge].min()}..{before[..., 0][edge].max()} channel by channel, "
          f"{after[..., 0][edge].min()}..{after[..., 0][edge].max()} premultiplied")
    srgb, light = linear_light_comparison()
    centre = (slice(2, -2), slice(2, 30))  # inside the black and white stripes' tile
    print(f"  black and white stripes x0.25: {np.median(srgb[centre]):.0f} in sRGB values, "
          f"{np.median(light[centre]):.0f} in linear light (half the light is sRGB 188)")
    for name, picture in (("alpha-side-by-side.png", alpha_picture(Image)),
                          ("linear-light-side-by-side.png", linear_light_picture(Image))):
        picture.save(os.path.join(DEMO_FOLDER, name))
        print(f"  wrote {DEMO_FOLDER}/{name} ({picture.size[0]}x{picture.size[1]})")


if __name__ == "__main__":
    main()
