"""The ``upsample`` command on Zarr arrays: out of core through Dask, atomic output.

Runs the command in-process (``upsample.cli.main``) on small generated Zarr
arrays with Dask's local threads; the cluster case is in
test_dask_distributed.py and the 4 GiB one in test_dask_huge.py. Needs the
``[dask]`` extra; skipped without it.
"""

import os

import numpy as np
import pytest

import upsample
from upsample import cli

# The extra installs nothing before Python 3.11 (Zarr 3 needs it).
EXTRA = "the [dask] extra (Python 3.11 and later)"
zarr = pytest.importorskip("zarr", reason=f"Zarr inputs need {EXTRA}: zarr")
pytest.importorskip("dask.array", reason=f"Zarr inputs need {EXTRA}: dask")


def _volume(path, shape=(12, 21, 17), chunks=(5, 8, 8), dtype=np.uint8, seed=0, zarr_format=3):
    values = np.random.default_rng(seed).random(shape) * 255
    x = values.astype(dtype)
    array = zarr.create_array(str(path), shape=x.shape, chunks=chunks, dtype=x.dtype,
                              zarr_format=zarr_format)
    array[:] = x
    return x


def _leftovers(folder):
    """Names in ``folder`` that a run should not leave: partial or old stores."""
    return [name for name in os.listdir(folder) if name.startswith(".")]


@pytest.mark.parametrize("argv, options", [
    (["--scale", "2", "--mode", "linear", "--axes", "0", "1", "2"],
     dict(scale_factor=2.0, mode="linear", axes=(0, 1, 2))),
    (["--scale", "0.6", "1.5", "--mode", "cubic", "--axes", "2", "1", "--antialias"],
     dict(scale_factor=(0.6, 1.5), mode="cubic", axes=(2, 1), antialias=True)),
    (["--size", "30", "7", "--mode", "nearest", "--axes", "0", "2"],
     dict(size=(30, 7), mode="nearest", axes=(0, 2))),
])
def test_the_output_store_holds_the_in_memory_result(tmp_path, capsys, argv, options):
    x = _volume(tmp_path / "volume.zarr")
    status = cli.main([str(tmp_path / "volume.zarr"), "-o", str(tmp_path / "out.zarr"), *argv])
    assert status == 0, capsys.readouterr().err
    result = zarr.open_array(str(tmp_path / "out.zarr"), mode="r")
    want = upsample.upsample(x, dtype=np.uint8, **options)  # the input dtype is kept
    assert result.shape == want.shape and result.dtype == want.dtype
    assert np.array_equal(result[:], want)
    captured = capsys.readouterr()
    assert "volume.zarr -> " in captured.out
    assert "/" in captured.err and "]" in captured.err  # the progress bar
    assert _leftovers(tmp_path) == []


def test_float_arrays_and_image_like_arrays(tmp_path, capsys):
    x = _volume(tmp_path / "image.zarr", shape=(40, 33, 3), chunks=(16, 16, 3),
                dtype=np.float32)
    status = cli.main([str(tmp_path / "image.zarr"), "-o", str(tmp_path / "big.zarr"),
                       "--scale", "1.5", "--mode", "cubic", "--threads", "2"])
    assert status == 0, capsys.readouterr().err
    want = upsample.upsample(x, 1.5, mode="cubic", axes=(0, 1))
    assert np.array_equal(zarr.open_array(str(tmp_path / "big.zarr"), mode="r")[:], want)


def test_a_zarr_format_2_array_gives_a_format_2_array(tmp_path, capsys):
    x = _volume(tmp_path / "old.zarr", dtype=np.float32, zarr_format=2)
    status = cli.main([str(tmp_path / "old.zarr"), "-o", str(tmp_path / "new.zarr"),
                       "--scale", "1.5", "--mode", "cubic", "--axes", "0", "1", "2"])
    assert status == 0, capsys.readouterr().err
    result = zarr.open_array(str(tmp_path / "new.zarr"), mode="r")
    assert result.metadata.zarr_format == 2
    assert np.array_equal(result[:], upsample.upsample(x, 1.5, mode="cubic", axes=(0, 1, 2)))


def test_overwrite_replaces_a_store_and_nothing_else(tmp_path, capsys):
    x = _volume(tmp_path / "volume.zarr")
    out = str(tmp_path / "out.zarr")
    args = [str(tmp_path / "volume.zarr"), "-o", out, "--scale", "2", "--axes", "0", "1", "2"]
    assert cli.main(args) == 0
    assert cli.main(args) == 1
    assert "already exists" in capsys.readouterr().err
    assert cli.main(args[:3] + ["--scale", "0.5", "--axes", "0", "1", "2", "--overwrite"]) == 0
    want = upsample.upsample(x, 0.5, axes=(0, 1, 2))
    assert np.array_equal(zarr.open_array(out, mode="r")[:], want)
    assert _leftovers(tmp_path) == []


def test_a_failed_run_leaves_no_store(tmp_path, capsys):
    _volume(tmp_path / "volume.zarr")
    # Break one chunk of the input: the run fails part way, after other chunks were written.
    chunk_files = sorted(
        os.path.join(folder, name)
        for folder, _, names in os.walk(tmp_path / "volume.zarr") for name in names
        if name not in ("zarr.json", ".zarray", ".zattrs"))
    with open(chunk_files[len(chunk_files) // 2], "wb") as file:
        file.write(b"not a compressed chunk")
    status = cli.main([str(tmp_path / "volume.zarr"), "-o", str(tmp_path / "out.zarr"),
                       "--scale", "2", "--mode", "linear", "--axes", "0", "1", "2"])
    assert status == 1
    assert "volume.zarr" in capsys.readouterr().err
    assert not os.path.exists(tmp_path / "out.zarr")
    assert _leftovers(tmp_path) == []


def test_bad_inputs_are_named(tmp_path, capsys):
    x = _volume(tmp_path / "volume.zarr")
    out = str(tmp_path / "out.zarr")
    assert cli.main([str(tmp_path / "missing.zarr"), "-o", out, "--scale", "2"]) == 1
    assert "missing.zarr: no such Zarr array" in capsys.readouterr().err
    group = zarr.open_group(str(tmp_path / "group.zarr"), mode="w")
    group.create_array("raw", shape=(4, 4), dtype="f4")
    assert cli.main([str(tmp_path / "group.zarr"), "-o", out, "--scale", "2"]) == 1
    assert "group.zarr: is a Zarr group, not an array" in capsys.readouterr().err
    np.save(tmp_path / "x.npy", x)
    assert cli.main([str(tmp_path / "volume.zarr"), str(tmp_path / "x.npy"), "-o", out,
                     "--scale", "2"]) == 2
    assert "only input" in capsys.readouterr().err
    assert cli.main([str(tmp_path / "volume.zarr"), "-o", str(tmp_path / "volume.zarr"),
                     "--scale", "2", "--overwrite"]) == 1
    assert "would replace the input" in capsys.readouterr().err
    assert cli.main([str(tmp_path / "x.npy"), "-o", str(tmp_path / "o"), "--scale", "2",
                     "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--scheduler applies to Zarr inputs only" in capsys.readouterr().err
    assert cli.main([str(tmp_path / "volume.zarr"), "-o", out, "--scale", "2",
                     "--axes", "0", "7"]) == 1
    assert "axes" in capsys.readouterr().err
    assert not os.path.exists(out) and _leftovers(tmp_path) == []
