"""Instructions executed in upsample's kernels per call, counted by valgrind's callgrind.

Timings on a shared 2-core VM move by 10-30 % from one run to the next, and
even two builds timed side by side need many interleaved repetitions to rank.
An instruction count does not move: the same build, data and call give the
same count whatever else the machine is doing. It is not a time (a cache
miss costs hundreds of cycles and counts as one instruction), so it ranks
changes to the arithmetic of a kernel, not to its memory traffic.

Each workload of the suite (workloads.py) runs in its own process under
callgrind, one thread, with counting switched on only inside the kernels'
entry points (``--toggle-collect``): planning, table building and
allocation are left out; the entry points' argument checks (a few hundred
instructions per pass) are in. Two calls are counted and halved.

    python benchmarks/instructions.py                 # the whole suite (about 5 minutes)
    python benchmarks/instructions.py --only 500      # rows whose label contains "500"
    python benchmarks/instructions.py --kernels base  # the baseline (SSE2) kernels

Needs valgrind on PATH (Debian: ``apt install valgrind``).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

from workloads import WORKLOADS, workload_label

CHILD = """
import sys
import numpy as np
from upsample import upsample
from workloads import make_input
shape, scale, mode, antialias, dtype = eval(sys.argv[1])
x = make_input(shape, dtype)
out_dtype = x.dtype if x.dtype.kind in "iu" else None
for _ in range(2):
    upsample(x, scale, mode=mode, antialias=antialias, dtype=out_dtype, num_threads=1)
"""


# The kernels' Python entry points (Cython's wrappers): one call each per pass,
# never nested in one another, so toggling collection on them counts whole
# passes, serial or parallel.
ENTRY_POINTS = "__pyx_pw_10upsample_c_*_kernels_*"


def count(case, kernels):
    """Instructions per call inside the kernels for one (shape, scale, mode, antialias, dtype)."""
    env = dict(os.environ, UPSAMPLE_KERNELS=kernels, UPSAMPLE_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [os.path.dirname(os.path.abspath(__file__)), env.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
             "--collect-atstart=no", f"--toggle-collect={ENTRY_POINTS}",
             sys.executable, "-c", CHILD, repr(case)],
            # Run outside the source tree: "python -c" puts the working directory
            # first on sys.path, which would import the sources next to it.
            env=env, cwd=tmp, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(out) as f:
            totals = re.search(r"^totals:\s+(\d+)", f.read(), re.MULTILINE)
    return int(totals.group(1)) // 2


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="run only rows whose label contains this")
    parser.add_argument("--kernels", default="avx2", choices=("avx2", "base"))
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed")
    print(f"Kernel instructions per call ({args.kernels} kernels, 1 thread, callgrind)\n")
    print("| workload | mode | output elements | instructions (M) | per output element |")
    print("|---|---|---:|---:|---:|")
    for shape, scale, modes, antialias, dtype in WORKLOADS:
        label = workload_label(shape, scale, antialias, dtype)
        if args.only not in label:
            continue
        elements = shape[0] * shape[-1]
        for n in shape[1:-1]:
            elements *= int(scale * n)
        for mode in modes:
            n = count((shape, scale, mode, antialias, dtype), args.kernels)
            print(f"| {label} | {mode} | {elements:,} | {n / 1e6:.1f} | {n / elements:.2f} |",
                  flush=True)


if __name__ == "__main__":
    main()
