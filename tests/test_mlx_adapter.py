"""``upsample.mlx.Upsample`` against ``mlx.nn.Upsample`` itself.

Outputs and gradients (``mx.vjp``, ``mx.grad``, ``nn.value_and_grad``) within float32
rounding on a seeded sweep outside MLX's cubic tap quirk (SEMANTICS.md), the output and
gradient dtypes, the module's attributes and (no) parameters, the errors, inputs left
unmodified, what fails on purpose (``mx.compile``, ``mx.vmap``), and a tiny model trained
with each layer. Without MLX (Python 3.9 has no MLX 0.32.4 wheel) only the tests that need
no MLX run: ``import upsample`` never imports MLX, and ``upsample.mlx`` names the extra.
"""

import subprocess
import sys

import numpy as np
import pytest
from readme_examples import README, readme_example

try:
    import mlx.core as mx
    import mlx.nn as nn
    import mlx.optimizers as optim

    import upsample.mlx as ups_mlx
except ImportError:
    mx = nn = optim = ups_mlx = None

needs_mlx = pytest.mark.skipif(
    mx is None, reason='MLX is not installed (pip install ".[mlx]"; MLX 0.32.4 has no wheels '
                       "for Python 3.9 and runs on Linux x86-64 and macOS arm64 only)")

# Seeded cases of the sweep; at least 75% of them must be compared (the rest hit MLX's cubic
# tap quirk or an empty output).
N_SWEEP = 300


def run_python(code, folder):
    """Run ``code`` in a fresh interpreter (so that sys.modules starts empty), from
    ``folder`` (not the repository root, whose source folders hold no compiled code)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=folder)


def test_import_upsample_does_not_import_mlx(tmp_path):
    result = run_python("import sys, upsample\n"
                        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'mlx'))", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_without_mlx_the_adapter_names_the_extra(tmp_path):
    # A None entry in sys.modules makes `import mlx` fail as if MLX were not installed.
    result = run_python("import sys\nsys.modules['mlx'] = None\nimport upsample.mlx", tmp_path)
    assert result.returncode != 0
    assert "ImportError" in result.stderr
    assert 'pip install "upsample[mlx]"' in result.stderr


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def to_mx(x):
    """An mx.array of ``x``'s values and dtype (mx.array alone turns float64 into float32)."""
    x = np.ascontiguousarray(x)
    return mx.array(x, dtype=mx.float64) if x.dtype == np.float64 else mx.array(x)


def layers(scale, mode="nearest", align_corners=False, antialias=False):
    """(ours, MLX's) with the same options."""
    return (ups_mlx.Upsample(scale, mode, align_corners, antialias),
            nn.Upsample(scale, mode, align_corners, antialias))


def as_numpy(array):
    """NumPy values of an mx.array (bfloat16 through float32, which holds it exactly)."""
    if array.dtype == mx.bfloat16:
        array = array.astype(mx.float32)
    return np.array(array)


def scales_of(scale, n_spatial):
    return scale if isinstance(scale, tuple) else (scale,) * n_spatial


def gradient_tolerance(g, out_shape, in_shape):
    from test_gradients_mlx import tolerance

    return tolerance(g, out_shape, in_shape)


# ---------------------------------------------------------------------------
# the seeded sweep: outputs and gradients
# ---------------------------------------------------------------------------


def gradients(layer, x, g, how):
    """The gradient of sum(layer(x) * g) at x through one of MLX's three entry points."""
    if how == "vjp":
        _, (gradient,) = mx.vjp(layer, [x], [g])
    elif how == "grad":
        gradient = mx.grad(lambda z: mx.sum(layer(z) * g))(x)
    else:
        # nn.value_and_grad differentiates a model's parameters: hold x as one.
        class Holder(nn.Module):
            def __init__(self):
                super().__init__()
                self.x = x

        holder = Holder()
        _, grads = nn.value_and_grad(holder, lambda: mx.sum(layer(holder.x) * g))()
        gradient = grads["x"]
    mx.eval(gradient)
    return gradient


@needs_mlx
@pytest.mark.parametrize("block", range(3))
def test_sweep_matches_mlx_outputs_and_gradients(block):
    """300 seeded cases of test_parity_mlx's generator (1-4 spatial axes, every mode and
    option, 8 dtypes, odd layouts), and their gradients by mx.vjp, mx.grad and
    nn.value_and_grad in turn."""
    from test_parity_mlx import assert_parity, hits_mlx_cubic_tap_bug, make_case

    rng = np.random.default_rng(1700 + block)
    outputs = grads = 0
    for seed in range(block * N_SWEEP // 3, (block + 1) * N_SWEEP // 3):
        x, scale, scales, mode, align_corners, antialias = make_case(seed)
        ours_layer, theirs_layer = layers(scale, mode, align_corners, antialias)
        source = to_mx(x)
        ours = ours_layer(source)
        theirs_shape = ((x.shape[0],) + tuple(int(s * n) for s, n in zip(scales, x.shape[1:-1]))
                        + (x.shape[-1],))
        assert ours.shape == theirs_shape, seed
        if 0 in theirs_shape or hits_mlx_cubic_tap_bug(x.shape, scales, mode, align_corners,
                                                       antialias):
            continue
        theirs = theirs_layer(source)
        context = f"seed={seed} shape={x.shape} dtype={x.dtype} scale={scale} mode={mode} " \
                  f"align_corners={align_corners} antialias={antialias}"
        assert ours.dtype == theirs.dtype, context
        if mode == "nearest":
            assert np.array(ours).tobytes() == np.array(theirs).tobytes(), context
        else:
            assert_parity(np.array(ours), np.array(theirs), x, scale, mode, align_corners,
                          antialias, context)
        outputs += 1
        # The gradient does not depend on x's values; integer and float16 cases are
        # differentiated at the float32 x (float16's own are test_half_precision_gradients').
        if x.dtype != np.float64:
            x = x.astype(np.float32)
            source = to_mx(x)
        g_np = rng.standard_normal(theirs_shape).astype(x.dtype)
        g = to_mx(g_np)
        how = ("vjp", "grad", "value_and_grad")[grads % 3]
        ours_grad = gradients(ours_layer, source, g, how)
        theirs_grad = gradients(theirs_layer, source, g, how)
        assert ours_grad.dtype == theirs_grad.dtype == source.dtype, context
        error = float(np.max(np.abs(np.array(ours_grad) - np.array(theirs_grad))))
        bound = gradient_tolerance(g_np, theirs_shape, x.shape)
        assert error <= bound, f"{context} {how}: {error:.3g} > {bound:.3g}"
        grads += 1
    assert grads == outputs >= 0.75 * (N_SWEEP // 3)


@needs_mlx
@pytest.mark.parametrize("mode", ["nearest", "linear", "cubic"])
def test_image_batch_matches_mlx(mode):
    """A realistic batch through both layers and both gradients, at 2 threads."""
    rng = np.random.default_rng(5)
    x = mx.array(rng.random((2, 40, 52, 3), dtype=np.float32))
    for scale in (2.0, 1.7, (0.6, 2.0)):
        ours_layer = ups_mlx.Upsample(scale, mode, num_threads=2)
        theirs_layer = nn.Upsample(scale, mode)
        ours, theirs = np.array(ours_layer(x)), np.array(theirs_layer(x))
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=4e-6 if mode == "cubic" else 1e-6)
        g_np = rng.standard_normal(ours.shape).astype(np.float32)
        g = mx.array(g_np)
        error = np.max(np.abs(np.array(gradients(ours_layer, x, g, "vjp"))
                              - np.array(gradients(theirs_layer, x, g, "vjp"))))
        assert error <= gradient_tolerance(g_np, ours.shape, x.shape)


# ---------------------------------------------------------------------------
# dtypes
# ---------------------------------------------------------------------------

ALL_DTYPES = ("bool_", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32",
              "int64", "float16", "bfloat16", "float32", "float64", "complex64")


@needs_mlx
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_output_dtypes_and_values_are_mlx_s(dtype):
    """MLX's rule for every MLX dtype: nearest keeps it (bfloat16 too), linear and cubic
    give float64 for float64, complex64 for complex64, float32 otherwise."""
    rng = np.random.default_rng(11)
    values = rng.integers(0, 100, (2, 5, 6, 2)).astype(np.float32)
    if dtype == "bool_":
        values = values > 50
    source = mx.array(values).astype(getattr(mx, dtype))
    for mode, scale in (("nearest", 2.0), ("nearest", 1.5), ("linear", 1.5), ("cubic", 2.0)):
        ours_layer, theirs_layer = layers(scale, mode)
        ours, theirs = ours_layer(source), theirs_layer(source)
        assert ours.dtype == theirs.dtype, (mode, scale)
        ours_values, theirs_values = as_numpy(ours), as_numpy(theirs)
        if mode == "nearest":
            assert ours_values.tobytes() == theirs_values.tobytes(), (mode, scale)
        else:
            # Small integers: every sum is of float32 values exact to well under 1e-4.
            np.testing.assert_allclose(ours_values, theirs_values, rtol=1e-5, atol=1e-4)


@needs_mlx
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("mode", ["nearest", "linear", "cubic"])
def test_half_precision_gradients(dtype, mode):
    """float16/bfloat16 inputs: MLX's gradient dtype (the input's), and values within the
    half type's rounding of MLX's (ours are rounded once, from float32 sums)."""
    rng = np.random.default_rng(2)
    source = mx.array(rng.standard_normal((1, 6, 7, 2)).astype(np.float32)).astype(
        getattr(mx, dtype))
    ours_layer, theirs_layer = layers(1.5, mode)
    out = theirs_layer(source)
    g = mx.array(rng.standard_normal(out.shape).astype(np.float32)).astype(out.dtype)
    ours = gradients(ours_layer, source, g, "vjp")
    theirs = gradients(theirs_layer, source, g, "vjp")
    assert ours.dtype == theirs.dtype == source.dtype
    eps = 2.0**-8 if dtype == "bfloat16" else 2.0**-11
    bound = 16 * eps * float(np.max(np.abs(as_numpy(g))))
    assert np.max(np.abs(as_numpy(ours) - as_numpy(theirs))) <= bound
    # Ours is the float32 gradient rounded once.
    exact = ups_mlx.Upsample(1.5, mode)
    reference = gradients(exact, source.astype(mx.float32), g.astype(mx.float32), "vjp")
    np.testing.assert_array_equal(as_numpy(ours), as_numpy(reference.astype(source.dtype)))


@needs_mlx
def test_integer_inputs_get_gradients_of_their_dtype():
    # A gradient of an integer input says nothing to an optimiser; its dtype is the input's.
    source = mx.arange(24, dtype=mx.int32).reshape(1, 4, 3, 2)
    for mode in ("nearest", "linear"):
        layer = ups_mlx.Upsample(2, mode)
        gradient = mx.grad(lambda z: mx.sum(layer(z).astype(mx.float32)))(source)
        assert gradient.dtype == mx.int32
        # Each input is read 4 times with weights summing to 4 (the borders clamp onto it).
        np.testing.assert_array_equal(np.array(gradient), 4)


# ---------------------------------------------------------------------------
# the module: attributes, parameters, errors, inputs
# ---------------------------------------------------------------------------


@needs_mlx
def test_module_is_mlx_s_layer_with_no_parameters():
    for args in ((2,), ((2, 1.5), "linear", True), (0.5, "cubic", False, True), ([2, "3"],)):
        ours, theirs = ups_mlx.Upsample(*args), nn.Upsample(*args)
        assert isinstance(ours, nn.Upsample) and isinstance(ours, nn.Module)
        assert ours.parameters() == theirs.parameters() == {}
        assert ours.trainable_parameters() == theirs.trainable_parameters() == {}
        assert dict(ours) == dict(theirs)
        assert repr(ours) == repr(theirs)
        for name in ("scale_factor", "mode", "align_corners", "antialias"):
            assert getattr(ours, name) == getattr(theirs, name), name
        assert ours.num_threads is None


@needs_mlx
def test_inside_a_model_it_adds_no_parameters():
    def model(layer):
        return nn.Sequential(nn.Conv2d(3, 4, 3), layer, nn.Conv2d(4, 2, 3))

    ours, theirs = model(ups_mlx.Upsample(2, "linear")), model(nn.Upsample(2, "linear"))
    shapes = lambda tree: [(k, v.shape) for k, v in nn.utils.tree_flatten(tree)]  # noqa: E731
    assert shapes(ours.parameters()) == shapes(theirs.parameters())


@needs_mlx
def test_reassigned_options_are_used():
    layer = ups_mlx.Upsample(2, "linear")
    x = mx.arange(12, dtype=mx.float32).reshape(1, 3, 4, 1)
    layer.scale_factor, layer.mode = (1.0, 3.0), "cubic"
    assert layer(x).shape == nn.Upsample((1.0, 3.0), "cubic")(x).shape == (1, 3, 12, 1)


CONSTRUCTOR_ERRORS = [
    ((2, "bilinear"), {}), ((2, None), {}), ((2, "Linear"), {}),
    ((2, "nearest"), {"antialias": True}), ((2, "linear", True, True), {}),
    (("abc",), {}), ((None,), {}), ((["a", 2],), {}), ((1j,), {}),
]


@needs_mlx
@pytest.mark.parametrize("args, kwargs", CONSTRUCTOR_ERRORS)
def test_constructor_errors_are_mlx_s(args, kwargs):
    with pytest.raises(Exception) as theirs:
        nn.Upsample(*args, **kwargs)
    with pytest.raises(type(theirs.value)) as ours:
        ups_mlx.Upsample(*args, **kwargs)
    assert str(ours.value) == str(theirs.value)


@needs_mlx
@pytest.mark.parametrize("scale, shape", [((2, 2, 2), (1, 4, 4, 2)), ((2,), (1, 4, 4, 2)),
                                          (2, (4, 2)), (2, (4,))])
def test_call_errors_are_mlx_s(scale, shape):
    x = mx.ones(shape)
    with pytest.raises(ValueError) as theirs:
        nn.Upsample(scale)(x)
    with pytest.raises(ValueError) as ours:
        ups_mlx.Upsample(scale)(x)
    assert str(ours.value) == str(theirs.value)


@needs_mlx
@pytest.mark.parametrize("scale", [0.0, -1.0, float("nan"), float("inf")])
@pytest.mark.parametrize("mode", ["nearest", "linear"])
def test_unusable_scales_are_a_value_error_naming_the_scale(scale, mode):
    # MLX returns an empty array or raises ZeroDivisionError/OverflowError/ValueError here.
    with pytest.raises(ValueError, match=r"scale_factor must be finite and greater than 0"):
        ups_mlx.Upsample(scale, mode)(mx.ones((1, 4, 4, 2)))


@needs_mlx
@pytest.mark.parametrize("threads, error", [(0, ValueError), (1.5, TypeError), (True, TypeError)])
def test_bad_num_threads(threads, error):
    with pytest.raises(error, match="num_threads"):
        ups_mlx.Upsample(2, num_threads=threads)


@needs_mlx
def test_numpy_and_list_inputs_are_converted_as_mlx_converts_them():
    x = np.arange(8, dtype=np.float64).reshape(1, 2, 2, 2)
    out = ups_mlx.Upsample(2, "linear")(x)
    assert isinstance(out, mx.array) and out.dtype == mx.float32   # mx.array(float64 NumPy)
    np.testing.assert_allclose(np.array(out), np.array(nn.Upsample(2, "linear")(mx.array(x))),
                               atol=1e-6)
    assert ups_mlx.Upsample(2)(x.tolist()).shape == (1, 4, 4, 2)


@needs_mlx
@pytest.mark.parametrize("mode", ["nearest", "linear", "cubic"])
def test_strided_mlx_inputs_are_read_as_they_are(mode):
    """Transposed, reversed and broadcast mx.arrays (read through their strides)."""
    rng = np.random.default_rng(6)
    base = mx.array(rng.standard_normal((2, 6, 5, 3)).astype(np.float32))
    inputs = [base.transpose(0, 2, 1, 3), base[:, ::-1], base[:, :, ::2],
              mx.broadcast_to(base[:1], (3, 6, 5, 3))]
    for x in inputs:
        ours_layer, theirs_layer = layers(1.5, mode)
        np.testing.assert_allclose(np.array(ours_layer(x)), np.array(theirs_layer(x)),
                                   rtol=0, atol=2e-5)
        g = mx.array(rng.standard_normal(theirs_layer(x).shape).astype(np.float32))
        np.testing.assert_allclose(np.array(gradients(ours_layer, x, g, "vjp")),
                                   np.array(gradients(theirs_layer, x, g, "vjp")),
                                   rtol=0, atol=5e-5)


@needs_mlx
@pytest.mark.parametrize("mode", ["nearest", "linear", "cubic"])
def test_inputs_are_never_modified(mode):
    rng = np.random.default_rng(4)
    data = rng.standard_normal((2, 5, 6, 3)).astype(np.float32)
    x = mx.array(data)
    layer = ups_mlx.Upsample(1.5, mode)
    out = layer(x)
    g_np = rng.standard_normal(out.shape).astype(np.float32)
    g = mx.array(g_np)
    mx.eval(mx.vjp(layer, [x], [g])[1], mx.grad(lambda z: mx.sum(layer(z) ** 2))(x))
    np.testing.assert_array_equal(np.array(x), data)
    np.testing.assert_array_equal(np.array(g), g_np)
    # The output owns its memory: writing into a view of x afterwards does not change it.
    before = np.array(out)
    np.asarray(x)[...] = 0
    np.testing.assert_array_equal(np.array(out), before)


# ---------------------------------------------------------------------------
# transformations: what works, what fails on purpose
# ---------------------------------------------------------------------------


@needs_mlx
@pytest.mark.parametrize("mode", ["linear", "cubic"])
def test_jvp_and_second_derivatives_match_mlx(mode):
    rng = np.random.default_rng(8)
    x = mx.array(rng.standard_normal((1, 5, 6, 2)).astype(np.float32))
    t = mx.array(rng.standard_normal(x.shape).astype(np.float32))
    ours_layer, theirs_layer = layers(1.5, mode)
    (ours_out,), (ours_tangent,) = mx.jvp(ours_layer, [x], [t])
    (_, ), (theirs_tangent,) = mx.jvp(theirs_layer, [x], [t])
    np.testing.assert_allclose(np.array(ours_tangent), np.array(theirs_tangent), atol=2e-5)
    np.testing.assert_allclose(np.array(ours_out), np.array(theirs_layer(x)), atol=2e-5)

    def second(layer):
        inner = mx.grad(lambda z: mx.sum(layer(z) ** 3))
        return np.array(mx.grad(lambda z: mx.sum(inner(z) * t))(x))

    ours, theirs = second(ours_layer), second(theirs_layer)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4 * np.max(np.abs(theirs)))


@needs_mlx
def test_compile_and_vmap_fail_with_a_clear_error():
    layer = ups_mlx.Upsample(2, "linear")
    for transformed, x in ((mx.compile(layer), mx.ones((1, 3, 3, 1))),
                           (mx.vmap(layer), mx.ones((2, 1, 3, 3, 1)))):
        with pytest.raises(ValueError, match=r"mx\.compile or mx\.vmap.*mlx\.nn\.Upsample"):
            mx.eval(transformed(x))


# ---------------------------------------------------------------------------
# a model trained with each layer
# ---------------------------------------------------------------------------


def tiny_model(upsampling):
    """Linear -> (batch, 6, 6, 4) -> the upsampling layer -> Conv2d (the class is made
    here: without MLX there is no nn.Module to derive it from)."""

    class TinyModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(8, 6 * 6 * 4)
            self.up = upsampling
            self.conv = nn.Conv2d(4, 2, kernel_size=3, padding=1)

        def __call__(self, x):
            return self.conv(self.up(self.linear(x).reshape(x.shape[0], 6, 6, 4)))

    return TinyModel()


def train(upsampling, steps=8):
    """The losses of a few SGD steps from a seeded initialisation on seeded data."""
    mx.random.seed(0)
    model = tiny_model(upsampling)
    rng = np.random.default_rng(0)
    x = mx.array(rng.standard_normal((4, 8)).astype(np.float32))
    target = mx.array(rng.standard_normal((4, 12, 12, 2)).astype(np.float32))
    optimizer = optim.SGD(learning_rate=0.05)
    loss_and_grad = nn.value_and_grad(model, lambda m: mx.mean((m(x) - target) ** 2))
    losses = []
    for _ in range(steps):
        loss, grads = loss_and_grad(model)
        optimizer.update(model, grads)
        mx.eval(model.parameters(), optimizer.state)
        losses.append(loss.item())
    return losses


@needs_mlx
@pytest.mark.parametrize("mode", ["nearest", "linear", "cubic"])
def test_a_tiny_model_trains_as_with_mlx_s_layer(mode):
    # Cubic x2 on 6 samples keeps clear of MLX's cubic tap quirk.
    ours = train(ups_mlx.Upsample(2, mode))
    theirs = train(nn.Upsample(2, mode))
    assert ours[-1] < ours[0]
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)


@needs_mlx
@pytest.mark.skipif(not README.exists(), reason="README.md is not beside tests/ (a copied tests/)")
def test_readme_mlx_example_runs(capsys):
    exec(compile(readme_example("MLX"), str(README), "exec"), {})
    assert capsys.readouterr().out.strip() == "same output, same gradients: True True"
