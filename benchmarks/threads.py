"""One thread against two, per job size, under OpenMP's default and passive wait policies.

OpenMP reads OMP_WAIT_POLICY once, when it starts, so each policy runs in a
process of its own. In each, every job alternates 1 and 2 threads (which goes
first rotates) with the caches flushed before each call, and the medians are
printed with their ratio. Under PASSIVE the workers sleep between calls and
every call wakes them; upsample then keeps jobs below
``upsample_c._threads.PASSIVE_SERIAL_WORK_LIMIT`` on one thread, so for those
rows both columns run the same serial code. A third run switches that rule
off, to show what it avoids.

    python benchmarks/threads.py             # about a minute and a half
    python benchmarks/threads.py --repeats 61
"""

import argparse
import os
import subprocess
import sys
import tempfile

JOBS = [
    ((4, 12000, 2), "nearest"), ((4, 48000, 2), "nearest"), ((4, 192000, 2), "nearest"),
    ((4, 12000, 2), "linear"), ((4, 48000, 2), "linear"), ((4, 48000, 2), "cubic"),
    ((1, 128, 128, 3), "linear"), ((1, 256, 256, 3), "linear"), ((1, 256, 256, 3), "cubic"),
    ((1, 512, 512, 3), "nearest"), ((1, 500, 500, 3), "linear"),
]

CHILD = """
import statistics, sys, time
import numpy as np
from upsample import upsample
import upsample_c._threads as threads_module
jobs, repeats = eval(sys.argv[1]), int(sys.argv[2])
if sys.argv[3] == "off":  # what the PASSIVE small-job rule avoids
    threads_module.PASSIVE_SERIAL_WORK_LIMIT = threads_module.SERIAL_WORK_LIMIT
flush = np.ones(64 << 20, np.uint8)
for shape, mode in jobs:
    x = np.random.default_rng(0).random(shape, dtype=np.float32)
    scale = 1.7 if shape[1] == 500 else 2.0
    times = {1: [], 2: []}
    for rep in range(repeats):
        for threads in ((1, 2) if rep % 2 else (2, 1)):
            flush += 1
            start = time.perf_counter()
            upsample(x, scale, mode=mode, num_threads=threads)
            times[threads].append(time.perf_counter() - start)
    one, two = (statistics.median(times[n]) * 1e3 for n in (1, 2))
    out_mb = x.nbytes * scale ** (x.ndim - 2) / 1e6
    print(f"| {shape} x{scale} | {mode} | {out_mb:.1f} | {one:.3f} | {two:.3f} | {one / two:.2f} |")
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=41)
    args = parser.parse_args()
    runs = [("default", "on", "OMP_WAIT_POLICY unset (workers spin a while, then sleep)"),
            ("PASSIVE", "on", "OMP_WAIT_POLICY=PASSIVE"),
            ("PASSIVE", "off", "OMP_WAIT_POLICY=PASSIVE, small-job rule switched off")]
    for policy, rule, title in runs:
        env = {k: v for k, v in os.environ.items()
               if k not in ("OMP_WAIT_POLICY", "UPSAMPLE_NUM_THREADS")}
        if policy != "default":
            env["OMP_WAIT_POLICY"] = policy
        print(f"\n{title}: median ms of {args.repeats} calls each\n")
        print("| job | mode | out MB | 1 thread | 2 threads | 1 / 2 |")
        print("|---|---|---:|---:|---:|---:|", flush=True)
        # Outside the source tree: "python -c" puts the working directory first on
        # sys.path, which would import the sources rather than the installed package.
        subprocess.run([sys.executable, "-c", CHILD, repr(JOBS), str(args.repeats), rule],
                       env=env, cwd=tempfile.gettempdir(), check=True)


if __name__ == "__main__":
    main()
