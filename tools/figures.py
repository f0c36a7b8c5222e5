"""Draw the README's figure of premultiplied alpha and linear light: docs/colour.png.

    pip install ".[images]" && python tools/figures.py

The pictures are the demo's (``upsample.demo.alpha_picture`` and
``linear_light_picture``, also written by ``upsample-demo``), computed by the installed
package: the red square of issue 22 enlarged x8 in linear mode, channel by channel and
premultiplied, and one-pixel detail shrunk x0.25 (linear, antialiased) in sRGB values and
in linear light. They are stacked into one PNG, kept narrow enough to be shown at its own
size (a browser that shrinks it would average the one-pixel detail itself).
"""

import argparse
import os

import numpy as np
from PIL import Image

from upsample import demo

DEFAULT_OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs",
                              "colour.png")


def colour_figure():
    """The two pictures, one above the other, on white (a Pillow RGB image)."""
    pictures = [np.asarray(demo.alpha_picture(Image)), np.asarray(demo.linear_light_picture(Image))]
    width = max(picture.shape[1] for picture in pictures)
    padded = [np.pad(picture, ((0, 0), (0, width - picture.shape[1]), (0, 0)),
                     constant_values=255) for picture in pictures]
    return Image.fromarray(np.concatenate(padded, axis=0))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default=DEFAULT_OUTPUT, help="the PNG to write")
    args = parser.parse_args()
    figure = colour_figure()
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    figure.save(args.output, optimize=True)
    print(f"wrote {os.path.normpath(args.output)} ({figure.size[0]}x{figure.size[1]})")


if __name__ == "__main__":
    main()
