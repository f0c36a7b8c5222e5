"""upsample.dask on a dask.distributed LocalCluster of 2 worker processes.

The tasks are pickled to other processes and run there; the results are the
in-memory call's bits, a chunk too large for a worker is refused with an
error naming ``chunks``, and the command line runs a Zarr array on the
cluster with ``--scheduler``. Every test runs under an alarm, and the cluster
itself has start and close timeouts, so a hang fails instead of blocking CI.
Needs the ``[dask]`` extra; skipped without it.
"""

import signal

import numpy as np
import pytest

import upsample

# The extra installs nothing before Python 3.11 (Zarr 3 needs it).
EXTRA = "the [dask] extra (Python 3.11 and later)"
da = pytest.importorskip("dask.array", reason=f"upsample.dask needs {EXTRA}: dask")
distributed = pytest.importorskip("distributed",
                                  reason=f"upsample.dask needs {EXTRA}: distributed")
zarr = pytest.importorskip("zarr", reason=f"Zarr inputs need {EXTRA}: zarr")
udask = pytest.importorskip("upsample.dask")

# Seconds a test (the cluster's start included) may take before it fails.
TEST_TIMEOUT = 120
WORKER_MEMORY = 2 << 30


@pytest.fixture(autouse=True)
def alarm():
    """Fail a test that hangs: SIGALRM raises in the main thread after TEST_TIMEOUT s."""

    def expire(signum, frame):
        raise TimeoutError(f"test still running after {TEST_TIMEOUT} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(TEST_TIMEOUT)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, memory_limit=WORKER_MEMORY,
        dashboard_address=None, timeout=60)
    with cluster, distributed.Client(cluster, timeout=60) as connected:
        yield connected


def _image(shape, dtype=np.float32, seed=0):
    return (np.random.default_rng(seed).standard_normal(shape) * 60 + 100).astype(dtype)


@pytest.mark.parametrize("options", [
    dict(scale_factor=2.0, mode="cubic"),
    dict(scale_factor=(0.45, 1.3), mode="linear", antialias=True),
    dict(scale_factor=1.7, mode="nearest"),
    dict(size=(50, 31), mode="cubic", align_corners=True, dtype=np.uint8),
])
def test_a_cluster_of_two_processes_gives_the_same_bits(client, options):
    x = _image((3, 61, 47, 3))
    lazy = udask.upsample(da.from_array(x, chunks=(1, 17, 13, 3)), **options)
    got = client.compute(lazy).result(timeout=60)
    want = upsample.upsample(x, **options)
    assert got.dtype == want.dtype
    assert np.array_equal(got.view(np.uint8), want.view(np.uint8))
    # Both workers took part.
    workers = client.run(lambda dask_worker: dask_worker.state.executed_count)
    assert len(workers) == 2


def test_a_task_runs_on_one_thread_unless_the_worker_says_otherwise(client):
    from upsample import _blocks

    plan = _blocks.BlockPlan((1, 8, 8, 1), np.float32, 2.0, "linear")
    block = plan.block([(0, 1), (0, 16), (0, 16), (0, 1)])

    def threads_used(dask_worker):
        import os

        from upsample import _plan_weighted

        seen = []
        original = _plan_weighted.weighted_passes

        def spy(*args, **kwargs):
            fill = original(*args, **kwargs)

            def run(x, target, num_threads):
                seen.append(num_threads)
                fill(x, target, num_threads)

            return run

        _plan_weighted.weighted_passes = spy
        try:
            block.compute(np.ones((1, 8, 8, 1), np.float32))
            os.environ["UPSAMPLE_NUM_THREADS"] = "2"
            block.compute(np.ones((1, 8, 8, 1), np.float32))
        finally:
            _plan_weighted.weighted_passes = original
            os.environ.pop("UPSAMPLE_NUM_THREADS", None)
        return seen

    # One thread by default; None (the planner's default, which reads the variable) when set.
    assert list(client.run(threads_used).values()) == [[1, None], [1, None]]


def test_a_chunk_too_large_for_its_worker_is_refused(client):
    x = da.from_array(_image((1, 200, 200, 1)), chunks=(1, 200, 200, 1))
    # One output chunk of 20000 x 20000 float32 (1.6 GB, twice that to compute).
    lazy = udask.upsample(x, 100.0, mode="linear")
    with pytest.raises(ValueError, match="chunks: an output chunk of shape"):
        client.compute(lazy).result(timeout=60)
    # Smaller output chunks of the same result go through (only a corner is computed).
    lazy = udask.upsample(x, 100.0, mode="linear", chunks=(1, 2000, 2000, 1))[:, :2000, :2000]
    corner = client.compute(lazy).result(timeout=60)
    assert np.array_equal(corner, lazy.compute(scheduler="synchronous"))


def test_the_command_line_runs_a_zarr_array_on_the_cluster(client, tmp_path, capsys):
    from upsample import cli

    x = (np.random.default_rng(1).random((14, 30, 26)) * 255).astype(np.uint8)
    source = zarr.create_array(str(tmp_path / "in.zarr"), shape=x.shape, chunks=(6, 10, 10),
                               dtype=x.dtype)
    source[:] = x
    status = cli.main([str(tmp_path / "in.zarr"), "-o", str(tmp_path / "out.zarr"),
                       "--scale", "1.5", "--mode", "cubic", "--axes", "0", "1", "2",
                       "--scheduler", client.scheduler.address])
    assert status == 0, capsys.readouterr().err
    want = upsample.upsample(x, 1.5, mode="cubic", axes=(0, 1, 2), dtype=np.uint8)
    assert np.array_equal(zarr.open_array(str(tmp_path / "out.zarr"), mode="r")[:], want)
