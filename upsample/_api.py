"""The public API: the ``upsample`` function and the ``Upsample`` layer."""

from . import _engine, _validate


def upsample(x, scale_factor, mode="nearest", align_corners=False, antialias=False, *,
             num_threads=None):
    """Resample the spatial axes of ``x``, exactly as MLX's ``nn.Upsample`` does.

    Parameters
    ----------
    x : array_like, shape (batch, *spatial, channels)
        At least one spatial axis. Any numeric dtype (bool, integers, floats,
        complex) and any memory layout; ``x`` is never modified.
    scale_factor : float or sequence of float
        One multiplier for every spatial axis, or one per spatial axis. Each
        must be finite and greater than 0. An axis of length ``N`` becomes
        ``int(scale * N)`` long.
    mode : {"nearest", "linear", "cubic"}
        Nearest neighbour, (multi-)linear, or Keys cubic (a = -0.75) per axis.
    align_corners : bool
        For linear and cubic: map the first and last samples of input and
        output onto each other instead of aligning pixel centres.
    antialias : bool
        For linear and cubic (not with ``align_corners``): when downscaling,
        widen the filter by 1 / scale so that it averages instead of aliasing
        (cubic then uses a = -0.5, as Pillow and PyTorch do).
    num_threads : int, optional
        Threads for this call. Default: ``UPSAMPLE_NUM_THREADS`` if set, else
        OpenMP's default (all cores, ``OMP_NUM_THREADS`` and ``threadpoolctl``
        limits honoured). Small jobs always run on one thread.

    Returns
    -------
    numpy.ndarray
        A new C-contiguous array of shape ``(batch, *resampled, channels)``.
        nearest keeps the input dtype; linear and cubic return float64 for
        float64 input, complex for complex input, and float32 otherwise.
    """
    mode, align_corners, antialias = _validate.check_options(mode, align_corners, antialias)
    scale_factor = _validate.check_scale_factor(scale_factor)
    num_threads = _validate.check_num_threads(num_threads)
    return _run(x, scale_factor, mode, align_corners, antialias, num_threads)


def _run(x, scale_factor, mode, align_corners, antialias, num_threads):
    """Validate the array, plan the output shape, execute (options already checked)."""
    array = _validate.check_array(x)
    scales = _validate.scales_per_axis(scale_factor, array.ndim - 2)
    out_shape = _validate.output_shape(array.shape, scales)
    return _engine.resample(array, scales, out_shape, mode, align_corners, antialias, num_threads)


class Upsample:
    """A reusable upsampling layer with the options of MLX's ``nn.Upsample``.

    ``Upsample(scale_factor, mode="nearest", align_corners=False, antialias=False)``
    checks its options once; calling it on an array, ``layer(x)``, returns
    ``upsample(x, ...)`` with those options. See :func:`upsample`.
    """

    def __init__(self, scale_factor, mode="nearest", align_corners=False, antialias=False):
        self.mode, self.align_corners, self.antialias = _validate.check_options(
            mode, align_corners, antialias
        )
        self.scale_factor = _validate.check_scale_factor(scale_factor)

    def __call__(self, x, *, num_threads=None):
        """Resample ``x`` with this layer's options; ``num_threads`` as in :func:`upsample`."""
        num_threads = _validate.check_num_threads(num_threads)
        return _run(x, self.scale_factor, self.mode, self.align_corners, self.antialias,
                    num_threads)

    def __repr__(self):
        return (
            f"Upsample(scale_factor={self.scale_factor!r}, mode={self.mode!r}, "
            f"align_corners={self.align_corners}, antialias={self.antialias})"
        )
