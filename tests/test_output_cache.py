"""The output cache: freed large outputs are reused, live ones never are."""

import gc

import numpy as np
import pytest

from upsample import upsample
from upsample_c import _memory

SHAPE = (1, 256, 256, 16)  # a 16 MiB output at scale 2: large enough to be cached


@pytest.fixture(autouse=True)
def fresh_cache():
    _memory.clear_cache()
    old = _memory.set_cache_limit(1 << 30)
    yield
    _memory.set_cache_limit(old)
    _memory.clear_cache()


def test_a_freed_output_is_reused_for_the_next_call():
    x = np.ones(SHAPE, dtype=np.float32)
    first = upsample(x, 2, "linear")
    address = first.ctypes.data
    del first
    gc.collect()
    assert _memory.cached_bytes() >= 4 << 20
    second = upsample(x, 2, "linear")
    assert second.ctypes.data == address
    np.testing.assert_array_equal(second, 1.0)


def test_live_outputs_never_share_memory():
    x = np.random.default_rng(0).random(SHAPE, dtype=np.float32)
    outputs = [upsample(x, 2, mode) for mode in ("nearest", "linear", "cubic", "nearest")]
    for i, a in enumerate(outputs):
        for b in outputs[i + 1:]:
            assert not np.shares_memory(a, b)
    np.testing.assert_array_equal(outputs[0], outputs[3])


def test_cache_respects_its_limit_and_can_be_disabled():
    x = np.ones(SHAPE, dtype=np.float32)
    _memory.set_cache_limit(0)
    out = upsample(x, 2)
    del out
    gc.collect()
    assert _memory.cached_bytes() == 0
    _memory.set_cache_limit(20 << 20)
    outs = [upsample(x, 2) for _ in range(3)]  # 16 MiB each: only one fits
    del outs
    gc.collect()
    assert 0 < _memory.cached_bytes() <= 20 << 20
    assert _memory.clear_cache() > 0
    assert _memory.cached_bytes() == 0


def test_cached_arrays_behave_like_any_array():
    x = np.ones(SHAPE, dtype=np.float32)
    out = upsample(x, 2)
    out.resize((10,), refcheck=False)  # realloc through the handler
    np.testing.assert_array_equal(out, 1.0)
    grown = upsample(x, 2)
    grown.resize((grown.size + 1000,), refcheck=False)
    assert grown[-1] == 0  # numpy zero-fills the new tail
    pickled = np.frombuffer(upsample(x, 2).tobytes(), dtype=np.float32)
    assert pickled.size == 4 * x.size
