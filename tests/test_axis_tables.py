"""Any per-axis tables run through the same weighted passes (``weighted_passes``).

The options of a call are one table builder; gradients and other conventions
are others, handing ``AxisTable.from_arrays(index, weights, ...)`` to
``_plan_weighted.weighted_passes``. These tests check that the options'
tables, handed in that way, give the bytes ``upsample`` gives; that tables
no option builds (random weights, outputs in any order) give the sums they
describe; and that tables the passes could not apply are refused.
"""

import numpy as np
import pytest

from upsample import _tables, upsample
from upsample._axis_table import AxisTable
from upsample._plan_weighted import weighted_passes

RNG = np.random.default_rng(61)


def _run(x, out_shape, target_dtype, work_dtype, tables, threads=1):
    fill = weighted_passes(x.shape, x.dtype, out_shape, np.dtype(target_dtype),
                           np.dtype(work_dtype), tables)
    target = np.empty(out_shape, target_dtype)
    fill(x, target, threads)
    return target


@pytest.mark.parametrize("dtype, work", [("float32", "float32"), ("float64", "float64"),
                                         ("uint8", "float32"), ("complex64", "complex64")])
@pytest.mark.parametrize("spatial, scales", [((300,), (1.5,)), ((40, 52), (0.75, 1.3)),
                                             ((9, 12, 17), (1.5, 0.6, 1.7))])
@pytest.mark.parametrize("mode, antialias", [("linear", False), ("cubic", False),
                                             ("cubic", True)])
@pytest.mark.parametrize("threads", [1, 2])
def test_the_options_tables_handed_in_give_upsamples_bytes(dtype, work, spatial, scales, mode,
                                                           antialias, threads):
    shape = (2, *spatial, 3)
    if dtype == "uint8":
        x = RNG.integers(0, 256, shape).astype(np.uint8)
    else:
        x = (RNG.standard_normal(shape) * (1 + 1j if dtype == "complex64" else 1)).astype(dtype)
    real = np.float64 if work == "float64" else np.float32
    tables, out_shape = {}, [shape[0]]
    for axis, (n_in, scale) in enumerate(zip(spatial, scales), start=1):
        n_out = int(scale * n_in)
        index, weights = _tables.weighted_table(n_in, n_out, scale, mode, False, antialias)
        tables[axis] = AxisTable.from_arrays(index, weights, n_in, real)
        out_shape.append(n_out)
    out_shape = tuple(out_shape) + (shape[-1],)
    # uint8 comes out as uint8 from the passes only over two spatial axes.
    target = "float32" if dtype == "uint8" and len(spatial) != 2 else dtype
    expected = upsample(x, scales, mode=mode, antialias=antialias, dtype=target,
                        num_threads=threads)
    got = _run(x, out_shape, target, work, tables, threads)
    assert got.tobytes() == expected.tobytes()


def _window_table(n_in, n_out, taps, ordered):
    """A table whose output j reads ``taps`` consecutive sources (clamped at the end)
    from a random start, in source order (``ordered``) or shuffled; random weights."""
    starts = RNG.integers(0, n_in, n_out)
    if ordered:
        starts.sort()
    index = np.minimum(starts[:, None] + np.arange(taps), n_in - 1)
    return index, RNG.uniform(-1, 2, (n_out, taps))


def _applied(x, index, weights, axis):
    """The sums the table describes along ``axis``, in float64."""
    taken = np.take(x.astype(np.float64), index, axis=axis)  # axis becomes (n_out, taps)
    shape = [1] * taken.ndim
    shape[axis], shape[axis + 1] = weights.shape
    return (taken * weights.reshape(shape)).sum(axis=axis + 1)


@pytest.mark.parametrize("spatial, out_spatial", [((50,), (77,)), ((31, 45), (20, 64)),
                                                  ((33, 40), (70, 90)), ((6, 9, 11), (8, 13, 7)),
                                                  ((5, 7, 6), (9, 11, 10))])
@pytest.mark.parametrize("taps", [1, 3, 6])
@pytest.mark.parametrize("ordered", [True, False])
@pytest.mark.parametrize("channels", [1, 3, 8])
def test_any_window_tables_give_the_sums_they_describe(spatial, out_spatial, taps, ordered,
                                                       channels):
    x = RNG.standard_normal((2, *spatial, channels))
    tables, expected = {}, x
    for axis, (n_in, n_out) in enumerate(zip(spatial, out_spatial), start=1):
        index, weights = _window_table(n_in, n_out, taps, ordered)
        expected = _applied(expected, index, weights, axis)
        tables[axis] = AxisTable.from_arrays(index, weights, n_in, np.float64)
    out_shape = (2, *out_spatial, channels)
    for threads in (1, 2):
        got = _run(x, out_shape, np.float64, np.float64, tables, threads)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    tables = {axis: AxisTable.from_arrays(table.index, table.weights, table.n_in, np.float32)
              for axis, table in tables.items()}
    got = _run(x.astype(np.float32), out_shape, np.float32, np.float32, tables, 2)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())


def test_from_arrays_copies_and_leaves_the_callers_arrays_alone():
    index = np.array([[0, 1], [1, 2]])
    weights = np.array([[0.5, 0.5], [0.25, 0.75]])
    table = AxisTable.from_arrays(index, weights, 3, np.float32)
    assert index.flags.writeable and weights.flags.writeable
    assert table.index.dtype == np.int64 and table.weights.dtype == np.float32
    assert table.weights.shape == (4,) and not table.doubling and table.n_in == 3
    index[0, 0] = 2
    assert table.index[0, 0] == 0


@pytest.mark.parametrize("index, weights, n_in, real, message", [
    ([[0, 3]], [1, 0], 3, np.float32, "index must lie in 0 .. 2"),
    ([[-1, 0]], [1, 0], 3, np.float32, "index must lie in"),
    ([[0, 2]], [1, 0], 3, np.float32, "within 2 consecutive"),
    ([[0, 1]], [1, 0, 0], 3, np.float32, "weights must hold 2 values"),
    ([0, 1], [1, 0], 3, np.float32, "index must be a 2-D integer array"),
    ([[0.0, 1.0]], [1, 0], 3, np.float32, "index must be a 2-D integer array"),
    ([[0, 1]], [1, 0], 0, np.float32, "n_in must be at least 1"),
    ([[0, 1]], [1, 0], 3, np.float16, "real_dtype must be float32 or float64"),
])
def test_from_arrays_refuses_what_the_passes_cannot_apply(index, weights, n_in, real, message):
    with pytest.raises(ValueError, match=message):
        AxisTable.from_arrays(np.array(index), np.array(weights), n_in, real)


def test_weighted_passes_refuses_tables_that_do_not_fit_the_shapes():
    table = AxisTable.from_arrays([[0, 1], [1, 2]], [0.5, 0.5, 0.5, 0.5], 3, np.float32)
    f32 = np.dtype(np.float32)
    with pytest.raises(ValueError, match="one table per spatial axis"):
        weighted_passes((1, 3, 3, 1), f32, (1, 2, 2, 1), f32, f32, {1: table})
    with pytest.raises(ValueError, match=r"tables\[1\] maps 3 samples onto 2, not 4 onto 2"):
        weighted_passes((1, 4, 1), f32, (1, 2, 1), f32, f32, {1: table})
    with pytest.raises(ValueError, match="target_dtype uint8 with work_dtype float32"):
        weighted_passes((1, 3, 1), np.dtype(np.uint8), (1, 2, 1), np.dtype(np.uint8), f32,
                        {1: table})
    with pytest.raises(ValueError, match="float32 weights; the passes compute in float64"):
        weighted_passes((1, 3, 1), f32, (1, 2, 1), np.dtype(np.float64),
                        np.dtype(np.float64), {1: table})
