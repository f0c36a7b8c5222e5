"""The pipeline options beyond MLX: size=, axes=, dtype=, out=, num_threads=, array-likes."""

import os
import threading
import time

import numpy as np
import pytest

from upsample import Upsample, upsample

RNG = np.random.default_rng(7)
IMAGE = RNG.random((2, 6, 7, 3), dtype=np.float32)
MODES = ["nearest", "linear", "cubic"]


# ---------------------------------------------------------------------------
# size=
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("size", [(12, 14), (3, 20), (6, 7), (1, 1), (13, 5)])
def test_size_equals_the_scale_factor_it_implies(mode, size):
    result = upsample(IMAGE, size=size, mode=mode)
    assert result.shape == (2, *size, 3)
    scales = (size[0] / 6, size[1] / 7)
    assert np.array_equal(result, upsample(IMAGE, scales, mode=mode))


def test_size_gives_exactly_the_requested_length():
    # int(M / N * N) can come out one short in floating point; size must not.
    for n in range(1, 40):
        for m in range(1, 90):
            x = np.zeros((1, n, 1), dtype=np.float32)
            assert upsample(x, size=m, mode="linear").shape == (1, m, 1)


def test_size_int_applies_to_every_axis_and_layer_repr():
    layer = Upsample(size=9, mode="cubic")
    assert layer(IMAGE).shape == (2, 9, 9, 3)
    assert repr(layer) == "Upsample(size=9, mode='cubic', align_corners=False, antialias=False)"


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"size": 0}, ValueError, ["size", "0"]),
        ({"size": (4, -2)}, ValueError, ["size", "-2"]),
        ({"size": 2.5}, TypeError, ["size", "2.5"]),
        ({"size": "4"}, TypeError, ["size", "'4'"]),
        ({"size": True}, TypeError, ["size", "True"]),
        ({"size": ()}, ValueError, ["size", "empty"]),
        ({"size": (4, 4, 4)}, ValueError, ["size", "one entry per spatial axis"]),
        ({"size": 4, "scale_factor": 2}, ValueError, ["scale_factor", "size"]),
        ({}, ValueError, ["scale_factor", "size"]),
    ],
)
def test_size_errors(kwargs, error, words):
    with pytest.raises(error) as info:
        upsample(IMAGE, **kwargs)
    for word in words:
        assert word in str(info.value)


# ---------------------------------------------------------------------------
# axes=
# ---------------------------------------------------------------------------


def _through_default_layout(x, axes, scales, **options):
    """Reference: every non-spatial axis folded into channels, call, unfold, move back."""
    padded = x[None, ..., None]
    spatial = [a + 1 for a in axes]
    others = [a for a in range(1, x.ndim + 1) if a not in spatial]
    perm = [0, *spatial, *others, x.ndim + 1]
    moved = np.transpose(padded, perm)
    canonical = moved.reshape(1, *moved.shape[1 : 1 + len(axes)], -1)
    result = upsample(canonical, scales, **options)
    result = result.reshape(1, *result.shape[1:-1], *moved.shape[1 + len(axes) :])
    return np.transpose(result, np.argsort(perm))[0, ..., 0]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "shape, axes, scales",
    [
        ((2, 3, 5, 6), (2, 3), (2, 1.5)),  # channels first
        ((2, 3, 5, 6), (-2, -1), (2, 1.5)),
        ((5, 6, 3), (0, 1), (2, 3)),  # unbatched image
        ((5, 6), (0, 1), (0.6, 2)),  # plain 2-D array
        ((7,), (0,), (2.5,)),  # 1-D signal
        ((2, 5, 3, 6), (1, 3), (2, 1.5)),  # spatial axes not adjacent
        ((2, 5, 3, 6), (3, 1), (1.5, 2)),  # given in any order: scales follow the axes
        ((4, 3, 5, 2, 2), (0, 2, 4), (1.5, 2, 2)),
    ],
)
def test_axes_equal_transposing_around_the_default(mode, shape, axes, scales):
    x = RNG.standard_normal(shape).astype(np.float32)
    result = upsample(x, scales, mode=mode, axes=axes)
    normalised = tuple(a % x.ndim for a in axes)
    expected = _through_default_layout(x, normalised, scales, mode=mode)
    assert result.shape == expected.shape
    assert result.flags.c_contiguous
    np.testing.assert_allclose(result, expected, rtol=1e-6, atol=1e-6)


def test_axes_with_size_in_the_given_order():
    x = RNG.random((3, 4, 5), dtype=np.float32)
    assert upsample(x, size=(10, 6), axes=(2, 1), mode="linear").shape == (3, 6, 10)


@pytest.mark.parametrize(
    "axes, error, words",
    [
        ((1, 4), ValueError, ["axes", "4", "out of range"]),
        ((-5,), ValueError, ["axes", "-5"]),
        ((1, 1), ValueError, ["axes", "repeat"]),
        ((1, -3), ValueError, ["axes", "repeat"]),
        ((), TypeError, ["axes"]),
        ((1.0, 2), TypeError, ["axes", "1.0"]),
        ("12", TypeError, ["axes", "'12'"]),
        ((True,), TypeError, ["axes", "True"]),
    ],
)
def test_axes_errors(axes, error, words):
    with pytest.raises(error) as info:
        upsample(IMAGE, 2, axes=axes)
    for word in words:
        assert word in str(info.value)


# ---------------------------------------------------------------------------
# dtype=
# ---------------------------------------------------------------------------


def _rounded_reference(x, scale, mode, dtype, **options):
    exact = upsample(x.astype(np.float64), scale, mode=mode, **options)
    info = np.iinfo(dtype)
    return np.clip(np.rint(exact), info.min, info.max)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.uint16, np.int16, np.int32, np.uint32,
                                   np.int64])
@pytest.mark.parametrize("scale", [2, 1.7, 0.45])
def test_integer_dtype_is_within_one_of_the_rounded_float64_result(mode, dtype, scale):
    info = np.iinfo(dtype)
    # Step edges make cubic overshoot: saturation must hold it in range.
    low, high = max(info.min, -(2**40)), min(info.max, 2**40)
    x = RNG.integers(low, high, (2, 9, 11, 3), endpoint=True).astype(dtype)
    x[:, :, 5:, :] = high
    result = upsample(x, scale, mode=mode, dtype=dtype)
    assert result.dtype == dtype
    expected = _rounded_reference(x, scale, mode, dtype)
    assert np.abs(result.astype(np.float64) - expected).max() <= 1


@pytest.mark.parametrize("mode", ["linear", "cubic"])
@pytest.mark.parametrize("antialias", [False, True])
@pytest.mark.parametrize("shape, scale", [((1, 40, 50, 3), 2), ((2, 30, 20, 4), 0.3),
                                          ((1, 17, 33, 1), (1.3, 2.7)), ((3, 19, 2), 2),
                                          ((1, 6, 7, 8, 2), 1.5),
                                          # Outputs of 4 MB and more are streamed: rows that
                                          # start 32-byte aligned go out from the registers,
                                          # others through a staging buffer.
                                          ((1, 700, 800, 3), 2), ((1, 700, 801, 3), 2)])
def test_uint8_images_stay_uint8(mode, antialias, shape, scale):
    x = RNG.integers(0, 256, shape).astype(np.uint8)
    x[..., ::3, :] = 255
    x[..., 1::3, :] = 0
    result = upsample(x, scale, mode=mode, antialias=antialias, dtype=np.uint8)
    expected = _rounded_reference(x, scale, mode, np.uint8, antialias=antialias)
    assert result.dtype == np.uint8
    assert np.abs(result.astype(np.float64) - expected).max() <= 1
    # Through the float32 result, rounded afterwards: the same numbers.
    via_float = upsample(x, scale, mode=mode, antialias=antialias)
    assert np.abs(result.astype(np.float64) - np.clip(np.rint(via_float), 0, 255)).max() <= 1


def test_uint8_rounding_ties_saturation_and_nan():
    x = np.array([[[0.0], [1.0], [254.6], [300.0], [-7.0], [np.nan], [2.5], [3.5]]],
                 dtype=np.float32)
    result = upsample(x, 1, mode="linear", dtype=np.uint8)[0, :, 0]
    assert result.tolist() == [0, 1, 255, 255, 0, 0, 2, 4]
    wide = upsample(x, 1, mode="linear", dtype=np.int16)[0, :, 0]
    assert wide.tolist() == [0, 1, 255, 300, -7, 0, 2, 4]


@pytest.mark.parametrize("source", [np.float32, np.float64])
@pytest.mark.parametrize("dtype", [np.int32, np.uint32, np.int64, np.uint64])
@pytest.mark.parametrize("mode", ["nearest", "linear"])
def test_wide_integers_saturate_to_their_bounds(source, dtype, mode):
    # No float32 equals 2**31 - 1 (nor a float64 2**63 - 1): what lies beyond the
    # largest float below the bound still saturates to the bound itself.
    info = np.iinfo(dtype)
    x = np.array([np.inf, -np.inf, 1e30, -1e30, 2147483520.0, -5.5],
                 dtype=source).reshape(1, -1, 1)
    result = upsample(x, 1, mode=mode, dtype=dtype)[0, :, 0].tolist()
    assert result[:4] == [info.max, info.min, info.max, info.min]
    assert result[4:] == [2147483520, -6 if info.min < 0 else 0]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_float_dtypes(dtype):
    x = RNG.random((1, 8, 9, 2)).astype(np.float32)
    result = upsample(x, 1.5, mode="cubic", dtype=dtype)
    assert result.dtype == dtype
    exact = upsample(x.astype(np.float64), 1.5, mode="cubic")
    tolerance = {np.float16: 2e-3, np.float32: 1e-6, np.float64: 1e-12}[dtype]
    np.testing.assert_allclose(result, exact, atol=tolerance)


def test_nearest_with_a_dtype_converts_the_gathered_values():
    x = np.array([[[1.4], [2.6], [-3.0], [400.0]]], dtype=np.float64)
    assert upsample(x, 2, dtype=np.uint8)[0, :, 0].tolist() == [1, 1, 3, 3, 0, 0, 255, 255]
    wide = np.array([[[-70000], [5], [70000]]], dtype=np.int64)
    assert upsample(wide, 1, dtype=np.int16)[0, :, 0].tolist() == [-32768, 5, 32767]
    flags = np.array([[[True], [False]]])
    assert upsample(flags, 2, dtype=np.int8)[0, :, 0].tolist() == [1, 1, 0, 0]


@pytest.mark.parametrize(
    "dtype, error, words",
    [
        (np.bool_, ValueError, ["dtype", "bool"]),
        ("U3", ValueError, ["dtype", "<U3"]),
        (object, ValueError, ["dtype", "object"]),
        ("not a dtype", TypeError, ["dtype", "'not a dtype'"]),
    ],
)
def test_dtype_errors(dtype, error, words):
    with pytest.raises(error) as info:
        upsample(IMAGE, 2, mode="linear", dtype=dtype)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("wide, expected", [(np.clongdouble, np.complex128),
                                             (np.longdouble, np.float64)])
@pytest.mark.parametrize("mode", ["linear", "cubic"])
def test_wide_input_keeps_at_least_64_bit_precision(wide, expected, mode):
    # Details 1e-12 apart, which complex64 or float32 would round away.
    base = RNG.random((2, 7, 5, 3))
    x = (base + 1e-12 * np.arange(base.size).reshape(base.shape)).astype(wide)
    if wide == np.clongdouble:
        x = x - 1j * x[:, ::-1].astype(wide)
    result = upsample(x, 1.5, mode=mode)
    assert result.dtype == expected
    narrow = np.complex128 if wide == np.clongdouble else np.float64
    same_as_64 = upsample(x.astype(narrow), 1.5, mode=mode)
    assert same_as_64.dtype == expected
    np.testing.assert_array_equal(result, same_as_64)


def test_complex_input_cannot_become_real():
    with pytest.raises(ValueError, match="dtype.*imaginary"):
        upsample(IMAGE.astype(np.complex64), 2, mode="linear", dtype=np.float32)


# ---------------------------------------------------------------------------
# out=
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("layout", ["C", "F", "strided", "reversed"])
def test_out_of_any_layout_is_filled_and_returned(mode, layout):
    expected = upsample(IMAGE, 2, mode=mode)
    if layout == "C":
        out = np.empty_like(expected)
    elif layout == "F":
        out = np.asfortranarray(np.empty_like(expected))
    elif layout == "strided":
        out = np.empty((2, 12, 28, 3), dtype=expected.dtype)[:, :, ::2]
    else:
        out = np.empty_like(expected)[:, ::-1]
    out[...] = -1
    returned = upsample(IMAGE, 2, mode=mode, out=out)
    assert returned is out
    assert np.array_equal(out, expected)


def test_out_with_axes_and_dtype():
    x = RNG.integers(0, 256, (3, 10, 12), dtype=np.uint8)  # channels first, unbatched
    out = np.empty((3, 20, 24), dtype=np.uint8)
    layer = Upsample(2, mode="linear", axes=(1, 2), dtype=np.uint8)
    assert layer(x, out=out) is out
    assert np.array_equal(out, upsample(x, 2, mode="linear", axes=(1, 2), dtype=np.uint8))


def test_out_reused_in_a_loop():
    out = np.empty((2, 12, 14, 3), dtype=np.float32)
    for k in range(3):
        x = IMAGE + k
        assert np.array_equal(upsample(x, 2, mode="cubic", out=out), upsample(x, 2, mode="cubic"))


def test_out_errors():
    good = np.empty((2, 12, 14, 3), dtype=np.float32)
    with pytest.raises(ValueError, match=r"out has shape \(2, 12, 14, 4\)"):
        upsample(IMAGE, 2, out=np.empty((2, 12, 14, 4), dtype=np.float32))
    with pytest.raises(ValueError, match="out has dtype float64.*float32"):
        upsample(IMAGE, 2, out=good.astype(np.float64))
    readonly = good.copy()
    readonly.flags.writeable = False
    with pytest.raises(ValueError, match="out is read-only"):
        upsample(IMAGE, 2, out=readonly)
    with pytest.raises(TypeError, match="out must be a numpy.ndarray, got list"):
        upsample(IMAGE, 2, out=good.tolist())
    x = IMAGE.copy()
    before = x.copy()
    with pytest.raises(ValueError, match="out overlaps the input"):
        upsample(x, 1, out=x)
    big = np.zeros((2, 12, 14, 3), dtype=np.float32)
    with pytest.raises(ValueError, match="out overlaps the input"):
        upsample(big[:, :6, :7], 2, out=big)
    assert np.array_equal(x, before)


def test_out_may_sit_beside_the_input_in_one_buffer():
    buffer = RNG.random((2, 6 + 12, 14, 3), dtype=np.float32)
    x, out = buffer[:, :6, :7], buffer[:, 6:]
    expected = upsample(x.copy(), 2, mode="linear")
    assert np.array_equal(upsample(x, 2, mode="linear", out=out), expected)


# ---------------------------------------------------------------------------
# num_threads=, the GIL, array-likes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_results_do_not_depend_on_num_threads(mode):
    x = RNG.random((2, 150, 170, 3), dtype=np.float32)
    one = upsample(x, 1.9, mode=mode, num_threads=1)
    for threads in (2, 3, 7):
        assert np.array_equal(upsample(x, 1.9, mode=mode, num_threads=threads), one)
    x8 = (x * 255).astype(np.uint8)
    one = upsample(x8, 2, mode=mode, dtype=np.uint8, num_threads=1)
    assert np.array_equal(upsample(x8, 2, mode=mode, dtype=np.uint8, num_threads=2), one)


@pytest.mark.parametrize("mode", ["linear", "cubic"])
def test_volumes_do_not_depend_on_num_threads(mode):
    x = RNG.random((2, 21, 30, 33, 3), dtype=np.float32)
    one = upsample(x, (1.6, 2, 1.3), mode=mode, num_threads=1)
    for threads in (2, 3, 5):
        assert np.array_equal(upsample(x, (1.6, 2, 1.3), mode=mode, num_threads=threads), one)


def test_the_gil_is_released_while_the_kernels_run():
    x = RNG.random((1, 2000, 2000, 3), dtype=np.float32)
    upsample(x, 2, mode="cubic", num_threads=1)  # warm up the output cache
    start = time.perf_counter()
    upsample(x, 2, mode="cubic", num_threads=1)
    duration = time.perf_counter() - start
    done = threading.Event()

    def work():
        for _ in range(4):
            upsample(x, 2, mode="cubic", num_threads=1)
        done.set()

    worker = threading.Thread(target=work)
    ticks = [time.perf_counter()]
    worker.start()
    while not done.is_set():
        time.sleep(0.0005)  # needs the GIL back after every nap
        ticks.append(time.perf_counter())
    worker.join()
    # Holding the GIL through the kernels would freeze this loop for a whole
    # call at a time; with it released, it only waits for the short Python
    # parts of each call.
    longest_pause = max(np.diff(ticks))
    assert longest_pause < 0.6 * duration, (longest_pause, duration)


def test_array_likes_are_accepted():
    expected = upsample(IMAGE, 2, mode="linear")
    assert np.array_equal(upsample(IMAGE.tolist(), 2, mode="linear"),
                          upsample(IMAGE.astype(np.float64), 2, mode="linear"))
    assert np.array_equal(upsample(memoryview(IMAGE), 2, mode="linear"), expected)


def test_torch_tensors_are_read_without_a_copy():
    torch = pytest.importorskip("torch")
    tensor = torch.from_numpy(IMAGE.copy())
    assert np.array_equal(upsample(tensor, 2, mode="cubic"), upsample(IMAGE, 2, mode="cubic"))
    # Channels-first tensor, resampled along its last two axes.
    nchw = tensor.permute(0, 3, 1, 2)
    result = upsample(nchw, 2, mode="linear", axes=(2, 3))
    assert np.allclose(result.transpose(0, 2, 3, 1), upsample(IMAGE, 2, mode="linear"),
                       atol=1e-6)


def test_mlx_arrays_are_accepted():
    mx = pytest.importorskip("mlx.core")
    array = mx.array(IMAGE)
    assert np.array_equal(upsample(array, 2, mode="linear"), upsample(IMAGE, 2, mode="linear"))


# Under PASSIVE the limit follows the CPU's maker (_threads.PASSIVE_SERIAL_WORK_LIMIT).
PASSIVE_LIMIT = {"intel": 1 << 20}


@pytest.mark.parametrize("policy, serial_below", [(None, 1 << 17), ("PASSIVE", "passive"),
                                                   ("passive", "passive"), ("ACTIVE", 1 << 17)])
def test_sleeping_workers_raise_the_serial_limit(policy, serial_below, tmp_path):
    """Under OMP_WAIT_POLICY=PASSIVE every call wakes the workers, so mid-sized jobs stay serial."""
    import subprocess
    import sys

    import upsample_c
    from upsample_c import _cpu

    if not upsample_c.openmp_enabled():
        pytest.skip("a build without OpenMP always runs on one thread")
    if serial_below == "passive":
        serial_below = PASSIVE_LIMIT.get(_cpu.vendor(), 1 << 22)
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY",
                                                           "UPSAMPLE_NUM_THREADS")}
    if policy is not None:
        env["OMP_WAIT_POLICY"] = policy
    # The child must import the same build as this process.
    here = os.path.dirname(os.path.dirname(upsample_c.__file__))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [here, env.get("PYTHONPATH")]))
    code = ("import upsample_c as u; "
            f"print(u.effective_num_threads(2, {serial_below - 1}), "
            f"u.effective_num_threads(2, {serial_below}))")
    # Run outside the source tree: "python -c" puts the working directory first on
    # sys.path, where the sources (without their compiled modules) may be.
    child = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr
    assert child.stdout.split() == ["1", "2"]


def test_the_baseline_kernels_are_chosen_by_the_environment(tmp_path):
    """UPSAMPLE_KERNELS=base runs the baseline build (CI runs the whole suite so)."""
    import subprocess
    import sys

    import upsample_c

    here = os.path.dirname(os.path.dirname(upsample_c.__file__))
    env = dict(os.environ, UPSAMPLE_KERNELS="base",
               PYTHONPATH=os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")])))
    code = ("import numpy as np, upsample; "
            "x = np.arange(60, dtype=np.float32).reshape(1, 5, 4, 3); "
            "print(upsample.kernel_info()['kernels'], "
            "upsample.upsample(x, 2, 'linear').sum())")
    child = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr
    build, total = child.stdout.split()
    assert build == "base"
    x = np.arange(60, dtype=np.float32).reshape(1, 5, 4, 3)
    assert float(total) == pytest.approx(float(upsample(x, 2, "linear").sum()), rel=1e-6)


def test_thread_defaults_follow_the_environment_and_threadpoolctl(monkeypatch):
    import upsample_c

    if not upsample_c.openmp_enabled():
        pytest.skip("a build without OpenMP always runs on one thread")
    big = 1 << 30  # work large enough never to be forced serial
    monkeypatch.setenv("UPSAMPLE_NUM_THREADS", "3")
    assert upsample_c.effective_num_threads(None, big) == 3
    assert upsample_c.effective_num_threads(2, big) == 2  # an explicit request wins
    assert upsample_c.effective_num_threads(None, 10) == 1  # tiny jobs stay serial
    monkeypatch.setenv("UPSAMPLE_NUM_THREADS", "zero")
    with pytest.raises(ValueError, match="UPSAMPLE_NUM_THREADS.*'zero'"):
        upsample(IMAGE, 2)
    monkeypatch.delenv("UPSAMPLE_NUM_THREADS")
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with threadpoolctl.threadpool_limits(limits=1, user_api="openmp"):
        assert upsample_c.effective_num_threads(None, big) == 1
        x = RNG.random((1, 300, 300, 3), dtype=np.float32)
        assert np.array_equal(upsample(x, 2, mode="cubic"), upsample(x, 2, mode="cubic",
                                                                    num_threads=2))
