"""upsample_backward: the exact adjoint of every forward, deterministic, with defined
non-finite behaviour, layouts, dtypes and checks.

The oracles: the dot-product identity <upsample(x), g> == <x, upsample_backward(g)>,
and the forward's matrix probed column by column (gradient_cases.forward_matrix), whose
transpose times g is the gradient, computed without the adjoint's tables.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradient_cases import forward_matrix, random_case, random_options, random_scale
from readme_examples import README, readme_example
from upsample import Upsample, upsample, upsample_backward
from upsample._adjoint import forward_table, transpose_table

DOT_CASES = 400
DENSE_CASES = 150


def dot_product_error(shape, options, rng):
    """|<Ax, g> - <x, A^T g>| relative to sum |Ax * g|, in float64."""
    x = rng.standard_normal(shape)
    y = upsample(x, **options)
    g = rng.standard_normal(y.shape)
    gradient = upsample_backward(g, shape, **options)
    assert gradient.shape == shape and gradient.dtype == np.float64
    forward_side = float(np.sum(y * g))
    backward_side = float(np.sum(x * gradient))
    scale = float(np.sum(np.abs(y * g)))
    return abs(forward_side - backward_side) / scale if scale else abs(backward_side)


# ---------------------------------------------------------------------------
# exactness
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("block", range(4))
def test_dot_product_identity_holds_to_1e_12_on_a_random_sweep(block):
    rng = np.random.default_rng(1600 + block)
    worst = 0.0
    for case in range(DOT_CASES // 4):
        shape, options = random_case(rng)
        error = dot_product_error(shape, options, rng)
        worst = max(worst, error)
        assert error <= 1e-12, f"case {case}: {shape} {options}: relative error {error:.3g}"
    print(f"worst relative dot-product error: {worst:.3g}")


@pytest.mark.parametrize("n_spatial", [1, 2, 3])
def test_gradient_is_the_transpose_of_the_probed_forward(n_spatial):
    rng = np.random.default_rng(40 + n_spatial)
    for case in range(DENSE_CASES // 3):
        shape, options = random_case(rng, n_spatial=n_spatial)
        if math.prod(shape) > 400:
            continue
        matrix = forward_matrix(shape, options)
        g = rng.standard_normal(matrix.shape[0])
        expected = (matrix.T @ g).reshape(shape)
        got = upsample_backward(g.reshape(upsample(np.zeros(shape), **options).shape), shape,
                                **options)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12 * np.abs(g).sum(),
                                   err_msg=f"case {case}: {shape} {options}")


def test_readers_that_skip_an_output_stay_within_the_kernels_ring():
    # Cubic x1.5 puts every third output exactly on an input sample, which reads its
    # neighbours with weight 0: their rows in the transposed table skip that output.
    # Width first (x5 on the width, eight channels), the planar pass keeps the rows of
    # one output row's taps in a ring of h_taps slots, so a row must span no more
    # positions than it has taps (this case came out 0.49 off before the tables
    # counted spans).
    shape, options = (1, 9, 5, 8), {"scale_factor": (1.5, 5.0), "mode": "cubic"}
    matrix = forward_matrix(shape, options)
    g = np.random.default_rng(0).standard_normal(matrix.shape[0])
    got = upsample_backward(g.reshape(1, 13, 25, 8), shape, **options)
    np.testing.assert_allclose(got, (matrix.T @ g).reshape(shape), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode, align_corners, antialias", [
    ("nearest", False, False), ("linear", False, False), ("linear", True, False),
    ("linear", False, True), ("cubic", False, False), ("cubic", True, False),
    ("cubic", False, True),
])
def test_every_transposed_row_lies_within_its_tap_count(mode, align_corners, antialias):
    rng = np.random.default_rng(13)
    for _ in range(60):
        n_in = int(rng.integers(1, 60))
        scale = float(rng.choice([1.5, 2.0, 3.0, 5.0, 0.5, 1 / 3])) if rng.random() < 0.5 \
            else float(rng.uniform(0.2, 6.0))
        n_out = int(scale * n_in)
        if n_out == 0:
            continue
        factor = int(scale) if mode == "nearest" and scale.is_integer() else 0
        index, weights = forward_table(n_in, n_out, scale, mode, align_corners, antialias,
                                       factor)
        index_t, weights_t, unread = transpose_table(index, weights, n_in)
        taps = index_t.shape[1]
        assert np.all(index_t.max(axis=1) - index_t.min(axis=1) < taps)
        assert np.all((index_t >= 0) & (index_t < n_out))
        assert np.array_equal(unread, np.flatnonzero(~(weights_t != 0).any(axis=1)))


@pytest.mark.parametrize("block", range(2))
def test_float32_gradient_is_the_float64_gradient_rounded(block):
    # Mid-size arrays take the float32 kernels' own paths (row tiles, pairs of rows,
    # threads), which the float64 oracles above do not reach.
    rng = np.random.default_rng(90 + block)
    for _ in range(40):
        n_spatial = int(rng.integers(1, 4))
        longest = {1: 3000, 2: 120, 3: 30}[n_spatial]
        lengths = [int(rng.integers(1, longest)) for _ in range(n_spatial)]
        shape = (int(rng.integers(1, 3)), *lengths, int(rng.choice([1, 2, 3, 4, 8])))
        mode, align_corners, antialias = random_options(rng)
        scales = tuple(random_scale(rng) for _ in range(n_spatial))
        options = {"mode": mode, "align_corners": align_corners, "antialias": antialias}
        out_shape = upsample(np.zeros(shape, np.float32), scales, **options).shape
        g = rng.standard_normal(out_shape)
        single = upsample_backward(g.astype(np.float32), shape, scales, **options)
        double = upsample_backward(g, shape, scales, **options)
        magnitude = max(1.0, float(np.max(np.abs(double), initial=0)))
        error = float(np.max(np.abs(single - double), initial=0))
        assert error <= 2e-6 * magnitude, f"{shape} {scales} {options}: {error:.3g}"


def test_nearest_1d_written_out():
    # x2 repeats every sample: each input collects its two copies.
    g = np.array([1, 2, 3, 4, 5, 6], dtype=np.int16).reshape(1, 6, 1)
    got = upsample_backward(g, (1, 3, 1), 2)
    assert got.dtype == np.float32
    assert got.ravel().tolist() == [3.0, 7.0, 11.0]
    # x0.5 (4 -> 2) reads inputs 0 and 2 only (j * 2, truncated).
    got = upsample_backward(np.array([5.0, 7.0]).reshape(1, 2, 1), (1, 4, 1), 0.5)
    assert got.ravel().tolist() == [5.0, 0.0, 7.0, 0.0]
    # x1.5 (2 -> 3): outputs read inputs 0, 0, 1 (round half to even of
    # (j + 0.5) * 2/3 - 0.5 = -1/6, 1/2, 7/6).
    got = upsample_backward(np.array([1.0, 10.0, 100.0]).reshape(1, 3, 1), (1, 2, 1), 1.5)
    assert got.ravel().tolist() == [11.0, 100.0]


def test_linear_1d_written_out():
    # 2 -> 4, half-pixel: positions -0.25, 0.25, 0.75, 1.25 clipped to [0, 1]; outputs
    # read (1, 0), (0.75, 0.25), (0.25, 0.75), (0, 1) of inputs 0 and 1.
    g = np.array([1.0, 2.0, 3.0, 4.0]).reshape(1, 4, 1)
    got = upsample_backward(g, (1, 2, 1), 2, "linear")
    assert got.ravel().tolist() == [1 + 0.75 * 2 + 0.25 * 3, 0.25 * 2 + 0.75 * 3 + 4]
    # align_corners, 3 -> 6: positions j * 2/5 = 0, 0.4, 0.8, 1.2, 1.6, 2.
    got = upsample_backward(np.ones((1, 6, 1)), (1, 3, 1), 2, "linear", align_corners=True)
    np.testing.assert_allclose(got.ravel(), [1 + 0.6 + 0.2, 0.4 + 0.8 + 0.8 + 0.4,
                                             0.2 + 0.6 + 1], rtol=1e-6)


def test_cubic_of_a_single_sample_returns_the_sum_of_the_gradient():
    # Every tap clamps onto the only input, and the four weights add up to 1.
    g = np.arange(1.0, 4.0).reshape(1, 3, 1)
    got = upsample_backward(g, (1, 1, 1), 3, "cubic")
    np.testing.assert_allclose(got.ravel(), [6.0], rtol=1e-6)


@given(
    lengths=st.lists(st.integers(1, 9), min_size=1, max_size=3),
    scale=st.floats(0.2, 3.5),
    mode=st.sampled_from(["nearest", "linear", "cubic"]),
    flag=st.sampled_from(["none", "align_corners", "antialias"]),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=60, deadline=None)
def test_property_backward_is_linear_and_adjoint(lengths, scale, mode, flag, seed):
    if mode == "nearest":
        flag = "none"
    options = {"mode": mode, "align_corners": flag == "align_corners",
               "antialias": flag == "antialias"}
    shape = (2, *lengths, 2)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    y = upsample(x, scale, **options)
    g, h = rng.standard_normal(y.shape), rng.standard_normal(y.shape)
    gx = upsample_backward(g, shape, scale, **options)
    hx = upsample_backward(h, shape, scale, **options)
    combined = upsample_backward(2 * g - 3 * h, shape, scale, **options)
    np.testing.assert_allclose(combined, 2 * gx - 3 * hx, rtol=1e-12, atol=1e-12)
    scale_ = float(np.sum(np.abs(y * g))) or 1.0
    assert abs(np.sum(y * g) - np.sum(x * gx)) <= 1e-12 * scale_


@given(
    lengths=st.lists(st.integers(1, 12), min_size=1, max_size=2),
    scale=st.floats(0.2, 4.0),
    mode=st.sampled_from(["nearest", "linear"]),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=60, deadline=None)
def test_property_nonnegative_weights_keep_the_gradient_nonnegative_and_its_sum(
        lengths, scale, mode, seed):
    # Nearest and linear weigh every tap with a number in [0, 1] and every output's
    # weights add up to 1 (to float32 rounding: 1 - w and w are rounded): the gradient
    # of a positive g is >= 0 and sums to sum(g).
    shape = (1, *lengths, 1)
    out_shape = upsample(np.zeros(shape), scale, mode).shape
    g = np.random.default_rng(seed).random(out_shape)
    gradient = upsample_backward(g, shape, scale, mode)
    assert np.all(gradient >= 0)
    np.testing.assert_allclose(gradient.sum(), g.sum(), rtol=1e-7)


def test_transpose_table_adds_clamped_taps_and_drops_zero_weights():
    # Output 0 reads input 0 twice (a clamped tap) and input 1; output 1 reads input 1
    # (once with weight 0, once with 1) and input 2 with weight 0 only.
    index = np.array([[0, 0, 1], [1, 1, 2]])
    weights = np.array([[0.25, 0.5, 0.25], [0.0, 1.0, 0.0]])
    index_t, weights_t, unread = transpose_table(index, weights, 4)
    # Rows 2 and 3 (unread) repeat the last entry before them, under weight 0.
    assert index_t.tolist() == [[0, 0], [0, 1], [1, 1], [1, 1]]
    assert weights_t.tolist() == [[0.75, 0.0], [0.25, 1.0], [0.0, 0.0], [0.0, 0.0]]
    assert unread.tolist() == [2, 3]


def test_transpose_table_pads_short_rows_with_their_last_entry_under_weight_0():
    index = np.array([[0, 1], [0, 1], [1, 2]])
    weights = np.array([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]])
    index_t, weights_t, unread = transpose_table(index, weights, 3)
    assert index_t.tolist() == [[0, 1, 1], [0, 1, 2], [2, 2, 2]]
    assert weights_t.tolist() == [[0.5, 0.5, 0.0], [0.5, 0.5, 0.5], [0.5, 0.0, 0.0]]
    assert unread.size == 0


# ---------------------------------------------------------------------------
# determinism
# ---------------------------------------------------------------------------

THREAD_CASES = [
    ((1, 256, 256, 4), 2, "cubic", {}),
    ((2, 300, 200, 3), (1.5, 0.7), "linear", {}),
    ((1, 1024, 768, 3), 0.5, "cubic", {"antialias": True}),
    ((1, 200, 160, 3), 1.7, "nearest", {}),
    ((1, 24, 64, 48, 4), (2, 1.5, 0.75), "linear", {"align_corners": True}),
    ((4, 30000, 2), 2, "cubic", {}),
]


@pytest.mark.parametrize("shape, scale, mode, options", THREAD_CASES)
def test_same_bytes_for_every_thread_count_and_run(shape, scale, mode, options):
    rng = np.random.default_rng(5)
    out_shape = upsample(np.zeros(shape, np.float32), scale, mode, **options).shape
    g = rng.standard_normal(out_shape).astype(np.float32)
    expected = upsample_backward(g, shape, scale, mode, **options, num_threads=1).tobytes()
    for num_threads in (1, 2, 3, 2, 3):
        got = upsample_backward(g, shape, scale, mode, **options, num_threads=num_threads)
        assert got.tobytes() == expected, f"num_threads={num_threads}"


# ---------------------------------------------------------------------------
# non-finite values, unread inputs
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_a_nan_reaches_exactly_the_inputs_its_output_reads_with_a_nonzero_weight(seed):
    rng = np.random.default_rng(700 + seed)
    for _ in range(12):
        shape, options = random_case(rng, n_spatial=int(rng.integers(1, 3)), layouts=False)
        if math.prod(shape) > 300:
            continue
        matrix = forward_matrix(shape, options)
        if matrix.shape[0] == 0:
            continue
        j = int(rng.integers(0, matrix.shape[0]))
        g = rng.standard_normal(matrix.shape[0])
        g[j] = np.nan
        out_shape = upsample(np.zeros(shape), **options).shape
        for dtype in (np.float64, np.float32):
            gradient = upsample_backward(g.reshape(out_shape).astype(dtype), shape, **options)
            reached = np.isnan(gradient).reshape(-1)
            assert np.array_equal(reached, matrix[j] != 0), f"{shape} {options} j={j}"


def test_an_infinity_makes_its_inputs_non_finite_and_no_others():
    rng = np.random.default_rng(9)
    for mode, options in [("linear", {}), ("cubic", {}), ("cubic", {"antialias": True}),
                          ("nearest", {})]:
        shape = (1, 7, 6, 1)
        matrix = forward_matrix(shape, {"scale_factor": 1.5, "mode": mode, **options})
        for sign in (1, -1):
            j = int(rng.integers(0, matrix.shape[0]))
            g = rng.standard_normal(matrix.shape[0])
            g[j] = sign * np.inf
            gradient = upsample_backward(g.reshape(1, 10, 9, 1), shape, 1.5, mode, **options)
            assert np.array_equal(~np.isfinite(gradient).reshape(-1), matrix[j] != 0)


@pytest.mark.parametrize("scale, mode, options", [
    (0.5, "nearest", {}), (0.3, "nearest", {}), ((0.25, 1), "linear", {}),
    (0.2, "cubic", {}), ((0.3, 0.6), "cubic", {"align_corners": True}),
])
def test_inputs_no_output_reads_are_exactly_zero_even_under_nan(scale, mode, options):
    shape = (2, 20, 15, 3)
    matrix = forward_matrix((1, 20, 15, 1), {"scale_factor": scale, "mode": mode, **options})
    unread = ~matrix.any(axis=0).reshape(20, 15)
    assert unread.any()
    out_shape = upsample(np.zeros(shape), scale, mode, **options).shape
    for dtype in (np.float64, np.float32, np.complex64):
        g = np.full(out_shape, np.nan, dtype=dtype)
        gradient = upsample_backward(g, shape, scale, mode, **options)
        assert np.all(np.isnan(gradient[:, ~unread]))
        zeros = gradient[:, unread]
        assert np.all(zeros == 0) and not np.any(np.signbit(zeros.real))


def test_no_output_at_all_gives_a_zero_gradient():
    got = upsample_backward(np.zeros((2, 0, 0, 3)), (2, 5, 6, 3), 0.1, "linear")
    assert got.shape == (2, 5, 6, 3) and got.dtype == np.float64 and not got.any()
    empty = upsample_backward(np.zeros((0, 10, 12, 3), np.float32), (0, 5, 6, 3), 2, "cubic")
    assert empty.shape == (0, 5, 6, 3)


# ---------------------------------------------------------------------------
# dtypes, layouts, out=, the layer
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype, expected", [
    (np.float32, np.float32), (np.float16, np.float32), (np.int16, np.float32),
    (np.uint8, np.float32), (np.int64, np.float32), (np.bool_, np.float32),
    (np.float64, np.float64), (">f8", np.float64), (np.complex64, np.complex64),
    (np.complex128, np.complex128),
])
@pytest.mark.parametrize("mode", ["nearest", "cubic"])
def test_gradient_dtype_follows_grad_output(dtype, expected, mode):
    rng = np.random.default_rng(3)
    values = rng.integers(0, 3, (1, 10, 8, 2)) if np.dtype(dtype).kind in "biu" else \
        rng.standard_normal((1, 10, 8, 2))
    g = values.astype(dtype)
    got = upsample_backward(g, (1, 5, 4, 2), 2, mode)
    assert got.dtype == expected
    reference = upsample_backward(g.astype(np.complex128 if g.dtype.kind == "c" else np.float64),
                                  (1, 5, 4, 2), 2, mode)
    np.testing.assert_allclose(got, reference, rtol=1e-6, atol=1e-5)


def test_complex_gradient_is_the_gradient_of_each_part():
    rng = np.random.default_rng(4)
    g = rng.standard_normal((1, 9, 12, 2)) + 1j * rng.standard_normal((1, 9, 12, 2))
    got = upsample_backward(g, (1, 6, 8, 2), 1.5, "cubic")
    real = upsample_backward(g.real.copy(), (1, 6, 8, 2), 1.5, "cubic")
    imag = upsample_backward(g.imag.copy(), (1, 6, 8, 2), 1.5, "cubic")
    assert np.array_equal(got.real, real) and np.array_equal(got.imag, imag)


@pytest.mark.parametrize("mode", ["nearest", "linear", "cubic"])
def test_axes_and_memory_layouts_give_the_canonical_bytes(mode):
    rng = np.random.default_rng(6)
    g = rng.standard_normal((2, 12, 18, 3)).astype(np.float32)
    expected = upsample_backward(g, (2, 8, 6, 3), (1.5, 3), mode)
    channels_first = np.ascontiguousarray(g.transpose(0, 3, 1, 2))
    got = upsample_backward(channels_first, (2, 3, 8, 6), (1.5, 3), mode, axes=(2, 3))
    assert got.tobytes() == np.ascontiguousarray(expected.transpose(0, 3, 1, 2)).tobytes()
    got = upsample_backward(channels_first, (2, 3, 8, 6), (3, 1.5), mode, axes=(-1, 2))
    assert got.tobytes() == np.ascontiguousarray(expected.transpose(0, 3, 1, 2)).tobytes()
    for view in (np.asfortranarray(g), np.ascontiguousarray(g[:, ::-1])[:, ::-1],
                 np.repeat(g, 2, axis=2)[:, :, ::2]):
        assert upsample_backward(view, (2, 8, 6, 3), (1.5, 3), mode).tobytes() == \
            expected.tobytes()
    unbatched = upsample_backward(g[0], (8, 6, 3), (1.5, 3), mode, axes=(0, 1))
    assert unbatched.tobytes() == expected[0].tobytes()


def test_size_gives_the_gradient_of_the_forward_with_size():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((1, 7, 9, 2))
    y = upsample(x, size=(11, 4), mode="cubic")
    g = rng.standard_normal(y.shape)
    got = upsample_backward(g, x.shape, mode="cubic", size=(11, 4))
    assert abs(np.sum(y * g) - np.sum(x * got)) <= 1e-12 * np.sum(np.abs(y * g))


@pytest.mark.parametrize("layout", ["c", "fortran", "strided"])
def test_out_receives_the_gradient(layout):
    rng = np.random.default_rng(10)
    g = rng.standard_normal((2, 14, 10, 3)).astype(np.float32)
    expected = upsample_backward(g, (2, 7, 5, 3), 2, "linear")
    if layout == "c":
        out = np.empty((2, 7, 5, 3), np.float32)
    elif layout == "fortran":
        out = np.empty((2, 7, 5, 3), np.float32, order="F")
    else:
        out = np.empty((2, 7, 10, 3), np.float32)[:, :, ::2]
    returned = upsample_backward(g, (2, 7, 5, 3), 2, "linear", out=out)
    assert returned is out
    assert np.array_equal(out, expected)


def test_layer_backward_uses_the_layer_options():
    rng = np.random.default_rng(11)
    layer = Upsample(size=(9, 5), mode="cubic", axes=(2, 1), dtype=np.float64)
    x = rng.standard_normal((2, 6, 7, 3)).astype(np.float32)
    g = rng.standard_normal(layer(x).shape).astype(np.float32)
    got = layer.backward(g, x.shape)
    expected = upsample_backward(g, x.shape, mode="cubic", size=(9, 5), axes=(2, 1))
    assert got.dtype == np.float32 and got.tobytes() == expected.tobytes()
    out = np.empty_like(got)
    assert layer.backward(g, x.shape, out=out, num_threads=2) is out
    assert np.array_equal(out, expected)


def test_grad_output_is_never_modified():
    rng = np.random.default_rng(12)
    for g in (rng.standard_normal((1, 10, 10, 2)), np.full((1, 10, 10, 2), np.nan)):
        original = g.copy()
        upsample_backward(g, (1, 5, 5, 2), 2, "cubic")
        upsample_backward(g.astype(np.float32), (1, 20, 20, 2), 0.5, "nearest")
        assert np.array_equal(g, original, equal_nan=True)


# ---------------------------------------------------------------------------
# bad input: the forward's checks and messages, and the shapes
# ---------------------------------------------------------------------------



def _read_only(shape, dtype):
    array = np.zeros(shape, dtype)
    array.flags.writeable = False
    return array


G = np.zeros((2, 10, 12, 3), np.float32)
SHAPE = (2, 5, 6, 3)
BAD_CALLS = [
    # (call arguments, keyword arguments, error, words in the message)
    ((G, SHAPE, 3), {}, ValueError, ["grad_output", "(2, 10, 12, 3)", "(2, 15, 18, 3)"]),
    ((G, (2, 5, 6, 4), 2), {}, ValueError, ["(2, 10, 12, 3)", "(2, 10, 12, 4)"]),
    ((G[0], SHAPE, 2), {}, ValueError, ["(10, 12, 3)", "(2, 10, 12, 3)"]),
    ((G, SHAPE), {"size": (10, 13)}, ValueError, ["(2, 10, 12, 3)", "(2, 10, 13, 3)"]),
    ((G, SHAPE, 2), {"axes": (1, 3)}, ValueError, ["(2, 10, 6, 6)"]),
    (("abc", SHAPE, 2), {}, TypeError, ["grad_output", "str"]),
    ((G.astype(object), SHAPE, 2), {}, TypeError, ["grad_output", "object"]),
    (([[1, 2], [3]], SHAPE, 2), {}, ValueError, ["grad_output"]),
    ((G, "abc", 2), {}, TypeError, ["input_shape", "'abc'"]),
    ((G, 5, 2), {}, TypeError, ["input_shape", "5"]),
    ((G, (), 2), {}, TypeError, ["input_shape", "()"]),
    ((G, (2, 5.0, 6, 3), 2), {}, TypeError, ["input_shape", "5.0"]),
    ((G, (2, -5, 6, 3), 2), {}, ValueError, ["input_shape", "-5"]),
    ((G, (2, True, 6, 3), 2), {}, TypeError, ["input_shape", "True"]),
    ((G, (10**10, 10**10, 6, 3), 2), {}, ValueError, ["input_shape", "too large"]),
    ((G, (5, 6), 2), {}, ValueError, ["x must have shape", "2 dimension(s)"]),
    ((G, SHAPE, 0), {}, ValueError, ["scale_factor", "0"]),
    ((G, SHAPE, "2"), {}, TypeError, ["scale_factor", "'2'"]),
    ((G, SHAPE, (2, 2, 2)), {}, ValueError, ["scale_factor", "(2.0, 2.0, 2.0)"]),
    ((G, SHAPE), {}, ValueError, ["scale_factor", "size"]),
    ((G, SHAPE, 2), {"size": 3}, ValueError, ["scale_factor", "size"]),
    ((G, SHAPE, 2, "bilinear"), {}, ValueError, ["mode", "'bilinear'"]),
    ((G, SHAPE, 2, "nearest", False, True), {}, ValueError, ["antialias", "nearest"]),
    ((G, SHAPE, 2, "linear", 1), {}, TypeError, ["align_corners", "1"]),
    ((G, SHAPE, 2, "linear", True, True), {}, ValueError, ["antialias", "align_corners"]),
    ((G, SHAPE, 2), {"axes": (1, 1)}, ValueError, ["axes", "repeat"]),
    ((G, SHAPE, 2), {"axes": (1, 9)}, ValueError, ["axes", "9"]),
    ((G, SHAPE, 2), {"num_threads": 0}, ValueError, ["num_threads", "0"]),
    ((G, SHAPE, 2), {"num_threads": 1.5}, TypeError, ["num_threads", "1.5"]),
    ((G, SHAPE, 2), {"out": np.zeros(SHAPE)}, ValueError, ["out", "float64", "float32"]),
    ((G, SHAPE, 2), {"out": np.zeros((2, 5, 6), np.float32)}, ValueError, ["out", "(2, 5, 6)"]),
    ((G, SHAPE, 2), {"out": [0.0]}, TypeError, ["out", "list"]),
    ((G, SHAPE, 2), {"out": _read_only(SHAPE, np.float32)}, ValueError, ["out", "read-only"]),
]


@pytest.mark.parametrize("args, kwargs, error, words", BAD_CALLS,
                         ids=[str(i) for i in range(len(BAD_CALLS))])
def test_bad_input_is_refused_with_a_message_naming_it(args, kwargs, error, words):
    originals = [np.array(a, dtype=object) if isinstance(a, list) else
                 a.copy() if isinstance(a, np.ndarray) else a for a in args]
    with pytest.raises(error) as raised:
        upsample_backward(*args, **kwargs)
    message = str(raised.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    for before, after in zip(originals, args):
        if isinstance(after, np.ndarray) and after.dtype != object:
            assert np.array_equal(before, after)


def test_out_overlapping_grad_output_is_refused():
    g = np.zeros((1, 8, 8, 1), np.float32)
    with pytest.raises(ValueError, match="out overlaps the input grad_output"):
        upsample_backward(g, (1, 8, 8, 1), 1, "linear", out=g)


def test_layer_backward_checks_its_arguments():
    layer = Upsample(2, "linear")
    with pytest.raises(ValueError, match=r"\(2, 10, 12, 3\).*\(2, 4, 4, 3\)"):
        layer.backward(G, (2, 2, 2, 3))
    with pytest.raises(ValueError, match="num_threads"):
        layer.backward(G, SHAPE, num_threads=-1)
    with pytest.raises(ValueError, match="scale_factor"):
        Upsample((2, 2, 2), "linear").backward(G, SHAPE)


@pytest.mark.skipif(not README.exists(), reason="README.md is not beside tests/ (a copied tests/)")
def test_readme_training_example_fits_its_target(capsys):
    exec(compile(readme_example("Gradients"), str(README), "exec"), {})
    assert capsys.readouterr().out.strip() == "loss 605.0 -> 0.457"
