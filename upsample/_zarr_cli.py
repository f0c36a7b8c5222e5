"""The ``upsample`` command on a Zarr array: out of core, chunk by chunk, through Dask.

``upsample volume.zarr -o out.zarr --scale 2 --mode linear --axes 0 1 2``
reads the input lazily (``dask.array.from_zarr``), resamples it with
:func:`upsample.dask.upsample` and writes each output chunk into a new Zarr
array as soon as it is computed, so memory holds a few chunks at a time, not
the arrays. The output is written to a temporary store beside the target and
renamed into place when every chunk is written: the target is complete or
absent. ``--scheduler ADDRESS`` runs the tasks on an existing
``dask.distributed`` cluster instead of local threads.
"""

import os
import shutil
import sys
import time
import uuid

import numpy as np


ZARR_SUFFIX = ".zarr"
# Metadata files that mark a folder as a Zarr node (format 3, then format 2).
ZARR_MARKERS = ("zarr.json", ".zarray", ".zgroup")


class ZarrError(Exception):
    """A problem with the Zarr input or output; the message is shown to the user."""


def is_zarr(path):
    """Whether the command-line input ``path`` names a Zarr store or array."""
    stripped = path.rstrip("/" + os.sep)
    if stripped.lower().endswith(ZARR_SUFFIX):
        return True
    return os.path.isdir(path) and any(
        os.path.exists(os.path.join(path, marker)) for marker in ZARR_MARKERS)


def run(args, options):
    """Resample the one Zarr array of ``args.inputs`` into the store ``args.outdir``.

    ``options`` are the library options the command line gave. Returns the
    exit status (0 done, 1 failed, 2 bad command line); errors go to stderr.
    """
    if len(args.inputs) != 1:
        print("upsample: error: a Zarr input must be the only input "
              f"(got {len(args.inputs)} inputs)", file=sys.stderr)
        return 2
    source, target = args.inputs[0], args.outdir
    try:
        started = time.perf_counter()
        written = _resample_store(source, target, options, args)
    except KeyboardInterrupt:
        print("upsample: interrupted (no output written)", file=sys.stderr)
        return 130
    except Exception as error:  # reading, resampling or writing: report it, as for files
        from .cli import _reason

        reason = str(error) if isinstance(error, ZarrError) else _reason(error, source)
        print(f"upsample: error: {source}: {reason}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    rate = written / 1e6 / elapsed if elapsed > 0 else 0.0
    print(f"upsample: {source} -> {target} in {elapsed:.2f} s "
          f"({rate:.1f} MB/s of output data)")
    return 0


def _dask_modules():
    """dask.array, zarr and upsample.dask, or a ZarrError saying how to get them."""
    try:
        import dask.array as da
        import zarr

        from . import dask as udask
    except ImportError as error:
        raise ZarrError(f'Zarr inputs need the [dask] extra (Python 3.11 and later): '
                        f'pip install "upsample[dask]" ({error})') from None
    return da, zarr, udask


def _open_input(zarr, path):
    """The Zarr array at ``path``, or a ZarrError naming what is there instead."""
    if not os.path.exists(path):
        raise ZarrError("no such Zarr array (the path does not exist)")
    try:
        node = zarr.open(path, mode="r")
    except Exception as error:  # zarr raises several kinds for unreadable metadata
        raise ZarrError(f"not a readable Zarr array ({type(error).__name__}: {error})") from None
    if not isinstance(node, zarr.Array):
        names = sorted(getattr(node, "array_keys", lambda: [])())
        hint = f" (its arrays: {', '.join(names)}; give e.g. {path}/{names[0]})" if names else ""
        raise ZarrError(f"is a Zarr group, not an array{hint}")
    return node


def _check_target(source, target, overwrite):
    """Refuse an output store that is the input, lies inside it, or exists (no --overwrite)."""
    source_real, target_real = os.path.realpath(source), os.path.realpath(target)
    if target_real == source_real or target_real.startswith(source_real + os.sep) \
            or source_real.startswith(target_real + os.sep):
        raise ZarrError(f"the output {target} would replace the input; refusing")
    if os.path.lexists(target) and not overwrite:
        raise ZarrError(f"the output {target} already exists (pass --overwrite to replace it)")


def _output_chunks(source_chunks, in_shape, out_shape, axes):
    """Regular output chunks (Zarr needs them): each input chunk length scaled."""
    chunks = []
    for axis, (length, n_in, n_out) in enumerate(zip(source_chunks, in_shape, out_shape)):
        if axis in axes and n_in:
            length = max(1, round(length * n_out / n_in))
        chunks.append(max(1, min(length, n_out)))
    return tuple(chunks)


def _resample_store(source, target, options, args):
    """Resample ``source`` into a temporary store, then rename it to ``target``.

    Returns the bytes of output data written.
    """
    da, zarr, udask = _dask_modules()
    array = _open_input(zarr, source)
    _check_target(source, target, args.overwrite)
    x = da.from_zarr(array)
    axes = tuple(args.axes) if args.axes else None
    if axes is None and (x.ndim == 2 or (x.ndim == 3 and 1 <= x.shape[2] <= 4)):
        axes = (0, 1)  # image-like, as for .npy files
    dtype = x.dtype.newbyteorder("=") if x.dtype.kind in "iufc" else None
    plan = udask.upsample(x, axes=axes, dtype=dtype, **options)
    spatial = [a % x.ndim for a in axes] if axes else list(range(1, x.ndim - 1))
    chunks = _output_chunks(array.chunks, x.shape, plan.shape, spatial)
    y = udask.upsample(x, axes=axes, dtype=dtype, chunks=chunks, **options)

    directory, name = os.path.split(os.path.abspath(target.rstrip("/" + os.sep)))
    temporary = os.path.join(directory, f".{name}.partial-{uuid.uuid4().hex[:8]}")
    try:
        out = zarr.create_array(temporary, shape=y.shape, chunks=chunks, dtype=y.dtype,
                                zarr_format=array.metadata.zarr_format)
        _write_chunks(da, y, out, args)
        _replace(temporary, target)
    except BaseException:  # KeyboardInterrupt too: never leave a partial store behind
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return y.nbytes


def _write_chunks(da, y, out, args):
    from .cli import _Progress

    """Compute ``y`` chunk by chunk, each into its region of the Zarr array ``out``
    (the chunks are ``out``'s, so no two tasks write the same Zarr chunk), drawing
    the progress as chunks are stored."""
    import dask

    offsets = [np.cumsum((0,) + c) for c in y.chunks]
    writes = []
    for index, block in np.ndenumerate(y.to_delayed()):
        region = tuple(slice(int(o[i]), int(o[i + 1])) for o, i in zip(offsets, index))
        writes.append(dask.delayed(_store, pure=True)(block, out, region,
                                                      dask_key_name=("upsample-store",) + index))
    progress = _Progress(max(len(writes), 1), sys.stderr)
    progress.enabled = progress.enabled or len(writes) > 1
    try:
        if args.scheduler:
            _compute_on_cluster(writes, args.scheduler, progress)
        else:
            _compute_locally(writes, args.threads, progress)
    finally:
        progress.close()


def _store(block, out, region):
    """Task: write one computed chunk into its region of the output array."""
    out[region] = block


def _compute_locally(writes, threads, progress):
    """Local threads (``threads`` of them, default one per core)."""
    import dask
    from dask.callbacks import Callback

    done = [0]

    def count(key, result, dsk, state, worker_id):
        if isinstance(key, tuple) and key[0] == "upsample-store":
            done[0] += 1
            progress.show(done[0])

    with Callback(posttask=count):
        dask.compute(*writes, scheduler="threads", num_workers=threads)


def _compute_on_cluster(writes, address, progress):
    """The dask.distributed cluster whose scheduler is at ``address``."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise ZarrError('--scheduler needs dask.distributed: pip install "upsample[dask]"') \
            from None
    try:
        client = Client(address, timeout=30)
    except (OSError, TimeoutError) as error:
        raise ZarrError(f"--scheduler {address}: cannot connect ({error})") from None
    with client:
        futures = client.compute(writes)
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                future.result()  # raises the task's error
                progress.show(done)
        except BaseException:
            client.cancel(futures)
            raise


def _replace(temporary, target):
    """Rename the finished store ``temporary`` to ``target``, replacing an old one last."""
    if not os.path.lexists(target):
        os.rename(temporary, target)
        return
    directory, name = os.path.split(os.path.abspath(target))
    old = os.path.join(directory, f".{name}.old-{uuid.uuid4().hex[:8]}")
    os.rename(target, old)
    try:
        os.rename(temporary, target)
    except BaseException:
        os.rename(old, target)
        raise
    if os.path.isdir(old) and not os.path.islink(old):
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.unlink(old)

