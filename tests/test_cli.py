"""The ``upsample`` command line, end to end on files generated in tmp_path.

Most runs call ``upsample.cli.main`` in-process (fast); one goes through
``python -m upsample`` in a subprocess to cover the entry point itself.
"""

import os
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest

from upsample import upsample
from upsample import cli
from upsample.cli import main

RNG = np.random.default_rng(1234)


def run(capsys, *argv):
    """Run the command in-process: (exit status, stdout, stderr)."""
    status = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def pil():
    """Pillow's Image module, or skip the test when Pillow is not installed."""
    return pytest.importorskip("PIL.Image")


def files_in(folder):
    """Every entry of ``folder``, hidden ones (temporary files) included."""
    return sorted(os.listdir(folder))


def random_uint8(*shape):
    return RNG.integers(0, 256, size=shape, dtype=np.uint8)


def png_bytes(width, height, bit_depth, colour_type, rows):
    """A minimal PNG file (Pillow cannot write 16-bit colour ones): rows of big-endian samples."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    raw = b"".join(b"\x00" + row.tobytes() for row in rows)  # filter type 0 on every row
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


# --- .npy arrays ----------------------------------------------------------------------------

def test_npy_hwc_is_an_unbatched_image(tmp_path, capsys):
    x = RNG.random((5, 7, 3), dtype=np.float32)
    np.save(tmp_path / "hwc.npy", x)
    status, out, err = run(capsys, tmp_path / "hwc.npy", "-o", tmp_path / "out",
                           "--scale", 2, "--mode", "linear")
    assert status == 0, err
    y = np.load(tmp_path / "out" / "hwc.npy")
    assert y.shape == (10, 14, 3) and y.dtype == np.float32
    np.testing.assert_array_equal(y, upsample(x, 2, mode="linear", axes=(0, 1)))
    assert err == ""  # one file, stderr not a terminal: no progress bar, no errors
    assert "1 done, 0 failed, 1 file in" in out


def test_npy_keeps_integer_dtype_and_plain_2d(tmp_path, capsys):
    x = random_uint8(6, 4)
    np.save(tmp_path / "plane.npy", x)
    status, _, err = run(capsys, tmp_path / "plane.npy", "-o", tmp_path / "out",
                         "--size", 9, 5, "--mode", "cubic")
    assert status == 0, err
    y = np.load(tmp_path / "out" / "plane.npy")
    assert y.dtype == np.uint8 and y.shape == (9, 5)
    np.testing.assert_array_equal(
        y, upsample(x, size=(9, 5), mode="cubic", axes=(0, 1), dtype=np.uint8))


def test_npy_batched_channels_first_with_axes(tmp_path, capsys):
    x = RNG.random((2, 3, 4, 6)).astype(np.float64)  # (B, C, H, W)
    np.save(tmp_path / "bchw.npy", x)
    status, _, err = run(capsys, tmp_path / "bchw.npy", "-o", tmp_path / "out",
                         "--size", 8, 12, "--axes", 2, 3, "--mode", "cubic", "--align-corners")
    assert status == 0, err
    y = np.load(tmp_path / "out" / "bchw.npy")
    assert y.shape == (2, 3, 8, 12) and y.dtype == np.float64
    np.testing.assert_array_equal(
        y, upsample(x, size=(8, 12), mode="cubic", align_corners=True, axes=(2, 3)))


def test_npy_batched_default_layout(tmp_path, capsys):
    x = RNG.random((2, 4, 5, 6), dtype=np.float32)  # (B, H, W, C): C = 6, not image-like
    np.save(tmp_path / "bhwc.npy", x)
    status, _, err = run(capsys, tmp_path / "bhwc.npy", "-o", tmp_path / "out",
                         "--scale", 0.5, "--mode", "linear", "--antialias", "--threads", 1)
    assert status == 0, err
    y = np.load(tmp_path / "out" / "bhwc.npy")
    assert y.shape == (2, 2, 2, 6)
    np.testing.assert_array_equal(y, upsample(x, 0.5, mode="linear", antialias=True))


def test_size_and_scale_agree(tmp_path, capsys):
    x = RNG.random((6, 10, 2), dtype=np.float32)
    np.save(tmp_path / "x.npy", x)
    assert run(capsys, tmp_path / "x.npy", "-o", tmp_path / "by_scale",
               "--scale", 2, "--mode", "linear")[0] == 0
    assert run(capsys, tmp_path / "x.npy", "-o", tmp_path / "by_size",
               "--size", 12, 20, "--mode", "linear")[0] == 0
    np.testing.assert_array_equal(np.load(tmp_path / "by_scale" / "x.npy"),
                                  np.load(tmp_path / "by_size" / "x.npy"))
    # One scale per axis, and a size for one axis applies to both.
    assert run(capsys, tmp_path / "x.npy", "-o", tmp_path / "two", "--scale", 1.5, 0.5)[0] == 0
    assert np.load(tmp_path / "two" / "x.npy").shape == (9, 5, 2)
    assert run(capsys, tmp_path / "x.npy", "-o", tmp_path / "one", "--size", 7)[0] == 0
    assert np.load(tmp_path / "one" / "x.npy").shape == (7, 7, 2)


# --- images ---------------------------------------------------------------------------------

def test_png_rgb_8bit(tmp_path, capsys):
    Image = pil()
    x = random_uint8(9, 13, 3)
    Image.fromarray(x).save(tmp_path / "rgb.png")
    status, _, err = run(capsys, tmp_path / "rgb.png", "-o", tmp_path / "out",
                         "--scale", 2, "--mode", "cubic")
    assert status == 0, err
    with Image.open(tmp_path / "out" / "rgb.png") as result:
        assert result.format == "PNG" and result.mode == "RGB" and result.size == (26, 18)
        y = np.asarray(result)
    np.testing.assert_array_equal(
        y, upsample(x, 2, mode="cubic", axes=(0, 1), dtype=np.uint8))


def test_png_gray_16bit(tmp_path, capsys):
    Image = pil()
    x = RNG.integers(0, 65536, size=(11, 8), dtype=np.uint16)
    Image.frombytes("I;16", (8, 11), x.astype("<u2").tobytes()).save(tmp_path / "gray16.png")
    status, _, err = run(capsys, tmp_path / "gray16.png", "-o", tmp_path / "out",
                         "--size", 20, 15, "--mode", "linear")
    assert status == 0, err
    with Image.open(tmp_path / "out" / "gray16.png") as result:
        assert result.mode.startswith("I;16") and result.size == (15, 20)
        y = np.asarray(result)
    assert y.dtype.kind == "u" and y.dtype.itemsize == 2
    np.testing.assert_array_equal(
        y, upsample(x, size=(20, 15), mode="linear", axes=(0, 1), dtype=np.uint16))


def test_png_other_modes(tmp_path, capsys):
    Image = pil()
    Image.fromarray(random_uint8(4, 5, 2)).save(tmp_path / "la.png")
    Image.fromarray(random_uint8(4, 5, 4)).save(tmp_path / "rgba.png")
    Image.fromarray(random_uint8(4, 5)).save(tmp_path / "gray.png")
    Image.fromarray(random_uint8(4, 5, 3)).convert("P").save(tmp_path / "palette.png")
    keyed = Image.fromarray(np.array([[0, 9], [9, 0]], dtype=np.uint8))
    keyed.save(tmp_path / "keyed.png", transparency=9)  # colour-key transparency
    names = ["la.png", "rgba.png", "gray.png", "palette.png", "keyed.png"]
    status, _, err = run(capsys, *[tmp_path / n for n in names], "-o", tmp_path / "out",
                         "--scale", 2, "--mode", "linear")
    assert status == 0, err
    modes = {}
    for name in names:
        with Image.open(tmp_path / name) as source, Image.open(tmp_path / "out" / name) as result:
            modes[name] = result.mode
            assert result.size == (2 * source.size[0], 2 * source.size[1])
    assert modes == {"la.png": "LA", "rgba.png": "RGBA", "gray.png": "L",
                     "palette.png": "RGB", "keyed.png": "LA"}


def test_jpeg_tiff_webp(tmp_path, capsys):
    Image = pil()
    Image.fromarray(random_uint8(16, 24, 3)).save(tmp_path / "photo.jpg", quality=90)
    x16 = RNG.integers(0, 65536, size=(6, 5), dtype=np.uint16)
    tiff = Image.frombytes("I;16", (5, 6), x16.astype("<u2").tobytes())
    tiff.save(tmp_path / "scan.tif", compression="tiff_lzw")
    Image.fromarray(random_uint8(8, 8, 3)).save(tmp_path / "web.webp")
    status, _, err = run(capsys, tmp_path / "photo.jpg", tmp_path / "scan.tif",
                         tmp_path / "web.webp", "-o", tmp_path / "out",
                         "--scale", 1.5, "--mode", "linear")
    assert status == 0, err
    with Image.open(tmp_path / "out" / "photo.jpg") as result:
        assert (result.format, result.mode, result.size) == ("JPEG", "RGB", (36, 24))
    with Image.open(tmp_path / "out" / "scan.tif") as result:
        assert (result.format, result.size) == ("TIFF", (7, 9))
        assert result.mode.startswith("I;16")
        assert result.info.get("compression") == "tiff_lzw"  # lossless compression kept
        np.testing.assert_array_equal(
            np.asarray(result),
            upsample(x16, 1.5, mode="linear", axes=(0, 1), dtype=np.uint16))
    with Image.open(tmp_path / "out" / "web.webp") as result:
        assert (result.format, result.size) == ("WEBP", (12, 12))


def test_refuses_16bit_colour_and_multiframe(tmp_path, capsys):
    Image = pil()
    rows = (RNG.integers(0, 65536, size=(3, 4 * 3)).astype(">u2"))
    (tmp_path / "rgb48.png").write_bytes(png_bytes(4, 3, 16, 2, rows))
    frames = [Image.fromarray(random_uint8(4, 4)) for _ in range(2)]
    frames[0].save(tmp_path / "pages.tif", save_all=True, append_images=frames[1:])
    status, out, err = run(capsys, tmp_path / "rgb48.png", tmp_path / "pages.tif",
                           "-o", tmp_path / "out", "--scale", 2)
    assert status == 1
    assert "rgb48.png: 16-bit RGB image" in err
    assert "pages.tif: has 2 frames" in err
    assert files_in(tmp_path / "out") == []
    assert "0 done, 2 failed, 2 files" in out


def test_images_without_pillow(tmp_path, capsys, monkeypatch):
    np.save(tmp_path / "a.npy", np.zeros((2, 2)))
    (tmp_path / "b.png").write_bytes(b"not even read")
    monkeypatch.setattr(cli, "_PIL_IMAGE", None)
    monkeypatch.setitem(sys.modules, "PIL", None)  # makes "from PIL import Image" fail
    status, out, err = run(capsys, tmp_path / "a.npy", tmp_path / "b.png",
                           "-o", tmp_path / "out", "--scale", 2)
    assert status == 1
    assert "b.png: reading images needs Pillow" in err and "upsample[images]" in err
    assert files_in(tmp_path / "out") == ["a.npy"]


# --- bad files ------------------------------------------------------------------------------

def test_bad_files_are_reported_and_skipped(tmp_path, capsys):
    pil()
    good = RNG.random((3, 3, 1), dtype=np.float32)
    np.save(tmp_path / "good.npy", good)
    (tmp_path / "corrupt.png").write_bytes(RNG.bytes(300))
    (tmp_path / "corrupt.npy").write_bytes(RNG.bytes(300))
    (tmp_path / "notes.txt").write_text("hello")
    np.save(tmp_path / "big.npy", np.zeros((2, 3, 4, 5, 6)))  # 3 spatial axes, 2 sizes given
    np.save(tmp_path / "truncated.npy", np.zeros((20, 20)))
    with open(tmp_path / "truncated.npy", "r+b") as file:
        file.truncate(1000)
    missing = tmp_path / "missing.npy"
    inputs = ["corrupt.png", "good.npy", "corrupt.npy", "notes.txt", "big.npy", "truncated.npy"]
    status, out, err = run(capsys, *[tmp_path / n for n in inputs], missing,
                           "-o", tmp_path / "out", "--size", 6, 6)
    assert status == 1
    assert "corrupt.png: not a readable image" in err
    assert "corrupt.npy: not a .npy array file (no .npy header)" in err
    assert "truncated.npy: not a readable .npy array" in err
    assert "notes.txt: unsupported file type '.txt'" in err
    assert "big.npy: size must have one entry per spatial axis" in err  # the library's message
    assert "missing.npy: No such file or directory" in err
    assert "1 done, 6 failed, 7 files in" in out
    # Only the good file was written, and no temporary file was left behind.
    assert files_in(tmp_path / "out") == ["good.npy"]
    assert np.load(tmp_path / "out" / "good.npy").shape == (6, 6, 1)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root can read a file whatever its permissions")
def test_unreadable_file(tmp_path, capsys):
    path = tmp_path / "secret.npy"
    np.save(path, np.zeros((2, 2)))
    path.chmod(0)
    try:
        status, _, err = run(capsys, path, "-o", tmp_path / "out", "--scale", 2)
    finally:
        path.chmod(0o644)
    assert status == 1
    assert "secret.npy: Permission denied" in err


def test_unreadable_file_simulated(tmp_path, capsys, monkeypatch):
    """The same report where root would read the file anyway: opening it is refused."""
    path = tmp_path / "secret.npy"
    np.save(path, np.zeros((2, 2)))

    def refuse(name, *args, **kwargs):
        raise PermissionError(13, "Permission denied", os.fspath(name))

    monkeypatch.setattr(cli, "open", refuse, raising=False)  # shadows the builtin in cli only
    status, _, err = run(capsys, path, "-o", tmp_path / "out", "--scale", 2)
    assert status == 1
    assert "secret.npy: Permission denied" in err


def test_failed_write_leaves_nothing_behind(tmp_path, capsys, monkeypatch):
    np.save(tmp_path / "x.npy", np.ones((2, 2, 1)))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x.npy").write_bytes(b"previous output")

    def broken_save(file, array, allow_pickle=False):
        file.write(b"half")
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(cli.np, "save", broken_save)
    status, _, err = run(capsys, tmp_path / "x.npy", "-o", tmp_path / "out",
                         "--scale", 2, "--overwrite")
    assert status == 1 and "x.npy: disk full (simulated)" in err
    assert files_in(tmp_path / "out") == ["x.npy"]  # the temporary file was removed
    assert (tmp_path / "out" / "x.npy").read_bytes() == b"previous output"


# --- outputs --------------------------------------------------------------------------------

def test_existing_output_needs_overwrite(tmp_path, capsys):
    x = RNG.random((4, 4, 1), dtype=np.float32)
    np.save(tmp_path / "x.npy", x)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x.npy").write_bytes(b"old")
    status, out, err = run(capsys, tmp_path / "x.npy", "-o", tmp_path / "out", "--scale", 2)
    assert status == 1
    assert "already exists (pass --overwrite to replace it)" in err
    assert (tmp_path / "out" / "x.npy").read_bytes() == b"old"
    status, _, err = run(capsys, tmp_path / "x.npy", "-o", tmp_path / "out", "--scale", 2,
                         "--overwrite")
    assert status == 0, err
    assert np.load(tmp_path / "out" / "x.npy").shape == (8, 8, 1)
    # Outputs get ordinary permissions (umask applied), not the temporary file's 0o600.
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "out" / "x.npy").stat().st_mode & 0o777 == 0o666 & ~umask


def test_never_overwrites_an_input(tmp_path, capsys):
    x = RNG.random((3, 3, 2), dtype=np.float32)
    np.save(tmp_path / "x.npy", x)
    before = (tmp_path / "x.npy").read_bytes()
    for extra in ([], ["--overwrite"]):  # not even with --overwrite
        status, _, err = run(capsys, tmp_path / "x.npy", "-o", tmp_path, "--scale", 2, *extra)
        assert status == 1
        assert "would replace an input file" in err
    assert (tmp_path / "x.npy").read_bytes() == before
    assert files_in(tmp_path) == ["x.npy"]
    # An input that happens to sit in OUTDIR under another input's name is protected too.
    (tmp_path / "other").mkdir()
    np.save(tmp_path / "other" / "x.npy", x)
    status, _, err = run(capsys, tmp_path / "other" / "x.npy", tmp_path / "x.npy",
                         "-o", tmp_path, "--scale", 2, "--overwrite")
    assert status == 1 and err.count("would replace an input file") == 2
    assert (tmp_path / "x.npy").read_bytes() == before


def test_same_file_name_twice(tmp_path, capsys):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        np.save(tmp_path / folder / "x.npy", np.zeros((2, 2)))
    status, out, err = run(capsys, tmp_path / "a" / "x.npy", tmp_path / "b" / "x.npy",
                           "-o", tmp_path / "out", "--scale", 2, "--overwrite")
    assert status == 1
    assert "was already written from" in err and "a/x.npy" in err.replace(os.sep, "/")
    assert "1 done, 1 failed, 2 files" in out


# --- command line -------------------------------------------------------------------------

@pytest.mark.parametrize("argv, words", [
    (["x.npy", "-o", "out"], "one of the arguments --scale --size is required"),
    (["x.npy", "--scale", "2"], "-o/--outdir"),
    (["x.npy", "-o", "out", "--scale", "2", "--size", "3"], "not allowed with"),
    (["x.npy", "-o", "out", "--scale", "0"], "greater than 0"),
    (["x.npy", "-o", "out", "--size", "-3"], "--size"),
    (["x.npy", "-o", "out", "--scale", "2", "--mode", "area"], "invalid choice"),
    (["x.npy", "-o", "out", "--scale", "2", "--threads", "0"], "at least 1"),
    (["x.npy", "-o", "out", "--scale", "2", "--antialias"], "--antialias needs --mode"),
    (["x.npy", "-o", "out", "--scale", "2", "--mode", "linear", "--antialias",
      "--align-corners"], "cannot be combined"),
    (["-o", "out", "--scale", "2"], "INPUT"),
])
def test_usage_errors_exit_2(tmp_path, capsys, monkeypatch, argv, words):
    monkeypatch.chdir(tmp_path)
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert words in err and "usage: upsample" in err
    assert not (tmp_path / "out").exists() or files_in(tmp_path / "out") == []


def test_outdir_that_is_a_file(tmp_path, capsys):
    np.save(tmp_path / "x.npy", np.zeros((2, 2)))
    (tmp_path / "taken").write_text("a file")
    status, _, err = run(capsys, tmp_path / "x.npy", "-o", tmp_path / "taken", "--scale", 2)
    assert status == 2 and "cannot use" in err


def test_help(capsys):
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    for words in ("--overwrite", "--axes", "exit status", "temporary file", "16-bit"):
        assert words in text


def test_progress_bar(tmp_path, capsys):
    for i in range(3):
        np.save(tmp_path / f"x{i}.npy", np.zeros((2, 2)))
    status, _, err = run(capsys, *[tmp_path / f"x{i}.npy" for i in range(3)],
                         "-o", tmp_path / "out", "--scale", 2)
    assert status == 0
    lines = err.splitlines()  # not a terminal: one line per tenth of the way at most
    assert lines[-1].endswith("] 3/3") and len(lines) == 3


def test_progress_bar_on_a_terminal():
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    progress = cli._Progress(2, stream)
    progress.show(0, "first.png")
    progress.message("upsample: error: first.png: broken")
    progress.show(1, "second.png")
    progress.show(2)
    progress.close()
    text = stream.getvalue()
    assert text.startswith("\r[") and "first.png" in text
    assert text.endswith("\n") and text.rstrip(" \n").endswith("] 2/2")  # padded, then ended
    assert "\nupsample: error: first.png: broken\n" in text.replace("\r", "\n")


def test_python_dash_m(tmp_path):
    """The real entry point, in a fresh interpreter that imports the same package."""
    x = RNG.random((4, 6, 3), dtype=np.float32)
    np.save(tmp_path / "a.npy", x)
    (tmp_path / "bad.npy").write_bytes(b"junk")
    env = dict(os.environ)
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(cli.__file__)))
    if package_root not in map(os.path.abspath, sys.path[1:]):
        # Not installed (e.g. a build in place found through the test runner's path): let the
        # child import this very package.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "upsample", "a.npy", "bad.npy", "-o", "out",
               "--scale", "2", "--mode", "cubic"]
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1, done.stderr
    assert "bad.npy: not a .npy array file" in done.stderr
    assert "upsample: 1 done, 1 failed, 2 files in" in done.stdout
    np.testing.assert_array_equal(np.load(tmp_path / "out" / "a.npy"),
                                  upsample(x, 2, mode="cubic", axes=(0, 1)))
    good = subprocess.run(command[:4] + command[5:] + ["--overwrite"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert good.returncode == 0, good.stderr
