"""upsample.dask on a LocalCluster against in-memory upsample, and against dask-image.

Prints three tables (rows for BENCHMARKS.md, section "Dask"):

1. The suite's large workloads and a larger image: ``upsample.dask`` on a
   ``LocalCluster`` of 2 single-threaded worker processes, the input already
   in the workers' memory and the result kept there (``persist``), with
   output chunks of about 64 MB; against ``upsample.upsample`` in memory at
   2 threads. Throughput is output MB/s; the target is 0.6x in-memory.
2. A volume that does not fit in the workers' memory: a uint8 Zarr array on
   disk (4 GiB by default) halved by the command line on the same cluster,
   read, resampled and written chunk by chunk; against in-memory
   ``upsample`` at 2 threads on one 512 MiB part of it.
3. dask-image's ``ndinterp.affine_transform`` with a zoom matrix (order 1 and
   3) against ``upsample.dask`` (linear, cubic) on the same Dask array, both
   on the cluster; the target is 10x.

Every time is the median of ``--repeats`` runs. Needs ``pip install
".[dask,benchmarks]"``. ``--quick`` skips the 4 GiB volume, ``--volume-only`` runs it
alone.
"""

import argparse
import math
import os
import shutil
import subprocess
import sys
import statistics
import tempfile
import time
import warnings

import numpy as np
from workloads import make_input, median_ms

import upsample

CHUNK_BYTES = 64 << 20
# (shape, scale, modes, antialias, dtype): the suite's workloads of 1 MB of output and
# more (see workloads.py), then an image large enough for many 64 MB chunks.
WORKLOADS = [
    ((1, 1024, 1024, 3), 2.0, ("nearest", "linear", "cubic"), False, "float32"),
    ((8, 128, 128, 64), 2.0, ("nearest", "linear", "cubic"), False, "float32"),
    ((1, 64, 64, 64, 8), 2.0, ("nearest", "linear", "cubic"), False, "float32"),
    ((1, 1024, 1024, 3), 0.5, ("linear", "cubic"), True, "float32"),
    ((1, 1080, 1920, 3), 2.0, ("linear", "cubic"), False, "uint8"),
    ((1, 4096, 4096, 3), 2.0, ("nearest", "linear", "cubic"), False, "float32"),
]
VOLUME_SHAPE = (1024, 2048, 2048)
VOLUME_CHUNKS = (64, 512, 512)
DASK_IMAGE_SHAPE = (2048, 2048, 3)


def _median_seconds(call, repeats):
    """Median seconds of ``call()`` over ``repeats`` calls after a warm-up call."""
    return median_ms(call, repeats) / 1e3


def _on_cluster(client, build, persisted_input):
    """A call that builds a graph on ``persisted_input`` (``build(x)``), computes it into
    the workers' memory and waits, and one that lets the result go. Each round renames
    the input (a no-op task per block, where the block is), so that the next round's
    keys are new: the same keys could still be held from the round before."""
    from distributed import futures_of, wait

    held, rounds = [], [0]

    def run():
        rounds[0] += 1
        renamed = persisted_input.map_blocks(
            np.asarray, dtype=persisted_input.dtype,
            name=f"{persisted_input.name}-round-{rounds[0]}-{id(held)}")
        held.append(client.persist(build(renamed)))
        wait(held[-1])
        for future in futures_of(held[-1]):
            if future.status == "error":
                future.result()  # raises the task's error instead of timing it

    def release():
        held.clear()

    return run, release


def _interleaved(calls, repeats, cleanups=()):
    """Median seconds of each call, the calls alternating round after round (after one
    warm-up round), so that the machine's load weighs on each alike. ``cleanups``: per
    call, something to run untimed after it."""
    cleanups = dict(cleanups)
    times = [[] for _ in calls]
    for round_ in range(repeats + 1):
        for k, call in enumerate(calls):
            start = time.perf_counter()
            call()
            elapsed = time.perf_counter() - start
            if k in cleanups:
                cleanups[k]()
            if round_:
                times[k].append(elapsed)
    return [statistics.median(t) for t in times]


def _input_chunks(shape, scale, itemsize):
    """Input chunks whose output chunks hold about CHUNK_BYTES: whole rows of the first
    spatial axis (and of the batch), split along batch, then the first spatial axis."""
    out_row = math.prod(shape[2:]) * itemsize * scale ** (len(shape) - 2)
    rows = max(1, int(CHUNK_BYTES / (out_row * scale)))
    if rows >= shape[1]:
        batch = max(1, min(shape[0], int(CHUNK_BYTES / (out_row * scale * shape[1]))))
        return (batch, *shape[1:])
    return (1, rows, *shape[2:])


def _table_in_memory_vs_cluster(client, repeats):
    import dask.array as da
    from distributed import wait

    import upsample.dask as udask

    print("\n## upsample.dask (2 workers x 1 thread) vs in-memory upsample (2 threads)\n")
    print("| workload | mode | output chunks | in memory MB/s | Dask MB/s | ratio |")
    print("|---|---|---|---:|---:|---:|")
    for shape, scale, modes, antialias, dtype in WORKLOADS:
        x = make_input(shape, dtype)
        out_dtype = np.uint8 if dtype == "uint8" else None
        chunks = _input_chunks(shape, scale, 4)
        lazy_x = client.persist(da.from_array(x, chunks=chunks))
        wait(lazy_x)
        for mode in modes:
            options = dict(mode=mode, antialias=antialias, dtype=out_dtype)
            result = upsample.upsample(x, scale, num_threads=2, **options)
            megabytes = result.nbytes / 1e6
            run, release = _on_cluster(
                client, lambda x_: udask.upsample(x_, scale, **options), lazy_x)
            memory, cluster = _interleaved(
                [lambda: upsample.upsample(x, scale, num_threads=2, **options), run],
                repeats, {1: release})
            lazy = udask.upsample(lazy_x, scale, **options)
            label = f"{shape} x{scale}" + (" antialias" if antialias else "") + \
                ("" if dtype == "float32" else f" {dtype}")
            print(f"| {label} | {mode} | {lazy.npartitions} x "
                  f"{result.nbytes / lazy.npartitions / 2**20:.0f} MiB | "
                  f"{megabytes / memory:.0f} | {megabytes / cluster:.0f} | "
                  f"{memory / cluster:.2f}x |", flush=True)
        del lazy_x


def _table_volume(client, folder):
    import dask.array as da
    import zarr

    print("\n## A volume larger than memory: Zarr on disk, x0.5 linear, the command line\n")
    source = os.path.join(folder, "volume.zarr")
    target = os.path.join(folder, "half.zarr")
    # A pattern of the position, made by Dask's own operations: compressible, not constant.
    z, y, x = (da.arange(n, chunks=c, dtype=np.int32)[tuple(slice(None) if i == k else None
                                                            for i in range(3))]
               for k, (n, c) in enumerate(zip(VOLUME_SHAPE, VOLUME_CHUNKS)))
    volume = ((z * 5 + y * 3 + (x * x) // 7) % 256).astype(np.uint8)
    array = zarr.create_array(source, shape=VOLUME_SHAPE, chunks=VOLUME_CHUNKS, dtype=np.uint8)
    client.compute(da.store(volume, array, lock=False, compute=False)).result()
    stored = sum(os.path.getsize(os.path.join(d, f)) for d, _, names in os.walk(source)
                 for f in names)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "upsample", source, "-o", target, "--scale", "0.5",
                    "--mode", "linear", "--axes", "0", "1", "2",
                    "--scheduler", client.scheduler.address],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   cwd=folder)  # not the repository root, whose upsample/ is uncompiled
    cluster = time.perf_counter() - start
    out_megabytes = math.prod(n // 2 for n in VOLUME_SHAPE) / 1e6
    part = np.asarray(zarr.open_array(source, mode="r")[:128])
    memory = _median_seconds(lambda: upsample.upsample(
        part, 0.5, mode="linear", axes=(0, 1, 2), dtype=np.uint8, num_threads=2), 3)
    memory_rate = part.nbytes / 8 / 1e6 / memory
    print("| volume | on disk | command (2 workers x 1 thread) MB/s | "
          "in memory (512 MiB part, 2 threads) MB/s | ratio |")
    print("|---|---:|---:|---:|---:|")
    print(f"| {VOLUME_SHAPE} uint8, {math.prod(VOLUME_SHAPE) / 2**30:.0f} GiB | "
          f"{stored / 2**30:.2f} GiB | {out_megabytes / cluster:.0f} | {memory_rate:.0f} | "
          f"{out_megabytes / cluster / memory_rate:.2f}x |", flush=True)


def _table_dask_image(client, repeats):
    import dask.array as da
    from dask_image import ndinterp
    from distributed import wait

    import upsample.dask as udask

    print("\n## upsample.dask vs dask-image affine_transform (zoom matrix), on the cluster\n")
    print("| data | scale | order / mode | dask-image s | upsample.dask s | speed-up |")
    print("|---|---|---|---:|---:|---:|")
    x = make_input(DASK_IMAGE_SHAPE, "float32")
    chunks = (512, 512, 3)
    lazy_x = client.persist(da.from_array(x, chunks=chunks))
    wait(lazy_x)
    for scale in (2.0, 0.5):
        out_shape = tuple(int(n * scale) for n in DASK_IMAGE_SHAPE[:2]) + DASK_IMAGE_SHAPE[2:]
        matrix = np.diag([1 / scale, 1 / scale, 1.0])
        out_chunks = tuple(int(c * scale) for c in chunks[:2]) + chunks[2:]
        for order, mode in ((1, "linear"), (3, "cubic")):
            def peer(x_, order=order):
                return ndinterp.affine_transform(x_, matrix, output_shape=out_shape,
                                                 output_chunks=out_chunks, order=order)

            def ours(x_, mode=mode):
                return udask.upsample(x_, scale, mode=mode, axes=(0, 1))

            (peer_run, peer_release), (our_run, our_release) = (
                _on_cluster(client, peer, lazy_x), _on_cluster(client, ours, lazy_x))
            peer_s, ours_s = _interleaved([peer_run, our_run], repeats,
                                          {0: peer_release, 1: our_release})
            print(f"| {DASK_IMAGE_SHAPE} float32 | x{scale} | {order} / {mode} | {peer_s:.2f} | "
                  f"{ours_s:.3f} | {peer_s / ours_s:.0f}x |", flush=True)


def main():
    # The inputs go to the workers once, inside the graph; Dask warns about its size.
    warnings.filterwarnings("ignore", message="Sending large graph")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="skip the 4 GiB volume")
    parser.add_argument("--volume-only", action="store_true", help="only the 4 GiB volume")
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    print(f"upsample {upsample.__version__}, kernels {upsample.kernel_info()}")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, memory_limit="1.5GiB") as cluster, \
            Client(cluster) as client:
        if not args.volume_only:
            _table_in_memory_vs_cluster(client, args.repeats)
            _table_dask_image(client, max(1, args.repeats // 2))
        if not args.quick:
            folder = os.path.abspath(tempfile.mkdtemp(prefix="dask-bench-", dir="."))
            try:
                _table_volume(client, folder)
            finally:
                shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
