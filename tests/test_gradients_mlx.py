"""upsample_backward against MLX's own gradient: ``mx.vjp`` through ``mlx.nn.Upsample``.

Within float32 rounding on a seeded sweep of shapes, scales and options, except where
MLX's cubic taps differ from ours (its floor(x + 1) third tap, see SEMANTICS.md): there
the forwards differ, and so do their gradients.
"""

import numpy as np
import pytest

from gradient_cases import random_case
from test_parity_mlx import hits_mlx_cubic_tap_bug
from upsample import upsample, upsample_backward

mx = pytest.importorskip("mlx.core")
nn = pytest.importorskip("mlx.nn")

N_CASES = 640
MIN_COMPARED = 500


def mlx_gradient(x, g, scale, mode, align_corners, antialias):
    """MLX's vector-Jacobian product of its Upsample layer at ``x`` with ``g``."""
    layer = nn.Upsample(scale_factor=scale, mode=mode, align_corners=align_corners,
                        antialias=antialias)
    _, (gradient,) = mx.vjp(layer, [mx.array(x)], [mx.array(g)])
    return np.array(gradient)


def tolerance(g, out_shape, in_shape):
    """float32 rounding of a sum of products: each gradient sums at most (outputs per
    input) * (taps) terms of magnitude up to max |g| * 1.25 (cubic's largest weight)."""
    reads = 1
    for n_out, n_in in zip(out_shape[1:-1], in_shape[1:-1]):
        reads *= 4 * max(1, -(-n_out // max(n_in, 1))) + 8
    return 1.25 * float(np.max(np.abs(g), initial=0)) * reads * 2**-22


def test_gradients_match_mlx_vjp_within_float32_rounding():
    rng = np.random.default_rng(2016)
    compared, worst = 0, 0.0
    for case in range(N_CASES):
        shape, options = random_case(rng, layouts=False, sizes=False)
        scale = options["scale_factor"]
        n_spatial = len(shape) - 2
        scales = scale if isinstance(scale, tuple) else (scale,) * n_spatial
        mode, align_corners, antialias = (options["mode"], options["align_corners"],
                                          options["antialias"])
        if hits_mlx_cubic_tap_bug(shape, scales, mode, align_corners, antialias):
            continue
        x = rng.standard_normal(shape).astype(np.float32)
        out_shape = upsample(x, **options).shape
        if 0 in out_shape:
            continue
        g = rng.standard_normal(out_shape).astype(np.float32)
        ours = upsample_backward(g, shape, **options)
        theirs = mlx_gradient(x, g, scale, mode, align_corners, antialias)
        assert ours.dtype == theirs.dtype == np.float32
        error = float(np.max(np.abs(ours - theirs)))
        bound = tolerance(g, out_shape, shape)
        worst = max(worst, error / bound)
        assert error <= bound, f"case {case}: {shape} {options}: {error:.3g} > {bound:.3g}"
        compared += 1
    print(f"compared {compared} cases; worst error / tolerance {worst:.3g}")
    assert compared >= MIN_COMPARED


@pytest.mark.parametrize("mode", ["nearest", "linear", "cubic"])
def test_unread_inputs_get_zero_as_in_mlx(mode):
    # A downscale without antialias skips inputs; MLX's scatter leaves them 0 too.
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 20, 17, 2)).astype(np.float32)
    g = rng.standard_normal(upsample(x, 0.3, mode).shape).astype(np.float32)
    ours = upsample_backward(g, x.shape, 0.3, mode)
    theirs = mlx_gradient(x, g, 0.3, mode, False, False)
    assert np.array_equal(ours == 0, theirs == 0)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)
