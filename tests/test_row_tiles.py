"""The row tiles (vector builds: AVX2 or NEON): eight rows resampled at once, one block of output pixels at a time.

The tile kernel transposes only the stretch of source that a block of output
pixels reads, from the block's first tap to its last, which is right only for
sorted tables. These tests check that every table the planner builds is
sorted, that an unsorted one keeps the rows off the tiles, and that wide
images, which use the tiles since they stay in L1, give what the one-row
loop gives.
"""

import numpy as np
import pytest

from upsample import _api, _axis_table, _plan, _plan_weighted, upsample

RNG = np.random.default_rng(23)


@pytest.mark.parametrize("mode", ["linear", "cubic"])
@pytest.mark.parametrize("align_corners, antialias", [(False, False), (True, False),
                                                      (False, True)])
@pytest.mark.parametrize("n_in, scale", [(1, 3.0), (7, 0.3), (64, 1.7), (100, 0.75),
                                         (517, 1.5), (1000, 0.5)])
def test_every_planned_table_is_sorted(mode, align_corners, antialias, n_in, scale):
    n_out = max(1, int(n_in * scale))
    table = _axis_table.axis_table(n_in, n_out, scale, mode, align_corners, antialias,
                                   np.dtype(np.float32))
    assert table.sorted


def test_an_unsorted_table_keeps_the_rows_off_the_tiles():
    index = np.array([[0, 1], [2, 3], [1, 2]], dtype=np.int64)
    weights = np.full(6, 0.5, dtype=np.float32)
    table = _axis_table.AxisTable(index, weights, False, 6)
    assert not table.sorted
    assert not _plan_weighted._use_row_tiles(np.dtype(np.float32), True, table, True, 2, 4, 3, 3)
    index.flags.writeable = True
    index[2] = [4, 5]
    assert _axis_table.AxisTable(index, weights, False, 6).sorted


@pytest.mark.skipif(not _plan_weighted.ROW_TILES, reason="no row tiles in this build")
@pytest.mark.parametrize("dtype", [np.float32, np.uint8])
@pytest.mark.parametrize("mode, scale, antialias", [("linear", 1.5, False),
                                                    ("cubic", 1.3, False),
                                                    ("cubic", 0.75, False),
                                                    ("linear", 0.4, True)])
def test_wide_rows_on_the_tiles_match_the_one_row_loop(dtype, mode, scale, antialias,
                                                       monkeypatch):
    shape = (1, 21, 2100, 3)
    if dtype == np.uint8:
        x = RNG.integers(0, 256, shape).astype(np.uint8)
    else:
        x = RNG.standard_normal(shape).astype(np.float32)
    out_dtype = np.uint8 if dtype == np.uint8 else None

    choices = []
    decide = _plan_weighted._use_row_tiles

    def recorded(*args):
        choices.append(decide(*args))
        return choices[-1]

    monkeypatch.setattr(_plan_weighted, "_use_row_tiles", recorded)

    def call():
        _api._PLANS.clear()
        choices.clear()
        return upsample(x, scale, mode=mode, antialias=antialias, dtype=out_dtype)

    tiled = call()
    assert choices == [True]
    monkeypatch.setattr(_plan_weighted, "ROW_TILE_SCRATCH_BYTES", 0)
    one_row = call()
    assert choices == [False]
    _api._PLANS.clear()
    if dtype == np.uint8:
        assert np.abs(tiled.astype(np.int16) - one_row).max() <= 1
    else:
        np.testing.assert_allclose(tiled, one_row, rtol=0, atol=2e-5)


def _order(shape, scale, mode):
    """Whether the planar pass of this image goes width first."""
    _, h_in, w_in, channels = shape
    h_out, w_out = int(scale * h_in), int(scale * w_in)
    f32 = np.dtype(np.float32)
    height = _axis_table.axis_table(h_in, h_out, scale, mode, False, False, f32)
    width = _axis_table.axis_table(w_in, w_out, scale, mode, False, False, f32)
    return _plan_weighted._width_first_is_cheaper(height.rows_used, w_in, w_out, h_out,
                                                  channels, height.taps, width.taps)


@pytest.mark.parametrize("shape, scale, width_first", [
    ((1, 720, 1280, 3), 0.75, True),   # wide rows: height first spills its tiles
    ((1, 720, 1280, 3), 0.9, True),
    ((1, 720, 1280, 3), 0.6, False),   # still height first: far fewer multiply-adds
    ((1, 480, 640, 3), 0.75, False),   # narrow rows: height first
    ((1, 224, 224, 3), 0.9, False),
    ((1, 720, 1280, 3), 1.5, True),
])
def test_which_way_a_planar_pass_goes(shape, scale, width_first):
    for mode in ("linear", "cubic"):
        assert _order(shape, scale, mode) == width_first


@pytest.mark.skipif(not _plan_weighted.ROW_TILES, reason="no row tiles in this build")
@pytest.mark.parametrize("dtype", [np.float32, np.uint8])
@pytest.mark.parametrize("shape, scale, mode, tiles", [
    ((1, 30, 400, 4), 0.75, "cubic", True),     # RGBA shrunk by a quarter: tiles
    ((1, 30, 1280, 4), 0.25, "cubic", False),   # shrunk to a quarter
    ((1, 30, 1280, 4), 0.4, "linear", False),
    ((1, 30, 1280, 4), 0.5, "cubic", True),     # wide, halved: the tiles pay
    ((1, 30, 400, 3), 0.75, "cubic", True),     # RGB keeps its tiles
])
def test_rgba_rows_height_first_take_the_tiles_only_where_they_pay(dtype, shape, scale,
                                                                   mode, tiles):
    dtype = np.dtype(dtype)
    out_shape = (1, round(shape[1] * scale), round(shape[2] * scale), shape[3])
    sampling = _plan.sampling(shape, dtype, (scale, scale), out_shape, mode, False, False,
                              dtype)
    (kind, axes, (width_first, row_tiles, halving)), = sampling.schedule
    assert (kind, width_first, halving) == ("planar", False, False)
    assert row_tiles == tiles
    # Either way, the same bytes.
    if dtype == np.uint8:
        x = RNG.integers(0, 256, shape).astype(np.uint8)
    else:
        x = RNG.standard_normal(shape).astype(np.float32)
    results = []
    for choice in (True, False):
        fill = _plan_weighted.weighted_passes(
            shape, dtype, out_shape, sampling.pass_dtype, sampling.work_dtype,
            sampling.tables, ((kind, axes, (width_first, choice, halving)),))
        results.append(np.empty(out_shape, sampling.pass_dtype))
        fill(x, results[-1], 1)
    assert results[0].tobytes() == results[1].tobytes()
