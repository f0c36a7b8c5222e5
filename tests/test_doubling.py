"""Scale 2 along the rows: every channel computed with the same operations.

At scale 2 the interior output pixels of a row have fixed neighbours and fixed weights.
Three-channel float pixels go through a kernel of their own (eight pixels at a time, the
three-float groups interleaved in registers), other channel counts through the C loop.
Both must perform the same multiply-adds in the same order, so a channel of an RGB image
resampled comes out bit for bit as that channel resampled alone.
"""

import numpy as np
import pytest

from upsample import upsample

RNG = np.random.default_rng(71)


@pytest.mark.parametrize("mode", ["linear", "cubic"])
@pytest.mark.parametrize("width", [3, 8, 9, 10, 11, 12, 17, 18, 25, 64, 100, 257])
@pytest.mark.parametrize("scale", [(1, 2), (2, 2), (0.5, 2)])
def test_rgb_channels_come_out_as_each_channel_alone(mode, width, scale):
    x = (RNG.standard_normal((2, 6, width, 3)) * 100).astype(np.float32)
    rgb = upsample(x, scale, mode=mode)
    for c in range(3):
        alone = upsample(np.ascontiguousarray(x[..., c:c + 1]), scale, mode=mode)
        np.testing.assert_array_equal(rgb[..., c:c + 1], alone)


@pytest.mark.parametrize("mode", ["linear", "cubic"])
def test_rgb_doubling_spreads_nan_and_infinity_as_each_channel_alone(mode):
    x = (RNG.standard_normal((1, 4, 40, 3)) * 100).astype(np.float32)
    x[0, 1, 13, 0] = np.nan
    x[0, 2, 21, 1] = np.inf
    x[0, 3, 30, 2] = np.float32(3e38)
    rgb = upsample(x, 2, mode=mode)
    for c in range(3):
        alone = upsample(np.ascontiguousarray(x[..., c:c + 1]), 2, mode=mode)
        np.testing.assert_array_equal(rgb[..., c:c + 1], alone)
