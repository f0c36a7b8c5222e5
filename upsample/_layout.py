"""Spatial axes anywhere: mapping an array onto the kernels' (batch, *spatial, channels).

The kernels see every array as ``(batch, *spatial, channels)``. With ``axes``
the spatial axes can sit anywhere; the non-spatial axes before the first
spatial one fold into "batch" and all the others into "channels". When the
spatial axes are adjacent (channels-first images, unbatched ``(H, W, C)``,
plain ``(H, W)``), that fold is a reshape of the axes in place: no
transposition, and for a C-contiguous array no copy at all.
"""

import math

import numpy as np


class Layout:
    """How one array's axes map onto the kernels' canonical layout.

    ``spatial`` lists the spatial axes in increasing order and ``order``
    says, for each of them, which entry of the user's ``axes`` (and so of
    ``scale_factor`` or ``size``) it is.
    """

    def __init__(self, ndim, axes):
        self.order = sorted(range(len(axes)), key=lambda k: axes[k])
        self.spatial = [axes[k] for k in self.order]
        first = self.spatial[0]
        others = [a for a in range(ndim) if a not in self.spatial]
        self.leading = [a for a in others if a < first]
        self.trailing = [a for a in others if a > first]
        self.perm = self.leading + self.spatial + self.trailing
        self.identity = self.perm == list(range(ndim))

    def sorted_values(self, values):
        """Per-axis values given in the user's axes order, put in increasing-axis order."""
        return [values[k] for k in self.order]

    def canonical_shape(self, shape, spatial_lengths):
        """``(batch, *spatial, channels)`` for an array of ``shape`` with these spatial lengths."""
        batch = math.prod(shape[a] for a in self.leading)
        channels = math.prod(shape[a] for a in self.trailing)
        return (batch, *spatial_lengths, channels)

    def output_shape(self, shape, sorted_lengths):
        """The result's shape: the input's, with the spatial axes resized."""
        result = list(shape)
        for axis, length in zip(self.spatial, sorted_lengths):
            result[axis] = length
        return tuple(result)

    def to_canonical(self, array):
        """``array`` viewed (or, when the axes interleave, copied) as (batch, *spatial, channels)."""
        spatial = [array.shape[a] for a in self.spatial]
        moved = array if self.identity else array.transpose(self.perm)
        return moved.reshape(self.canonical_shape(array.shape, spatial))

    def canonical_view_of(self, out):
        """A canonical view sharing ``out``'s memory that the kernels can fill, or None.

        The kernels write C-contiguous buffers; any other ``out`` is filled
        from a temporary.
        """
        if not self.identity or not out.flags.c_contiguous:
            return None
        spatial = [out.shape[a] for a in self.spatial]
        return out.reshape(self.canonical_shape(out.shape, spatial))

    def from_canonical(self, result, out_shape):
        """The canonical ``result`` with the user's axis order and ``out_shape``."""
        moved_shape = [out_shape[a] for a in self.perm]
        moved = result.reshape(moved_shape)
        if self.identity:
            return moved
        return moved.transpose(np.argsort(self.perm))
