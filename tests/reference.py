"""An independent reference for ``upsample``, written from SEMANTICS.md and the README.

It imports nothing from the package and does not follow its recipe
(``upsample/_tables.py`` evaluates every weight in float32, one NumPy
operation at a time). What is exact here and what is not:

- Output lengths ``M = int(s * N)``: the definition itself (a Python float
  product, truncated). With ``size=``, the grid of scale ``M / N`` (README).
- Coordinates ``x_j``: SEMANTICS.md defines them as float32 numbers: two
  constants computed in Python doubles and rounded to float32, then one
  product and one difference, each rounded to float32. They are computed
  here in exact rational arithmetic (``fractions.Fraction``) and rounded to
  the nearest float32 (ties to even) by :func:`round_to_float32`, so they
  are exactly the defined numbers without using NumPy's float32 operations.
  The same goes for nearest's source positions.
- Taps, distances and the clamping of indices: exact (integers, and
  differences of a float32 and an integer, exact in long double).
- Weights: evaluated in long double (64-bit mantissa on x86-64) from the
  exact coordinates, renormalised in long double for antialias.
- Sums: in long double, axis after axis (the map is separable).

Alongside the values, :func:`reference_upsample` returns a bound on the
difference that float32 (or float64) arithmetic may make, derived per axis
from the rounding of that arithmetic (see :func:`_resample_axis`), not a flat
tolerance. The bound covers any order of the sums, fused multiply-adds or
not, and the few roundings of each weight's evaluation.
"""

import math
from fractions import Fraction
from functools import lru_cache

import numpy as np

# The reference's own arithmetic: long double where the platform has it.
WIDE = np.longdouble
WIDE_UNIT = float(np.finfo(WIDE).eps) / 2
UNIT = {4: 2.0**-24, 8: 2.0**-53}  # unit roundoff of float32 and float64, by itemsize
# The package's tables hold float32 weights for every dtype (README, How it works).
WEIGHT_UNIT = UNIT[4]

# Rounding allowances, in units of the working precision's unit roundoff u.
# A dot product of n terms (products and sums, fused or not) errs by at most
# n u times sum |w| |v| to first order; one more u covers the rest.
DOT_SLACK = 1
# Absolute error of one float32 weight, in float32 units (u = 2**-24), per unit
# of the sample it meets (see axis_table for antialias). Linear: 1 - w rounds
# once, and only for coordinates in (0, 1/2) (see axis_table). Keys' pieces
# evaluated in float32 (MLX's operation order) err by at most 2.48 u (inner,
# d <= 1) and 14.85 u (outer, a = -0.75; 9.9 u for a = -0.5), measured over every
# float32 distance in [0, 2]; the distance |x - t| itself may round by u d,
# which the kernel's slope (at most 1.39 inside, 0.75 outside) turns into
# 1.4 u (inner) and 1.5 u (outer) more.
LINEAR_SLACK = 1
KEYS_INNER_SLACK = 4
KEYS_OUTER_SLACK = 17


def round_to_float32(value):
    """The float32 nearest to the rational ``value`` (ties to even), as a Fraction.

    Exact: no detour through a double, which would round twice. Normal
    numbers only (coordinates and ratios here are far from float32's limits).
    """
    value = Fraction(value)
    if value == 0:
        return Fraction(0)
    sign = -1 if value < 0 else 1
    magnitude = abs(value)
    exponent = magnitude.numerator.bit_length() - magnitude.denominator.bit_length()
    if Fraction(2) ** exponent > magnitude:
        exponent -= 1
    # 24 significant bits: the spacing of float32 numbers in [2**e, 2**(e + 1)).
    spacing = Fraction(2) ** (exponent - 23)
    return sign * round(magnitude / spacing) * spacing  # round(): half to even


def _f32_of_double(value):
    """A Python double (a scalar constant of SEMANTICS.md) rounded to float32."""
    return round_to_float32(Fraction(float(value)))


def output_length(n_in, scale):
    """``M = int(s * N)``, the Python float product truncated."""
    return int(float(scale) * n_in)


@lru_cache(maxsize=512)
def coordinates(n_in, n_out, scale, align_corners):
    """The exact float32 coordinate ``x_j`` of each output sample, as Fractions."""
    if align_corners:
        step = _f32_of_double((n_in - 1) / max(n_out - 1, 1))
        return tuple(round_to_float32(round_to_float32(j) * step) for j in range(n_out))
    step = 1 / scale
    start = _f32_of_double(((n_out - 1) * step - n_in + 1) / 2)
    step = _f32_of_double(step)
    return tuple(round_to_float32(round_to_float32(round_to_float32(j) * step) - start)
                 for j in range(n_out))


@lru_cache(maxsize=512)
def nearest_sources(n_in, n_out, repeat):
    """Source index of every output sample of one axis, for nearest.

    ``repeat``: every scale of the call is an integer, so each element is
    repeated (SEMANTICS.md); otherwise the float32 rule with ``r = f32(N / M)``.
    """
    if repeat:
        return np.arange(n_out, dtype=np.int64) // (n_out // n_in)
    ratio = _f32_of_double(n_in / n_out)
    half = Fraction(1, 2)
    sources = []
    for j in range(n_out):
        if n_out > n_in:
            position = round_to_float32(round_to_float32(round_to_float32(j) + half) * ratio)
            sources.append(round(round_to_float32(position - half)))  # half to even
        else:
            sources.append(math.trunc(round_to_float32(round_to_float32(j) * ratio)))
    return np.array(sources, dtype=np.int64)


def _keys(distance, a):
    """Keys' cubic kernel at distances >= 0 (zero from 2 on), in long double."""
    d = distance
    inner = ((a + 2) * d - (a + 3)) * d * d + 1
    outer = (((d - 5) * d + 8) * d - 4) * a
    return np.where(d <= 1, inner, np.where(d < 2, outer, 0))


@lru_cache(maxsize=512)
def axis_table(n_in, n_out, scale, mode, align_corners, antialias):
    """``(index, weights, slack)`` of one axis: ``(n_out, taps)`` indices clamped to the
    axis and long-double weights; ``slack`` is the absolute error a float32 evaluation
    of each weight may have, in units of the working precision, per unit of the sample
    it meets (see LINEAR_SLACK and KEYS_*_SLACK)."""
    exact = coordinates(n_in, n_out, scale, align_corners)
    # A float32 coordinate and an integer differ by a number exact in long double.
    x = np.array([WIDE(c.numerator) / WIDE(c.denominator) for c in exact], dtype=WIDE)
    base = np.array([math.floor(c) for c in exact], dtype=np.int64)
    if antialias:
        stretch = 1 / scale if scale < 1 else 1.0
        radius = 1 if mode == "linear" else 2
        half_width = math.ceil(radius * stretch) + 1
        taps = base[:, None] + np.arange(-(half_width - 1), half_width)
        distance = np.abs(x[:, None] - taps) / WIDE(stretch)
        if mode == "linear":
            kernel = np.maximum(1 - distance, 0)
            # The distance rounds twice (difference, division), then 1 - d once.
            kernel_slack = np.full(kernel.shape, 3.0)
        else:
            kernel = _keys(distance, WIDE(-0.5))
            kernel_slack = np.where(distance <= 1, KEYS_INNER_SLACK + 2.0, KEYS_OUTER_SLACK)
        inside = (taps >= 0) & (taps < n_in)
        kernel = np.where(inside, kernel, 0)
        total = kernel.sum(axis=1)
        positive = np.where(total > 0, total, 1)
        weights = kernel / positive[:, None]
        # Each weight is a kernel value (kernel_slack absolute) divided by a sum of
        # `taps` of them, which rounds by up to (taps + 2) u of sum |kernel|.
        spread = (np.abs(kernel).sum(axis=1) / positive).astype(np.float64)[:, None]
        n_taps = taps.shape[1]
        slack = (np.where(inside, kernel_slack, 0) / positive.astype(np.float64)[:, None]
                 + (n_taps + 2) * spread * np.abs(weights).astype(np.float64))
        return np.clip(taps, 0, n_in - 1), weights, slack
    if mode == "linear":
        clipped = np.clip(x, 0, n_in - 1)
        low = np.floor(clipped)
        fraction = clipped - low  # exact
        taps = np.stack([low, np.ceil(clipped)], axis=1).astype(np.int64)
        weights = np.stack([1 - fraction, fraction], axis=1)
        # w = x - floor(x) is exact in float32, and so is 1 - w unless 0 < x < 1/2 (a
        # float32 below 1/2 may have bits below 2**-24, which 1 - x cannot keep).
        rounds = ((clipped > 0) & (clipped < 0.5)).astype(np.float64)
        slack = np.stack([LINEAR_SLACK * rounds, np.zeros_like(rounds)], axis=1)
    else:
        taps = base[:, None] + np.arange(-1, 3)
        weights = _keys(np.abs(x[:, None] - taps), WIDE(-0.75))
        slack = np.broadcast_to(np.array([KEYS_OUTER_SLACK, KEYS_INNER_SLACK, KEYS_INNER_SLACK,
                                          KEYS_OUTER_SLACK], dtype=np.float64), weights.shape)
    return np.clip(taps, 0, n_in - 1), weights, slack


def _resample_axis(values, bound, magnitude, axis, table, unit):
    """One separable pass over ``axis``: values, error bound and magnitude.

    With ``w`` the exact weights, ``v`` this pass's input and ``e`` the bound
    on its error, float arithmetic of unit roundoff ``u`` gives a result
    within ``sum |w| e + u ((taps + DOT_SLACK) sum |w| |v| + sum slack |v|)``
    of ``sum w v``: the first term carries the earlier passes' errors, the
    second this pass's products and sums and its weights' own rounding (in
    float32 units whatever ``u``: the weights are float32). The reference's
    long-double rounding is added likewise.
    """
    index, weights, slack = table
    taps = index.shape[1]
    shape = [1] * values.ndim
    shape[axis] = index.shape[0]
    new_values = 0
    new_bound = 0
    new_magnitude = 0
    spread = 0
    for k in range(taps):
        weight = weights[:, k].reshape(shape)
        absolute = np.abs(weight).astype(np.float64)
        picked = np.take(magnitude, index[:, k], axis=axis)
        new_values = new_values + weight * np.take(values, index[:, k], axis=axis)
        new_bound = new_bound + absolute * np.take(bound, index[:, k], axis=axis)
        new_magnitude = new_magnitude + absolute * picked
        spread = spread + slack[:, k].reshape(shape) * picked
    # The weights are float32 whatever the data (README: "float32 weights").
    rounding = unit * (taps + DOT_SLACK) * new_magnitude + WEIGHT_UNIT * spread
    own = WIDE_UNIT * (taps + DOT_SLACK + 8) * new_magnitude
    return new_values, new_bound + rounding + own, new_magnitude


def result_dtype(in_dtype, mode, dtype=None):
    """The README's rule: nearest keeps the dtype; linear and cubic give float64 for
    64-bit (and wider) float input, complex128 for complex input of 128 bits and more,
    complex64 for other complex input and float32 for everything else."""
    if dtype is not None:
        return np.dtype(dtype)
    in_dtype = np.dtype(in_dtype)
    if mode == "nearest":
        return in_dtype
    if in_dtype.kind == "f" and in_dtype.itemsize >= 8:
        return np.dtype(np.float64)
    if in_dtype.kind == "c":
        return np.dtype(np.complex128 if in_dtype.itemsize >= 16 else np.complex64)
    return np.dtype(np.float32)


def working_unit(out_dtype):
    """Unit roundoff of the arithmetic behind a result of ``out_dtype`` (README): float64
    for 64-bit floats, complex128 and integers of 32 bits and more, float32 otherwise."""
    out_dtype = np.dtype(out_dtype)
    if out_dtype.kind == "c":
        return UNIT[8] if out_dtype.itemsize >= 16 else UNIT[4]
    if out_dtype.itemsize >= (8 if out_dtype.kind == "f" else 4):
        return UNIT[8]
    return UNIT[4]


def _per_axis(value, count, name):
    if isinstance(value, (tuple, list)):
        if len(value) != count:
            raise ValueError(f"{name} needs one entry per spatial axis")
        return list(value)
    return [value] * count


class Reference:
    """The reference result of one call: ``values`` (exact integers or gathered values for
    nearest, long double otherwise, before any conversion to ``dtype``), ``bound`` (the
    error float arithmetic may add, 0 for nearest), ``dtype`` (the result's)."""

    def __init__(self, values, bound, dtype, magnitude=None):
        self.values = values
        self.bound = bound
        self.dtype = dtype
        self.shape = values.shape
        # sum |w| |x| over every path from the input to each output (|values| for
        # nearest): the scale of the rounding errors.
        self.magnitude = _absolute(values) if magnitude is None else magnitude


def reference_upsample(x, scale_factor=None, mode="nearest", align_corners=False,
                       antialias=False, *, size=None, axes=None, dtype=None):
    """The reference of ``upsample(x, ...)`` (same arguments but ``out`` and threads).

    Returns a :class:`Reference`; :func:`check` compares a result with it.
    Arguments are assumed valid (the package's errors are tested elsewhere).
    """
    x = np.asarray(x)
    if axes is None:
        axes = list(range(1, x.ndim - 1))
    elif isinstance(axes, int):
        axes = [axes]
    axes = [a % x.ndim for a in axes]
    in_lengths = [x.shape[a] for a in axes]
    if size is None:
        scales = [float(s) for s in _per_axis(scale_factor, len(axes), "scale_factor")]
        lengths = [output_length(n, s) for n, s in zip(in_lengths, scales)]
    else:
        lengths = [int(m) for m in _per_axis(size, len(axes), "size")]
        scales = [m / n for m, n in zip(lengths, in_lengths)]
    out_dtype = result_dtype(x.dtype, mode, dtype)
    out_shape = list(x.shape)
    for axis, length in zip(axes, lengths):
        out_shape[axis] = length
    if 0 in out_shape:
        return Reference(np.zeros(out_shape), np.zeros(out_shape), out_dtype)

    if mode == "nearest":
        repeat = all(s.is_integer() for s in scales)
        values = x
        for axis, n_in, n_out in zip(axes, in_lengths, lengths):
            values = np.take(values, nearest_sources(n_in, n_out, repeat), axis=axis)
        return Reference(values, np.zeros(values.shape), out_dtype)

    unit = working_unit(out_dtype)
    work_real = np.float64 if unit == UNIT[8] else np.float32
    parts = [x.real, x.imag] if x.dtype.kind == "c" else [x]
    results, bounds, magnitudes = [], [], []
    for part in parts:
        values = part.astype(WIDE)
        magnitude = np.abs(values).astype(np.float64)
        # Input that the working precision cannot hold exactly is rounded once.
        exact = np.can_cast(part.dtype, work_real, "safe")
        bound = np.zeros(values.shape) if exact else unit * magnitude
        # The axes in any order give the same map; the bound's terms are, to first
        # order, each pass's rounding times the magnitude |W| |x| of the result,
        # which does not depend on the order either. Shrinking axes go first, to
        # keep the reference's own arrays small.
        passes = sorted(zip(axes, in_lengths, lengths, scales), key=lambda p: p[2] / p[1])
        for axis, n_in, n_out, scale in passes:
            table = axis_table(n_in, n_out, scale, mode, align_corners, antialias)
            values, bound, magnitude = _resample_axis(values, bound, magnitude, axis, table,
                                                      unit)
        results.append(values)
        bounds.append(bound)
        magnitudes.append(magnitude)
    if len(parts) == 2:
        # The error of a complex number is at most the hypotenuse of its parts'.
        return Reference(results[0] + 1j * results[1], np.hypot(*bounds), out_dtype,
                         np.hypot(*magnitudes))
    return Reference(results[0], bounds[0], out_dtype, magnitudes[0])


def to_integers(values, dtype):
    """Floats converted as the README promises for integer results: rounded to nearest,
    ties to even, saturated to the dtype's range, NaN to 0 (as exact Python ints)."""
    info = np.iinfo(dtype)
    flat = np.asarray(values).reshape(-1)
    converted = []
    for value in flat.tolist():
        if isinstance(value, float) and math.isnan(value):
            converted.append(0)
        elif isinstance(value, float) and math.isinf(value):
            converted.append(info.max if value > 0 else info.min)
        else:
            converted.append(min(max(round(value), info.min), info.max))
    return np.array(converted, dtype=object).reshape(np.shape(values))


# The tests fail beyond the derived bound itself (MARGIN times it): over
# thousands of random calls the package's errors reached at most 0.45 of it.
MARGIN = 1.0


def check(result, reference, context=""):
    """Assert that ``result`` is the reference: its shape and dtype, nearest's values
    exactly, others within MARGIN times the derived bound (integer results within
    half a unit more, as they are rounded)."""
    assert result.shape == reference.shape, (context, result.shape, reference.shape)
    assert result.dtype == reference.dtype, (context, result.dtype, reference.dtype)
    if result.size == 0:
        return
    out_dtype = reference.dtype
    values = reference.values
    if values.dtype == out_dtype:
        # nearest without a conversion: the gathered elements themselves.
        assert np.array_equal(result, values, equal_nan=out_dtype.kind in "fc"), context
        return
    if out_dtype.kind in "iu":
        _check_integers(result, values, reference.bound, out_dtype, context)
        return
    bound = MARGIN * reference.bound
    if out_dtype.kind in "fc":
        # The result's own rounding to its dtype (float16 and float32 results of
        # float64 arithmetic, complex64 of complex128...): half an ulp, which below
        # the smallest normal number (6e-5 in float16) is half the subnormal spacing.
        info = np.finfo(out_dtype)
        bound = (bound + float(info.eps) / 2 * _absolute(values)
                 + float(info.smallest_subnormal))
    _check_floats(result, values, bound, context)


def _absolute(values):
    """|values| as float64 (np.abs of int8 -128 is -128)."""
    wide = np.clongdouble if np.iscomplexobj(values) else WIDE
    return np.abs(values.astype(wide)).astype(np.float64)


def _check_floats(result, values, bound, context):
    wanted_nan = np.isnan(values)
    got_nan = np.isnan(result)
    assert np.array_equal(wanted_nan, got_nan), f"{context}: NaN at other positions"
    finite = ~wanted_nan
    error = np.abs(result[finite].astype(np.clongdouble if np.iscomplexobj(result)
                                         else WIDE) - values[finite])
    error = error.astype(np.float64)
    limit = bound[finite] if np.ndim(bound) else bound
    limit = np.broadcast_to(limit, error.shape)
    worst = np.argmax(error - limit) if error.size else None
    assert np.all(error <= limit), (
        f"{context}: error {error[worst]:.3g} > bound {limit[worst]:.3g}"
        f" (reference {values[finite][worst]!r}, result {result[finite][worst]!r})")


def _check_integers(result, values, bound, dtype, context):
    """Rounded and saturated: within 1/2 + MARGIN * bound of the clipped reference, and exactly
    its rounding wherever the reference is farther than the bound from a half-integer."""
    info = np.iinfo(dtype)
    wide = values.astype(WIDE)
    nan = np.isnan(wide)
    bound = np.where(nan, 0, bound)
    clipped = np.clip(np.where(nan, 0, wide), info.min, info.max)
    got = result.astype(WIDE)
    error = np.abs(got - clipped).astype(np.float64)
    limit = np.broadcast_to(0.5 + MARGIN * bound, error.shape).reshape(-1)
    worst = np.argmax(error.reshape(-1) - limit)
    assert np.all(error.reshape(-1) <= limit), (
        f"{context}: integer result {result.reshape(-1)[worst]} for reference "
        f"{clipped.reshape(-1)[worst]!r} (limit {limit[worst]:.3g})")
    # Where no rounding of the arithmetic can reach a tie, the rounding is decided.
    distance_to_tie = np.abs(np.abs(clipped - np.floor(clipped)) - 0.5).astype(np.float64)
    decided = distance_to_tie > MARGIN * bound
    expected = np.clip(np.rint(clipped), info.min, info.max)
    assert np.array_equal(got[decided], expected[decided]), f"{context}: rounding"
