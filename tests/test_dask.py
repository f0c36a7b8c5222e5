"""upsample.dask: the chunked result holds the very bits of the in-memory call.

Every case computes ``upsample.dask.upsample(dask_array, ...)`` with Dask's
synchronous scheduler and compares its bytes with ``upsample.upsample`` on
the whole array: ragged chunks, chunks smaller than the filter, chunks of
one element, scales up and down (scale 2, whose kernels take a fixed
pattern), every mode and option, integer, float, complex and uint8 results,
and spatial axes anywhere. Needs the ``[dask]`` extra; skipped without it.
"""

import itertools
import pickle

import numpy as np
import pytest

import upsample

# The extra installs nothing before Python 3.11 (Zarr 3 needs it).
EXTRA = "the [dask] extra (Python 3.11 and later)"
da = pytest.importorskip("dask.array", reason=f"upsample.dask needs {EXTRA}: dask")
dask = pytest.importorskip("dask")
udask = pytest.importorskip("upsample.dask")

OPTIONS = [
    dict(mode="nearest"),
    dict(mode="linear"),
    dict(mode="linear", align_corners=True),
    dict(mode="linear", antialias=True),
    dict(mode="cubic"),
    dict(mode="cubic", align_corners=True),
    dict(mode="cubic", antialias=True),
]
OPTION_IDS = ["nearest", "linear", "linear-ac", "linear-aa", "cubic", "cubic-ac", "cubic-aa"]


def _same_bits(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    assert np.array_equal(got.view(np.uint8), want.view(np.uint8)), (
        f"{np.count_nonzero(got != want)} of {got.size} values differ")


def _check(x, chunks, out_chunks=None, **options):
    """The chunked result against the whole in-memory call, byte for byte."""
    want = upsample.upsample(x, **options)
    lazy = udask.upsample(da.from_array(x, chunks=chunks), chunks=out_chunks, **options)
    assert lazy.shape == want.shape and lazy.dtype == want.dtype
    with dask.config.set(scheduler="synchronous"):
        got = lazy.compute()
    _same_bits(got, want)
    return lazy


def _image(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(shape) * 60 + 100
    if np.dtype(dtype).kind == "c":
        values = values + 1j * rng.standard_normal(shape)
    return values.astype(dtype)


@pytest.mark.parametrize("options", OPTIONS, ids=OPTION_IDS)
@pytest.mark.parametrize("scale", [2.0, 1.7, 0.3, (3.0, 0.5)])
@pytest.mark.parametrize("chunks", [(1, 4, 5, 3), (2, (9, 2, 9), (1, 19, 7), 2)],
                         ids=["ragged", "uneven"])
def test_every_mode_scale_and_chunking_gives_the_same_bits(options, scale, chunks):
    _check(_image((2, 20, 27, 3), np.float32), chunks, scale_factor=scale, **options)


@pytest.mark.parametrize("options", OPTIONS, ids=OPTION_IDS)
def test_single_element_chunks(options):
    x = _image((1, 5, 6, 2), np.float32, seed=12)
    for scale in (2.0, 0.6):
        _check(x, 1, scale_factor=scale, **options)


@pytest.mark.parametrize("options", OPTIONS, ids=OPTION_IDS)
@pytest.mark.parametrize("dtype, out", [
    (np.uint8, np.uint8), (np.uint8, None), (np.int16, None), (np.float64, None),
    (np.complex64, None), (np.float16, None), (np.int32, np.int32), (np.uint16, np.uint8),
])
def test_every_dtype_gives_the_same_bits(options, dtype, out):
    x = _image((2, 13, 18, 4), dtype, seed=1)
    if np.dtype(dtype).kind == "u":
        x = np.clip(_image((2, 13, 18, 4), np.float64, seed=1), 0, 255).astype(dtype)
    for scale in (2.0, 0.45):
        _check(x, (2, 4, (5, 1, 12), 4), scale_factor=scale, dtype=out, **options)


@pytest.mark.parametrize("options", OPTIONS, ids=OPTION_IDS)
def test_chunks_smaller_than_the_filter(options):
    # An antialiased x0.1 cubic reads about 40 inputs per output; chunks of 3 inputs.
    x = _image((1, 90, 70, 1), np.float32, seed=2)
    _check(x, (1, 3, 3, 1), scale_factor=(0.1, 0.13) if options["mode"] != "nearest" else 0.1,
           **options)


@pytest.mark.parametrize("options", OPTIONS, ids=OPTION_IDS)
def test_channels_first_and_unbatched_layouts(options):
    nchw = _image((2, 5, 17, 19), np.float32, seed=3)
    _check(nchw, (1, 2, 4, (7, 12)), scale_factor=(1.5, 2.0), axes=(2, 3), **options)
    hwc = _image((21, 13, 3), np.float32, seed=4)
    _check(hwc, (5, 2, 1), scale_factor=0.7, axes=(0, 1), **options)
    # Spatial axes around a channel axis, given in reverse order.
    hcw = _image((12, 4, 15), np.float64, seed=5)
    _check(hcw, (5, 3, 4), scale_factor=(2.0, 0.8), axes=(2, 0), **options)


@pytest.mark.parametrize("options", OPTIONS, ids=OPTION_IDS)
def test_volumes_and_signals(options):
    volume = _image((1, 9, 14, 13, 2), np.float32, seed=6)
    _check(volume, (1, 2, 5, 4, 1), scale_factor=(2.0, 1.5, 2.0), **options)
    _check(volume, (1, 4, 3, 6, 2), scale_factor=(0.6, 0.5, 1.0), **options)
    signal = _image((3, 101, 2), np.float32, seed=7)
    _check(signal, (2, 9, 1), scale_factor=2.0, **options)


@pytest.mark.parametrize("options", OPTIONS, ids=OPTION_IDS)
def test_sizes_and_output_chunks(options):
    x = _image((2, 21, 16, 3), np.float32, seed=8)
    _check(x, (1, 6, 6, 3), size=(35, 9), **options)
    _check(x, (2, 21, 16, 3), out_chunks=(1, 7, (5, 20, 7), 2), scale_factor=2.0, **options)
    _check(x, (1, 3, 2, 1), out_chunks=(2, 2, 3, 1), scale_factor=(0.5, 0.25), **options)


def _random_case(rng, longest):
    """A random array (up to three spatial axes of up to ``longest`` samples), options,
    scales and output dtype."""
    options = dict(OPTIONS[rng.integers(len(OPTIONS))])
    n_spatial = int(rng.integers(1, 4))
    shape = ([int(rng.integers(1, 3))] + [int(rng.integers(1, longest)) for _ in range(n_spatial)]
             + [int(rng.integers(1, 10))])
    dtype = [np.float32, np.uint8, np.float64, np.int16, np.complex64][rng.integers(5)]
    x = _image(shape, dtype, seed=int(rng.integers(1 << 30)))
    if dtype == np.uint8:
        x = np.clip(_image(shape, np.float64), 0, 255).astype(dtype)
    options["scale_factor"] = tuple(float(rng.choice([0.3, 0.5, 0.9, 1.0, 1.5, 2.0, 2.5, 3.0]))
                                    for _ in range(n_spatial))
    options["dtype"] = np.uint8 if dtype == np.uint8 and rng.integers(2) else None
    return x, options


def test_random_cases_give_the_same_bits():
    rng = np.random.default_rng(11)
    for _ in range(25):
        x, options = _random_case(rng, 24)
        _check(x, tuple(int(rng.integers(2, 9)) for _ in x.shape), **options)


def test_non_finite_values_and_signed_zeros_keep_their_bits():
    x = _image((1, 20, 20, 2), np.float32, seed=9)
    x[0, 3, 4, 0] = np.nan
    x[0, 10, :, 1] = np.inf
    x[0, 15:, :, :] = -0.0
    for options in OPTIONS:
        for scale in (2.0, 0.7, 1.3):
            _check(x, (1, 3, 7, 1), scale_factor=scale, **options)


def test_empty_axes():
    x = np.zeros((0, 10, 10, 3), np.float32)
    _check(x, (1, 5, 5, 3), scale_factor=2, mode="linear")
    y = _image((1, 4, 10, 3), np.float32)
    _check(y, (1, 2, 5, 3), scale_factor=0.2, mode="cubic")   # an axis of length 0 out


def test_one_task_per_output_chunk_reading_only_its_slab():
    x = da.from_array(_image((1, 100, 1), np.float32), chunks=(1, 10, 1))
    y = udask.upsample(x, 2.0, mode="cubic", chunks=(1, 20, 1))
    layer = dict(y.dask.layers[y.name])
    assert len([key for key in layer if key[0] == y.name]) == y.npartitions == 10
    # Cubic at x2 reads 2 inputs beyond each side of its block: from each neighbouring
    # input block a cut of 2 rows (keys end with each axis' cut), none from the first
    # and last blocks' outer sides.
    cuts = [key for key in layer if key[0] != y.name]
    assert len(cuts) == 18
    assert all(key[5] in ((0, 2), (8, 10)) for key in cuts)
    # An antialiased x0.1 cubic reads 41 inputs per output, around floor((j + 0.5) * 10 -
    # 0.5) (filter radius 2 widened 10 times): the slab follows the table, not a fixed
    # overlap, and is clipped at the borders.
    from upsample import _blocks

    plan = _blocks.BlockPlan((1, 100, 1), np.float32, 0.1, "cubic", antialias=True)
    spans = [plan.block([(0, 1), (j, j + 1), (0, 1)]).slab_ranges[1] for j in range(10)]
    assert spans[0] == (0, 25) and spans[5] == (34, 75) and spans[9] == (74, 100)


def test_blocks_of_random_cases_give_the_same_bits():
    """The block recipes alone (no Dask), over many more cases: blocks of 1 to 5."""
    from upsample import _blocks

    rng = np.random.default_rng(12)
    for _ in range(400):
        x, options = _random_case(rng, 14)
        want = upsample.upsample(x, **options)
        dtype = options.pop("dtype")
        plan = _blocks.BlockPlan(x.shape, x.dtype, out_dtype=dtype, **options)
        step = [int(rng.integers(1, 6)) for _ in x.shape]
        if plan.trailing and not plan.gather:
            step[-1] = x.shape[-1]
        got = np.empty_like(want)
        edges = [[(a, min(a + k, n)) for a in range(0, n, k)] or [(0, 0)]
                 for k, n in zip(step, want.shape)]
        for ranges in itertools.product(*edges):
            block = plan.block(ranges)
            slab = x[tuple(slice(a, b) for a, b in block.slab_ranges)]
            got[tuple(slice(a, b) for a, b in ranges)] = block.compute(slab)
        _same_bits(got, want)


def test_blocks_pickle():
    from upsample import _blocks

    plan = _blocks.BlockPlan((1, 30, 30, 3), np.float32, 2.0, "cubic")
    block = plan.block([(0, 1), (10, 24), (7, 31), (0, 3)])
    copy = pickle.loads(pickle.dumps(block))
    x = _image((1, 30, 30, 3), np.float32)
    slab = x[tuple(slice(a, b) for a, b in block.slab_ranges)]
    _same_bits(copy.compute(slab), block.compute(slab))
    _same_bits(block.compute(slab), upsample.upsample(x, 2.0, mode="cubic")[:, 10:24, 7:31])


def test_errors_name_the_argument():
    x = da.zeros((1, 8, 8, 1), chunks=4)
    with pytest.raises(TypeError, match="x must be a dask.array.Array"):
        udask.upsample(np.zeros((1, 8, 8, 1)), 2)
    with pytest.raises(ValueError, match="chunks"):
        udask.upsample(x, 2, chunks=(1, 5, 5))
    with pytest.raises(ValueError, match="chunks"):
        udask.upsample(x, 2, chunks=(1, (8, 7), 16, 1))
    with pytest.raises(ValueError, match="scale_factor"):
        udask.upsample(x, -1)
    with pytest.raises(ValueError, match="mode"):
        udask.upsample(x, 2, mode="area")
    with pytest.raises(ValueError, match="antialias"):
        udask.upsample(x, 2, antialias=True)
    with pytest.raises(ValueError, match="axes"):
        udask.upsample(x, 2, axes=(0, 9))
    with pytest.raises(TypeError, match="x must hold numbers"):
        udask.upsample(da.from_array(np.array([["a"]], dtype=object), chunks=1), 2, axes=0)
    unknown = x[x[:, 0, 0, 0] > 0]
    with pytest.raises(ValueError, match="known chunk sizes"):
        udask.upsample(unknown, 2)


@pytest.mark.parametrize("dtype, out", [(np.float32, None), (np.uint8, np.uint8)])
def test_the_special_kernels_give_the_same_bits_in_blocks(dtype, out):
    """The 2x2 mean (linear x0.5), the scale-2 pattern kernels (linear and cubic x2, blocks
    starting at odd outputs) and, for uint8 to uint8, the fused kernel with its own
    rounding: each block takes the whole call's kernel."""
    x = np.clip(_image((2, 22, 26, 3), np.float64, seed=13), 0, 255).astype(dtype)
    _check(x, (1, 3, 5, 3), scale_factor=0.5, mode="linear", dtype=out)
    _check(x, (2, 1, 3, 3), out_chunks=(1, 3, 5, 3), scale_factor=0.5, mode="linear", dtype=out)
    for mode in ("linear", "cubic"):
        _check(x, (1, 3, 5, 3), out_chunks=(2, 7, (1, 3, 11, 37), 3), scale_factor=2.0,
               mode=mode, dtype=out)
