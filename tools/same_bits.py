"""Differential check of the kernels: one sha256 per output of a fixed set of random calls.

A restructuring of the kernels must leave every output byte as it was. This script makes
the same deterministic set of ``upsample`` calls under whatever build is installed and
records a hash of each result (its dtype, shape and bytes, every NaN counted as the same
NaN: see tests/reference_cases.canonical_nans), so that two builds can be compared call by call:

    /work/venv-main/bin/python tools/same_bits.py --out /tmp/main.json
    python tools/same_bits.py --out /tmp/new.json
    UPSAMPLE_KERNELS=base python tools/same_bits.py --out /tmp/new-base.json
    python tools/same_bits.py --compare /tmp/main.json /tmp/new.json

The cases go through the public API only, so any build of the package runs them. They are
built from a seeded random generator and never from the build (its kernels, its CPU), so
every build makes the same calls; a case that raises records its error instead of a hash.
The families aim at every path the planners (upsample/_plan*.py) can choose: nearest
gathers of every element size, with the scale-2 repetition, the every-other-column packs,
the permuted 4- and 8-byte copies, long rows repeated without a table and streamed large
outputs; linear, cubic and antialias up, down and at fractional scales, align_corners, one
to four spatial axes (the horizontal, planar, fused 3-D and vertical passes), float32,
float64, complex and integer data, uint8 to uint8 (width first, height first, row tiles and
row pairs), the exact halving and doubling kernels, dtype=, size=, axes=, out=, strided and
Fortran-ordered inputs, 1 and 2 threads. Which compiled entry points and options the cases
reached is tallied and written beside the hashes (the tally is informative: the two builds
of one source make the same plans except where a path exists in the AVX2 build only).
"""

import argparse
import collections
import contextlib
import hashlib
import json
import os
import sys
import time

import numpy as np

# The rule that makes two results the same (NaNs canonical, every other bit compared) is
# the stored references' (tests/reference_cases.py), shared here.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from reference_cases import call_arguments, digest  # noqa: E402

SEED = 20240615

FLOAT_DTYPES = ["float32", "float64", "float16"]
INT_DTYPES = ["uint8", "int8", "uint16", "int16", "int32", "uint32", "int64", "bool"]
COMPLEX_DTYPES = ["complex64", "complex128"]
# Element sizes of nearest gathers: (dtype, channels) pairs whose pixel is that many bytes.
GATHER_ELEMENTS = {
    1: [("uint8", 1), ("bool", 1), ("int8", 1)],
    2: [("uint8", 2), ("int16", 1), ("float16", 1)],
    3: [("uint8", 3)],
    4: [("uint8", 4), ("float32", 1), ("int16", 2), ("int32", 1)],
    5: [("uint8", 5)],
    6: [("uint8", 6), ("int16", 3), ("float16", 3)],
    8: [("float32", 2), ("float64", 1), ("uint8", 8), ("int16", 4), ("complex64", 1)],
    12: [("float32", 3), ("int32", 3)],
    16: [("float32", 4), ("float64", 2), ("complex128", 1)],
    24: [("float64", 3), ("float32", 6)],
    32: [("float32", 8), ("float64", 4)],
    20: [("float32", 5)],
}
UP_SCALES = [1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 1.3333, 1.1, 1.75, 8.0]
DOWN_SCALES = [0.5, 0.75, 0.25, 0.3, 0.6, 0.9, 0.4, 1 / 3, 0.125, 0.8]
NEAREST_INTEGRAL = [1, 2, 3, 4]


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------


def make_input(rng, shape, dtype, special=False):
    """Random data of ``dtype``: integers over their whole range, floats of mixed
    magnitudes and signs, with NaN and infinities sprinkled in when ``special``."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.integers(0, 2, shape).astype(np.bool_)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)
    if dtype.kind == "c":
        real = make_input(rng, shape, np.float64, special)
        imag = make_input(rng, shape, np.float64, False)
        return (real + 1j * imag).astype(dtype)
    values = rng.standard_normal(shape) * rng.choice([1.0, 100.0, 1e4], size=shape)
    if special and values.size:
        flat = values.reshape(-1)
        picks = rng.integers(0, flat.size, max(1, flat.size // 50))
        flat[picks] = rng.choice([np.nan, np.inf, -np.inf], size=picks.size)
    return values.astype(dtype)


def laid_out(rng, array, layout):
    """``array`` (C order) with the same values in another memory layout."""
    if layout == "C":
        return array
    if layout == "F":
        return np.asfortranarray(array)
    if layout == "strided":
        # Every other element of a larger array along the first two spatial axes.
        shape = list(array.shape)
        big = np.empty([n * 2 if 0 < a < min(3, array.ndim - 1) else n
                        for a, n in enumerate(shape)], array.dtype)
        view = big[tuple(slice(None, None, 2) if 0 < a < min(3, array.ndim - 1) else slice(None)
                         for a in range(array.ndim))]
        view[...] = array
        return view
    if layout == "reversed":
        # Negative strides along the last spatial axis.
        flipped = np.ascontiguousarray(np.flip(array, axis=-2))
        return np.flip(flipped, axis=-2)
    if layout == "channels_strided":
        # Channels not adjacent: the pixel's items lie a channel plane apart.
        moved = np.ascontiguousarray(np.moveaxis(array, -1, 1))
        return np.moveaxis(moved, 1, -1)
    if layout == "offset":
        # Data starting at an odd byte address (an unaligned buffer).
        raw = np.empty(array.nbytes + 1, np.uint8)
        view = raw[1:].view(array.dtype).reshape(array.shape)
        view[...] = array
        return view
    raise ValueError(layout)


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------


def _case(family, shape, dtype, mode="nearest", scale=None, size=None, align_corners=False,
          antialias=False, out_dtype=None, layout="C", threads=1, axes=None, out=None,
          special=False):
    """A call, as plain JSON values (so that the file says what each hash is of)."""
    return {
        "family": family, "shape": list(shape), "dtype": dtype, "mode": mode,
        "scale": scale, "size": size, "align_corners": align_corners, "antialias": antialias,
        "out_dtype": out_dtype, "layout": layout, "threads": threads, "axes": axes,
        "out": out, "special": special,
    }


def _spatial(rng, n_spatial, low, high):
    return [int(rng.integers(low, high + 1)) for _ in range(n_spatial)]


def _scale(rng, up=None):
    """An up or down scale (random direction when ``up`` is None)."""
    if up is None:
        up = rng.random() < 0.5
    pool = UP_SCALES if up else DOWN_SCALES
    return float(pool[rng.integers(len(pool))])


def nearest_cases(rng):
    cases = []
    sizes = sorted(GATHER_ELEMENTS)
    # Every element size, at integral, fractional and mixed scales, in several layouts.
    for i in range(330):
        elem = sizes[i % len(sizes)]
        dtype, channels = GATHER_ELEMENTS[elem][rng.integers(len(GATHER_ELEMENTS[elem]))]
        n_spatial = int(rng.choice([1, 2, 2, 2, 3]))
        spatial = _spatial(rng, n_spatial, 1, 40 if n_spatial < 3 else 12)
        kind = i % 4
        if kind == 0:
            scale = [float(rng.choice(NEAREST_INTEGRAL)) for _ in spatial]
        elif kind == 1:
            scale = [_scale(rng) for _ in spatial]
        elif kind == 2:
            scale = [float(rng.choice([0.5, 2.0, 1 / 3, 0.25])) for _ in spatial]
        else:
            scale = float(rng.choice([1.5, 0.75, 1.3333, 0.9, 1.1]))
        layout = str(rng.choice(["C", "C", "C", "F", "strided", "reversed", "channels_strided",
                                 "offset"]))
        cases.append(_case("nearest", [int(rng.integers(1, 3))] + spatial + [channels], dtype,
                           scale=scale, layout=layout, threads=int(rng.choice([1, 2]))))
    # Scale 2 on the last axis over contiguous pixels (the repetition of whole words),
    # and every other column of one-byte and one-float pixels (the vector packs).
    for i in range(90):
        elem = [1, 2, 3, 4, 8, 12, 16, 24, 6][i % 9]
        dtype, channels = GATHER_ELEMENTS[elem][rng.integers(len(GATHER_ELEMENTS[elem]))]
        w = int(rng.integers(1, 300))
        h = int(rng.integers(1, 20))
        if i % 3 == 2:
            scale = [float(rng.choice([1, 2, 3])), 0.5]
            dtype, channels = [("uint8", 1), ("float32", 1), ("bool", 1), ("int32", 1)][i % 4]
        else:
            scale = [float(rng.choice([1, 2, 3])), 2.0]
        cases.append(_case("nearest_columns", [1, h, w, channels], dtype, scale=scale,
                           layout=str(rng.choice(["C", "C", "offset", "F"])),
                           threads=int(rng.choice([1, 2]))))
    # The permuted 4- and 8-byte copies: runs whose sources fit in one 32-byte vector
    # (upscales), mild downscales where some do, and rows long enough to reach them.
    for i in range(90):
        dtype, channels = [("uint8", 4), ("float32", 1), ("float32", 2), ("float64", 1),
                           ("int16", 2), ("int16", 4)][i % 6]
        w = int(rng.integers(3, 200))
        sx = float(rng.choice([1.1, 1.25, 1.5, 1.75, 2.5, 3.0, 0.9, 0.8, 0.95, 5.0]))
        cases.append(_case("nearest_permuted", [1, int(rng.integers(1, 6)), w, channels], dtype,
                           scale=[float(rng.choice([1.0, 1.5])), sx],
                           threads=int(rng.choice([1, 2]))))
    # Rows split between threads (few rows, long ones) and size= targets.
    for i in range(30):
        elem = sizes[i % len(sizes)]
        dtype, channels = GATHER_ELEMENTS[elem][0]
        w = int(rng.integers(2000, 9000))
        cases.append(_case("nearest_blocks", [1, 1, w, channels], dtype,
                           size=[int(rng.integers(1, 3)), int(w * rng.choice([0.7, 1.5, 2]))],
                           threads=2))
    # Images large enough for two threads, every element size (the permuted copies,
    # the repetition and the packs included).
    for i in range(72):
        elem = sizes[i % len(sizes)]
        dtype, channels = GATHER_ELEMENTS[elem][rng.integers(len(GATHER_ELEMENTS[elem]))]
        h, w = _spatial(rng, 2, 120, 360)
        kind = i % 4
        if kind == 0:
            scale = [float(rng.choice([1, 2])), 2.0]
        elif kind == 1:
            scale = [float(rng.choice([1, 2, 0.5])), 0.5]
        else:
            scale = [_scale(rng), _scale(rng)]
        cases.append(_case("nearest_threads", [1, h, w, channels], dtype, scale=scale,
                           layout=str(rng.choice(["C", "C", "C", "F", "channels_strided"])),
                           threads=2))
    # Long rows at an integral scale: repeated without a column table.
    for dtype, channels, n, factor in [("uint8", 1, 1 << 19, 2), ("float32", 2, 300000, 4),
                                       ("int16", 1, 400000, 3), ("uint8", 3, 350000, 3),
                                       ("float64", 1, 1 << 18, 4), ("uint8", 5, 1 << 18, 4),
                                       ("float32", 1, 1 << 19, 2), ("complex128", 1, 1 << 19, 2)]:
        for threads in (1, 2):
            cases.append(_case("nearest_long_repeat", [1, n, channels], dtype,
                               scale=float(factor), threads=threads))
    cases.append(_case("nearest_long_repeat", [2, 3, 1 << 18, 1], "uint8", scale=[2.0, 4.0],
                       threads=2))
    # Outputs of 16 MB and more: staged and streamed.
    for dtype, shape, scale in [("uint8", [1, 1024, 1024, 4], 2.0),
                                ("float32", [1, 700, 700, 3], 1.5),
                                ("float32", [1, 800, 800, 3], 2.0),
                                ("float32", [1, 512, 512, 4], [3.0, 2.5]),
                                ("uint8", [1, 1500, 1500, 3], 1.5)]:
        for threads in (1, 2):
            cases.append(_case("nearest_large", shape, dtype, scale=scale, threads=threads))
    return cases


def weighted_cases(rng):
    cases = []
    # Random 2-D images: every dtype, mode, direction, channel count, both orders.
    for i in range(620):
        dtype = str(rng.choice(["float32"] * 6 + ["float64"] * 2 + ["uint8"] * 2
                               + ["float16", "int16", "int32", "bool", "complex64",
                                  "complex128", "int8", "uint16", "int64"]))
        mode = "linear" if i % 2 == 0 else "cubic"
        align = bool(rng.random() < 0.2)
        antialias = bool(not align and rng.random() < 0.35)
        channels = int(rng.choice([1, 1, 2, 3, 3, 3, 4, 4, 5, 7, 8, 9, 16]))
        h, w = _spatial(rng, 2, 1, 70)
        kind = i % 5
        if kind == 0:
            scale = [_scale(rng, True), _scale(rng, True)]
        elif kind == 1:
            scale = [_scale(rng, False), _scale(rng, False)]
        elif kind == 2:
            scale = [_scale(rng), _scale(rng)]
        elif kind == 3:
            scale = _scale(rng)
        else:
            scale = [float(rng.choice([1.0, 2.0, 0.5])), _scale(rng)]
        out_dtype = None
        if dtype == "uint8" and rng.random() < 0.6:
            out_dtype = "uint8"
        elif dtype.startswith("complex"):
            pass  # a real dtype= would discard the imaginary part (an error)
        elif rng.random() < 0.1:
            out_dtype = str(rng.choice(["int16", "float64", "uint8", "float16", "int32"]))
        layout = str(rng.choice(["C"] * 6 + ["F", "strided", "reversed", "channels_strided",
                                             "offset"]))
        cases.append(_case("weighted_2d", [int(rng.integers(1, 3)), h, w, channels], dtype, mode,
                           scale=scale, align_corners=align, antialias=antialias,
                           out_dtype=out_dtype, layout=layout, threads=int(rng.choice([1, 2])),
                           special=bool(rng.random() < 0.1)))
    # Larger images, where the row tiles, row pairs, prefetching and two threads engage.
    for i in range(170):
        dtype = str(rng.choice(["float32", "float32", "uint8", "float64"]))
        mode = str(rng.choice(["linear", "cubic"]))
        antialias = bool(rng.random() < 0.5)
        channels = int(rng.choice([1, 3, 3, 4, 2, 8]))
        h, w = _spatial(rng, 2, 60, 260)
        if i % 3 == 0:
            scale = [_scale(rng, False), _scale(rng, False)]
        elif i % 3 == 1:
            scale = [_scale(rng, False), _scale(rng, True)]
        else:
            scale = [_scale(rng, True), float(rng.choice([0.5, 0.75, 1.5, 2.0]))]
        out_dtype = "uint8" if dtype == "uint8" and rng.random() < 0.8 else None
        cases.append(_case("weighted_2d_large", [1, h, w, channels], dtype, mode, scale=scale,
                           antialias=antialias, out_dtype=out_dtype,
                           threads=int(rng.choice([1, 2]))))
    # One spatial axis (the pass along the rows of pixels alone).
    for i in range(160):
        dtype = str(rng.choice(["float32", "float32", "float64", "uint8", "int16",
                                "complex64"]))
        mode = "linear" if i % 2 == 0 else "cubic"
        align = bool(rng.random() < 0.2)
        antialias = bool(not align and rng.random() < 0.3)
        channels = int(rng.choice([1, 2, 3, 4, 5, 8, 12]))
        n = int(rng.integers(1, 400))
        scale = float(rng.choice([2.0, 2.0] + UP_SCALES + DOWN_SCALES))
        cases.append(_case("weighted_1d", [int(rng.integers(1, 4)), n, channels], dtype, mode,
                           scale=scale, align_corners=align, antialias=antialias,
                           out_dtype="uint8" if dtype == "uint8" and i % 4 == 0 else None,
                           threads=int(rng.choice([1, 2]))))
    # Long single rows (signals), split between two threads.
    for i in range(40):
        dtype = str(rng.choice(["float32", "float32", "float64", "uint8"]))
        mode = "linear" if i % 2 == 0 else "cubic"
        channels = int(rng.choice([1, 2, 3, 4, 8]))
        scale = float(rng.choice([2.0, 2.0, 1.5, 0.75, 3.0, 0.5]))
        cases.append(_case("weighted_1d_long", [int(rng.integers(1, 3)),
                                                 int(rng.integers(20000, 90000)), channels],
                           dtype, mode, scale=scale, antialias=bool(i % 5 == 4),
                           out_dtype="uint8" if dtype == "uint8" and i % 3 else None,
                           threads=2))
    # Three spatial axes: the fused volume pass (depth not shrinking), else a vertical
    # pass and a planar one; four axes add another vertical pass.
    for i in range(150):
        dtype = str(rng.choice(["float32", "float32", "float64", "uint8", "complex64"]))
        mode = "linear" if i % 2 == 0 else "cubic"
        antialias = bool(rng.random() < 0.25)
        channels = int(rng.choice([1, 2, 3, 4, 8]))
        d, h, w = _spatial(rng, 3, 1, 18)
        if i % 3 == 0:
            scale = [_scale(rng, True), _scale(rng), _scale(rng)]
        elif i % 3 == 1:
            scale = _scale(rng)
        else:
            scale = [float(rng.choice([1.0, 2.0, 0.5, 1.5])), 2.0, _scale(rng)]
        cases.append(_case("weighted_3d", [int(rng.integers(1, 3)), d, h, w, channels], dtype,
                           mode, scale=scale, antialias=antialias,
                           out_dtype="uint8" if dtype == "uint8" and i % 2 else None,
                           threads=int(rng.choice([1, 2]))))
    # A depth shrinking strongly, with antialias: vertical passes of many taps.
    for i in range(16):
        dtype = ["float32", "float64"][i % 2]
        shape = [1, int(rng.integers(40, 70))] + _spatial(rng, 2, 16, 40) + [i % 4 + 1]
        cases.append(_case("weighted_3d_shrinking", shape, dtype,
                           ["linear", "cubic"][(i // 2) % 2],
                           scale=[float(rng.choice([0.125, 0.25, 0.2])), _scale(rng),
                                  _scale(rng)],
                           antialias=True, threads=int(rng.choice([1, 2]))))
    for i in range(40):
        dtype = str(rng.choice(["float32", "float64"]))
        shape = [1] + _spatial(rng, 4, 1, 7) + [int(rng.choice([1, 2, 3]))]
        cases.append(_case("weighted_4d", shape, dtype, str(rng.choice(["linear", "cubic"])),
                           scale=[_scale(rng) for _ in range(4)],
                           antialias=bool(rng.random() < 0.3), threads=int(rng.choice([1, 2]))))
    return cases


def special_cases(rng):
    cases = []
    # Linear at exactly 0.5 on both axes: the 2x2 mean (uint8 exact, float32 AVX2).
    for i in range(90):
        dtype = ["uint8", "float32", "float32"][i % 3]
        channels = [1, 2, 3, 4, 5, 6, 8, 13][(i // 3) % 8]
        h, w = _spatial(rng, 2, 2, 300 if i % 5 == 0 else 60)
        if i % 7 != 6:
            # Even lengths: an odd one halved puts every output on a source sample (one tap).
            h, w = h + h % 2, w + w % 2
        cases.append(_case("halving", [int(rng.integers(1, 3)), h, w, channels], dtype,
                           "linear", scale=0.5,
                           out_dtype="uint8" if dtype == "uint8" and (i // 3) % 5 != 4 else None,
                           threads=int(rng.choice([1, 2])), special=dtype != "uint8" and i % 7 == 0))
    # Linear at exactly 1 / step, step even (0.25, 1/6, 0.125), on one or both axes:
    # 2x2 means of pairs step apart (the strided halving), and their near misses.
    for i in range(72):
        dtype = ["uint8", "float32", "float32"][i % 3]
        channels = [1, 2, 3, 4, 5][(i // 3) % 5]
        steps = [(4, 4), (4, 2), (2, 4), (6, 6), (8, 4), (4, 4)][(i // 15) % 6]
        h, w = _spatial(rng, 2, 1, 80 if i % 5 == 0 else 24)
        h, w = steps[0] * h, steps[1] * w
        if i % 11 == 10:
            h += 1  # one more row: not a pair mean any more
        cases.append(_case("pair_means", [int(rng.integers(1, 3)), h, w, channels], dtype,
                           "linear", scale=[1 / steps[0], 1 / steps[1]],
                           out_dtype="uint8" if dtype == "uint8" and i % 4 != 3 else None,
                           threads=int(rng.choice([1, 2])),
                           special=dtype != "uint8" and i % 7 == 0))
    # Rows wide enough for the width-first order (RGBA from 1024 source pixels, grey from
    # 4096): the strided means straight from the rows sum across first there.
    for i in range(12):
        channels = [1, 3, 4][i % 3]
        step = [4, 4, 6, 2][(i // 3) % 4]
        h, w = step * int(rng.integers(1, 4)), step * int(rng.integers(1100, 1400))
        cases.append(_case("pair_means_wide", [1, h, w, channels], "float32", "linear",
                           scale=1 / step, threads=int(rng.choice([1, 2])), special=i % 4 == 0))
    # Scale 2 without align_corners: the fixed-neighbour pairs (RGB float vectors).
    for i in range(130):
        dtype = str(rng.choice(["float32", "float32", "float64", "uint8"]))
        mode = "linear" if i % 2 == 0 else "cubic"
        channels = int(rng.choice([1, 2, 3, 3, 3, 4, 5]))
        h, w = _spatial(rng, 2, 1, 120)
        scale = [float(rng.choice([2.0, 1.0, 0.5, 1.5])), 2.0]
        cases.append(_case("doubling", [1, h, w, channels], dtype, mode, scale=scale,
                           out_dtype="uint8" if dtype == "uint8" and i % 2 else None,
                           threads=int(rng.choice([1, 2])), special=i % 11 == 0))
    # Linear where every output sits on a source sample (a gather), and cubic and
    # antialias at whole coordinates on integer data.
    for i in range(60):
        dtype = str(rng.choice(["uint8", "int16", "bool", "int32", "float32", "float64"]))
        mode = str(rng.choice(["linear", "cubic"]))
        align = bool(i % 3 == 0)
        h, w = _spatial(rng, 2, 1, 30)
        if align:
            size = [max(1, (h - 1) // 2 + 1), 2 * w - 1]
            scale = None
        else:
            size, scale = None, [1.0, float(rng.choice([1.0, 3.0]))]
        cases.append(_case("selection", [1, h, w, int(rng.choice([1, 3]))], dtype, mode,
                           scale=scale, size=size, align_corners=align,
                           antialias=bool(not align and rng.random() < 0.3),
                           threads=int(rng.choice([1, 2]))))
    # size=, axes= (channels first, unbatched), dtype= and out=.
    for i in range(180):
        dtype = str(rng.choice(["float32", "uint8", "float64", "int16"]))
        mode = str(rng.choice(["nearest", "linear", "cubic"]))
        kind = i % 6
        h, w = _spatial(rng, 2, 1, 50)
        channels = int(rng.choice([1, 3, 4]))
        axes = None
        if kind == 0:
            shape, axes = [1, channels, h, w], [2, 3]
        elif kind == 1:
            shape, axes = [h, w, channels], [0, 1]
        elif kind == 2:
            shape, axes = [h, w], [0, 1]
        elif kind == 3:
            shape, axes = [2, channels, h, w], [-1, -2]
        else:
            shape = [1, h, w, channels]
        size = scale = None
        if i % 2:
            size = [int(rng.integers(1, 90)), int(rng.integers(1, 90))]
        else:
            scale = [_scale(rng), _scale(rng)]
        out = str(rng.choice([None, None, "C", "F"])) if i % 3 == 0 else None
        out_dtype = None
        if mode != "nearest" and rng.random() < 0.4:
            out_dtype = str(rng.choice(["uint8", "int16", "float64", "float16"]))
        cases.append(_case("options", shape, dtype, mode, scale=scale, size=size,
                           antialias=bool(mode != "nearest" and rng.random() < 0.3),
                           out_dtype=out_dtype, layout=str(rng.choice(["C", "C", "F"])),
                           threads=int(rng.choice([1, 2])), axes=axes,
                           out=None if out == "None" else out))
    # Outputs of 4 MB and more in the weighted modes (streamed from the registers or
    # staged), at 1 and 2 threads.
    for shape, dtype, mode, scale, antialias, out_dtype in [
        ([1, 512, 512, 3], "float32", "cubic", 2.0, False, None),
        ([1, 600, 500, 3], "float32", "linear", 1.5, False, None),
        ([1, 720, 1280, 3], "uint8", "linear", 1.5, False, "uint8"),
        ([1, 720, 1280, 3], "uint8", "cubic", [1.5, 1.25], False, "uint8"),
        ([1, 2048, 2048, 3], "uint8", "cubic", 0.6, True, "uint8"),
        ([1, 1024, 1024, 3], "float32", "cubic", 0.75, True, None),
        ([1, 400, 400, 8], "float32", "linear", 1.75, False, None),
        ([1, 300, 300, 4], "float64", "cubic", 2.5, False, None),
        ([1, 32, 64, 64, 2], "float32", "linear", 2.0, False, None),
        ([1, 20, 48, 48, 3], "float32", "cubic", 2.0, False, None),
        ([1, 1, 800, 1, 4], "float32", "linear", [1.0, 4000.0, 1.0], False, None),
        ([1, 1400, 1400, 3], "uint8", "linear", 0.5, False, "uint8"),
        ([1, 1500, 1500, 3], "float32", "linear", 0.5, False, None),
        ([2, 800, 800, 4], "float32", "linear", [1.25, 0.8], False, None),
    ]:
        for threads in (1, 2):
            cases.append(_case("weighted_large", shape, dtype, mode, scale=scale,
                               antialias=antialias, out_dtype=out_dtype, threads=threads))
    return cases


def wide_row_cases():
    """Images of wide rows shrunk strongly, which the planner resamples width first
    without the row tiles (not every source row is read): uint8 RGB and RGBA rows
    resampled straight from their bytes (ups_uint8_pixels.h), float32 RGB rows four lanes
    at a time (ups_three_pixels.h), 2 (linear) and 4 (cubic) taps, and images large
    enough to prefetch the next source row. After the other families and with their own
    generator, so that adding them renumbered no case."""
    rng = np.random.default_rng(SEED + 19)
    cases = []
    for i, (shape, scale, mode) in enumerate([
            ((16, 600), [0.25, 0.25], "linear"), ((24, 900), [0.25, 0.25], "linear"),
            ((24, 900), [0.3, 0.3], "linear"), ((12, 1200), [0.2, 0.3], "cubic"),
            ((12, 2400), [0.2, 0.45], "cubic"), ((96, 1920), [0.25, 0.25], "linear")]):
        for channels in (3, 4):
            cases.append(_case("wide_rows_uint8", [1, *shape, channels], "uint8", mode,
                               scale=scale, out_dtype="uint8", threads=1 + i % 2))
        cases.append(_case("wide_rows_float", [int(rng.integers(1, 3)), *shape, 3], "float32",
                           mode, scale=scale, threads=1 + (i + 1) % 2,
                           special=bool(i % 3 == 2)))
    # Images of 16 MiB and more, which prefetch the next source row (AHEAD_IMAGE_BYTES,
    # _planar.pxi) and resample their rows 32 output pixels at a time.
    for i, (shape, dtype) in enumerate([((1, 1024, 1024, 4), "float32"),
                                        ((1, 1024, 1366, 3), "float32"),
                                        ((1, 2048, 2048, 4), "uint8"),
                                        ((1, 2048, 2732, 3), "uint8")]):
        cases.append(_case("wide_rows_far", list(shape), dtype, "linear", scale=[0.25, 0.25],
                           out_dtype="uint8" if dtype == "uint8" else None,
                           threads=1 + i % 2, special=dtype == "float32"))
    return cases


def all_cases():
    """The fixed list of cases (the same for every build: nothing here asks the build)."""
    rng = np.random.default_rng(SEED)
    cases = nearest_cases(rng) + weighted_cases(rng) + special_cases(rng) + wide_row_cases()
    for number, case in enumerate(cases):
        case["id"] = f"{number:04d}-{case['family']}"
    return cases


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------


def run_case(case, number):
    """The result of one case (a new array), or the error it raised."""
    from upsample import upsample

    rng = np.random.default_rng([SEED, number])
    array = make_input(rng, tuple(case["shape"]), case["dtype"], case["special"])
    x = laid_out(rng, array, case["layout"])
    scale, kwargs = call_arguments(case)
    if case["out_dtype"] is not None:
        kwargs["dtype"] = np.dtype(case["out_dtype"])
    if case["out"] is not None:
        # The output's shape and dtype from a plain call first, then the real one into out.
        shaped = upsample(x, scale, **kwargs)
        out = np.empty(shaped.shape, shaped.dtype, order=case["out"])
        out[...] = 0
        result = upsample(x, scale, out=out, **kwargs)
        assert result is out
    else:
        result = upsample(x, scale, **kwargs)
    if not np.array_equal(np.asarray(x), array, equal_nan=True):
        raise AssertionError("the input was modified")
    return result


class EntryTally:
    """Stands in for the kernels module of upsample._engine and counts which compiled
    entry points each case reaches, with the options that select their paths."""

    def __init__(self, kernels):
        self._kernels = kernels
        self.counts = collections.Counter()

    def __getattr__(self, name):
        found = getattr(self._kernels, name)
        describe = getattr(self, "_" + name, None)
        if describe is None:
            return found

        def call(*args, **kwargs):
            self.counts[describe(*args, **kwargs)] += 1
            return found(*args, **kwargs)

        return call

    @staticmethod
    def _taps(taps):
        """Tap counts in the groups the kernels tell apart (literal 2 and 4, the aligned
        loads from 9 on, the register paths up to 16)."""
        taps = int(taps)
        return str(taps) if taps <= 4 else "5-8" if taps <= 8 else "9-16" if taps <= 16 else ">16"

    @staticmethod
    def _tags(name, **flags):
        return name + " " + " ".join(f"{k}={v}" for k, v in flags.items())

    def _gather_nearest(self, src, dst, offsets, counts, n_items, itemsize, item_stride,
                        col_double, block, stream, threads, col_stride=0):
        return self._tags("gather_nearest", elem=n_items * itemsize,
                          strided_items=item_stride != itemsize, col_double=bool(col_double),
                          col_stride=bool(col_stride), split=block < int(counts[-1]),
                          stream=bool(stream), threads=threads)

    def _repeat_nearest(self, src, dst, offsets, counts, elem_bytes, factor, block, threads):
        return self._tags("repeat_nearest", elem=elem_bytes, factor=factor, threads=threads)

    def _planar_pass(self, src, dst, outer, h_in, w_in, channels, h_out, w_out, h_index,
                     h_weights, h_taps, w_offsets, w_weights, w_taps, w_doubling, width_first,
                     row_tiles, scratch, index_scratch, stream, threads):
        return self._tags("planar_pass", dtype=src.dtype, width_first=bool(width_first),
                          row_tiles=bool(row_tiles), doubling=bool(w_doubling),
                          wide=channels >= 8, channels=min(channels, 5),
                          h_taps=self._taps(h_taps), w_taps=self._taps(w_taps),
                          stream=bool(stream), threads=threads)

    def _planar_pass_uint8(self, *args):
        (src, dst, outer, h_in, w_in, channels, h_out, w_out, h_index, h_weights, h_taps,
         w_offsets, w_weights, w_taps, w_doubling, width_first, row_tiles, scratch,
         index_scratch, stream, threads) = args
        return self._tags("planar_pass_uint8", width_first=bool(width_first),
                          row_tiles=bool(row_tiles), doubling=bool(w_doubling),
                          channels=min(channels, 5), h_taps=self._taps(h_taps),
                          w_taps=self._taps(w_taps), stream=bool(stream), threads=threads)

    def _volume_pass(self, src, dst, *args):
        w_doubling, row_tiles, stream, threads = args[17], args[18], args[22], args[23]
        return self._tags("volume_pass", dtype=src.dtype, row_tiles=bool(row_tiles),
                          doubling=bool(w_doubling), stream=bool(stream), threads=threads)

    def _vertical_pass(self, src, dst, outer, n_in, inner, n_out, row_offsets, weights, taps,
                       block, stream, threads):
        return self._tags("vertical_pass", dtype=src.dtype, taps=self._taps(taps),
                          stream=bool(stream), threads=threads)

    def _horizontal_pass(self, src, dst, outer, n_in, channels, n_out, offsets, weights, taps,
                         doubling, block, threads):
        return self._tags("horizontal_pass", dtype=src.dtype, doubling=bool(doubling),
                          channels=min(channels, 8), taps=self._taps(taps), threads=threads)

    def _halve_pass(self, src, dst, outer, h_in, w_in, channels, h_out, w_out, threads,
                    h_step=2, h_start=0, w_step=2, w_start=0, width_first=False):
        return self._tags("halve_pass", dtype=src.dtype, channels=min(channels, 5),
                          strided=(h_step, w_step) != (2, 2), width_first=bool(width_first),
                          threads=threads)

    def _round_to_uint8(self, src, dst, threads):
        return self._tags("round_to_uint8", threads=threads)


@contextlib.contextmanager
def tallied():
    """Count the compiled entry points that upsample's calls reach while inside: yields
    an EntryTally put in place of the kernels module of every planner module."""
    import importlib

    # The planner modules that call the kernels: one module before the split of
    # upsample/_engine.py (19a5f40 and earlier), three after it.
    planners = []
    for name in ("_engine", "_plan_nearest", "_plan_weighted", "_cast"):
        try:
            planners.append(importlib.import_module(f"upsample.{name}"))
        except ImportError:
            continue
    kernels = planners[0].kernels
    tally = EntryTally(kernels)
    for planner in planners:
        planner.kernels = tally
    try:
        yield tally
    finally:
        for planner in planners:
            planner.kernels = kernels


def run_all(cases, progress=False):
    """Hash every case's result; return (hashes by case id, entry point tally, the
    entry point paths of each case by case id)."""
    hashes, paths = {}, {}
    with tallied() as tally:
        for number, case in enumerate(cases):
            before = collections.Counter(tally.counts)
            try:
                hashes[case["id"]] = digest(run_case(case, number))
            except Exception as error:  # recorded: both builds must fail alike
                hashes[case["id"]] = f"error {type(error).__name__}: {error}"
            paths[case["id"]] = sorted(tally.counts - before)
            if progress and number % 200 == 0:
                print(f"  {number}/{len(cases)}", file=sys.stderr)
    return hashes, tally.counts, paths


def total_digest(hashes):
    hasher = hashlib.sha256()
    for key in sorted(hashes):
        hasher.update(f"{key}={hashes[key]}\n".encode())
    return hasher.hexdigest()


def write(path):
    import upsample
    import upsample_c

    cases = all_cases()
    start = time.perf_counter()
    hashes, tally, paths = run_all(cases, progress=True)
    seconds = time.perf_counter() - start
    errors = sum(1 for value in hashes.values() if value.startswith("error"))
    record = {
        "build": {"upsample": os.path.dirname(upsample.__file__),
                  "kernels": upsample_c.kernel_build, "info": upsample.kernel_info()},
        "cases": len(cases), "errors": errors, "seconds": round(seconds, 1),
        "total": total_digest(hashes), "hashes": hashes,
        "calls": {case["id"]: case for case in cases},
        "entry_points": dict(sorted(tally.items())),
        "paths": paths,
    }
    with open(path, "w") as handle:
        json.dump(record, handle, indent=1)
    print(f"{len(cases)} cases ({errors} raising) with the {upsample_c.kernel_build} kernels of "
          f"{record['build']['upsample']} in {seconds:.1f} s; "
          f"{len(tally)} distinct entry point paths; total {record['total']}")


def compare(path_a, path_b):
    """Print the cases whose hashes differ; exit status 1 if any does."""
    with open(path_a) as handle:
        a = json.load(handle)
    with open(path_b) as handle:
        b = json.load(handle)
    print(f"A: {a['cases']} cases, {a['build']['kernels']} kernels, {a['build']['upsample']}")
    print(f"B: {b['cases']} cases, {b['build']['kernels']} kernels, {b['build']['upsample']}")
    keys = sorted(set(a["hashes"]) | set(b["hashes"]))
    differing = [k for k in keys if a["hashes"].get(k) != b["hashes"].get(k)]
    for key in differing:
        call = a["calls"].get(key) or b["calls"].get(key)
        print(f"DIFFERS {key}: {json.dumps(call)}")
        print(f"    A {a['hashes'].get(key)}\n    B {b['hashes'].get(key)}")
    if differing and "paths" in a:
        # Which entry point paths (of A's calls) the differing cases went through.
        per_path = collections.Counter(path for key in differing
                                       for path in a["paths"].get(key, []))
        total = collections.Counter(path for key in keys for path in a["paths"].get(key, []))
        print("differing cases per entry point path of A (differing / cases through it):")
        for path, count in sorted(per_path.items(), key=lambda item: (-item[1], item[0])):
            print(f"  {count:5d} / {total[path]:5d}  {path}")
    paths_a, paths_b = set(a["entry_points"]), set(b["entry_points"])
    for name, only in (("A", sorted(paths_a - paths_b)), ("B", sorted(paths_b - paths_a))):
        if only:
            shown = "; ".join(only[:3]) + ("; ..." if len(only) > 3 else "")
            print(f"{len(only)} entry point paths reached only in {name}: {shown}")
    if differing:
        print(f"{len(differing)} of {len(keys)} cases differ")
        return 1
    same_total = a["total"] == b["total"]
    print(f"all {len(keys)} cases identical (totals {'equal' if same_total else 'DIFFER'}: "
          f"{a['total']})")
    return 0 if same_total else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="write the hashes of the installed build here")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"),
                        help="print the cases whose hashes differ between two files")
    parser.add_argument("--list", action="store_true",
                        help="print the number of cases of each family and exit")
    args = parser.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    if args.list:
        counts = collections.Counter(case["family"] for case in all_cases())
        for family, count in counts.items():
            print(f"{count:5d} {family}")
        print(f"{sum(counts.values()):5d} in all")
        return 0
    if not args.out:
        parser.error("give --out FILE, --compare A B or --list")
    write(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
