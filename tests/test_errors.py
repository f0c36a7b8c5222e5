"""Every documented error: the exception type and a message naming the parameter and value."""

import numpy as np
import pytest

from upsample import Upsample, upsample

X = np.zeros((1, 4, 4, 2), dtype=np.float32)


@pytest.mark.parametrize(
    "scale, error, words",
    [
        (0, ValueError, ["scale_factor", "0"]),
        (-1.5, ValueError, ["scale_factor", "-1.5"]),
        (float("nan"), ValueError, ["scale_factor", "nan"]),
        (float("inf"), ValueError, ["scale_factor", "inf"]),
        (-float("inf"), ValueError, ["scale_factor", "-inf"]),
        ((2, 0), ValueError, ["scale_factor", "0"]),
        ((2, float("nan")), ValueError, ["scale_factor", "nan"]),
        ((), ValueError, ["scale_factor", "empty"]),
        ("2", TypeError, ["scale_factor", "'2'"]),
        (None, ValueError, ["scale_factor", "size", "None"]),
        (True, TypeError, ["scale_factor", "True"]),
        (2 + 1j, TypeError, ["scale_factor", "(2+1j)"]),
        ((2, "x"), TypeError, ["scale_factor", "'x'"]),
    ],
)
def test_bad_scale_factor(scale, error, words):
    for call in (lambda: upsample(X, scale), lambda: Upsample(scale)):
        with pytest.raises(error) as info:
            call()
        for word in words:
            assert word in str(info.value)


def test_wrong_number_of_scales():
    with pytest.raises(ValueError, match=r"scale_factor.*one entry per spatial axis \(2\).*3"):
        upsample(X, (2, 2, 2))
    layer = Upsample((2, 2, 2))  # the layer cannot know the input's rank yet
    with pytest.raises(ValueError, match="scale_factor"):
        layer(X)


@pytest.mark.parametrize("mode", ["bilinear", "Linear", "", None, 1, "area"])
def test_unknown_mode(mode):
    with pytest.raises(ValueError, match="mode") as info:
        Upsample(2, mode=mode)
    assert repr(mode) in str(info.value)
    with pytest.raises(ValueError, match="mode"):
        upsample(X, 2, mode=mode)


def test_antialias_with_nearest():
    with pytest.raises(ValueError, match="antialias.*nearest"):
        Upsample(0.5, mode="nearest", antialias=True)


@pytest.mark.parametrize("mode", ["linear", "cubic"])
def test_antialias_with_align_corners(mode):
    with pytest.raises(ValueError, match="antialias.*align_corners"):
        upsample(X, 0.5, mode=mode, align_corners=True, antialias=True)


@pytest.mark.parametrize("name", ["align_corners", "antialias"])
@pytest.mark.parametrize("value", ["yes", None, 2, 1.0])
def test_flags_must_be_booleans(name, value):
    with pytest.raises(TypeError, match=name) as info:
        upsample(X, 2, mode="linear", **{name: value})
    assert repr(value) in str(info.value)


@pytest.mark.parametrize("ndim", [0, 1, 2])
def test_too_few_dimensions(ndim):
    with pytest.raises(ValueError, match=f"x must have shape.*{ndim} dimension"):
        upsample(np.zeros((3,) * ndim), 2)


@pytest.mark.parametrize(
    "array",
    [
        np.array([[["a", "b"]]]),
        np.array([[[b"a"]]]),
        np.array([[[object()]]], dtype=object),
        np.zeros((1, 2, 1), dtype=[("a", "f4"), ("b", "i4")]),
        np.zeros((1, 2, 1), dtype="datetime64[s]"),
        np.zeros((1, 2, 1), dtype="timedelta64[s]"),
    ],
)
def test_non_numeric_input(array):
    with pytest.raises(TypeError, match="x must hold numbers.*dtype"):
        upsample(array, 2)


@pytest.mark.parametrize("value, error", [(0, ValueError), (-1, ValueError), (1.5, TypeError),
                                          ("2", TypeError), (True, TypeError)])
def test_bad_num_threads(value, error):
    with pytest.raises(error, match="num_threads") as info:
        upsample(X, 2, num_threads=value)
    assert repr(value) in str(info.value)
    with pytest.raises(error, match="num_threads"):
        Upsample(2)(X, num_threads=value)


@pytest.mark.parametrize("scale", [1e300, 1e18, (1e10, 1e10)])
def test_output_too_large_is_refused_before_allocating(scale):
    with pytest.raises(ValueError, match="scale_factor"):
        upsample(X, scale)
