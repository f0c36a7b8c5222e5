"""Out of core: a Zarr array of 4 GiB resampled on a cluster, every process under 1.5 GiB.

Marked ``slow`` (CI's second stage runs it with ``--run-slow``): it writes a
4 GiB uint8 volume (compressible, generated chunk by chunk on the cluster,
about a minute on 2 cores) and halves it with the command line. The
scheduler and both workers are separate processes (``dask scheduler`` and
``dask worker``, one thread each) and so is the command, which reports its
own peak resident memory; the workers and the scheduler report theirs
through the client. A sample of output chunks is checked against in-memory
``upsample`` on the matching input region: halving (linear, x0.5) is exact
arithmetic on uint8 data, so a region gives the same values as the whole.
Needs the ``[dask]`` extra.
"""

import os
import pathlib
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

import upsample

from conftest import require_slow

pytestmark = pytest.mark.slow

# The extra installs nothing before Python 3.11 (Zarr 3 needs it).
EXTRA = "the [dask] extra (Python 3.11 and later)"
da = pytest.importorskip("dask.array", reason=f"needs {EXTRA}: dask")
distributed = pytest.importorskip("distributed", reason=f"needs {EXTRA}: distributed")
zarr = pytest.importorskip("zarr", reason=f"needs {EXTRA}: zarr")

SHAPE = (1024, 2048, 2048)  # uint8: 4 GiB
CHUNKS = (64, 512, 512)  # 16 MiB
PEAK_LIMIT = 1.5 * 2**30
RUN_TIMEOUT = 1500  # seconds for each step; a hang fails
SAMPLES = 12

# Peak resident memory is read as VmHWM from /proc/self/status: the high-water
# mark of the process's own address space. ru_maxrss would not do: Linux carries
# it over fork and exec, so a process started by a pytest that ran the 12 GB
# tests of test_huge.py first reported those 12 GB as its own.
STATUS = pathlib.Path("/proc/self/status")

# Run by the command's process: the command, then its own peak resident memory.
CLI_WITH_PEAK = (
    "import pathlib, sys\n"
    "from upsample import cli\n"
    "status = cli.main(sys.argv[1:])\n"
    "print(pathlib.Path('/proc/self/status').read_text(), file=sys.stderr)\n"
    "sys.exit(status)\n"
)


def peak_bytes(status):
    """The VmHWM line of a /proc/<pid>/status text, in bytes."""
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


def _pattern():
    """A deterministic, compressible volume: the value at (z, y, x) from its position,
    built from Dask's own operations (a function of this module could not be imported
    by the workers)."""
    z, y, x = (da.arange(n, chunks=c, dtype=np.int32)[tuple(slice(None) if i == k else None
                                                            for i in range(3))]
               for k, (n, c) in enumerate(zip(SHAPE, CHUNKS)))
    return ((z * 5 + y * 3 + (x * x) // 7) % 256).astype(np.uint8)


def _region(starts, stops):
    """The pattern over [starts, stops), computed in memory."""
    z, y, x = (np.arange(a, b, dtype=np.int32)[tuple(slice(None) if i == k else None
                                                     for i in range(3))]
               for k, (a, b) in enumerate(zip(starts, stops)))
    return ((z * 5 + y * 3 + (x * x) // 7) % 256).astype(np.uint8)


@pytest.fixture
def cluster(tmp_path):
    """A scheduler and two single-threaded workers, each its own process."""
    if shutil.disk_usage(tmp_path).free < 8 * 2**30:
        if require_slow():
            pytest.fail("needs 8 GiB of free disk space (UPSAMPLE_REQUIRE_SLOW is set)")
        pytest.skip("needs 8 GiB of free disk space")
    scheduler_file = str(tmp_path / "scheduler.json")
    # Each process starts in tmp_path: from the repository root, "python -m" would
    # import the source folders (no compiled kernels) instead of the installed package.
    python = [sys.executable, "-m"]
    processes = [subprocess.Popen(
        python + ["distributed.cli.dask_scheduler", "--scheduler-file", scheduler_file,
                  "--port", "0", "--no-dashboard"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)]
    try:
        deadline = time.monotonic() + 60
        while not os.path.exists(scheduler_file):
            if time.monotonic() > deadline:
                raise TimeoutError("the scheduler did not start within 60 s")
            time.sleep(0.2)
        for _ in range(2):
            processes.append(subprocess.Popen(
                python + ["distributed.cli.dask_worker", "--scheduler-file", scheduler_file,
                          "--nthreads", "1", "--nworkers", "1", "--memory-limit", "0",
                          "--no-dashboard"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path))
        with distributed.Client(scheduler_file=scheduler_file, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
            yield client
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def test_a_4_gib_zarr_array_resampled_out_of_core(cluster, tmp_path):
    client = cluster
    source, target = str(tmp_path / "volume.zarr"), str(tmp_path / "half.zarr")
    volume = _pattern()
    assert volume.nbytes >= 4 * 2**30
    array = zarr.create_array(source, shape=SHAPE, chunks=CHUNKS, dtype=np.uint8)
    client.compute(da.store(volume, array, lock=False, compute=False)).result(timeout=RUN_TIMEOUT)

    run = subprocess.run(
        [sys.executable, "-c", CLI_WITH_PEAK, source, "-o", target, "--scale", "0.5",
         "--mode", "linear", "--axes", "0", "1", "2", "--scheduler", client.scheduler.address],
        capture_output=True, text=True, timeout=RUN_TIMEOUT, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    cli_peak = peak_bytes(run.stderr[run.stderr.rindex("Name:"):])
    # Path.read_text itself runs there (a function of this module could not be
    # unpickled by the workers), reading that process's own status.
    peaks = {"command": cli_peak,
             "scheduler": peak_bytes(client.run_on_scheduler(STATUS.read_text))}
    peaks.update({f"worker {address}": peak_bytes(status)
                  for address, status in client.run(STATUS.read_text).items()})
    print("peak resident memory (MiB):",
          {name: round(peak / 2**20) for name, peak in peaks.items()})
    assert all(peak < PEAK_LIMIT for peak in peaks.values()), peaks

    result = zarr.open_array(target, mode="r")
    assert result.shape == tuple(n // 2 for n in SHAPE) and result.dtype == np.uint8
    rng = np.random.default_rng(0)
    chunk_grid = [n // c for n, c in zip(result.shape, result.chunks)]
    for _ in range(SAMPLES):
        index = [int(rng.integers(n)) for n in chunk_grid]
        starts = [i * c for i, c in zip(index, result.chunks)]
        stops = [min(s + c, n) for s, c, n in zip(starts, result.chunks, result.shape)]
        region = _region([2 * s for s in starts], [2 * s for s in stops])
        want = upsample.upsample(region, 0.5, mode="linear", axes=(0, 1, 2), dtype=np.uint8)
        got = result[tuple(slice(a, b) for a, b in zip(starts, stops))]
        assert np.array_equal(got, want), index
