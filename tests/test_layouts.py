"""Memory layouts: results never depend on how the input is laid out, and it is never touched."""

import numpy as np
import pytest

from upsample import upsample

MODES = [("nearest", {}), ("linear", {}), ("cubic", {}), ("linear", {"antialias": True}),
         ("cubic", {"align_corners": True})]


def reference_input(dtype=np.float32):
    rng = np.random.default_rng(11)
    return (rng.standard_normal((2, 9, 7, 3)) * 50).astype(dtype)


def layouts(x):
    """The same values as C order, Fortran order, reversed, strided and transposed views."""
    yield "C", x
    yield "F", np.asfortranarray(x)
    reversed_copy = np.ascontiguousarray(x[:, ::-1, ::-1, ::-1])
    yield "negative strides", reversed_copy[:, ::-1, ::-1, ::-1]
    big = np.zeros((2, 18, 21, 6), dtype=x.dtype)
    big[:, ::2, ::3, ::2] = x
    yield "strided", big[:, ::2, ::3, ::2]
    yield "transposed", np.ascontiguousarray(x.transpose(3, 2, 1, 0)).transpose(3, 2, 1, 0)
    read_only = x.copy()
    read_only.flags.writeable = False
    yield "read-only", read_only


@pytest.mark.parametrize("mode, options", MODES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16, np.uint8])
def test_result_does_not_depend_on_layout(mode, options, dtype):
    x = reference_input(dtype)
    expected = upsample(x, (1.5, 2), mode, **options)
    for name, view in layouts(x):
        np.testing.assert_array_equal(upsample(view, (1.5, 2), mode, **options), expected,
                                      err_msg=name)


def test_broadcast_zero_stride_input():
    row = np.arange(5, dtype=np.float32).reshape(1, 1, 5, 1)
    x = np.broadcast_to(row, (2, 4, 5, 1))
    for mode in ("nearest", "linear", "cubic"):
        np.testing.assert_array_equal(upsample(x, 2, mode), upsample(x.copy(), 2, mode))


@pytest.mark.parametrize("dtype", [">f4", ">i2", ">f8", "<u2"])
@pytest.mark.parametrize("mode", ["nearest", "linear", "cubic"])
def test_non_native_byte_order_gives_correct_values(dtype, mode):
    x = reference_input(np.float64).astype(dtype)
    native = x.astype(x.dtype.newbyteorder("="))
    out = upsample(x, 1.5, mode)
    np.testing.assert_array_equal(out, upsample(native, 1.5, mode))


@pytest.mark.parametrize("mode, options", MODES)
def test_input_is_never_modified_and_output_is_new_memory(mode, options):
    x = reference_input()
    before = x.copy()
    for scale in (1.0, 2.0, 0.5):
        out = upsample(x, scale, mode, **options)
        np.testing.assert_array_equal(x, before)
        assert not np.shares_memory(out, x)
        assert out.flags.c_contiguous and out.flags.writeable


def test_array_likes_are_accepted():
    nested = [[[1.0], [2.0]], [[3.0], [4.0]]]
    np.testing.assert_array_equal(upsample(nested, 2, "linear"),
                                  upsample(np.array(nested), 2, "linear"))
    buffer = memoryview(np.arange(6, dtype=np.float32).reshape(1, 3, 2))
    np.testing.assert_array_equal(upsample(buffer, 2), upsample(np.asarray(buffer), 2))
