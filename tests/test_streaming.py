"""Large outputs with and without streaming stores: the same bits, and the switch itself.

Outputs of 4 MB and more (16 MB for nearest) are written with streaming stores unless
``UPSAMPLE_STREAMING=off`` (``upsample._streaming``). Here each large case runs both
ways and must give the same bits, and the planners must pass the choice on to the
kernels.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

import upsample
from upsample import _plan_nearest, _plan_weighted, _streaming, upsample as resize

# Outputs of 4 MB and more (linear, cubic) or 16 MB and more (nearest): the sizes
# the planners stream from; rows of odd lengths so that some start unaligned.
LARGE_CASES = [
    ((1, 700, 801, 3), np.uint8, dict(scale_factor=2, mode="linear")),
    ((1, 350, 401, 4), np.uint8, dict(scale_factor=3, mode="cubic")),
    ((2, 300, 333, 3), np.float32, dict(scale_factor=1.7, mode="cubic")),
    ((1, 1500, 1601, 1), np.float32, dict(scale_factor=0.75, mode="linear", antialias=True)),
    ((1, 24, 150, 160, 2), np.float32, dict(scale_factor=2, mode="linear")),
    ((1, 1030, 1100, 4), np.uint8, dict(scale_factor=2, mode="nearest")),
    ((1, 700, 900, 1), np.float32, dict(scale_factor=2.5, mode="nearest")),
    # uint8 rows of 3168 and 2080 bytes: every other row starts 32 bytes into a
    # 64-byte line, where the streamed combine stores one half line first.
    ((1, 700, 528, 3), np.uint8, dict(scale_factor=2, mode="linear")),
    ((1, 1100, 1040, 1), np.uint8, dict(scale_factor=2, mode="cubic")),
]


@pytest.fixture
def streaming(monkeypatch):
    """Set ``_streaming.ENABLED`` for one test, with the plans made under the other value
    dropped before and after."""

    def switch(enabled):
        upsample.clear_caches()
        monkeypatch.setattr(_streaming, "ENABLED", enabled)

    yield switch
    upsample.clear_caches()


class _StreamSpy:
    """Stands in for a planner's kernel module and records the ``stream`` argument of
    every pass it runs (the argument before the thread count)."""

    POSITION = {"gather_nearest": -3, "repeat_nearest": None, "vertical_pass": -2,
                "planar_pass": -2, "planar_pass_uint8": -2, "volume_pass": -2}

    def __init__(self, kernels):
        self.kernels, self.streamed = kernels, []

    def __getattr__(self, name):
        real = getattr(self.kernels, name)
        position = self.POSITION.get(name)
        if position is None:
            return real

        def recorded(*args):
            self.streamed.append(bool(args[position]))
            return real(*args)

        return recorded


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("shape, dtype, options", LARGE_CASES)
def test_large_outputs_are_the_same_streamed_or_not(streaming, shape, dtype, options,
                                                    threads):
    rng = np.random.default_rng(5)
    if dtype == np.uint8:
        x = rng.integers(0, 256, shape, dtype=np.uint8)
    else:
        x = rng.random(shape, dtype=np.float32)
    kept = x.copy()
    results = {}
    for enabled in (False, True):
        streaming(enabled)
        results[enabled] = resize(x, num_threads=threads, **options)
    assert results[True].nbytes >= 4 << 20
    assert results[True].dtype == results[False].dtype
    np.testing.assert_array_equal(results[True].view(np.uint8), results[False].view(np.uint8))
    np.testing.assert_array_equal(x, kept)


@pytest.mark.parametrize("shape, dtype, options", [LARGE_CASES[0], LARGE_CASES[2],
                                                   LARGE_CASES[4], LARGE_CASES[5]])
def test_the_planners_stream_only_when_enabled(streaming, monkeypatch, shape, dtype, options):
    x = np.zeros(shape, dtype)
    module = _plan_nearest if options["mode"] == "nearest" else _plan_weighted
    for enabled in (False, True):
        streaming(enabled)
        spy = _StreamSpy(module.kernels)
        monkeypatch.setattr(module, "kernels", spy)
        resize(x, num_threads=1, **options)
        monkeypatch.setattr(module, "kernels", spy.kernels)
        assert spy.streamed, "no pass of the planner ran"
        # The last pass writes the large output: it streams exactly when enabled.
        assert spy.streamed[-1] is enabled


@pytest.mark.parametrize("setting, expected", [
    ("", True), ("auto", True), (" Auto ", True), ("on", True), ("ON", True), ("off", False),
    (" off\n", False),
])
def test_the_switch_reads_the_environment_value(setting, expected):
    assert _streaming._enabled(setting) is expected


@pytest.mark.parametrize("setting", ["yes", "1", "true", "stream"])
def test_a_bad_setting_is_refused_by_name(setting):
    with pytest.raises(ValueError, match=f"UPSAMPLE_STREAMING.*{setting}"):
        _streaming._enabled(setting)


def test_the_choice_is_reported():
    assert upsample.kernel_info()["streaming_stores"] is _streaming.ENABLED


@pytest.mark.parametrize("setting, expected", [("on", "True"), ("off", "False")])
def test_the_environment_variable_is_read_at_import(tmp_path, setting, expected):
    env = dict(os.environ, UPSAMPLE_STREAMING=setting)
    code = "import upsample; print(upsample.kernel_info()['streaming_stores'])"
    child = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == expected
