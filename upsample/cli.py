"""The ``upsample`` command: resample ``.npy`` arrays and image files into a folder.

Run it as ``upsample`` (the console script) or ``python -m upsample``; see
``upsample --help`` or :func:`main`. Images need Pillow (``pip install
"upsample[images]"``), which is imported only when an image file is read.
"""

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time

import numpy as np

from . import _validate, _zarr_cli
from ._api import upsample as resample
from ._color import upsample_image

# File types by (lower-case) extension; images are saved in the format of their extension.
NPY_EXTENSION = ".npy"
NPY_MAGIC = b"\x93NUMPY"
IMAGE_FORMATS = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".webp": "WEBP",
}

# Pillow modes read and written as they are, with the NumPy dtype of their samples.
KEPT_MODES = {
    "L": np.uint8,
    "LA": np.uint8,
    "RGB": np.uint8,
    "RGBA": np.uint8,
    "CMYK": np.uint8,
    "I;16": np.uint16,
    "I": np.int32,
    "F": np.float32,
}
# Modes converted on reading: samples that cannot be interpolated as they are
# (palette indices, 1-bit) or layouts with a plainer equivalent.
CONVERTED_MODES = {
    "1": "L",
    "P": "RGB",  # RGBA when the palette has a transparent entry, see _read_image
    "PA": "RGBA",
    "La": "LA",
    "RGBa": "RGBA",
    "RGBX": "RGB",
    "YCbCr": "RGB",
}
# The alpha channel's index in the modes that have one (resampled premultiplied).
ALPHA_CHANNELS = {"LA": 1, "RGBA": 3}
# Modes whose samples are sRGB-encoded, which --linear-light decodes (as read, after the
# conversions above: palette and 1-bit images included).
SRGB_MODES = ("L", "LA", "RGB", "RGBA", "I;16")
# Lossy formats are re-encoded at this quality (Pillow's default, 75, visibly degrades).
LOSSY_QUALITY = 95
# TIFF compressions written back as they were read; others (JPEG-in-TIFF, fax) become raw.
TIFF_COMPRESSIONS = ("tiff_lzw", "tiff_adobe_deflate", "tiff_deflate", "packbits")

DESCRIPTION = """\
Resample .npy arrays and images (PNG, JPEG, TIFF, WebP) with upsample's
nearest, linear or cubic interpolation, writing each result to OUTDIR under
the input's file name, in the input's format."""

EPILOG = """\
files:
  .npy       any numeric array. Without --axes, a (H, W) array or a (H, W, C)
             array with 1 to 4 channels is an unbatched image (axes 0 1);
             other arrays use the library default, (batch, *spatial,
             channels). The output keeps the input dtype (integers are
             rounded and saturated); bool arrays follow the library default.
  images     .png .jpg .jpeg .tif .tiff .webp, read and written with Pillow
             (pip install "upsample[images]"). Height and width are resampled;
             8-bit images stay 8-bit and 16-bit grayscale stays 16-bit
             (modes L, LA, RGB, RGBA, CMYK, I;16, I and F are kept; palette
             images become RGB or RGBA, 1-bit images L). In linear and cubic
             modes, images with alpha (RGBA, LA, palettes or colour keys with
             transparency) are resampled premultiplied, as Pillow does: colour
             is weighted by alpha, so transparent pixels do not darken the
             edges, and fully transparent output pixels are black.
             --linear-light decodes sRGB samples (L, LA, RGB, RGBA, palette
             and 16-bit grayscale images; other modes fail; the sRGB curve is
             assumed, whatever ICC profile the file carries) to linear light
             before resampling and encodes them back after; alpha is never
             converted. It does not apply to .npy arrays, which are resampled
             as they are. JPEG and WebP are re-encoded at quality
             %(quality)d; ICC profiles and EXIF data are copied. Multi-frame
             images and 16-bit colour images (which Pillow would read as
             8-bit) are refused.

output:
  OUTDIR is created if needed. Each output is written to a temporary file in
  OUTDIR and renamed into place, so no half-written file is ever left. An
  output that would replace one of the inputs is always refused (so OUTDIR
  cannot be an input's own folder), and so is a second input with the same
  file name. An output file that already exists is refused (counted as
  failed) unless --overwrite is given.

  A file that cannot be read or resampled is reported on stderr and skipped;
  the others are still done. A progress bar is drawn on stderr when it is a
  terminal or when there is more than one file, and a summary line (files
  done and failed, time, MB/s of output data) is printed on stdout at the end.

exit status:
  0 every file was done, 1 some file failed, 2 bad command line.

zarr:
  A Zarr array (a path ending in .zarr, or a folder with Zarr metadata) is
  resampled out of core, chunk by chunk through Dask, into the Zarr array
  OUT.zarr given with -o (pip install "upsample[dask]"). It must be the only
  input. The output is written beside OUT.zarr under a temporary name and
  renamed when complete; --scheduler ADDRESS runs on a dask.distributed
  cluster, --threads sets the local threads. As for .npy arrays, the values
  are resampled as they are (--linear-light does not apply).

examples:
  upsample photo.png -o big --scale 2 --mode cubic
  upsample scans/*.tif -o thumbs --size 256 384 --mode linear --antialias
  upsample volume.npy -o out --scale 2 2 2 --axes 0 1 2 --mode linear
  upsample volume.zarr -o out.zarr --scale 2 --mode linear --axes 0 1 2
""" % {"quality": LOSSY_QUALITY}

USAGE = (
    "%(prog)s INPUT [INPUT ...] -o OUTDIR (--scale S [S ...] | --size N [N ...])\n"
    "       [--mode {nearest,linear,cubic}] [--antialias] [--align-corners]\n"
    "       [--linear-light] [--threads N] [--axes A [A ...]] [--overwrite]\n"
    "       [--scheduler ADDRESS]"
)


class FileError(Exception):
    """A problem with one input file; the message is the reason shown to the user."""


def _positive_float(text):
    """argparse type: a scale factor, checked by the library's own rule (finite, > 0)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    try:
        return _validate.check_scale_factor(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _positive_int(text):
    """argparse type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text!r}")
    return value


def build_parser():
    """The argument parser of the ``upsample`` command (also used for ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="upsample",
        usage=USAGE,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="a .npy, .png, .jpg, .jpeg, .tif, .tiff or .webp file")
    parser.add_argument("-o", "--outdir", required=True, metavar="OUTDIR",
                        help="folder for the outputs (created if missing; not an input's folder)")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--scale", nargs="+", type=_positive_float, metavar="S",
                        help="scale factor, one for every spatial axis or one per axis; "
                             "an axis of length N becomes int(S * N) long")
    target.add_argument("--size", nargs="+", type=_positive_int, metavar="N",
                        help="output length, one for every spatial axis or one per axis "
                             "(for images: --size HEIGHT WIDTH)")
    parser.add_argument("--mode", choices=_validate.MODES, default="nearest",
                        help="interpolation (default: nearest)")
    parser.add_argument("--antialias", action="store_true",
                        help="low-pass when downscaling (linear and cubic only)")
    parser.add_argument("--align-corners", action="store_true",
                        help="map corner samples onto each other (linear and cubic only)")
    parser.add_argument("--linear-light", action="store_true",
                        help="resample images in linear light: decode sRGB first, encode after "
                             "(keeps the brightness of fine detail; alpha is not converted)")
    parser.add_argument("--threads", type=_positive_int, metavar="N",
                        help="threads per file (default: all cores, or UPSAMPLE_NUM_THREADS)")
    parser.add_argument("--axes", nargs="+", type=int, metavar="A",
                        help="spatial axes of .npy inputs, e.g. --axes 1 2 for (B, H, W, C) "
                             "(ignored for images, which always use height and width)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace output files that already exist (never an input file)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="Zarr inputs: the dask.distributed scheduler to run on "
                             "(default: local threads)")
    return parser


def main(argv=None):
    """Run the ``upsample`` command with ``argv`` (default ``sys.argv[1:]``).

    Returns the exit status: 0 when every file was done, 1 when some file
    failed (each failure is reported on stderr), 2 for a bad command line.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits on usage errors and --help; report as a status
        return exit_.code if isinstance(exit_.code, int) else 2

    # Option conflicts the library would reject for every file: say so once, as usage errors.
    if args.antialias and args.mode == "nearest":
        return _usage_error(parser, "--antialias needs --mode linear or cubic")
    if args.antialias and args.align_corners:
        return _usage_error(parser, "--antialias cannot be combined with --align-corners")
    # A Zarr array goes out of core through Dask (upsample/_zarr_cli.py); -o names its output.
    zarr_input = any(_zarr_cli.is_zarr(path) for path in args.inputs)
    if args.scheduler and not zarr_input:
        return _usage_error(parser, "--scheduler applies to Zarr inputs only")
    try:
        if not zarr_input:
            os.makedirs(args.outdir, exist_ok=True)
    except OSError as error:
        return _usage_error(parser, f"cannot use {args.outdir!r} as the output folder: "
                                    f"{error.strerror or error}")

    options = {
        "mode": args.mode,
        "align_corners": args.align_corners,
        "antialias": args.antialias,
        "num_threads": args.threads,
    }
    if args.scale is not None:
        options["scale_factor"] = args.scale[0] if len(args.scale) == 1 else tuple(args.scale)
    else:
        options["size"] = args.size[0] if len(args.size) == 1 else tuple(args.size)
    if zarr_input:
        del options["num_threads"]  # Zarr: --threads is the local scheduler's
        return _zarr_cli.run(args, options)
    job = _Job(args.inputs, args.outdir, options, args.axes, args.overwrite,
               linear_light=args.linear_light)

    progress = _Progress(len(args.inputs), sys.stderr)
    done = failed = 0
    start = time.perf_counter()
    try:
        for index, path in enumerate(args.inputs):
            progress.show(index, path)
            try:
                job.bytes_written += job.process(path)
                done += 1
            except Exception as error:  # one bad file must not stop the others
                failed += 1
                progress.message(f"upsample: error: {path}: {_reason(error, path)}")
        progress.show(len(args.inputs))
    except KeyboardInterrupt:
        progress.close()
        print("upsample: interrupted", file=sys.stderr)
        return 130
    progress.close()

    elapsed = time.perf_counter() - start
    rate = job.bytes_written / 1e6 / elapsed if elapsed > 0 else 0.0
    files = len(args.inputs)
    print(f"upsample: {done} done, {failed} failed, {files} file{'s' if files != 1 else ''} "
          f"in {elapsed:.2f} s ({rate:.1f} MB/s of output data)")
    return 1 if failed else 0


def _usage_error(parser, message):
    """Print a usage error the way argparse does and return its status, 2."""
    parser.print_usage(sys.stderr)
    print(f"{parser.prog}: error: {message}", file=sys.stderr)
    return 2


def _reason(error, path):
    """A one-line reason for a failed file, from the exception that stopped it."""
    if isinstance(error, FileError):
        return str(error)
    if isinstance(error, MemoryError):
        return "out of memory"
    if isinstance(error, OSError) and error.strerror:
        # Name the file only when it is not the input (e.g. the output or a temporary file).
        if error.filename and os.fspath(error.filename) != path:
            return f"{error.strerror}: {error.filename}"
        return error.strerror
    if isinstance(error, (OSError, ValueError, TypeError)) and str(error):
        # Library errors name the parameter (e.g. "size must have one entry per spatial axis").
        return str(error)
    return f"{type(error).__name__}: {error}"


class _Job:
    """The per-run state: options, the inputs to protect, and the outputs written so far."""

    def __init__(self, inputs, outdir, options, axes, overwrite, linear_light=False):
        self.outdir = outdir
        self.options = options
        self.linear_light = linear_light  # for images only
        self.axes = tuple(axes) if axes else None
        self.overwrite = overwrite
        self.bytes_written = 0
        # Every input's resolved path and file identity: an output must be none of them, also
        # through symbolic or hard links (or a case-insensitive file system).
        self.input_paths = {os.path.realpath(p) for p in inputs}
        self.input_ids = set()
        for p in inputs:
            with contextlib.suppress(OSError):
                info = os.stat(p)
                self.input_ids.add((info.st_dev, info.st_ino))
        self.claimed = {}  # resolved output path -> the input written there in this run
        # NamedTemporaryFile creates files readable by the owner only; outputs get the
        # permissions an ordinary new file would (0o666 less the umask), as cp or Pillow give.
        umask = os.umask(0)
        os.umask(umask)
        self.file_mode = 0o666 & ~umask

    def process(self, path):
        """Resample one input file into the output folder; return the output's data size."""
        if os.path.isdir(path):
            raise FileError("is a directory")
        os.stat(path)  # "No such file or directory" before any complaint about the output
        name = os.path.basename(path)
        extension = os.path.splitext(name)[1].lower()
        if extension != NPY_EXTENSION and extension not in IMAGE_FORMATS:
            known = " ".join([NPY_EXTENSION, *IMAGE_FORMATS])
            raise FileError(f"unsupported file type {extension or '(no extension)'!r}; "
                            f"expected one of {known}")
        out_path = os.path.join(self.outdir, name)
        resolved = self._check_output(out_path)

        if extension == NPY_EXTENSION:
            size = self._process_npy(path, out_path)
        else:
            size = self._process_image(path, out_path, IMAGE_FORMATS[extension])
        self.claimed[resolved] = path
        return size

    def _check_output(self, out_path):
        """Refuse an output that is an input, was written already, or exists (no --overwrite)."""
        resolved = os.path.realpath(out_path)
        is_input = resolved in self.input_paths
        if not is_input:
            with contextlib.suppress(OSError):
                info = os.stat(out_path)
                is_input = (info.st_dev, info.st_ino) in self.input_ids
        if is_input:
            raise FileError(f"the output {out_path} would replace an input file; "
                            "refusing (choose another -o folder)")
        if resolved in self.claimed:
            raise FileError(f"the output {out_path} was already written from "
                            f"{self.claimed[resolved]} (same file name)")
        if os.path.lexists(out_path) and not self.overwrite:
            raise FileError(f"the output {out_path} already exists "
                            "(pass --overwrite to replace it)")
        return resolved

    def _process_npy(self, path, out_path):
        """Load a .npy array, resample it, save it as .npy."""
        with open(path, "rb") as file:
            # Check the magic first: for any other content np.load's complaint is about pickles.
            magic = file.read(len(NPY_MAGIC))
            if magic != NPY_MAGIC:
                kind = "a zip (.npz?) archive" if magic.startswith(b"PK") else "no .npy header"
                raise FileError(f"not a .npy array file ({kind})")
            file.seek(0)
            try:
                # No pickles: an input file must not be able to run code.
                x = np.load(file, allow_pickle=False)
            except (ValueError, EOFError) as error:
                raise FileError(f"not a readable .npy array ({error})") from None
        axes = self.axes
        if axes is None and (x.ndim == 2 or (x.ndim == 3 and 1 <= x.shape[2] <= 4)):
            axes = (0, 1)  # image-like: (H, W) or (H, W, C), no batch axis
        # Keep the input dtype (the library's default would make integers float32 for
        # linear and cubic); bool has no interpolated form, so it takes the default.
        dtype = x.dtype.newbyteorder("=") if x.dtype.kind in "iufc" else None
        y = resample(x, axes=axes, dtype=dtype, **self.options)
        self._write(out_path, lambda file: np.save(file, y, allow_pickle=False))
        return y.nbytes

    def _process_image(self, path, out_path, image_format):
        """Read an image with Pillow, resample height and width, save it in ``image_format``."""
        Image = _pillow()
        with open(path, "rb") as file:
            try:
                image = Image.open(file)
            except Image.UnidentifiedImageError:
                raise FileError("not a readable image (Pillow cannot identify it)") from None
            with image:
                x, mode, save_options = _read_image(image)
        if self.linear_light and mode not in SRGB_MODES:
            raise FileError(f"--linear-light needs sRGB samples (modes {', '.join(SRGB_MODES)}), "
                            f"not mode {mode!r}")
        # Premultiplied alpha and linear light where they apply; otherwise plain resampling
        # keeping the dtype.
        y = upsample_image(x, axes=(0, 1), alpha=ALPHA_CHANNELS.get(mode),
                           linear_light=self.linear_light, **self.options)
        if y.shape[0] == 0 or y.shape[1] == 0:
            raise FileError(f"the output would be empty ({y.shape[0]} x {y.shape[1]} pixels)")
        result = _to_image(Image, y, mode)
        if image_format in ("JPEG", "WEBP"):
            save_options["quality"] = LOSSY_QUALITY
        self._write(out_path, lambda file: result.save(file, format=image_format, **save_options))
        return y.nbytes

    def _write(self, out_path, save):
        """Call ``save(file)`` on a temporary file in the output folder, then rename it into place.

        The rename is atomic (same folder, hence same file system), so ``out_path`` is either
        untouched or complete. The temporary file keeps the extension so that any tool
        guessing the format from the name gets it right; it is removed on any failure.
        """
        directory, name = os.path.split(out_path)
        temporary = tempfile.NamedTemporaryFile(
            dir=directory or ".", prefix=f".{name}.", suffix=os.path.splitext(name)[1],
            delete=False,
        )
        try:
            with temporary:
                save(temporary)
            os.chmod(temporary.name, self.file_mode)
            os.replace(temporary.name, out_path)
        except BaseException:  # KeyboardInterrupt too: never leave the temporary file behind
            with contextlib.suppress(OSError):
                os.unlink(temporary.name)
            raise


_PIL_IMAGE = None


def _pillow():
    """Pillow's ``Image`` module, imported on first use (it is an optional dependency)."""
    global _PIL_IMAGE
    if _PIL_IMAGE is None:
        try:
            from PIL import Image
        except ImportError:
            raise FileError('reading images needs Pillow: pip install "upsample[images]" '
                            "(or pip install Pillow)") from None
        _PIL_IMAGE = Image
    return _PIL_IMAGE


def _read_image(image):
    """Decode an opened Pillow image: (array of shape (H, W) or (H, W, C), mode, save options)."""
    frames = getattr(image, "n_frames", 1)
    if frames > 1:
        raise FileError(f"has {frames} frames; only single-frame images are supported")
    # Pillow has no 16-bit colour modes: it reads 16-bit RGB(A) or LA samples as 8-bit. The
    # raw mode of the undecoded tiles tells (e.g. "RGB;16B"); refuse rather than lose bits.
    for tile in image.tile or ():
        rawmode = tile[3] if isinstance(tile[3], str) else (tile[3] or ("",))[0]
        eight_bit = image.mode in ("L", "LA", "RGB", "RGBA")
        if eight_bit and isinstance(rawmode, str) and ";16" in rawmode:
            raise FileError(f"16-bit {image.mode} image: Pillow would read it as 8-bit; "
                            "not supported")
    image.load()  # decode now, inside the caller's open file; truncation errors surface here
    save_options = {key: image.info[key] for key in ("icc_profile", "exif") if image.info.get(key)}
    if image.format == "TIFF" and image.info.get("compression") in TIFF_COMPRESSIONS:
        save_options["compression"] = image.info["compression"]

    mode = image.mode
    if mode.startswith("I;16"):  # I;16, I;16B (big-endian), I;16L, I;16N: all 16-bit unsigned
        return np.asarray(image).astype(np.uint16), "I;16", save_options
    if mode == "I" and image.format == "PNG":
        # Older Pillow reads 16-bit grayscale PNG as 32-bit "I"; the values fit in 16 bits.
        return np.asarray(image).astype(np.uint16), "I;16", save_options
    if mode in ("L", "RGB", "P") and "transparency" in image.info:
        # A transparent colour key cannot survive interpolation; make it an alpha channel.
        mode = {"L": "LA", "RGB": "RGBA", "P": "RGBA"}[mode]
        image = image.convert(mode)
    elif mode in CONVERTED_MODES:
        mode = CONVERTED_MODES[mode]
        image = image.convert(mode)
    if mode not in KEPT_MODES:
        raise FileError(f"image mode {mode!r} is not supported")
    return np.asarray(image).astype(KEPT_MODES[mode]), mode, save_options


def _to_image(Image, array, mode):
    """A Pillow image of ``mode`` from a resampled array, the inverse of :func:`_read_image`."""
    height, width = array.shape[:2]
    if mode == "I;16":
        # Pillow's "I;16" is little-endian whatever the machine.
        return Image.frombytes(mode, (width, height), array.astype("<u2").tobytes())
    if mode == "I":
        return Image.frombytes(mode, (width, height), array.astype("<i4").tobytes(), "raw",
                               "I;32")
    if mode == "F":
        return Image.frombytes(mode, (width, height), array.astype("<f4").tobytes(), "raw",
                               "F;32F")
    return Image.frombytes(mode, (width, height), np.ascontiguousarray(array).tobytes())


class _Progress:
    """A one-line text progress bar on stderr.

    On a terminal the line is redrawn in place; otherwise (a log file, a pipe) a line is
    printed at every tenth of the way, so logs stay short. Nothing is shown for a single file
    unless stderr is a terminal.
    """

    WIDTH = 24

    def __init__(self, total, stream):
        self.total = total
        self.stream = stream
        try:
            self.tty = stream.isatty()
        except (AttributeError, ValueError):
            self.tty = False
        self.enabled = self.tty or total > 1
        self.drawn = 0  # length of the bar currently on the terminal line
        self.last_tenth = 0

    def show(self, done, current=""):
        """Show that ``done`` of the files are finished and ``current`` is in progress."""
        if not self.enabled:
            return
        filled = self.WIDTH * done // self.total
        line = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{self.total}"
        if self.tty:
            if current:
                line += f"  {current}"
            columns = shutil.get_terminal_size().columns - 1
            line = line[:columns]
            # Pad with spaces over the previous, longer line (no terminal escape codes needed).
            self.stream.write("\r" + line.ljust(self.drawn))
            self.drawn = len(line)
        else:
            tenth = 10 * done // self.total
            if tenth <= self.last_tenth:
                return
            self.last_tenth = tenth
            self.stream.write(line + "\n")
        self.stream.flush()

    def message(self, text):
        """Print a line of text (an error) without mixing it into the bar."""
        self._clear()
        print(text, file=self.stream, flush=True)

    def close(self):
        """End the bar's line so that what follows starts on a fresh one."""
        if self.tty and self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = 0

    def _clear(self):
        if self.tty and self.drawn:
            self.stream.write("\r" + " " * self.drawn + "\r")
            self.drawn = 0
