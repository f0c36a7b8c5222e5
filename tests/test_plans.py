"""Remembered call plans: a repeated call must give what a freshly planned call gives.

``upsample`` and ``Upsample`` remember the plan of a call (checks, tables,
kernel choices) and replay it for the next call with the same arguments and
an input of the same shape, strides and dtype. These tests compare replayed
calls with calls planned from scratch, on new data each time, and check that
arguments which compare equal to valid ones (True == 1, 2.0 == 2) are still
refused.
"""

import threading

import numpy as np
import pytest

from upsample import Upsample, _api, upsample

RNG = np.random.default_rng(11)


def _fresh(call):
    """``call()`` with no remembered plans, so that it plans from scratch."""
    _api._PLANS.clear()
    return call()


def _image(shape, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return RNG.integers(max(info.min, -1000), min(info.max, 1000), shape).astype(dtype)
    if dtype.kind == "c":
        return (RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)).astype(dtype)
    if dtype.kind == "b":
        return RNG.random(shape) < 0.5
    return RNG.standard_normal(shape).astype(dtype)


CASES = [
    # (input shape, dtype, arguments, how to lay the input out)
    ((2, 9, 11, 3), "float32", dict(scale_factor=1.7, mode="nearest"), "c"),
    ((2, 9, 11, 3), "float32", dict(scale_factor=2, mode="nearest"), "c"),
    ((2, 9, 11, 3), "float32", dict(scale_factor=(1.5, 2.0), mode="linear"), "c"),
    ((2, 9, 11, 3), "float32", dict(scale_factor=2.0, mode="cubic"), "c"),
    ((1, 16, 12, 4), "float32", dict(scale_factor=0.5, mode="cubic", antialias=True), "c"),
    ((1, 8, 8, 2), "float64", dict(scale_factor=1.3, mode="linear", align_corners=True), "c"),
    ((1, 7, 6, 3), "uint8", dict(scale_factor=2.0, mode="cubic"), "c"),
    ((1, 7, 6, 3), "uint8", dict(scale_factor=1.5, mode="linear", dtype="float32"), "c"),
    ((1, 7, 6, 3), "int16", dict(scale_factor=1.5, mode="cubic", dtype="int16"), "c"),
    ((1, 7, 6, 2), "complex64", dict(scale_factor=1.5, mode="linear"), "c"),
    ((1, 7, 6, 2), "float32", dict(scale_factor=1.5, mode="nearest", dtype="float64"), "c"),
    ((1, 7, 6, 2), "bool", dict(scale_factor=2.5, mode="nearest"), "c"),
    ((2, 5, 6, 7, 2), "float32", dict(scale_factor=2.0, mode="cubic"), "c"),
    ((2, 5, 6, 7, 2), "float32", dict(scale_factor=(0.5, 1.5, 2.0), mode="linear"), "c"),
    ((3, 40, 2), "float32", dict(scale_factor=2.0, mode="linear"), "c"),
    ((9, 11, 3), "float32", dict(scale_factor=1.5, mode="linear", axes=(0, 1)), "c"),
    ((2, 3, 9, 11), "float32", dict(scale_factor=2.0, mode="cubic", axes=(2, 3)), "c"),
    ((2, 9, 11, 3), "float32", dict(size=(13, 4), mode="cubic"), "c"),
    ((2, 9, 11, 3), "float32", dict(scale_factor=1.7, mode="nearest"), "reversed"),
    ((2, 9, 11, 3), "float32", dict(scale_factor=1.5, mode="linear"), "fortran"),
    ((2, 9, 11, 3), "float32", dict(scale_factor=2.0, mode="nearest"), "strided"),
    ((2, 9, 11, 3), "float32", dict(scale_factor=1.5, mode="cubic", num_threads=2), "c"),
]
IDS = [f"{args.get('mode')}-{dtype}-{len(shape)}d-{layout}-{i}"
       for i, (shape, dtype, args, layout) in enumerate(CASES)]


def _laid_out(x, layout):
    if layout == "reversed":
        return x[:, ::-1]
    if layout == "fortran":
        return np.asfortranarray(x)
    if layout == "strided":
        wide = np.repeat(x, 2, axis=-2)
        return wide[..., ::2, :]
    return x


@pytest.mark.parametrize("shape, dtype, args, layout", CASES, ids=IDS)
def test_replayed_call_equals_a_freshly_planned_one(shape, dtype, args, layout):
    # New values each time: a plan must not keep anything of the input it was made for.
    inputs = [_laid_out(_image(shape, dtype), layout) for _ in range(3)]
    expected = [_fresh(lambda: upsample(x, **args)) for x in inputs]
    _api._PLANS.clear()
    results = [upsample(x, **args) for x in inputs]  # the first plans, the others replay
    for got, want in zip(results, expected):
        assert got.dtype == want.dtype and got.shape == want.shape and got.flags.c_contiguous
        np.testing.assert_array_equal(got, want)
    assert not np.shares_memory(results[1], results[2])


def test_same_shape_with_other_strides_is_planned_anew():
    x = _image((2, 9, 11, 3), "float32")
    views = [x, x[:, ::-1], np.asfortranarray(x), x[..., ::-1, :], x.transpose(0, 2, 1, 3)]
    for mode in ("nearest", "linear"):
        expected = [_fresh(lambda: upsample(v, 1.5, mode)) for v in views]
        _api._PLANS.clear()
        for view, want in zip(views, expected):
            np.testing.assert_array_equal(upsample(view, 1.5, mode), want)


@pytest.mark.parametrize("shape, dtype, args, layout", CASES, ids=IDS)
def test_layer_replays_equal_fresh_calls(shape, dtype, args, layout):
    args = dict(args)
    num_threads = args.pop("num_threads", None)
    layer = Upsample(**args)
    for data in range(2):
        x = _laid_out(_image(shape, dtype), layout)
        expected = _fresh(lambda: upsample(x, **args))
        layer(x, num_threads=num_threads)
        np.testing.assert_array_equal(layer(x, num_threads=num_threads), expected)


def test_contiguous_calls_are_remembered_and_the_cache_is_bounded():
    _api._PLANS.clear()
    x = _image((1, 6, 5, 3), "float32")
    upsample(x, 2.0, "linear")
    assert len(_api._PLANS) == 1
    upsample(x, 2.0, "linear")
    assert len(_api._PLANS) == 1
    for k in range(_api.PLAN_CACHE_ENTRIES + 10):
        upsample(x, 1.0 + k / 64, "linear")
    assert len(_api._PLANS) == _api.PLAN_CACHE_ENTRIES


def test_calls_that_cannot_be_replayed_are_not_remembered():
    _api._PLANS.clear()
    x = _image((1, 6, 5, 3), "float32")
    upsample(x, [2.0, 2.0], "linear")  # a list is not hashable
    upsample(x.tolist(), 2.0, "linear")  # not an ndarray
    upsample(x, 2.0, "linear", out=np.empty((1, 12, 10, 3), np.float32))
    upsample(x, 2.0, "linear", axes=(1, 3))  # the result needs moving axes back
    assert len(_api._PLANS) == 0


# Each valid argument, then one that compares equal to it (True == 1, 2.0 == 2)
# but is refused: a remembered plan for the first must not serve the second.
LOOKALIKES = [
    (dict(align_corners=False), dict(align_corners=0), TypeError),
    (dict(antialias=False), dict(antialias=0), TypeError),
    (dict(scale_factor=1), dict(scale_factor=True), TypeError),
    (dict(scale_factor=(1, 2)), dict(scale_factor=(True, 2)), TypeError),
    (dict(scale_factor=None, size=2), dict(scale_factor=None, size=2.0), TypeError),
    (dict(scale_factor=None, size=(2, 4)), dict(scale_factor=None, size=(2.0, 4)), TypeError),
    (dict(scale_factor=None, size=1), dict(scale_factor=None, size=True), TypeError),
    (dict(num_threads=1), dict(num_threads=True), TypeError),
    (dict(num_threads=1), dict(num_threads=1.0), TypeError),
    (dict(axes=(1, 2)), dict(axes=(True, 2)), TypeError),
    (dict(axes=(1, 2)), dict(axes=(1.0, 2)), TypeError),
]


@pytest.mark.parametrize("valid, lookalike, error", LOOKALIKES,
                         ids=[repr(bad) for _, bad, _ in LOOKALIKES])
def test_lookalike_arguments_are_still_refused(valid, lookalike, error):
    x = _image((1, 6, 5, 3), "float32")
    base = dict(scale_factor=2.0, mode="linear")
    good = {**base, **valid}
    bad = {**base, **lookalike}
    upsample(x, **good)
    upsample(x, **good)
    with pytest.raises(error):
        upsample(x, **bad)


def test_changed_layer_attribute_is_not_served_an_old_plan():
    x = _image((1, 6, 5, 3), "float32")
    layer = Upsample(2.0, "linear")
    layer(x)
    layer(x)
    layer.mode = "cubic"
    np.testing.assert_array_equal(layer(x), _fresh(lambda: upsample(x, 2.0, "cubic")))


def test_one_plan_runs_in_many_threads_at_once():
    inputs = [_image((1, 64, 48, 3), "float32") for _ in range(8)]
    expected = [_fresh(lambda: upsample(x, 1.7, "cubic", num_threads=1)) for x in inputs]
    upsample(inputs[0], 1.7, "cubic", num_threads=1)
    results = [None] * len(inputs)

    def work(k):
        for _ in range(20):
            results[k] = upsample(inputs[k], 1.7, "cubic", num_threads=1)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(inputs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for got, want in zip(results, expected):
        np.testing.assert_array_equal(got, want)


class _Unhashable(float):
    """A valid scale whose hash fails with something other than TypeError."""

    def __hash__(self):
        raise RuntimeError("no hash")


def test_arguments_that_cannot_be_hashed_are_checked_as_usual():
    x = _image((1, 6, 5, 3), "float32")
    expected = _fresh(lambda: upsample(x, 2.0, "linear"))
    np.testing.assert_array_equal(upsample(x, _Unhashable(2.0), "linear"), expected)
    np.testing.assert_array_equal(upsample(x, np.array([2.0, 2.0]), "linear"), expected)
    with pytest.raises(TypeError, match="scale_factor"):
        upsample(x, (2.0, [2.0]), "linear")


# ---------------------------------------------------------------------------
# The byte-bounded caches of tables and nearest offsets
# ---------------------------------------------------------------------------


def test_bounded_cache_keeps_the_most_recent_within_its_budget():
    from upsample._cache import BoundedCache

    cache = BoundedCache(100)
    cache.put("a", "A", 40)
    cache.put("b", "B", 40)
    assert cache.get("a") == "A"  # now the most recently used
    cache.put("c", "C", 40)  # 120 bytes: the least recently used ("b") goes
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("A", None, "C")
    cache.put("big", "X", 51)  # more than half the budget: not kept
    assert cache.get("big") is None and cache.get("a") == "A"


@pytest.mark.parametrize("scale", [2, 1.5])
def test_long_signals_reuse_their_nearest_offsets(scale, monkeypatch):
    """A signal longer than any remembered plan still has its offsets remembered, and
    results with remembered offsets equal those with offsets built afresh."""
    from upsample import _plan_nearest
    from upsample._cache import BoundedCache

    monkeypatch.setattr(_plan_nearest, "OFFSETS", BoundedCache(_plan_nearest.OFFSETS_CACHE_BYTES))
    x = RNG.random((2, 300_000, 2)).astype(np.float32)
    first = upsample(x, scale)
    assert len(_plan_nearest.OFFSETS._items) == 1
    y = RNG.random((2, 300_000, 2)).astype(np.float32)
    again = upsample(y, scale)
    assert len(_plan_nearest.OFFSETS._items) == 1
    if scale == 2:
        assert np.array_equal(first, np.repeat(x, 2, axis=1))
        assert np.array_equal(again, np.repeat(y, 2, axis=1))
    monkeypatch.setattr(_plan_nearest, "OFFSETS", BoundedCache(_plan_nearest.OFFSETS_CACHE_BYTES))
    assert np.array_equal(upsample(y, scale), again)


def test_the_last_call_is_served_by_identity_and_only_for_its_arguments():
    _api._PLANS.clear()
    assert _api._PLANS.last is None
    scale, mode = (1.5, 2.0), "cubic"
    x = _image((1, 6, 5, 3), "float32")
    first = upsample(x, scale, mode)
    upsample(x, scale, mode)  # from the remembered plans: now the last call
    assert _api._PLANS.last is not None
    np.testing.assert_array_equal(upsample(x, scale, mode), first)
    # The same argument objects with another array: its own plan, not the last one.
    for other in (_image((1, 6, 5, 3), "float64"), _image((2, 6, 5, 3), "float32"),
                  np.asfortranarray(_image((1, 6, 5, 3), "float32"))):
        expected = _fresh(lambda: upsample(other.copy(order="C"), scale, mode))
        np.testing.assert_array_equal(upsample(other, scale, mode), expected)
    _api._PLANS.clear()
    assert _api._PLANS.last is None


@pytest.mark.parametrize("value, frozen", [
    (None, True), (2, True), (2.5, True), ("linear", True), ((1, 2.5), True),
    (np.dtype(np.float32), True), (np.float32, True),
    ([2.0], False), ((2.0, [2.0]), False), ((np.float64(2.0),), False),
    (np.float64(2.0), False), (np.array([2.0]), False),
])
def test_only_immutable_arguments_are_held_for_identity(value, frozen):
    assert _api._frozen(value) is frozen


def test_a_layer_serves_its_last_call_only_while_its_options_are_the_same_objects():
    x = _image((1, 6, 5, 3), "float32")
    layer = Upsample((2.0, 1.5), "linear")
    for _ in range(3):
        np.testing.assert_array_equal(layer(x), _fresh(lambda: upsample(x, (2.0, 1.5), "linear")))
        layer(x)
    assert layer._last is not None
    layer.scale_factor = (1.5, 2.0)
    np.testing.assert_array_equal(layer(x), _fresh(lambda: upsample(x, (1.5, 2.0), "linear")))
    layer.mode = "cubic"
    np.testing.assert_array_equal(layer(x), _fresh(lambda: upsample(x, (1.5, 2.0), "cubic")))
    other = x.astype(np.float64)
    np.testing.assert_array_equal(layer(other),
                                  _fresh(lambda: upsample(other, (1.5, 2.0), "cubic")))


def test_a_used_layer_still_pickles_and_copies():
    import copy
    import pickle

    x = _image((1, 6, 5, 3), "float32")
    layer = Upsample(2.0, "cubic")
    for _ in range(3):
        expected = layer(x)
    for clone in (pickle.loads(pickle.dumps(layer)), copy.deepcopy(layer), copy.copy(layer)):
        assert clone._last is None
        np.testing.assert_array_equal(clone(x), expected)


def test_the_last_call_record_compares_objects_and_the_array_geometry():
    """_memory.LastCall, which serves a repeated call without planning: the same option
    objects, or numbers, strings and tuples of numbers of the same types and values, and
    an array of the same dtype object, shape and strides."""
    from upsample_c import _memory

    x = _image((1, 6, 5, 3), "float32")
    scale = float("1.5")
    options = (scale, None, "linear", False, False, None, None, None)
    replay = _memory.Replay(None, (1, 9, 7, 3), np.float32, None)
    last = _memory.LastCall(options, x, replay)
    assert last.serves(*options, x) and last.serves(*options, x.copy())
    assert last.replay is replay
    equal_scale = float("1.5")  # equal, but another object: the same value and type
    assert equal_scale == scale and equal_scale is not scale
    assert last.serves(equal_scale, *options[1:], x)
    mode = "".join(["lin", "ear"])  # built at run time: another str object
    assert mode is not options[2] and last.serves(scale, None, mode, *options[3:], x)
    assert not last.serves(*options[:7], 1, x)
    # Equal values of other types are other arguments (True == 1, 2.0 == 2, np.float64).
    for changed in ((0, np.float64(1.5)), (0, 1.25), (2, "cubic"), (3, 0), (4, 0),
                    (3, np.bool_(False)), (7, 1.0)):
        other = list(options)
        other[changed[0]] = changed[1]
        assert not last.serves(*other, x), changed
    sized = _memory.LastCall((None, (9, 7), "linear", False, False, (1, 2), None, 2), x, replay)
    assert sized.serves(None, (9, int("7")), "linear", False, False, (1, 2), None, 2, x)
    for size in ((9.0, 7), (9, 7, 1), (9,), [9, 7], (9, np.int64(7)), (9, 8)):
        assert not sized.serves(None, size, "linear", False, False, (1, 2), None, 2, x), size
    assert not sized.serves(None, (9, 7), "linear", False, False, (1, 2), None, 2.0, x)
    for other in (x[:, ::-1], np.asfortranarray(x), x.astype(np.float64), x.astype(">f4"),
                  _image((1, 6, 5, 4), "float32"), x.reshape(1, 6, 5, 3, 1), x[0]):
        assert not last.serves(*options, other)
    layer_options = _api._LayerOptions(*options[:7])
    assert last.serves_layer(layer_options, None, x)
    assert not last.serves_layer(layer_options, 1, x)
    assert not last.serves_layer(layer_options[:6], None, x)
    assert not last.serves_layer(layer_options, None, x[:, ::-1])
    # An empty result: allocated, nothing to fill.
    result = replay.run(x)
    assert result.shape == (1, 9, 7, 3) and result.dtype == np.float32 and result.flags.c_contiguous


def test_a_replay_reshapes_the_input_and_the_result_as_told():
    """_memory.Replay hands the fill the input reshaped to the plan's source shape and a
    view of a new result in its target shape, and returns the result."""
    from upsample_c import _memory

    seen = []

    def fill(source, target, num_threads):
        seen.append((source.shape, target.shape, num_threads))
        target[...] = 7

    x = _image((2, 3, 4), "float32")
    replay = _memory.Replay(fill, (2, 3, 8), np.dtype(np.int16), 2, (2, 12), (6, 8))
    result = replay.run(x)
    assert seen == [((2, 12), (6, 8), 2)]
    assert result.shape == (2, 3, 8) and result.dtype == np.int16 and (result == 7).all()
    assert not np.shares_memory(result, replay.run(x))
    with pytest.raises(TypeError):
        replay.run(x.tolist())


@pytest.mark.parametrize("dtype, mode", [("float32", "linear"), ("uint8", "cubic")])
def test_a_plan_for_contiguous_input_refuses_other_input_instead_of_reading_it(dtype, mode):
    """A plan made for a C-contiguous input hands it to its pass as it is (no conversion
    step); an array of other strides or dtype given to it by mistake raises in the
    kernel's argument checks rather than being read wrongly."""
    from upsample import _plan

    x = _image((1, 12, 10, 3), dtype)
    out_dtype = np.dtype(dtype) if dtype == "uint8" else np.dtype(np.float32)
    steps = _plan.plan(x.shape, x.strides, x.dtype, (1.5, 1.5), (1, 18, 15, 3), mode, False,
                       False, out_dtype)
    target = np.empty((1, 18, 15, 3), out_dtype)
    steps(x, target, 1)
    np.testing.assert_array_equal(target, upsample(x, 1.5, mode, dtype=out_dtype))
    for wrong in (np.asfortranarray(x), x.astype(np.float64)):
        with pytest.raises((ValueError, TypeError)):
            steps(wrong, target, 1)


def test_calls_into_out_reuse_their_plan_and_give_the_planned_result(monkeypatch):
    """Calls with ``out=`` are not remembered by the API; _plan keeps their plans."""
    from upsample import _plan

    made = []
    make = _plan._make_plan
    monkeypatch.setattr(_plan, "_make_plan", lambda *args: made.append(args[0]) or make(*args))
    _api._PLANS.clear()
    inputs = [_image((1, 9, 7, 3), "float32") for data in range(3)]
    results = []
    for x in inputs:
        out = np.empty((1, 18, 14, 3), np.float32)
        assert upsample(x, 2.0, "cubic", out=out) is out
        results.append(out)
    assert made == [(1, 9, 7, 3)]  # planned once
    for x, out in zip(inputs, results):
        np.testing.assert_array_equal(out, _fresh(lambda: upsample(x, 2.0, "cubic")))
    _api._PLANS.clear()
    assert len(_plan.PLANS._items) == 0
    made.clear()
    upsample(inputs[0], 2.0, "cubic", out=results[0])
    assert made == [(1, 9, 7, 3)]  # planned again once forgotten


def test_the_plans_kept_for_out_calls_are_bounded(monkeypatch):
    from upsample import _plan

    monkeypatch.setattr(_plan.PLANS, "limit", 20 * _plan.PLAN_BYTES_PER_LENGTH * 40)
    _api._PLANS.clear()
    for k in range(60):
        x = _image((1, 5 + k, 6, 2), "float32")
        upsample(x, 2.0, "linear", out=np.empty((1, 10 + 2 * k, 12, 2), np.float32))
    assert 0 < _plan.PLANS._bytes <= _plan.PLANS.limit
    assert len(_plan.PLANS._items) < 60
    _api._PLANS.clear()
