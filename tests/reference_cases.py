"""The calls whose outputs are stored in tests/data/references.npz, and how they are made.

Every build on every CPU (x86 with AVX2, the baseline build, arm64) must give these
outputs bit for bit (tests/test_same_bits.py); tools/make_references.py writes them from
the AVX2 build. The cases reach every kernel path: each mode with each option, every dtype
family, one to four spatial axes (horizontal, planar width and height first, row tiles and
row pairs, wide pixels, doubling, halving, the fused 3-D pass, vertical passes), uint8 in
and out, other layouts, outputs large enough to be streamed and split between threads, and
the backward pass.

The inputs come from a splitmix64 counter in NumPy's 64-bit integer arithmetic, never from
NumPy's random generators (whose streams may change between NumPy versions) nor from any
float function of the C library: the same bits on every platform and NumPy version.
"""

import hashlib
import itertools
import json

import numpy as np

# Outputs up to this many elements are stored whole; larger ones as a sha256 of their
# bytes and SAMPLES elements at evenly spaced positions (for the failure message).
STORED_WHOLE = 2048
SAMPLES = 256

# (mode, align_corners, antialias): every valid combination of the weighted modes.
WEIGHTED_OPTIONS = [("linear", False, False), ("cubic", False, False),
                    ("linear", True, False), ("cubic", True, False),
                    ("linear", False, True), ("cubic", False, True)]
# Up on both axes, down, mixed, scale 2 (doubling), 0.5 (halving), strongly down
# (many antialias taps).
SCALES_2D = [(1.5, 1.25), (0.7, 0.6), (0.4, 1.6), (2.0, 2.0), (0.5, 0.5), (0.3, 0.35)]


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------

_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def _splitmix64(seed, count):
    """``count`` pseudo-random uint64 from ``seed`` (splitmix64 over a counter)."""
    with np.errstate(over="ignore"):
        x = (np.arange(1, count + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
             + np.uint64(seed & 0xFFFFFFFFFFFFFFFF)) & _MASK
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _seed(name):
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "little")


def make_input(name, shape, dtype, special=False):
    """The input of case ``name``: integers over the dtype's whole range; floats
    (and the parts of complex numbers) with 24-bit signed mantissas scaled by 2**-30 to
    2**-8 (below 32768, so float16 holds them too, rounded), exact in float32 and
    float64; with ``special``, NaN and infinities at about one element in 40."""
    dtype = np.dtype(dtype)
    count = int(np.prod(shape))
    bits = _splitmix64(_seed(name), 3 * count)
    first, second, third = bits[:count], bits[count:2 * count], bits[2 * count:]
    if dtype == np.bool_:
        return (first & np.uint64(1)).astype(np.bool_).reshape(shape)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        span = int(info.max) - int(info.min) + 1
        if span > 2 ** 63:
            values = first.view(np.int64) if dtype.kind == "i" else first
            return values.astype(dtype).reshape(shape)
        return ((first % np.uint64(span)).astype(np.int64) + int(info.min)).astype(
            dtype).reshape(shape)
    mantissa = (first >> np.uint64(40)).astype(np.int64) - (1 << 23)
    exponent = (second % np.uint64(23)).astype(np.int64) - 30
    values = np.ldexp(mantissa.astype(np.float64), exponent)
    if special:
        picks = third % np.uint64(40) == 0
        kinds = (third >> np.uint64(8)) % np.uint64(3)
        values[picks & (kinds == 0)] = np.nan
        values[picks & (kinds == 1)] = np.inf
        values[picks & (kinds == 2)] = -np.inf
    if dtype.kind == "c":
        imaginary = np.ldexp(((third >> np.uint64(40)).astype(np.int64) - (1 << 23))
                             .astype(np.float64), exponent[::-1])
        values = values + 1j * imaginary
    return values.astype(dtype).reshape(shape)


def laid_out(array, layout):
    """``array`` with the same values in another memory layout."""
    if layout == "C":
        return array
    if layout == "F":
        return np.asfortranarray(array)
    if layout == "strided":
        big = np.zeros((array.shape[0], 2 * array.shape[1]) + array.shape[2:], array.dtype)
        big[:, ::2] = array
        return big[:, ::2]
    if layout == "reversed":
        return np.flip(np.ascontiguousarray(np.flip(array, axis=-2)), axis=-2)
    raise ValueError(f"layout must be C, F, strided or reversed, got {layout!r}")


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------


def _case(cases, family, shape, dtype, mode="nearest", scale=None, align_corners=False,
          antialias=False, out_dtype=None, layout="C", threads=1, axes=None, size=None,
          special=False, backward=False):
    name = (f"{family}/{dtype}{'>' + out_dtype if out_dtype else ''}/{mode}"
            f"{'/align' if align_corners else ''}{'/antialias' if antialias else ''}"
            f"/{'x'.join(map(str, shape))}/{scale if size is None else 'size' + str(size)}"
            f"{'/' + layout if layout != 'C' else ''}{'/axes' + str(axes) if axes else ''}"
            f"/t{threads}{'/special' if special else ''}")
    name = name.replace(" ", "")
    cases.append({"name": name, "family": family, "shape": list(shape), "dtype": dtype,
                  "mode": mode, "scale": scale, "size": size, "align_corners": align_corners,
                  "antialias": antialias, "out_dtype": out_dtype, "layout": layout,
                  "threads": threads, "axes": axes, "special": special,
                  "backward": backward})


def _planar_cases(cases):
    # float32: every channel family (one, RGB, RGBA, wide) through every scale kind and
    # option: row tiles (width and height first), row pairs, doubling, halving, wide pixels.
    for channels, scale, (mode, align, antialias) in itertools.product(
            (1, 3, 4, 8), SCALES_2D, WEIGHTED_OPTIONS):
        if antialias and align:
            continue
        _case(cases, "planar", (1, 18, 20, channels), "float32", mode, list(scale), align,
              antialias, special=channels == 3 and scale == (0.7, 0.6))
    # The other dtypes, RGB.
    for dtype, scale, (mode, align, antialias) in itertools.product(
            ("float64", "float16", "uint8", "int16", "int32", "uint16", "bool", "complex64",
             "complex128"),
            [(1.5, 1.25), (0.7, 0.6), (2.0, 2.0), (0.5, 0.5), (0.3, 0.35)],
            WEIGHTED_OPTIONS):
        _case(cases, "planar", (1, 14, 16, 3 if dtype[0] != "c" else 2), dtype, mode,
              list(scale), align, antialias)
    # uint8 in and out: its own kernel (rows converted in cache), 1, 3 and 4 channels.
    for channels, scale, (mode, align, antialias) in itertools.product(
            (1, 3, 4), SCALES_2D, WEIGHTED_OPTIONS):
        _case(cases, "planar_uint8", (1, 18, 20, channels), "uint8", mode, list(scale),
              align, antialias, out_dtype="uint8")
    # Integer results of float work, and float16 results.
    for out_dtype, (mode, align, antialias) in itertools.product(
            ("int16", "uint8", "float16", "float64"), WEIGHTED_OPTIONS):
        _case(cases, "planar_cast", (1, 12, 14, 3), "float32", mode, [1.5, 0.7], align,
              antialias, out_dtype=out_dtype)


def _row_cases(cases):
    # One spatial axis: the horizontal pass alone, every channel count the kernels tell
    # apart, scale 2 (the fixed-neighbour pairs) included.
    for channels, scale, (mode, align, antialias) in itertools.product(
            (1, 2, 3, 4, 5, 8, 12), (2.0, 1.5, 0.6, 0.3), WEIGHTED_OPTIONS):
        _case(cases, "rows", (2, 40, channels), "float32", mode, scale, align, antialias)
    for dtype, scale, (mode, align, antialias) in itertools.product(
            ("float64", "uint8"), (2.0, 1.5, 0.3), WEIGHTED_OPTIONS):
        _case(cases, "rows", (2, 40, 3), dtype, mode, scale, align, antialias)


def _volume_cases(cases):
    # Three axes: the fused 3-D pass (depth not shrinking), else a vertical pass and a
    # planar one; four axes add another vertical pass.
    for dtype, scale, (mode, align, antialias) in itertools.product(
            ("float32", "float64", "uint8"),
            [(1.5, 1.5, 1.5), (2.0, 2.0, 2.0), (1.25, 0.6, 1.7), (0.3, 1.5, 0.7)],
            WEIGHTED_OPTIONS):
        _case(cases, "volume", (1, 6, 8, 9, 2), dtype, mode, list(scale), align, antialias,
              out_dtype="uint8" if dtype == "uint8" else None)
    for (mode, align, antialias) in WEIGHTED_OPTIONS:
        _case(cases, "volume", (1, 4, 5, 6, 4, 2), "float32", mode, [1.5, 0.7, 1.25, 2.0],
              align, antialias)
        _case(cases, "volume", (1, 30, 6, 7, 1), "float32", mode, [0.2, 1.5, 0.8], align,
              antialias)


def _nearest_cases(cases):
    for (dtype, channels), scale in itertools.product(
            [("uint8", 1), ("uint8", 3), ("float32", 1), ("int16", 3), ("float32", 3),
             ("float64", 2), ("complex128", 1), ("uint8", 5)],
            [[2.0, 2.0], [1.5, 0.7], [0.5, 3.0]]):
        _case(cases, "nearest", (1, 9, 11, channels), dtype, "nearest", scale)
        _case(cases, "nearest", (1, 9, 11, channels), dtype, "nearest", scale, layout="F")


def _layout_cases(cases):
    # Other memory layouts and axes, size= and out dtypes: the layout folding in front
    # of the same kernels.
    for layout, (mode, align, antialias) in itertools.product(
            ("F", "strided", "reversed"), WEIGHTED_OPTIONS):
        _case(cases, "layout", (2, 10, 12, 3), "float32", mode, [1.5, 0.75], align,
              antialias, layout=layout)
    for mode, align, antialias in WEIGHTED_OPTIONS:
        _case(cases, "layout", (2, 3, 12, 10), "float32", mode, [1.25, 1.5], align,
              antialias, axes=[2, 3])
        _case(cases, "layout", (12, 10), "uint8", mode, None, align, antialias,
              axes=[0, 1], size=[17, 6], out_dtype="uint8")
        _case(cases, "layout", (1, 12, 10, 3), "float32", mode, [2.0, 2.0], align,
              antialias, threads=2, special=True)


def _large_cases(cases):
    # Outputs of 4 MB and more (streamed from the registers or staged), the rows ahead
    # prefetched, and two threads.
    # The inputs are kept small (under 2 million elements): under emulation (arm64 in
    # CI) making them costs more than resampling them.
    for shape, dtype, mode, scale, antialias, out_dtype in [
            ((1, 400, 480, 3), "float32", "linear", [1.5, 1.5], False, None),
            ((1, 600, 800, 3), "uint8", "cubic", [1.75, 1.75], False, "uint8"),
            ((1, 800, 800, 3), "float32", "cubic", [0.75, 0.75], True, None),
            ((1, 20, 48, 48, 3), "float32", "cubic", [2.0, 2.0, 2.0], False, None),
            ((1, 600, 640, 3), "uint8", "linear", [0.5, 0.5], False, "uint8"),
            ((1, 600, 640, 3), "float32", "linear", [0.5, 0.5], False, None),
            ((1, 500, 600, 4), "float32", "linear", [1.25, 0.8], False, None)]:
        _case(cases, "large", shape, dtype, mode, scale, antialias=antialias,
              out_dtype=out_dtype, threads=2)


def _wide_row_cases(cases):
    # Short images of wide rows shrunk strongly, resampled width first without the row
    # tiles: uint8 RGB and RGBA rows straight from their bytes (ups_uint8_pixels.h),
    # float32 RGB rows four lanes at a time (ups_three_pixels.h); 2 and 4 taps.
    for shape, dtype, mode, scale, threads in [
            ((1, 16, 600, 3), "uint8", "linear", [0.25, 0.25], 1),
            ((1, 16, 600, 4), "uint8", "linear", [0.25, 0.25], 1),
            ((1, 12, 1200, 3), "uint8", "cubic", [0.2, 0.3], 1),
            ((1, 12, 1200, 4), "uint8", "cubic", [0.2, 0.3], 1),
            ((1, 96, 1920, 3), "uint8", "linear", [0.25, 0.25], 2),
            ((1, 24, 900, 3), "float32", "linear", [0.25, 0.25], 1)]:
        _case(cases, "wide_rows", shape, dtype, mode, scale, threads=threads,
              out_dtype="uint8" if dtype == "uint8" else None, special=dtype == "float32")


def _backward_cases(cases):
    # The gradient: the forward's passes with transposed tables.
    for dtype, (shape, scale), mode, in itertools.product(
            ("float32", "float64"),
            [((2, 30, 3), 1.5), ((2, 30, 3), 0.6), ((1, 14, 16, 3), [2.0, 2.0]),
             ((1, 14, 16, 1), [0.7, 1.6]), ((1, 10, 12, 8), [1.5, 0.5]),
             ((1, 5, 6, 7, 2), [1.5, 2.0, 0.8])],
            ("nearest", "linear", "cubic")):
        options = [(False, False)] if mode == "nearest" else [(False, False), (True, False),
                                                             (False, True)]
        for align, antialias in options:
            _case(cases, "backward", shape, dtype, mode, scale, align, antialias,
                  backward=True)


def all_cases():
    """Every case, in a fixed order (nothing here asks the build or the CPU)."""
    cases = []
    for add in (_planar_cases, _row_cases, _volume_cases, _nearest_cases, _layout_cases,
                _large_cases, _backward_cases, _wide_row_cases):
        add(cases)
    names = [case["name"] for case in cases]
    assert len(set(names)) == len(names), "case names must be unique"
    return cases


# ---------------------------------------------------------------------------
# Running and comparing
# ---------------------------------------------------------------------------


def call_arguments(case):
    """``(scale_factor, keyword arguments)`` of a case's call (mode, options, threads,
    axes, size; the dtype and out are the caller's)."""
    kwargs = {"mode": case["mode"], "align_corners": case["align_corners"],
              "antialias": case["antialias"], "num_threads": case["threads"]}
    if case["axes"] is not None:
        kwargs["axes"] = tuple(case["axes"])
    scale = case["scale"]
    if case["size"] is not None:
        kwargs["size"] = tuple(case["size"])
    elif isinstance(scale, list):
        scale = tuple(scale)
    return scale, kwargs


def run_case(case):
    """``(input, result)`` of one case, through the public API."""
    from upsample import upsample, upsample_backward

    array = make_input(case["name"], tuple(case["shape"]), case["dtype"], case["special"])
    x = laid_out(array, case["layout"])
    scale, kwargs = call_arguments(case)
    if case["backward"]:
        # The gradient of an output made from this input, the input as grad_output's shape.
        shape = upsample(np.zeros(array.shape, np.float32), scale, **kwargs).shape
        grad = make_input(case["name"] + "/grad", shape, case["dtype"])
        return grad, upsample_backward(grad, array.shape, scale, **kwargs)
    if case["out_dtype"] is not None:
        kwargs["dtype"] = np.dtype(case["out_dtype"])
    return array, upsample(x, scale, **kwargs)


def canonical_nans(result):
    """``result`` in C order with every NaN (of a float, or either part of a complex)
    replaced by the NaN NumPy writes for ``np.nan``.

    A NaN's sign and payload are not part of a result: an infinity minus an infinity
    gives a negative NaN on x86 and a positive one on ARM, and when both operands of a
    sum are NaN, which one's sign survives depends on the order the compiler gave them.
    Everything else, the sign of zero included, is compared bit for bit.
    """
    result = np.ascontiguousarray(result)
    if result.dtype.kind not in "fc":
        return result
    parts = result.view(result.real.dtype) if result.dtype.kind == "c" else result
    nans = np.isnan(parts)
    if not nans.any():
        return result
    parts = parts.copy()
    parts[nans] = np.nan
    return parts.view(result.dtype)


def digest(array):
    """sha256 of the dtype, the shape and the bytes (in C order, NaNs canonical)."""
    hasher = hashlib.sha256()
    hasher.update(f"{array.dtype.str}{array.shape}".encode())
    hasher.update(canonical_nans(array).tobytes())
    return hasher.hexdigest()


def sample_positions(size):
    """The flat positions of the elements kept of an output stored by its digest."""
    return np.unique(np.linspace(0, size - 1, SAMPLES).astype(np.int64))


def record(case, array, result):
    """What is stored of one case: a JSON-able summary and the array kept (the whole
    output, or its samples)."""
    whole = result.size <= STORED_WHOLE
    kept = result.reshape(-1) if whole else result.reshape(-1)[sample_positions(result.size)]
    summary = {"input": digest(array), "dtype": result.dtype.str, "shape": list(result.shape),
               "digest": digest(result), "whole": whole}
    return summary, np.ascontiguousarray(kept)


def dumps(value):
    return json.dumps(value, sort_keys=True)
