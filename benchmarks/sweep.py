"""upsample against OpenCV and PyTorch beyond the suite: other scales, widths and dtypes.

The suite (workloads.py) is mostly scale 2 on float32. This sweep times the
jobs a data pipeline also runs: scales 1.5, 0.75 and 0.5 (downscaling without
antialias, as cv2.resize does), HD and full-HD widths, uint8 images, and
small images where the fixed cost of a call shows. The method is
compare.py's: calls interleaved in rotating order, medians, thread counts
set per call, OMP_WAIT_POLICY=PASSIVE.

    python benchmarks/sweep.py                    # 1 and 2 threads, under a minute
    python benchmarks/sweep.py --threads 1 --only uint8
"""

import argparse
import sys

import numpy as np

from compare import make_opencv, make_torch, make_upsample, time_interleaved

SHAPES = [(1, 100, 100, 3), (1, 224, 224, 3), (1, 720, 1280, 3), (1, 720, 1280, 4), (1, 1080, 1920, 3)]
SCALES = [1.5, 0.75, 0.5]
MODES = ["nearest", "linear", "cubic"]
UINT8_SHAPES = [(1, 720, 1280, 3), (1, 333, 517, 4)]
UINT8_SCALES = [2.0, 1.5, 0.5]


def cases():
    """(shape, scale, mode, dtype) of the sweep."""
    for shape in SHAPES:
        for scale in SCALES:
            for mode in MODES:
                yield shape, scale, mode, np.float32
    for shape in UINT8_SHAPES:
        for scale in UINT8_SCALES:
            for mode in MODES:
                yield shape, scale, mode, np.uint8


def make_input(shape, dtype):
    values = np.random.default_rng(0).random(shape, dtype=np.float32)
    if dtype == np.uint8:
        return (values * 255).astype(np.uint8)
    return values


def label(shape, scale, mode, dtype):
    return f"{shape} x{scale} {mode} {np.dtype(dtype).name}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--only", default=None, help="keep rows whose label contains this")
    args = parser.parse_args(argv)
    print("| workload | threads | upsample ms | opencv / ups | torch / ups |")
    print("|---|---:|---:|---:|---:|")
    behind = {"opencv": [], "torch": []}
    rows = 0
    for threads in args.threads:
        for shape, scale, mode, dtype in cases():
            name = label(shape, scale, mode, dtype)
            if args.only and args.only not in name:
                continue
            x = make_input(shape, dtype)
            calls = {"upsample": make_upsample(x, scale, mode, False, threads)}
            for peer, make in (("opencv", make_opencv), ("torch", make_torch)):
                call = make(x, scale, mode, False, threads)
                if call is not None:
                    calls[peer] = call
            medians = time_interleaved(calls, args.repeats, args.repeats)
            ours = medians["upsample"]
            cells = []
            for peer in ("opencv", "torch"):
                if peer in medians:
                    ratio = medians[peer] / ours
                    cells.append(f"{ratio:.2f}")
                    if ratio < 1:
                        behind[peer].append(f"{name} ({threads}T) {ratio:.2f}x")
                else:
                    cells.append("-")
            print(f"| {name} | {threads} | {ours * 1e3:.3f} | {cells[0]} | {cells[1]} |",
                  flush=True)
            rows += 1
    print()
    for peer, cells in behind.items():
        print(f"- behind {peer} on {len(cells)} of {rows} rows"
              + (": " + "; ".join(cells) if cells else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
