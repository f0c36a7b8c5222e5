"""The ``upsample`` command on images with alpha (premultiplied) and with ``--linear-light``."""

import numpy as np
import pytest

from test_cli import files_in, pil, run
from upsample import upsample, upsample_image

RNG = np.random.default_rng(2201)


def red_square_png(Image, path):
    x = np.zeros((16, 16, 4), dtype=np.uint8)
    x[3:13, 3:13] = (255, 0, 0, 255)
    Image.fromarray(x).save(path)
    return x


@pytest.mark.parametrize("mode", ["linear", "cubic"])
def test_rgba_png_has_no_dark_fringe(tmp_path, capsys, mode):
    Image = pil()
    x = red_square_png(Image, tmp_path / "square.png")
    status, _, err = run(capsys, tmp_path / "square.png", "-o", tmp_path / "out",
                         "--scale", 4, "--mode", mode)
    assert status == 0, err
    with Image.open(tmp_path / "out" / "square.png") as result:
        assert result.mode == "RGBA"
        y = np.asarray(result)
    np.testing.assert_array_equal(y, upsample_image(x, 4, mode, axes=(0, 1), alpha=3))
    edge = (y[..., 3] > 0) & (y[..., 3] < 255)
    assert edge.sum() >= 640 and (y[..., 0][edge] == 255).all()
    assert (y[..., :3][y[..., 3] == 0] == 0).all()


def test_every_kind_of_transparency_is_premultiplied(tmp_path, capsys):
    Image = pil()
    la = RNG.integers(0, 256, (6, 7, 2)).astype(np.uint8)
    la[:2, :, 1] = 0
    la[4:, :, 1] = 255
    Image.fromarray(la, "LA").save(tmp_path / "la.png")
    palette = Image.fromarray(RNG.integers(0, 256, (6, 7, 3)).astype(np.uint8)).quantize(8)
    palette.save(tmp_path / "palette.png", transparency=2)  # palette entry 2 transparent
    keyed = Image.fromarray(np.array([[0, 9, 200], [9, 0, 77]], dtype=np.uint8))
    keyed.save(tmp_path / "keyed.png", transparency=9)  # colour-key transparency
    names = ("la.png", "palette.png", "keyed.png")
    status, _, err = run(capsys, *[tmp_path / n for n in names], "-o", tmp_path / "out",
                         "--scale", 2.5, "--mode", "cubic")
    assert status == 0, err
    for name, mode, alpha in (("la.png", "LA", 1), ("palette.png", "RGBA", 3),
                              ("keyed.png", "LA", 1)):
        with Image.open(tmp_path / name) as source:
            x = np.asarray(source.convert(mode))
        assert (x[..., alpha] == 0).any() and (x[..., alpha] == 255).any(), name
        with Image.open(tmp_path / "out" / name) as result:
            assert result.mode == mode
            y = np.asarray(result)
        np.testing.assert_array_equal(y, upsample_image(x, 2.5, "cubic", axes=(0, 1),
                                                        alpha=alpha))
        # Not what resampling the channels independently gives (the old way).
        assert not np.array_equal(y, upsample(x, 2.5, "cubic", axes=(0, 1), dtype=np.uint8))


def test_nearest_copies_pixels_with_alpha(tmp_path, capsys):
    Image = pil()
    x = RNG.integers(0, 256, (5, 6, 4)).astype(np.uint8)
    Image.fromarray(x).save(tmp_path / "rgba.png")
    status, _, err = run(capsys, tmp_path / "rgba.png", "-o", tmp_path / "out", "--scale", 3)
    assert status == 0, err
    with Image.open(tmp_path / "out" / "rgba.png") as result:
        np.testing.assert_array_equal(np.asarray(result), upsample(x, 3, axes=(0, 1)))


def test_linear_light(tmp_path, capsys):
    Image = pil()
    rgb = RNG.integers(0, 256, (9, 8, 3)).astype(np.uint8)
    Image.fromarray(rgb).save(tmp_path / "rgb.png")
    rgba = RNG.integers(0, 256, (9, 8, 4)).astype(np.uint8)
    Image.fromarray(rgba).save(tmp_path / "rgba.png")
    gray16 = RNG.integers(0, 65536, (9, 8)).astype(np.uint16)
    Image.frombytes("I;16", (8, 9), gray16.astype("<u2").tobytes()).save(tmp_path / "g16.png")
    array = RNG.integers(0, 256, (9, 8, 3)).astype(np.uint8)
    np.save(tmp_path / "array.npy", array)
    names = ("rgb.png", "rgba.png", "g16.png", "array.npy")
    status, _, err = run(capsys, *[tmp_path / n for n in names], "-o", tmp_path / "out",
                         "--size", 5, 4, "--mode", "cubic", "--antialias", "--linear-light")
    assert status == 0, err
    options = {"size": (5, 4), "mode": "cubic", "antialias": True, "axes": (0, 1)}
    for name, x, alpha in (("rgb.png", rgb, None), ("rgba.png", rgba, 3),
                           ("g16.png", gray16, None)):
        with Image.open(tmp_path / "out" / name) as result:
            y = np.asarray(result).astype(x.dtype)
        np.testing.assert_array_equal(
            y, upsample_image(x, **options, alpha=alpha, linear_light=True), err_msg=name)
        assert not np.array_equal(y, upsample_image(x, **options, alpha=alpha)), name
    with Image.open(tmp_path / "out" / "rgba.png") as result:  # alpha is not converted
        np.testing.assert_array_equal(np.asarray(result)[..., 3],
                                      upsample_image(rgba, **options, alpha=3)[..., 3])
    # .npy arrays carry no colour encoding: resampled as they are.
    np.testing.assert_array_equal(np.load(tmp_path / "out" / "array.npy"),
                                  upsample(array, **options, dtype=np.uint8))


def test_linear_light_refuses_samples_that_are_not_srgb(tmp_path, capsys):
    Image = pil()
    Image.fromarray(RNG.integers(0, 256, (4, 4, 4)).astype(np.uint8), "CMYK").save(
        tmp_path / "print.tif")
    Image.fromarray(RNG.random((4, 4)).astype(np.float32), "F").save(tmp_path / "depth.tif")
    Image.fromarray(RNG.integers(0, 256, (4, 4, 3)).astype(np.uint8)).save(tmp_path / "ok.png")
    status, out, err = run(capsys, tmp_path / "print.tif", tmp_path / "depth.tif",
                           tmp_path / "ok.png", "-o", tmp_path / "out", "--scale", 2,
                           "--mode", "linear", "--linear-light")
    assert status == 1
    assert "print.tif: --linear-light needs sRGB samples" in err and "not mode 'CMYK'" in err
    assert "depth.tif: --linear-light needs sRGB samples" in err and "not mode 'F'" in err
    assert files_in(tmp_path / "out") == ["ok.png"]
    assert "1 done, 2 failed" in out


def test_help_describes_both(capsys):
    status, out, _ = run(capsys, "--help")
    assert status == 0
    assert "--linear-light" in out and "premultiplied" in out


def test_demo_runs_the_command_and_writes_the_pictures(tmp_path, monkeypatch, capsys):
    Image = pil()
    from upsample import demo

    before, after = demo.alpha_comparison()
    edge = (after[..., 3] > 0) & (after[..., 3] < 255)
    assert before[..., 0][edge].min() < 10 and (after[..., 0][edge] == 255).all()
    srgb, light = demo.linear_light_comparison()
    assert srgb[2:-2, 2:30].tolist() == [[[128] * 3] * 28] * 8  # black and white stripes
    assert light[2:-2, 2:30].tolist() == [[[188] * 3] * 28] * 8
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    demo._colour_demo(Image, "in")  # runs the command and checks its outputs itself
    out = capsys.readouterr().out
    assert "--linear-light" in out and "128 in sRGB values, 188 in linear light" in out
    for name in ("alpha-side-by-side.png", "linear-light-side-by-side.png"):
        with Image.open(tmp_path / demo.DEMO_FOLDER / name) as picture:
            assert picture.mode == "RGB" and picture.size[0] > 500
