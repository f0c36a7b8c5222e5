"""Random forward configurations for the gradient tests, and the forward's matrix probed
column by column (an oracle of the adjoint that knows nothing of its tables)."""

import numpy as np

from upsample import upsample

MODES = ("nearest", "linear", "cubic")
# Integral scales (nearest repeats) and the fractional ones every resizer meets.
USUAL_SCALES = (1.0, 2.0, 3.0, 4.0, 0.25, 0.5, 0.75, 1 / 3, 1.5, 1.7, 2.5)
# Longest spatial axis drawn, by number of spatial axes.
MAX_LENGTH = {1: 40, 2: 14, 3: 7}


def random_scale(rng):
    """A usual scale 60% of the time, else one drawn log-uniformly from 0.2 to 3.5 (as
    often down as up)."""
    if rng.random() < 0.6:
        return float(USUAL_SCALES[rng.integers(0, len(USUAL_SCALES))])
    return float(np.exp(rng.uniform(np.log(0.2), np.log(3.5))))


def random_options(rng):
    """``(mode, align_corners, antialias)``, every valid combination."""
    mode = MODES[rng.integers(0, 3)]
    align_corners = mode != "nearest" and bool(rng.random() < 0.35)
    antialias = mode != "nearest" and not align_corners and bool(rng.random() < 0.4)
    return mode, align_corners, antialias


def random_case(rng, n_spatial=None, layouts=True, sizes=True):
    """``(shape, options)``: an input shape and the keyword arguments of a forward call.

    With ``layouts``, some cases put the spatial axes anywhere (``axes=``, in any
    order); with ``sizes``, some give ``size=`` instead of ``scale_factor``.
    """
    if n_spatial is None:
        n_spatial = int(rng.integers(1, 4))
    lengths = [int(rng.integers(1, MAX_LENGTH[n_spatial] + 1)) for _ in range(n_spatial)]
    mode, align_corners, antialias = random_options(rng)
    options = {"mode": mode, "align_corners": align_corners, "antialias": antialias}
    if layouts and rng.random() < 0.35:
        ndim = n_spatial + int(rng.integers(0, 3))
        spatial = [int(a) for a in rng.permutation(ndim)[:n_spatial]]
        shape = [int(rng.integers(1, 4)) for _ in range(ndim)]
        for axis, length in zip(spatial, lengths):
            shape[axis] = length
        # Negative axes half of the time.
        options["axes"] = tuple(a - ndim if rng.random() < 0.5 else a for a in spatial)
        shape = tuple(shape)
    else:
        # Eight channels and more make the planar pass go width first more often.
        channels = int(rng.choice([1, 2, 3, 8, 16]))
        shape = (int(rng.integers(1, 3)), *lengths, channels)
    if sizes and rng.random() < 0.25:
        options["size"] = tuple(int(rng.integers(1, 3 * n + 3)) for n in lengths)
    elif rng.random() < 0.5:
        options["scale_factor"] = random_scale(rng)
    else:
        options["scale_factor"] = tuple(random_scale(rng) for _ in range(n_spatial))
    return shape, options


def forward_matrix(shape, options):
    """The forward as a dense matrix ``(output elements, input elements)``, in float64:
    column ``i`` is the forward of the ``i``-th unit input."""
    size = int(np.prod(shape))
    units = np.eye(size).reshape((size, *shape))
    columns = [upsample(unit, **options).reshape(-1) for unit in units]
    return np.stack(columns, axis=1)
