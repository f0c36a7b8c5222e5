"""The public API: the ``upsample`` function, the ``Upsample`` layer and ``clear_caches``."""

import collections
import weakref

import numpy as np

from upsample_c import _memory

from . import _axis_table, _backward, _plan, _plan_nearest, _threads, _validate
from ._fork import fork_safe_lock
from ._layout import Layout


def upsample(x, scale_factor=None, mode="nearest", align_corners=False, antialias=False, *,
             size=None, axes=None, dtype=None, out=None, num_threads=None):
    """Resample the spatial axes of ``x``, exactly as MLX's ``nn.Upsample`` does.

    Parameters
    ----------
    x : array_like, shape (batch, *spatial, channels) by default
        Anything ``numpy.asarray`` accepts (read without a copy where the
        memory allows). Any numeric dtype (bool, integers, floats, complex)
        and any memory layout; ``x`` is never modified.
    scale_factor : float or sequence of float
        One multiplier for every spatial axis, or one per spatial axis. Each
        must be finite and greater than 0. An axis of length ``N`` becomes
        ``int(scale * N)`` long. Give this or ``size``, not both.
    mode : {"nearest", "linear", "cubic"}
        Nearest neighbour, (multi-)linear, or Keys cubic (a = -0.75) per axis.
    align_corners : bool
        For linear and cubic: map the first and last samples of input and
        output onto each other instead of aligning pixel centres.
    antialias : bool
        For linear and cubic (not with ``align_corners``): when downscaling,
        widen the filter by 1 / scale so that it averages instead of aliasing
        (cubic then uses a = -0.5, as Pillow and PyTorch do).
    size : int or sequence of int, optional
        The output length of every spatial axis, or of each; instead of
        ``scale_factor``. An axis of length ``N`` resized to ``M`` samples
        as with ``scale_factor = M / N``.
    axes : sequence of int, optional
        The spatial axes (negative values count from the end), matched in
        the given order with the entries of ``scale_factor`` or ``size``.
        Default: every axis but the first and the last, as MLX. For example
        ``axes=(2, 3)`` for channels-first ``(B, C, H, W)`` and
        ``axes=(0, 1)`` for an unbatched ``(H, W, C)`` image or a 2-D array.
    dtype : dtype, optional
        The result's dtype. Default: MLX's rule (nearest keeps the input
        dtype; linear and cubic give float64 for float64 input, complex for
        complex input, float32 otherwise). An integer dtype rounds to the
        nearest integer and saturates to its range (NaN becomes 0), so
        ``uint8`` images stay ``uint8``.
    out : numpy.ndarray, optional
        Where to write the result: the result's shape and dtype, writeable,
        any memory layout, not overlapping ``x``. Returned.
    num_threads : int, optional
        Threads for this call. Default: ``UPSAMPLE_NUM_THREADS`` if set, else
        OpenMP's default (all cores, ``OMP_NUM_THREADS`` and ``threadpoolctl``
        limits honoured). Small jobs always run on one thread, and at most
        four threads per core are started. The GIL is released while the
        kernels run.

    Returns
    -------
    numpy.ndarray
        ``out``, or a new C-contiguous array: ``x``'s shape with the spatial
        axes resized.
    """
    key = None
    if out is None and type(x) is np.ndarray:
        last = _PLANS.last
        if last is not None and last.serves(scale_factor, size, mode, align_corners,
                                            antialias, axes, dtype, num_threads, x):
            return last.replay.run(x)
        # The types go into the key too: True == 1 and 2.0 == 2, but only one of
        # each pair is a valid argument.
        key, recent = _recall((
            x.shape, x.strides, x.dtype, _typed(scale_factor), _typed(size), mode,
            type(mode), align_corners, type(align_corners), antialias, type(antialias),
            _typed(axes), dtype, type(dtype), num_threads, type(num_threads),
        ))
        if recent is not None:
            _PLANS.last = _last_call((scale_factor, size, mode, align_corners, antialias, axes,
                                      dtype, num_threads), x, recent)
            return recent.run(x)
    mode, align_corners, antialias = _validate.check_options(mode, align_corners, antialias)
    scale_factor, size = _validate.check_scale_or_size(scale_factor, size)
    num_threads = _validate.check_num_threads(num_threads)
    return _run(x, scale_factor, size, axes, mode, align_corners, antialias, dtype, out,
                num_threads, key)


# The plans of recent calls that returned a new array, by their arguments: a
# repeated call (the rule in a pipeline) then skips the checks and the planning,
# which for small images cost more than the resampling, and several times more
# when the caches are cold between calls. Only arguments that passed every check
# are recorded, so a recorded call is one that is known to be valid.
class _PlanStore(dict):
    """The remembered plans by key, and the call most recently served from them.

    ``last`` holds that call's record (see _last_call). A call made with the
    very same objects (a pipeline's loop passes its constants again), or with
    numbers, strings and tuples of numbers of the same types and values (a
    ``size=(h, w)`` built at every call), and an array of the same shape,
    strides and dtype object is served from it, without building and hashing
    a key: with cold caches that costs more than the rest of a small call.
    Only immutable arguments are held there (see _frozen), so the same object
    means the same value; they are the only caller's objects the caches keep
    alive (one call's worth, a few numbers), until the next call replaces
    them. ``clear`` forgets them.
    """

    last = None
    # The spatial lengths (input and output) of the plans held, by key, and their
    # sum: a plan's tables grow with them (see PLANNED_LENGTHS_HELD).
    lengths = {}
    lengths_held = 0

    def clear(self):
        self.last = None
        self.lengths = {}
        self.lengths_held = 0
        super().clear()
        # And the plans that _plan keeps for the calls not remembered here: both
        # are "the plans", forgotten together (tests replan after patching a planner).
        _plan.PLANS.clear()


_PLANS = _PlanStore()
_PLANS_LOCK = fork_safe_lock()
PLAN_CACHE_ENTRIES = 64
# Larger outputs are planned at every call: their plan's tables are large and
# the planning is small next to their resampling.
PLANNED_LENGTH_MAX = 1 << 18
# The plans held span at most this many input and output samples along their
# spatial axes, in all. A plan's tables hold at most five taps per sample of
# either (antialiased cubic has five per output sample when upscaling, and
# about four per input sample plus three per output sample when downscaling)
# at 32 bytes per tap with the offsets, so the plans keep at most 40 MiB of
# tables alive beyond the table caches' own bounds.
PLANNED_LENGTHS_HELD = 1 << 18
# Layers that hold the plan of their last call (see Upsample._last), so that
# clear_caches reaches them.
_LAYERS = weakref.WeakSet()


def _recall(key):
    """The plan remembered under ``key`` (or None), and the key to remember a new one under.

    When the arguments cannot be hashed (a list, say) the key is None: the call
    is then checked and planned afresh, so that the checks, not the lookup,
    report any problem.
    """
    try:
        return key, _PLANS.get(key)
    except Exception:
        return None, None


def _last_call(options, x, plan):
    """The record of a call to serve again by identity (see _PlanStore): a
    ``_memory.LastCall`` of ``options`` (scale_factor, size, mode, align_corners,
    antialias, axes, dtype, num_threads), ``x``'s geometry and the ``_memory.Replay``
    ``plan``; None when its scale, size, axes or dtype could change in place."""
    scale_factor, size, axes, dtype = options[0], options[1], options[5], options[6]
    if _frozen(scale_factor) and _frozen(size) and _frozen(axes) and _frozen(dtype):
        return _memory.LastCall(options, x, plan)
    return None


def _frozen(value):
    """Whether ``value`` cannot change in place: None, a number, a string, a dtype, a
    type, or a tuple of numbers."""
    kind = type(value)
    if value is None or kind is int or kind is float or kind is str or kind is type:
        return True
    if kind is tuple:
        return all(type(item) is int or type(item) is float for item in value)
    return isinstance(value, np.dtype)


def _typed(value):
    """``value`` with its type (its members and their types if it is a tuple), for a key.

    A key never holds the caller's tuple itself: a cache should not keep the
    caller's objects alive.
    """
    if type(value) is tuple:
        return (*value, tuple(map(type, value)))
    return value, type(value)


def _call_plan(steps, num_threads, out_shape, source_shape, target_shape):
    """A checked and planned call, to run again on arrays of the same shape, strides and
    dtype: a ``_memory.Replay``, whose ``run(x)`` returns a new C-contiguous result.

    It allocates the result and calls the plan's fill from C: the Python layers
    that did it were a large part of a small call's fixed cost (see
    ``benchmarks/call_overhead.py --loop`` and BENCHMARKS.md, "Fixed cost per call").
    """
    return _memory.Replay(steps.fill, out_shape, steps.out_dtype, num_threads, source_shape,
                          target_shape)


def _remember(key, call, lengths):
    """Hold the plan ``call`` under ``key``; ``lengths``: its spatial input and output
    samples (see PLANNED_LENGTHS_HELD). The oldest plans make room."""
    if lengths > PLANNED_LENGTHS_HELD:
        return
    with _PLANS_LOCK:
        if key in _PLANS:
            return
        while _PLANS and (len(_PLANS) >= PLAN_CACHE_ENTRIES
                          or _PLANS.lengths_held + lengths > PLANNED_LENGTHS_HELD):
            oldest = next(iter(_PLANS))
            del _PLANS[oldest]
            _PLANS.lengths_held -= _PLANS.lengths.pop(oldest)
        _PLANS[key] = call
        _PLANS.lengths[key] = lengths
        _PLANS.lengths_held += lengths


def _register_layer(layer):
    with _PLANS_LOCK:
        _LAYERS.add(layer)


def clear_caches():
    """Hand back the memory that ``upsample`` keeps between calls.

    That is: the freed output blocks kept for reuse (at most
    ``UPSAMPLE_CACHE_BYTES``, 128 MiB by default), the sampling and offset
    tables, the plans of recent calls (the module's and every ``Upsample``
    layer's), and every thread's scratch buffers; then the C library is asked to
    return its free heap memory to the system (``malloc_trim``, with glibc).
    Results are unaffected: the next calls rebuild what they need. Arrays
    still in use, and the buffers of a call running in another thread, are
    left alone. Long-lived workers (a data loader's, a server's) can call it
    between jobs.
    """
    with _PLANS_LOCK:
        _PLANS.clear()
        layers = list(_LAYERS)
    for layer in layers:
        layer._last = None
    _axis_table.TABLES.clear()
    _plan_nearest.OFFSETS.clear()
    _threads.clear_scratch()
    _memory.clear_cache()
    _memory.trim_heap()


def _run(x, scale_factor, size, axes, mode, align_corners, antialias, dtype, out, num_threads,
         key=None):
    """Check the array and the per-call arguments, plan, execute.

    With a ``key``, the plan is remembered under it when it can be replayed:
    a new C-contiguous result with the axes in place.
    """
    array = _validate.check_array(x)
    layout, scales, lengths, out_dtype, out_shape = resolve(
        array.shape, array.dtype, scale_factor, size, axes, mode, dtype)
    if out is not None:
        out = _validate.check_out(out, out_shape, out_dtype, array)
    result, target = result_and_target(layout, out, out_shape, out_dtype)

    source = layout.to_canonical(array)
    canonical_shape = layout.canonical_shape(out_shape, lengths)
    steps = _plan.plan(source.shape, source.strides, source.dtype, scales, canonical_shape,
                         mode, align_corners, antialias, out_dtype)
    filled = steps(source, target, num_threads)
    if (key is not None and out is None and target is not None and array is x
            and sum(canonical_shape[:-1]) <= PLANNED_LENGTH_MAX):
        _remember(key, _call_plan(
            steps, num_threads, out_shape,
            None if source.shape == array.shape else source.shape,
            None if target.shape == result.shape else target.shape,
        ), sum(array.shape[a] for a in layout.spatial) + sum(lengths))
    return placed(layout, result, target, filled, out_shape)


def resize_geometry(shape, scale_factor, size, axes):
    """Where a resize of an array of ``shape`` acts and what it makes.

    Returns ``(layout, scales, lengths, out_shape)``: the :class:`Layout` of
    the checked ``axes``, the scale and output length of each spatial axis
    in increasing-axis order, and the result's shape.
    """
    axes = _validate.check_axes(axes, len(shape))
    layout = Layout(len(shape), axes)
    in_lengths = layout.sorted_values([shape[a] for a in axes])
    if size is None:
        scales = layout.sorted_values(_validate.per_axis("scale_factor", scale_factor, len(axes)))
        lengths = _validate.output_lengths(in_lengths, scales)
    else:
        lengths = layout.sorted_values(_validate.per_axis("size", size, len(axes)))
        # Refuses empty input axes, so every N below is positive.
        _validate.check_sizes_for(lengths, in_lengths, size)
        # The sampling grid of scale M / N.
        scales = [m / n for m, n in zip(lengths, in_lengths)]
    return layout, scales, lengths, layout.output_shape(shape, lengths)


def resolve(shape, in_dtype, scale_factor, size, axes, mode, dtype):
    """Check the per-call arguments against an array of ``shape`` and ``in_dtype`` and
    decide the result: ``(layout, scales, lengths, out_dtype, out_shape)``.

    :func:`resize_geometry` and the result's dtype (``dtype``, or the mode's
    default) and size checked; for callers that resample an array they do not
    hold, such as ``upsample.dask``. ``scale_factor`` and ``size`` must have
    passed ``_validate.check_scale_or_size``.
    """
    layout, scales, lengths, out_shape = resize_geometry(shape, scale_factor, size, axes)
    out_dtype = _validate.check_dtype(dtype, in_dtype, _plan.result_dtype(in_dtype, mode))
    if size is None:
        _validate.check_output_size(out_shape, out_dtype.itemsize, "scale_factor", scale_factor)
    else:
        _validate.check_output_size(out_shape, out_dtype.itemsize, "size", size)
    return layout, scales, lengths, out_dtype, out_shape


def result_and_target(layout, out, out_shape, out_dtype):
    """The array to return (``out``, a new array, or None: made later) and the canonical
    view of it the kernels fill (None: they fill a temporary, see :func:`placed`)."""
    if out is not None:
        result = out
    elif layout.identity:
        result = _plan.new_array(out_shape, out_dtype)
    else:
        result = None
    # The kernels fill a C-contiguous canonical view of the result when there
    # is one, else a temporary that is then copied into place.
    return result, None if result is None else layout.canonical_view_of(result)


def placed(layout, result, target, filled, out_shape):
    """The result to return once the kernels filled ``target``, or the temporary
    ``filled`` when there was no target: put in the user's layout (and into ``result``)."""
    if target is not None:
        return result
    filled = layout.from_canonical(filled, out_shape)
    if result is None:
        return np.ascontiguousarray(filled)
    np.copyto(result, filled)
    return result


# A layer's checked options, in the order of Upsample's parameters.
_LayerOptions = collections.namedtuple(
    "_LayerOptions", "scale_factor size mode align_corners antialias axes dtype")


def _check_layer_options(scale_factor, size, mode, align_corners, antialias, axes, dtype):
    """The options of a layer, checked and normalised (the constructor's errors)."""
    mode, align_corners, antialias = _validate.check_options(mode, align_corners, antialias)
    scale_factor, size = _validate.check_scale_or_size(scale_factor, size)
    if axes is not None:
        # The rank is unknown until the call; check what can be checked now.
        _validate.check_axes(axes, 64)
        axes = tuple(axes) if not isinstance(axes, int) else (axes,)
    if dtype is not None:
        dtype = _validate.parse_dtype(dtype)
    return _LayerOptions(scale_factor, size, mode, align_corners, antialias, axes, dtype)


def _layer_option(name):
    """A layer attribute that is checked like the constructor's argument when assigned.

    The new value is checked together with the others (antialias excludes
    some modes, scale_factor excludes size), with the constructor's errors;
    a refused value leaves the layer as it was.
    """

    def get(layer):
        return getattr(layer._options, name)

    def set_(layer, value):
        layer._options = _check_layer_options(**layer._options._replace(**{name: value})._asdict())
        layer._last = None

    return property(get, set_, doc=f"The layer's ``{name}`` (checked when assigned).")


class Upsample:
    """A reusable upsampling layer with the options of MLX's ``nn.Upsample``, and more.

    ``Upsample(scale_factor=None, mode="nearest", align_corners=False,
    antialias=False, *, size=None, axes=None, dtype=None)`` checks its
    options once; calling it, ``layer(x, out=None, num_threads=None)``,
    returns ``upsample(x, ...)`` with those options. See :func:`upsample`.
    The options are attributes; assigning one checks it as the constructor
    does, so a layer never holds an invalid option.
    """

    scale_factor = _layer_option("scale_factor")
    size = _layer_option("size")
    mode = _layer_option("mode")
    align_corners = _layer_option("align_corners")
    antialias = _layer_option("antialias")
    axes = _layer_option("axes")
    dtype = _layer_option("dtype")

    def __init__(self, scale_factor=None, mode="nearest", align_corners=False, antialias=False,
                 *, size=None, axes=None, dtype=None):
        self._options = _check_layer_options(scale_factor, size, mode, align_corners,
                                             antialias, axes, dtype)
        # This layer's last call served from the remembered plans, as upsample's
        # (see _PlanStore and _last_call).
        self._last = None
        _register_layer(self)

    def __call__(self, x, *, out=None, num_threads=None):
        """Resample ``x`` with this layer's options; ``out`` and ``num_threads`` as in :func:`upsample`."""
        key = None
        held = self._options
        if out is None and type(x) is np.ndarray:
            last = self._last
            if last is not None and last.serves_layer(held, num_threads, x):
                return last.replay.run(x)
            # The options were checked when set. "layer" keeps these keys apart
            # from upsample's.
            key, recent = _recall(("layer", x.shape, x.strides, x.dtype, *held, num_threads,
                                   type(num_threads)))
            if recent is not None:
                self._last = _last_call((*held, num_threads), x, recent)
                return recent.run(x)
        num_threads = _validate.check_num_threads(num_threads)
        return _run(x, held.scale_factor, held.size, held.axes, held.mode, held.align_corners,
                    held.antialias, held.dtype, out, num_threads, key)

    def backward(self, grad_output, input_shape, *, out=None, num_threads=None):
        """The gradient with respect to the input of this layer's output for an input of
        ``input_shape``: :func:`upsample_backward` with this layer's options (``dtype``
        aside: the gradient's dtype follows ``grad_output``'s)."""
        num_threads = _validate.check_num_threads(num_threads)
        return _backward.run_backward(grad_output, input_shape, self.scale_factor, self.size,
                                      self.axes, self.mode, self.align_corners, self.antialias,
                                      out, num_threads)

    def __getstate__(self):
        # The last call's plan is a closure over compiled kernels: a pickled or
        # copied layer (a data loader's worker gets one) plans afresh.
        state = dict(self.__dict__)
        state["_last"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        _register_layer(self)

    def __repr__(self):
        options = self._options
        parts = [f"scale_factor={options.scale_factor!r}" if options.size is None
                 else f"size={options.size!r}"]
        parts += [f"mode={options.mode!r}", f"align_corners={options.align_corners}",
                  f"antialias={options.antialias}"]
        if options.axes is not None:
            parts.append(f"axes={options.axes!r}")
        if options.dtype is not None:
            parts.append(f"dtype={options.dtype.name!r}")
        return f"Upsample({', '.join(parts)})"
