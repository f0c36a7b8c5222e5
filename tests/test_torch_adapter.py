"""upsample.torch against PyTorch 2.13 itself: outputs, gradients, errors, layouts, a model.

Tolerances: nearest and nearest-exact must be bit-identical (a gather of the
same indices). The other modes compute the same weights but sum in another
order (separable passes against PyTorch's 2-D and 3-D loops, or its own
separable passes), so results differ by float rounding: inputs lie in
[-1, 1] and each output sums at most a few dozen terms of weight at most
~1.3, so |ours - PyTorch| <= 2e-6 in float32 (about 16 ulps of 1) and 1e-13
in float64; a gradient sums every output that reads an input, so its tolerance
is 1e-5 (float32) or 1e-12 (float64) times max(1, its largest magnitude).
"""

import random
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (the [torch] extra)")
F = torch.nn.functional
# Imported, not importorskip'd: with torch present, an ImportError here is a failure.
import upsample.torch as ut  # noqa: E402

MODES = {1: ("nearest", "nearest-exact", "linear", "area"),
         2: ("nearest", "nearest-exact", "bilinear", "bicubic", "area"),
         3: ("nearest", "nearest-exact", "trilinear", "area")}
LAYOUTS = {2: torch.channels_last, 3: torch.channels_last_3d}
SCALES = (0.3, 0.5, 0.7, 1.0, 1.3, 1.5, 2.0, 2.5, 3.0, 1 / 3, 1.05, 2.05)
TOLERANCE = {torch.float32: 2e-6, torch.float64: 1e-13}
GRAD_TOLERANCE = {torch.float32: 1e-5, torch.float64: 1e-12}


def random_case(rng):
    """One random call: (input, keyword arguments)."""
    rank = rng.choice((1, 2, 2, 3))
    mode = rng.choice(MODES[rank])
    dtype = rng.choice((torch.float32, torch.float64))
    limit = 9 if rank == 3 else 17
    shape = [rng.randint(1, 3), rng.randint(1, 5)] + [rng.randint(1, limit) for _ in range(rank)]
    generator = torch.Generator().manual_seed(rng.randrange(2**31))
    x = torch.rand(shape, dtype=dtype, generator=generator) * 2 - 1
    if rank >= 2 and rng.random() < 0.5:
        x = x.contiguous(memory_format=LAYOUTS[rank])
    kwargs = {"mode": mode}
    if rng.random() < 0.5:
        kwargs["size"] = [rng.randint(1, 20) for _ in range(rank)]
    else:
        scales = [rng.choice(SCALES) for _ in range(rank)]
        if any(int(n * s) < 1 for n, s in zip(shape[2:], scales)):
            scales = [2.0] * rank
        kwargs["scale_factor"] = scales
        kwargs["recompute_scale_factor"] = rng.choice((None, False, True))
    if mode not in ("nearest", "nearest-exact", "area"):
        kwargs["align_corners"] = rng.choice((False, True))
    if mode in ("bilinear", "bicubic") and rng.random() < 0.4:
        kwargs["antialias"] = True
    return x, kwargs


def aa_width_one_quirk(x, kwargs):
    """PyTorch 2.13's antialiased kernels read only the first row when the output has
    one column and the height changes (test_antialias_width_one_quirk); such cases are
    compared there, not in the sweep."""
    if not kwargs.get("antialias"):
        return False
    reference = F.interpolate(x, **kwargs)
    return reference.shape[-1] == 1 and reference.shape[-2] != x.shape[-2]


def test_random_sweep_outputs_and_gradients():
    """1,000 seeded random calls: outputs (bit-identical for nearest, nearest-exact),
    strides, and for every third case the gradient of a random cotangent."""
    rng = random.Random(1234)
    compared = gradients = 0
    while compared < 1000:
        x, kwargs = random_case(rng)
        if aa_width_one_quirk(x, kwargs):
            continue
        before = x.clone()
        reference = F.interpolate(x, **kwargs)
        ours = ut.interpolate(x, **kwargs)
        assert torch.equal(x, before), kwargs  # input never modified
        assert ours.shape == reference.shape and ours.dtype == reference.dtype, kwargs
        assert ours.stride() == reference.stride(), (kwargs, ours.stride(), reference.stride())
        if kwargs["mode"].startswith("nearest"):
            assert torch.equal(ours, reference), kwargs
        else:
            tolerance = TOLERANCE[x.dtype]
            assert torch.allclose(ours, reference, rtol=0, atol=tolerance), (
                kwargs, (ours - reference).abs().max().item())
        compared += 1
        if compared % 3 == 0:
            cotangent = torch.rand(reference.shape, dtype=x.dtype)
            grads = []
            for function in (F.interpolate, ut.interpolate):
                leaf = x.detach().clone().requires_grad_(True)
                (grad,) = torch.autograd.grad(function(leaf, **kwargs), leaf, cotangent)
                grads.append(grad)
            assert grads[1].stride() == grads[0].stride(), kwargs
            # A gradient sums every output that reads an input (up to hundreds of terms
            # when downscaling to very few samples): the tolerance scales with its size.
            tolerance = GRAD_TOLERANCE[x.dtype] * max(1.0, grads[0].abs().max().item())
            assert torch.allclose(grads[1], grads[0], rtol=0, atol=tolerance), (
                kwargs, (grads[1] - grads[0]).abs().max().item())
            gradients += 1
    assert gradients >= 333


GRADCHECK_CASES = [
    ((2, 2, 5), {"mode": "nearest", "scale_factor": 1.7}),
    ((2, 2, 5), {"mode": "linear", "scale_factor": 0.6, "align_corners": True}),
    ((1, 2, 4, 5), {"mode": "nearest-exact", "size": (7, 3)}),
    ((1, 2, 4, 5), {"mode": "bilinear", "size": (7, 3)}),
    ((1, 2, 4, 5), {"mode": "bilinear", "size": (3, 7), "antialias": True}),
    ((1, 2, 4, 5), {"mode": "bicubic", "scale_factor": 1.5, "align_corners": True}),
    ((1, 2, 6, 5), {"mode": "bicubic", "size": (3, 9), "antialias": True}),
    ((1, 2, 5, 7), {"mode": "area", "size": (3, 4)}),
    ((1, 2, 3, 4, 3), {"mode": "trilinear", "scale_factor": 1.5}),
    ((1, 5, 3, 4, 3), {"mode": "nearest", "scale_factor": (2.0, 0.7, 1.5)}),
    ((1, 2, 3, 5, 4), {"mode": "area", "size": (2, 3, 3)}),
]


@pytest.mark.parametrize("channels_last", [False, True])
@pytest.mark.parametrize("shape, kwargs", GRADCHECK_CASES)
def test_gradcheck_float64(shape, kwargs, channels_last):
    """torch.autograd.gradcheck passes in float64 for every mode and both layouts."""
    x = torch.rand(shape, dtype=torch.float64)
    if channels_last and len(shape) > 3:
        x = x.contiguous(memory_format=LAYOUTS[len(shape) - 2])
    x.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda t: ut.interpolate(t, **kwargs), (x,))


BAD_ARGUMENTS = [
    ((2, 3, 5, 5), {"scale_factor": 0.1}),
    ((2, 3, 5, 5), {"scale_factor": -1.0}),
    ((2, 3, 5, 5), {"scale_factor": float("nan")}),
    ((2, 3, 5, 5), {"scale_factor": float("inf")}),
    ((2, 3, 5, 5), {"size": 0}),
    ((2, 3, 5, 5), {"size": -1}),
    ((2, 3, 5, 5), {"size": (2.0, 3)}),
    ((2, 3, 5, 5), {"size": (2, 3, 4)}),
    ((2, 3, 5, 5), {"scale_factor": (2,)}),
    ((2, 3, 5, 5), {"scale_factor": "a"}),
    ((2, 3, 5, 5), {"scale_factor": (2, "a")}),
    ((2, 3, 5, 5), {"size": 3, "scale_factor": 2}),
    ((2, 3, 5, 5), {}),
    ((2, 3, 5, 5), {"size": 3, "recompute_scale_factor": True}),
    ((2, 3, 5, 5), {"scale_factor": 2, "mode": "bogus"}),
    ((2, 3, 5, 5), {"scale_factor": 2, "mode": ["bilinear"]}),
    ((2, 3, 5, 5), {"scale_factor": 2, "mode": None}),
    ((2, 3, 5, 5), {"scale_factor": 2, "mode": "linear"}),
    ((2, 3, 5, 5), {"scale_factor": 2, "mode": "trilinear"}),
    ((2, 3, 5), {"scale_factor": 2, "mode": "bilinear"}),
    ((2, 3, 5, 5, 5), {"scale_factor": 2, "mode": "bicubic"}),
    ((2, 3, 5, 5), {"scale_factor": 2, "align_corners": True}),
    ((2, 3, 5, 5), {"scale_factor": 2, "mode": "area", "align_corners": False}),
    ((2, 3, 5, 5), {"scale_factor": 2, "mode": "bilinear", "align_corners": 1}),
    ((2, 3, 5), {"scale_factor": 2, "mode": "linear", "antialias": True}),
    ((2, 3, 5, 5), {"scale_factor": 2, "mode": "nearest", "antialias": True}),
    ((2, 3), {"scale_factor": 2}),
    ((2, 3, 4, 4, 4, 4), {"scale_factor": 2}),
    ((2, 0, 5, 5), {"scale_factor": 2, "mode": "bilinear"}),
    ((2, 3, 0, 5), {"scale_factor": 2, "mode": "bilinear"}),
    ((2, 3, 0, 5), {"size": 3, "mode": "area"}),
    ((2, 3, 0, 5, 6), {"size": 2, "mode": "area"}),
    ((2, 3, 4, 5), {"size": -1, "mode": "area"}),
]


@pytest.mark.parametrize("shape, kwargs", BAD_ARGUMENTS)
def test_bad_arguments_raise_what_pytorch_raises(shape, kwargs):
    """Each bad call raises the exception type PyTorch raises (with a message)."""
    x = torch.rand(shape)
    with pytest.raises(Exception) as expected:
        F.interpolate(x, **kwargs)
    with pytest.raises(type(expected.value)) as got:
        ut.interpolate(x, **kwargs)
    assert type(got.value) is type(expected.value) and str(got.value)


@pytest.mark.parametrize("shape, kwargs", [
    ((0, 3, 5, 5), {"scale_factor": 2}), ((0, 3, 5, 5), {"size": 3, "mode": "area"}),
    ((0, 3, 5, 5), {"scale_factor": 2, "mode": "bilinear"}),
    ((2, 0, 4, 5), {"size": 3, "mode": "area"}), ((2, 3, 4, 5), {"size": 0, "mode": "area"}),
    ((2, 3, 4), {"scale_factor": 0.1, "mode": "area"}),
    ((2, 3, 4, 5, 6), {"size": (0, 1, 1), "mode": "area"})])
def test_empty_results_where_pytorch_allows_them(shape, kwargs):
    """A batch of 0 images, and for area (an adaptive pooling) no channels or an empty
    output, give empty results as in PyTorch, with gradients of zeros."""
    x = torch.rand(shape, requires_grad=True)
    ours = ut.interpolate(x, **kwargs)
    assert ours.shape == F.interpolate(x, **kwargs).shape
    (grad,) = torch.autograd.grad(ours, x, torch.ones(ours.shape))
    assert grad.shape == x.shape and not grad.any()


def test_other_dtypes_go_to_pytorch():
    """float16 and int64 are PyTorch's own business (its result, or its error)."""
    x = torch.rand(1, 2, 4, 4).half()
    assert torch.equal(ut.interpolate(x, scale_factor=2, mode="bilinear"),
                       F.interpolate(x, scale_factor=2, mode="bilinear"))
    with pytest.raises(NotImplementedError):
        ut.interpolate(torch.zeros(1, 2, 4, 4, dtype=torch.int64), scale_factor=2)


@pytest.mark.parametrize("channels_last", [False, True])
def test_uint8_nearest_is_bit_exact(channels_last):
    x = torch.randint(0, 256, (2, 5, 9, 11), dtype=torch.uint8)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    for mode in ("nearest", "nearest-exact"):
        for scale in (0.6, 1.5, 2.0, 3.3):
            assert torch.equal(ut.interpolate(x, scale_factor=scale, mode=mode),
                               F.interpolate(x, scale_factor=scale, mode=mode))


UINT8_CASES = [({"size": (100, 70), "mode": "bilinear"}, 0.06),
               ({"size": (30, 20), "mode": "bilinear", "antialias": True}, 0.02),
               ({"size": (100, 70), "mode": "bicubic"}, 0.02),
               ({"size": (30, 20), "mode": "bicubic", "antialias": True}, 0.01),
               ({"size": (100, 70), "mode": "bicubic", "antialias": True}, 0.02)]


@pytest.mark.parametrize("channels_last", [False, True])
@pytest.mark.parametrize("kwargs, share", UINT8_CASES)
def test_uint8_bilinear_bicubic_within_one(kwargs, share, channels_last):
    """uint8 bilinear and bicubic: PyTorch sums int16 fixed-point weights, we sum float32
    ones; both round and clamp after each pass. On random images at most this share of
    the values differs, by 1 (the README quotes these figures)."""
    generator = torch.Generator().manual_seed(5)
    x = torch.randint(0, 256, (1, 3, 64, 48), dtype=torch.uint8, generator=generator)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    difference = (ut.interpolate(x, **kwargs).int() - F.interpolate(x, **kwargs).int()).abs()
    assert difference.max().item() <= 1 or (kwargs.get("antialias") and kwargs["mode"] ==
                                            "bicubic" and difference.max().item() <= 2)
    assert (difference > 0).float().mean().item() <= share


def test_antialias_width_one_quirk():
    """PyTorch 2.13's antialiased path, for an output one column wide whose height
    changes, gives every output row the first input row's value; ours resamples the
    height as for any other width (the README documents it)."""
    x = torch.rand(1, 1, 2, 1)
    theirs = F.interpolate(x, size=(3, 1), mode="bilinear", antialias=True)
    ours = ut.interpolate(x, size=(3, 1), mode="bilinear", antialias=True)
    assert torch.equal(theirs.flatten(), x[0, 0, 0, 0].repeat(3))
    wide = F.interpolate(x.expand(1, 1, 2, 3), size=(3, 3), mode="bilinear", antialias=True)
    assert torch.allclose(ours[..., 0], wide[..., 0], atol=1e-7)


def test_upsample_module_is_a_drop_in():
    """Same constructor, repr and results as torch.nn.Upsample."""
    x = torch.rand(2, 3, 6, 7)
    for kwargs in ({"scale_factor": 2}, {"size": (5, 9), "mode": "bilinear"},
                   {"scale_factor": (1.5, 2.0), "mode": "bicubic", "align_corners": True}):
        theirs, ours = torch.nn.Upsample(**kwargs), ut.Upsample(**kwargs)
        assert repr(ours) == repr(theirs)
        assert torch.allclose(ours(x), theirs(x), atol=2e-6)


def test_a_tiny_model_trains_the_same():
    """conv -> Upsample -> conv trained 5 steps with each layer: the losses agree."""
    losses = {}
    for name, layer in (("torch", torch.nn.Upsample), ("ours", ut.Upsample)):
        torch.manual_seed(0)
        model = torch.nn.Sequential(
            torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU(),
            layer(scale_factor=2, mode="bilinear"), torch.nn.Conv2d(8, 3, 3, padding=1))
        model = model.to(memory_format=torch.channels_last)
        optimiser = torch.optim.SGD(model.parameters(), lr=0.05)
        x = torch.rand(4, 3, 16, 16).contiguous(memory_format=torch.channels_last)
        target = torch.rand(4, 3, 32, 32)
        losses[name] = []
        for _ in range(5):
            optimiser.zero_grad()
            loss = F.mse_loss(model(x), target)
            loss.backward()
            optimiser.step()
            losses[name].append(loss.item())
    assert losses["ours"][-1] < losses["ours"][0]
    np.testing.assert_allclose(losses["ours"], losses["torch"], rtol=1e-5)


def test_import_upsample_does_not_import_torch(tmp_path):
    code = "import sys, upsample; assert 'torch' not in sys.modules, 'torch was imported'"
    # Outside the repository root, whose source folders hold no compiled code.
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, cwd=tmp_path)


def test_missing_torch_names_the_extra(tmp_path):
    code = ("import sys; sys.modules['torch'] = None\n"
            "try:\n    import upsample.torch\nexcept ImportError as error:\n"
            "    assert '[torch]' in str(error), error\nelse:\n    raise SystemExit('no error')")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, cwd=tmp_path)


README = __import__("pathlib").Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.skipif(not README.exists(), reason="README.md is not beside tests/ (a copied tests/)")
def test_readme_pytorch_example_runs():
    """The README's two-line change runs, and its layer is upsample's."""
    text = README.read_text()
    section = text[text.index("## PyTorch"):]
    start = section.index("```python\n") + len("```python\n")
    names = {}
    exec(compile(section[start:section.index("```\n", start)], str(README), "exec"), names)
    assert isinstance(names["model"][1], ut.Upsample)
    assert names["model"](torch.rand(1, 3, 8, 8)).shape == (1, 3, 16, 16)
    assert names["y"].shape == (1, 3, 48, 40)


def strided_inputs():
    """Tensors that are neither contiguous nor channels-last, by name."""
    base = torch.rand(2, 6, 9, 10)
    last = base.contiguous(memory_format=torch.channels_last)
    volume = torch.rand(2, 6, 4, 5, 6).contiguous(memory_format=torch.channels_last_3d)
    return {"sliced rows": base[:, :, 1:, ::2], "channel slice": base[:, 1:3],
            "transposed": base.transpose(2, 3), "expanded": base[:, :1].expand(2, 4, 9, 10),
            "channels-last channel slice": last[:, 1:5], "channels-last batch step": last[::2],
            "channels-last-3d channel slice": volume[:, 1:5]}


@pytest.mark.parametrize("name", list(strided_inputs()))
def test_strided_inputs_keep_pytorchs_memory_format(name):
    """Any strides: read as they are, result in the format PyTorch suggests for them."""
    x = strided_inputs()[name]
    linear = "bilinear" if x.dim() == 4 else "trilinear"
    for mode in ("nearest", linear, "area"):
        theirs = F.interpolate(x, scale_factor=1.5, mode=mode)
        ours = ut.interpolate(x, scale_factor=1.5, mode=mode)
        assert ours.stride() == theirs.stride(), (mode, ours.stride(), theirs.stride())
        assert torch.allclose(ours, theirs, rtol=0, atol=2e-6), mode


def test_results_come_from_the_output_cache():
    """The README's note: a result cannot be resized in place (a clone can), and
    clear_caches forgets the remembered plans."""
    ours = ut.interpolate(torch.rand(1, 1, 4, 4), scale_factor=2)
    with pytest.raises(RuntimeError, match="not resizable"):
        ours.resize_(1, 1, 100, 100)
    assert ours.clone().resize_(1, 1, 100, 100).shape == (1, 1, 100, 100)
    ut.clear_caches()
    assert ut._plan.cache_info().currsize == 0
