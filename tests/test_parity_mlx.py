"""Parity with the real MLX ``nn.Upsample`` (CPU build) over a seeded sweep of cases.

nearest must be byte-identical (values and dtype); linear and cubic must agree
within float32 rounding: a fraction of the bound that ``reference.py`` derives
for each output from the float32 rounding of its taps (see ``tolerance``).
"""

import numpy as np
import pytest

from reference import reference_upsample
from upsample import Upsample, upsample

mx = pytest.importorskip("mlx.core")
nn = pytest.importorskip("mlx.nn")

N_CASES = 1200
DTYPES = ["float16", "float32", "float64", "int8", "int32", "int64", "uint8", "bool"]
INTEGER_SCALES = [1.0, 2.0, 3.0, 4.0]
FRACTIONAL_SCALES = [0.25, 0.5, 0.7, 0.75, 1.3, 1.5, 1.7, 2.5, 1 / 3, 3.1]


def mlx_upsample(x, scale, mode, align_corners, antialias):
    """Run MLX on a NumPy array and return a NumPy array of MLX's dtype."""
    layer = nn.Upsample(scale_factor=scale, mode=mode, align_corners=align_corners,
                        antialias=antialias)
    x = np.ascontiguousarray(x)
    # mx.array turns float64 into float32 unless told otherwise.
    source = mx.array(x, dtype=mx.float64) if x.dtype == np.float64 else mx.array(x)
    return np.array(layer(source))


# MLX and upsample both round in float32, in different orders (MLX sums the 2^d or 4^d
# weighted corners where upsample makes one pass per axis), so each is within about the
# reference's derived bound of the exact result. MLX also rounds each corner's weight, a
# product of d float32 factors (one per axis), and does so for float64 data too, where
# upsample's linear weights are exact: up to d float32 ulps of sum |w| |x| more, which
# the tolerance adds twice. Measured over the 1,200-case sweep: |upsample - MLX| reaches
# 0.42 of the tolerance (3.4 float32 ulps of sum |w| |x| in float32 linear, 16 in 3-D
# and 4-D cubic, which sum 64 and 256 corners).
MLX_WEIGHT_ULPS = 2


def tolerance(x, scale, mode, align_corners, antialias):
    """Per output: the reference's bound for this call (a few float32 ulps of sum |w| |x|
    per tap and axis, see reference.py) plus MLX's rounding of its corner weights."""
    ref = reference_upsample(x, scale, mode, align_corners, antialias)
    axes = x.ndim - 2
    return np.asarray(ref.bound + MLX_WEIGHT_ULPS * axes * 2.0**-24 * ref.magnitude,
                      dtype=np.float64)


def assert_parity(ours, theirs, x, scale, mode, align_corners, antialias, context=""):
    """|ours - theirs| within tolerance(), element by element."""
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, context
    limit = tolerance(x, scale, mode, align_corners, antialias)
    error = np.abs(ours.astype(np.float64) - theirs.astype(np.float64))
    worst = np.unravel_index(np.argmax(error - limit), error.shape) if error.size else None
    assert np.all(error <= limit), (
        f"{context}: |upsample - MLX| = {error[worst]:.3g} > {limit[worst]:.3g} at {worst} "
        f"(upsample {ours[worst]!r}, MLX {theirs[worst]!r})")


def f32_coordinates(n_in, scale, align_corners):
    """Output sample positions in float32, written out here independently of the package."""
    n_out = int(scale * n_in)
    j = np.arange(n_out, dtype=np.float32)
    if align_corners:
        return j * np.float32((n_in - 1) / max(n_out - 1, 1))
    step = 1 / scale
    return j * np.float32(step) - np.float32(((n_out - 1) * step - n_in + 1) / 2)


def hits_mlx_cubic_tap_bug(shape, scales, mode, align_corners, antialias):
    """True where MLX's floor(x + 1) skips a tap (a documented, deliberate difference)."""
    if mode != "cubic" or antialias:
        return False
    for n_in, scale in zip(shape[1:-1], scales):
        coords = f32_coordinates(n_in, scale, align_corners)
        if np.any(np.floor(coords + np.float32(1)) != np.floor(coords) + 1):
            return True
    return False


def random_values(rng, shape, dtype):
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype.startswith("int") or dtype == "uint8":
        info = np.iinfo(dtype)
        low, high = max(info.min, -1000), min(info.max, 1000)
        return rng.integers(low, high, size=shape, endpoint=True).astype(dtype)
    return (rng.standard_normal(shape) * 10).astype(dtype)


def odd_layout(rng, x):
    """The same values in one of several memory layouts."""
    kind = rng.integers(0, 4)
    if kind == 1:
        return np.asfortranarray(x)
    if kind == 2:  # negative strides on the first spatial axis
        flipped = np.ascontiguousarray(x[:, ::-1])
        return flipped[:, ::-1]
    if kind == 3:  # every other element of a larger buffer
        padded = np.zeros((x.shape[0],) + tuple(2 * n for n in x.shape[1:]), dtype=x.dtype)
        view = padded[(slice(None),) + tuple(slice(None, None, 2) for _ in x.shape[1:])]
        view[...] = x
        return view
    return x


def make_case(seed):
    rng = np.random.default_rng(seed)
    n_spatial = int(rng.integers(1, 5))
    max_len = {1: 24, 2: 12, 3: 7, 4: 5}[n_spatial]
    shape = (int(rng.integers(1, 3)),)
    shape += tuple(int(rng.integers(1, max_len + 1)) for _ in range(n_spatial))
    shape += (int(rng.integers(1, 5)),)
    mode = ["nearest", "linear", "cubic"][rng.integers(0, 3)]
    align_corners = mode != "nearest" and bool(rng.integers(0, 2))
    antialias = mode != "nearest" and not align_corners and bool(rng.integers(0, 3) == 0)

    def one_scale():
        pick = rng.integers(0, 3)
        if pick == 0:
            return float(rng.choice(INTEGER_SCALES))
        if pick == 1:
            return float(rng.choice(FRACTIONAL_SCALES))
        return float(rng.uniform(0.3, 3.5))

    if rng.integers(0, 2):
        scale = one_scale()
        scales = (scale,) * n_spatial
    else:
        scale = tuple(one_scale() for _ in range(n_spatial))
        scales = scale
    dtype = DTYPES[rng.integers(0, len(DTYPES))]
    x = odd_layout(rng, random_values(rng, shape, dtype))
    return x, scale, scales, mode, align_corners, antialias


def test_seed_page_examples_match_mlx():
    x = np.arange(1, 5, dtype=np.int32).reshape(1, 2, 2, 1)
    for mode, align in [("nearest", False), ("linear", False), ("linear", True)]:
        ours = upsample(x, 2, mode=mode, align_corners=align)
        theirs = mlx_upsample(x, 2.0, mode, align, False)
        assert ours.dtype == theirs.dtype
        if mode == "nearest":
            assert ours.tobytes() == theirs.tobytes()
        else:
            assert_parity(ours, theirs, x, 2, mode, align, False, f"{mode} {align}")


@pytest.mark.parametrize("block", range(12))
def test_random_sweep_matches_mlx(block):
    """1,200 seeded cases in 12 blocks: 1-4 spatial axes, every mode and option."""
    compared = 0
    for seed in range(block * N_CASES // 12, (block + 1) * N_CASES // 12):
        x, scale, scales, mode, align_corners, antialias = make_case(seed)
        out_shape = (x.shape[0],) + tuple(
            int(s * n) for s, n in zip(scales, x.shape[1:-1])) + (x.shape[-1],)
        ours = Upsample(scale, mode, align_corners, antialias)(x)
        assert ours.shape == out_shape, seed
        if 0 in out_shape or hits_mlx_cubic_tap_bug(x.shape, scales, mode, align_corners,
                                                    antialias):
            continue
        theirs = mlx_upsample(x, scale, mode, align_corners, antialias)
        context = f"seed={seed} shape={x.shape} dtype={x.dtype} scale={scale} mode={mode} " \
                  f"align_corners={align_corners} antialias={antialias}"
        assert ours.dtype == theirs.dtype, context
        if mode == "nearest":
            assert ours.tobytes() == theirs.tobytes(), context
        else:
            assert_parity(ours, theirs, x, scale, mode, align_corners, antialias, context)
        compared += 1
    assert compared >= 0.8 * (N_CASES // 12)


def test_cubic_tap_difference_is_the_documented_one():
    """N = 17, scale 2.5, align_corners: MLX drops the centre tap of the last sample."""
    x = np.arange(17, dtype=np.float32).reshape(1, 17, 1) + 1
    ours = upsample(x, 2.5, mode="cubic", align_corners=True)
    assert ours[0, -1, 0] == pytest.approx(17.0, abs=1e-4)
    theirs = mlx_upsample(x, 2.5, "cubic", True, False)
    assert abs(theirs[0, -1, 0]) < 1.0  # MLX's value, about 0
    limit = tolerance(x, 2.5, "cubic", True, False)
    assert np.all(np.abs(ours[0, :-1] - theirs[0, :-1]) <= limit[0, :-1])


@pytest.mark.parametrize("mode", ["linear", "cubic"])
@pytest.mark.parametrize("scale", [0.5, 0.3, 0.75, 1.0, 2.0])
def test_antialias_matches_mlx_on_larger_images(mode, scale):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 40, 33, 3)).astype(np.float32)
    ours = upsample(x, scale, mode=mode, antialias=True)
    theirs = mlx_upsample(x, scale, mode, False, True)
    assert_parity(ours, theirs, x, scale, mode, False, True, f"{mode} x{scale}")


@pytest.mark.parametrize("mode", ["nearest", "linear", "cubic"])
def test_large_image_matches_mlx(mode):
    """A realistic size, so every blocked and threaded path of the kernels is exercised."""
    rng = np.random.default_rng(3)
    x = rng.random((1, 160, 120, 3), dtype=np.float32)
    for scale in (2.0, 1.7, (0.6, 2.0)):
        ours = upsample(x, scale, mode=mode, num_threads=2)
        theirs = mlx_upsample(x, scale, mode, False, False)
        if mode == "nearest":
            assert ours.tobytes() == theirs.tobytes()
        else:
            assert_parity(ours, theirs, x, scale, mode, False, False, f"{mode} x{scale}")


@pytest.mark.parametrize("channels", [5, 8, 12, 16, 64])
@pytest.mark.parametrize("mode", ["linear", "cubic"])
def test_wide_pixels_match_mlx(channels, mode):
    """Pixels of many channels (the wide-pixel loops) in 1-D, 2-D and 3-D, up and down."""
    rng = np.random.default_rng(channels)
    cases = [
        ((2, 37, channels), 2.0, False), ((2, 37, channels), 1.7, False),
        ((1, 21, 18, channels), 2.0, False), ((1, 21, 18, channels), (1.7, 0.6), False),
        ((1, 21, 18, channels), 0.5, True), ((1, 6, 9, 7, channels), 2.0, False),
        ((1, 6, 9, 7, channels), (0.5, 1.5, 2.5), False),
    ]
    for shape, scale, antialias in cases:
        for dtype in (np.float32, np.float64):
            x = rng.standard_normal(shape).astype(dtype)
            ours = upsample(x, scale, mode=mode, antialias=antialias)
            theirs = mlx_upsample(x, scale, mode, False, antialias)
            assert_parity(ours, theirs, x, scale, mode, False, antialias,
                          f"{shape} {scale} {dtype} {antialias}")
