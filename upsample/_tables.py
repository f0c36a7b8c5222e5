"""Per-axis sampling tables: for every output position, source indices and weights.

This is where "what to sample" is decided; the compiled kernels only apply
the tables. Every coordinate and weight is computed in float32, one NumPy
operation at a time, with the scalar constants computed in Python (double
precision) and then rounded to float32. That reproduces MLX's arithmetic
step for step, which is what makes nearest bit-exact and keeps linear and
cubic within float32 rounding of MLX.

A weighted table is a pair ``(index, weights)`` of arrays shaped
``(n_out, taps)``: int64 source indices, already clamped to ``[0, n_in - 1]``,
and float32 weights.
"""

import math

import numpy as np

F32 = np.float32

# Keys' cubic convolution parameter: -0.75 for plain cubic (as OpenCV and
# PyTorch), -0.5 for the antialiased filter (as Pillow).
CUBIC_A = -0.75
ANTIALIAS_CUBIC_A = -0.5


def output_length(n_in, scale):
    """Output length of an axis of ``n_in`` samples at ``scale`` (truncated, as MLX)."""
    return int(scale * n_in)


def source_coordinates(n_in, n_out, scale, align_corners):
    """Float32 position in the input of each of the ``n_out`` output samples."""
    positions = np.arange(n_out, dtype=F32)
    if align_corners:
        return positions * F32((n_in - 1) / max(n_out - 1, 1))
    step = 1 / scale
    # Centres the output grid on the input grid; equals the half-pixel rule
    # (j + 0.5) / scale - 0.5 whenever scale * n_in is an integer.
    start = ((n_out - 1) * step - n_in + 1) / 2
    return positions * F32(step) - F32(start)


def nearest_index(n_in, n_out):
    """Nearest-neighbour source index of each output sample (MLX's rule, in float32)."""
    positions = np.arange(n_out, dtype=F32)
    ratio = F32(n_in / n_out)
    if n_out > n_in:
        # rint rounds half to even, as MLX's round does.
        source = np.rint((positions + F32(0.5)) * ratio - F32(0.5))
    else:
        source = positions * ratio
    # astype truncates toward zero like MLX's cast to uint32; the clip only
    # guards against a float32 rounding that lands one past the end.
    return np.clip(source.astype(np.int64), 0, n_in - 1)


def linear_table(n_in, n_out, scale, align_corners):
    """Two taps per output: the floor and ceiling of the clipped coordinate."""
    coords = np.clip(source_coordinates(n_in, n_out, scale, align_corners), F32(0), F32(n_in - 1))
    low = np.floor(coords)
    high = np.ceil(coords)
    frac = coords - low
    index = np.stack([low, high], axis=1).astype(np.int64)
    weights = np.stack([F32(1) - frac, frac], axis=1)
    return index, weights


def _keys_inner(distance, a):
    """Keys kernel for distances in [0, 1], evaluated in MLX's operation order."""
    return ((F32(a + 2.0) * distance - F32(a + 3.0)) * distance) * distance + F32(1)


def _keys_outer(distance, a):
    """Keys kernel for distances in [1, 2], evaluated in MLX's operation order."""
    return (((distance - F32(5)) * distance + F32(8)) * distance - F32(4)) * F32(a)


def cubic_table(n_in, n_out, scale, align_corners):
    """Four taps per output (Keys, a = -0.75), coordinate not clipped, border replicated.

    The taps are floor(x) - 1 .. floor(x) + 2. MLX finds the third as
    floor(x + 1), which skips a tap when x is one ulp below a power of two;
    floor(x) + 1 is the interpolant the documentation describes.
    """
    coords = source_coordinates(n_in, n_out, scale, align_corners)
    base = np.floor(coords)
    taps = [base - F32(1), base, base + F32(1), base + F32(2)]
    kernels = [_keys_outer, _keys_inner, _keys_inner, _keys_outer]
    weights = np.stack(
        [kernel(np.abs(coords - tap), CUBIC_A) for kernel, tap in zip(kernels, taps)], axis=1
    )
    # Weights first, clamping after: a clamped tap keeps its weight, which is
    # what replicating the border means.
    index = np.clip(np.stack(taps, axis=1), F32(0), F32(n_in - 1)).astype(np.int64)
    return index, weights


def _triangle_filter(distance):
    return np.maximum(F32(1) - distance, F32(0))


def _keys_filter(distance):
    a = ANTIALIAS_CUBIC_A
    return np.where(
        distance <= F32(1),
        _keys_inner(distance, a),
        np.where(distance <= F32(2), _keys_outer(distance, a), F32(0)),
    ).astype(F32)


# The antialiasing filters as data: kernel function and support radius.
ANTIALIAS_FILTERS = {
    "linear": (_triangle_filter, 1.0),
    "cubic": (_keys_filter, 2.0),
}


def antialias_table(n_in, n_out, scale, mode):
    """Filter taps for antialiased resampling (align_corners is always False here).

    When downscaling, the filter is stretched by 1 / scale so that it averages
    over every input sample that falls under an output sample; that low-pass
    step is what prevents aliasing. Taps outside the input get weight 0 and
    the rest are renormalised to sum to 1.
    """
    kernel, radius = ANTIALIAS_FILTERS[mode]
    stretch = 1.0 / scale if scale < 1 else 1.0
    half_width = math.ceil(radius * stretch) + 1
    coords = source_coordinates(n_in, n_out, scale, align_corners=False)
    base = np.floor(coords)
    offsets = np.arange(-(half_width - 1), half_width).astype(F32)
    taps = base[:, None] + offsets[None, :]
    weights = kernel(np.abs(coords[:, None] - taps) / F32(stretch))
    weights = np.where((taps >= 0) & (taps < n_in), weights, F32(0)).astype(F32)
    # Sum tap by tap, in order, as MLX does (np.sum would add pairwise and
    # round differently).
    total = np.zeros(n_out, dtype=F32)
    for k in range(weights.shape[1]):
        total = total + weights[:, k]
    total = np.where(total > 0, total, F32(1))
    weights = weights / total[:, None]
    index = np.clip(taps, F32(0), F32(n_in - 1)).astype(np.int64)
    return index, weights


def weighted_table(n_in, n_out, scale, mode, align_corners, antialias):
    """The (index, weights) table of one axis for a linear or cubic resampling."""
    if antialias:
        return antialias_table(n_in, n_out, scale, mode)
    if mode == "linear":
        return linear_table(n_in, n_out, scale, align_corners)
    return cubic_table(n_in, n_out, scale, align_corners)
