"""The ``Upsample`` layer: options that cannot be left invalid, ``repr``, ``out=`` on every call.

An option assigned after construction is checked as the constructor checks it,
with the same error, and a refused value leaves the layer unchanged; the layer
then computes what ``upsample`` computes with its options.
"""

import copy
import pickle

import numpy as np
import pytest

from upsample import Upsample, upsample

RNG = np.random.default_rng(21)
X = RNG.random((2, 6, 5, 3)).astype(np.float32)

# (the constructor's keyword arguments, an attribute, a bad value for it)
BAD_ASSIGNMENTS = [
    (dict(scale_factor=2), "mode", "area"),
    (dict(scale_factor=2), "mode", None),
    (dict(scale_factor=2), "scale_factor", 0),
    (dict(scale_factor=2), "scale_factor", -1.5),
    (dict(scale_factor=2), "scale_factor", float("nan")),
    (dict(scale_factor=2), "scale_factor", "2"),
    (dict(scale_factor=2), "scale_factor", (2, 0)),
    (dict(scale_factor=2), "scale_factor", None),  # then neither scale_factor nor size
    (dict(size=8), "scale_factor", 2),  # then both
    (dict(scale_factor=2), "size", 8),
    (dict(size=8), "size", 0),
    (dict(size=8), "size", 2.5),
    (dict(size=8), "size", None),
    (dict(scale_factor=2), "align_corners", "yes"),
    (dict(scale_factor=2, mode="linear"), "antialias", 1),
    (dict(scale_factor=2), "antialias", True),  # with nearest
    (dict(scale_factor=0.5, mode="linear", align_corners=True), "antialias", True),
    (dict(scale_factor=0.5, mode="linear", antialias=True), "align_corners", True),
    (dict(scale_factor=0.5, mode="cubic", antialias=True), "mode", "nearest"),
    (dict(scale_factor=2), "axes", (1, 1)),
    (dict(scale_factor=2), "axes", ()),
    (dict(scale_factor=2), "axes", (1.0,)),
    (dict(scale_factor=2), "dtype", "not a dtype"),
]
OPTION_NAMES = ("scale_factor", "size", "mode", "align_corners", "antialias", "axes", "dtype")


@pytest.mark.parametrize("options, name, value", BAD_ASSIGNMENTS,
                         ids=[f"{name}={value!r}" for _, name, value in BAD_ASSIGNMENTS])
def test_an_invalid_option_is_refused_with_the_constructors_error(options, name, value):
    layer = Upsample(**options)
    held = {key: getattr(layer, key) for key in OPTION_NAMES}
    with pytest.raises((ValueError, TypeError)) as built:
        Upsample(**{**held, name: value})
    before = repr(layer)
    expected = upsample(X, **held)
    with pytest.raises(type(built.value)) as assigned:
        setattr(layer, name, value)
    assert str(assigned.value) == str(built.value)
    # Unchanged: the same repr and the same results.
    assert repr(layer) == before
    np.testing.assert_array_equal(layer(X), expected)



@pytest.mark.parametrize("name, value, call", [
    ("mode", "cubic", dict(scale_factor=2, mode="cubic")),
    ("scale_factor", (1.5, 2), dict(scale_factor=(1.5, 2), mode="linear")),
    ("align_corners", True, dict(scale_factor=2, mode="linear", align_corners=True)),
    ("axes", (2, 1), dict(scale_factor=2, mode="linear", axes=(2, 1))),
    ("axes", 1, dict(scale_factor=2, mode="linear", axes=(1,))),
    ("dtype", "uint8", dict(scale_factor=2, mode="linear", dtype=np.uint8)),
    ("dtype", None, dict(scale_factor=2, mode="linear", dtype=None)),
])
def test_a_valid_option_takes_effect_and_is_normalised_as_by_the_constructor(name, value, call):
    layer = Upsample(2, "linear", dtype=np.float64)
    layer(X)
    layer(X)  # a remembered plan for the old options
    setattr(layer, name, value)
    call = {"dtype": np.float64, **call}
    assert getattr(layer, name) == getattr(Upsample(**call), name)
    np.testing.assert_array_equal(layer(X), upsample(X, **call))
    assert repr(layer) == repr(Upsample(**call))


def test_switching_from_scale_factor_to_size_needs_a_new_layer():
    layer = Upsample(2)
    with pytest.raises(ValueError, match="exactly one of scale_factor and size"):
        layer.size = (9, 9)
    assert layer.size is None and layer.scale_factor == 2.0


@pytest.mark.parametrize("options", [
    dict(scale_factor=2),
    dict(scale_factor=(1.5, 0.5), mode="cubic", antialias=True),
    dict(size=(3, 7), mode="linear", align_corners=True, axes=(-2, 1), dtype="uint8"),
    dict(scale_factor=np.float32(2.5), mode="linear", dtype=np.complex64),
])
def test_repr_names_every_option_and_rebuilds_the_layer(options):
    layer = Upsample(**options)
    text = repr(layer)
    assert text.startswith("Upsample(")
    rebuilt = eval(text, {"Upsample": Upsample})
    assert repr(rebuilt) == text
    for name in OPTION_NAMES:
        assert getattr(rebuilt, name) == getattr(layer, name)


def test_attributes_cannot_be_deleted():
    layer = Upsample(2)
    with pytest.raises(AttributeError):
        del layer.mode
    assert layer.mode == "nearest"


# ---------------------------------------------------------------------------
# out= on the first and every later call
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["nearest", "linear", "cubic"])
@pytest.mark.parametrize("order", ["C", "F"])
def test_out_is_filled_and_returned_on_every_call(mode, order):
    """A layer that served a later call from a remembered plan and returned a new array
    would leave ``out`` as it was: each call here gets new input and a dirty ``out``."""
    layer = Upsample((2, 1.5), mode)
    inputs = [RNG.random(X.shape).astype(np.float32) for _ in range(4)]
    expected = [upsample(x, (2, 1.5), mode) for x in inputs]
    out = np.zeros(expected[0].shape, np.float32, order=order)
    layer(inputs[0])  # plans remembered for calls without out=, as a pipeline makes them
    layer(inputs[0])
    for x, want in zip(inputs, expected):
        out.fill(np.nan)
        returned = layer(x, out=out)
        assert returned is out
        np.testing.assert_array_equal(out, want)
        # A call without out= between them still gives a new array.
        fresh = layer(x)
        assert fresh is not out and not np.shares_memory(fresh, out)
        np.testing.assert_array_equal(fresh, want)


def test_the_function_fills_out_on_every_call_too():
    inputs = [RNG.random(X.shape).astype(np.float32) for _ in range(3)]
    out = np.empty((2, 12, 7, 3), np.float32)
    for x in inputs:
        upsample(x, (2, 1.5), "linear")
        out.fill(np.nan)
        assert upsample(x, (2, 1.5), "linear", out=out) is out
        np.testing.assert_array_equal(out, upsample(x.copy(), (2, 1.5), "linear"))


def test_a_copied_layer_keeps_its_checked_options():
    layer = Upsample(0.5, "cubic", antialias=True, dtype="float64")
    layer(X)
    for clone in (pickle.loads(pickle.dumps(layer)), copy.deepcopy(layer), copy.copy(layer)):
        assert repr(clone) == repr(layer)
        with pytest.raises(ValueError, match="antialias"):
            clone.mode = "nearest"
        np.testing.assert_array_equal(clone(X), layer(X))
