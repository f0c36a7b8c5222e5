"""Row tiles against plain rows for the same planar pass, timed alternately in one process.

The planar pass resamples few-channel rows either eight at a time through the row tiles
or one row at a time (one vector per RGBA pixel, ups_pixels_four; a scalar loop for other
channel counts). Both give the same bits, so ``_plan_weighted._use_row_tiles`` may choose
by speed alone. This script builds both passes for one job from the same tables and the
same schedule but for that choice, checks that they give the same bytes, and times them
in alternating rounds in one process, so that a load that comes and goes during the run
weighs on both alike (processes timed one after the other differ by more, on a shared
machine, than the two paths do):

    python benchmarks/row_tiles.py                       # the default grid
    python benchmarks/row_tiles.py --channels 4 --dtype uint8 --scales 0.25 0.5
    python benchmarks/row_tiles.py --sizes 300x400 720x1280 --modes cubic

It prints, for each job, the order of the pass (width or height first), the planner's
choice, both medians and plain/tiles (above 1: the tiles are faster). Jobs whose order
cannot use the tiles (width first with source rows left unread) are skipped. One thread.
"""

import argparse
import os
import sys
import time

import numpy as np

from upsample import _plan
from upsample import _plan_weighted as pw


def passes(in_shape, out_shape, dtype, mode, scale):
    """(width_first, planner's row_tiles, {row_tiles: fill}, pass dtype), or None when
    the job is not one planar pass or its order cannot take the tiles."""
    sampling = _plan.sampling(in_shape, dtype, (scale, scale), out_shape, mode, False, False,
                              dtype)
    if sampling.schedule is None or len(sampling.schedule) != 1:
        return None
    (kind, axes, choices), = sampling.schedule
    if kind != "planar":
        return None
    width_first, tiles, halving = choices
    if halving:
        return None
    height = sampling.tables[axes[0]]
    if width_first and height.rows_used != in_shape[1]:
        return None
    fills = {}
    for row_tiles in (True, False):
        schedule = ((kind, axes, (width_first, row_tiles, halving)),)
        fills[row_tiles] = pw.weighted_passes(in_shape, dtype, out_shape, sampling.pass_dtype,
                                              sampling.work_dtype, sampling.tables, schedule)
    return width_first, tiles, fills, sampling.pass_dtype


def time_both(fills, x, out, rounds, budget):
    """Median milliseconds per call of each fill, in alternating rounds."""
    start = time.perf_counter()
    fills[True](x, out, 1)
    calls = max(3, min(200, int(budget / max(time.perf_counter() - start, 1e-6))))
    times = {True: [], False: []}
    for r in range(rounds):
        for row_tiles in ((True, False) if r % 2 else (False, True)):
            start = time.perf_counter()
            for _ in range(calls):
                fills[row_tiles](x, out, 1)
            times[row_tiles].append((time.perf_counter() - start) / calls * 1e3)
    return np.median(times[True]), np.median(times[False])


def main():
    """Run the grid given on the command line and print one line per job."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["96x128", "300x400", "720x1280",
                                                       "1080x1920"])
    parser.add_argument("--channels", nargs="+", type=int, default=[3, 4])
    parser.add_argument("--dtype", nargs="+", default=["float32", "uint8"],
                        choices=["float32", "uint8"])
    parser.add_argument("--modes", nargs="+", default=["linear", "cubic"],
                        choices=["linear", "cubic"])
    parser.add_argument("--scales", nargs="+", type=float,
                        default=[0.25, 0.33, 0.4, 0.5, 0.75, 1.25, 1.5, 3.0])
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--budget", type=float, default=0.02,
                        help="seconds of calls per round and path")
    args = parser.parse_args()
    if not pw.ROW_TILES:
        sys.exit("this build has no row tiles (kernel_info()['simd'] is 'none')")
    print(f"load average {os.getloadavg()[0]:.2f} at the start")
    rng = np.random.default_rng(0)
    for size in args.sizes:
        h, w = (int(n) for n in size.split("x"))
        for channels in args.channels:
            for dtype_name in args.dtype:
                dtype = np.dtype(dtype_name)
                in_shape = (1, h, w, channels)
                if dtype == np.uint8:
                    x = rng.integers(0, 256, in_shape, dtype=np.uint8)
                else:
                    x = rng.random(in_shape, dtype=np.float32)
                for mode in args.modes:
                    for scale in args.scales:
                        out_shape = (1, round(h * scale), round(w * scale), channels)
                        found = passes(in_shape, out_shape, dtype, mode, scale)
                        if found is None:
                            continue
                        width_first, planned, fills, out_dtype = found
                        outs = {t: np.empty(out_shape, out_dtype) for t in fills}
                        for t in fills:
                            fills[t](x, outs[t], 1)
                        if not np.array_equal(outs[True].view(np.uint8),
                                              outs[False].view(np.uint8)):
                            sys.exit(f"{size} {channels} {dtype_name} {mode} x{scale}: "
                                     f"the two paths differ")
                        tiles, plain = time_both(fills, x, outs[True], args.rounds,
                                                 args.budget)
                        order = "width" if width_first else "height"
                        print(f"{size:>9} c{channels} {dtype_name:7} {mode:6} x{scale:<5} "
                              f"{order:6} first, planned {'tiles' if planned else 'plain'}:"
                              f" tiles {tiles:8.4f} ms  plain {plain:8.4f} ms  "
                              f"plain/tiles {plain / tiles:5.2f}", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
