# The compiled kernels of upsample. This file is included by
# _kernels_base.pyx (baseline instruction set) and _kernels_avx2.pyx (built
# with -mavx2 -mfma); the package picks one at import time.
#
# Every kernel applies tables built in Python: for each output position along
# one axis, `taps` source positions (as element offsets) and `taps` weights.
# The kernels never validate user input; they trust the tables and shapes they
# are given (the Python layer guarantees every offset is inside the source).
#
# Parallel loops hand each work item to one cdef function, so all loop state
# lives in ordinary C locals and nothing is shared between threads except the
# read-only tables and disjoint slices of the output and scratch buffers.
#
# The kernels are in one file per pass family, included here in this order
# (each starts with what it holds; a later file may call an earlier one's
# functions):
#
#   _shared.pxi    real types, constants, checks of the entry points' arrays,
#                  work items dealt out to threads
#   _combine.pxi   weighted combination of whole rows: vertical_pass (a spatial
#                  axis before the last two), and the combination the planar
#                  and volume passes end with
#   _rows.pxi      weighted resampling along rows of pixels (the last spatial
#                  axis), scale-2 doubling: horizontal_pass
#   _planar.pxi    the last two spatial axes in one sweep, width or height
#                  first, with row tiles: planar_pass and its scratch sizes
#   _volume.pxi    three spatial axes in one sweep, a ring of planar planes:
#                  volume_pass
#   _uint8.pxi     uint8 in and out through float32 rows: planar_pass_uint8,
#                  round_to_uint8
#   _halving.pxi   linear at exactly 0.5 on both axes, 2x2 means: halve_pass
#   _nearest.pxi   nearest gathers from strided memory, long rows repeated
#                  without a table: gather_nearest, repeat_nearest
#
# The C with intrinsics they call is in include/*.h, one header per concern
# (_headers.pxd declares those that several files share); the compiler's
# __AVX2__ and __FMA__ choose the code of each build.

from cython.parallel cimport parallel, prange, threadid
from libc.string cimport memcpy

cimport numpy as cnp

cnp.import_array()

include "_shared.pxi"
include "_combine.pxi"
include "_rows.pxi"
include "_planar.pxi"
include "_volume.pxi"
include "_uint8.pxi"
include "_halving.pxi"
include "_nearest.pxi"
