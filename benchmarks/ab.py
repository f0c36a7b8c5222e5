"""Time two builds of upsample against each other, interleaved, with the caches flushed.

On a shared machine two builds timed one after the other can differ by more than the change
being measured. This script alternates them instead: each round runs every case in a fresh
process of each build (in alternating order), and the medians over the rounds are compared.

Where a process's memory lands matters as much: two copies of one build, run from work trees
whose paths differ in length, timed 1.14x apart on some cases, their quartiles apart (the
path goes into the environment and sys.path, which shifts the stack and the heap, and with
them which addresses of the kernels' buffers share cache sets). So both builds are run
through links of the same length, and each round shifts the layout at random (padding in
the environment and a heap allocation before the import), the same for both builds: the
medians then compare the builds over many layouts rather than in one layout each.

    git worktree add /tmp/before <commit>
    (cd /tmp/before && python setup.py build_ext --inplace)
    python setup.py build_ext --inplace
    python benchmarks/ab.py /tmp/before . "(1,1024,1024,3)|0.5|cubic|antialias|1" \
        "(1,720,1280,3)|0.5|cubic|uint8|2"

A case is "shape|scale|mode|options|threads": options is a comma-separated list of
``antialias`` (float32 input resampled with antialias=True), ``uint8`` (uint8 input, uint8
output), ``warm`` (no cache flush between calls); ``-`` for none.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

CHILD = r"""
import json, os, sys, time
_layout = bytearray(int(os.environ["UPSAMPLE_AB_HEAP"]))  # shifts the heap for this round
import numpy as np
from upsample import upsample

cases, repeats = json.loads(sys.argv[1]), int(sys.argv[2])
flush = np.ones(48 << 20, np.uint8)  # larger than the L3 cache
medians = []
for case in cases:
    shape, scale, mode, options, threads = case.split("|")
    options = set(options.split(","))
    shape = tuple(int(n) for n in shape.strip("()").split(",") if n.strip())
    scale = tuple(float(s) for s in scale.strip("()").split(",") if s.strip())
    scale = scale[0] if len(scale) == 1 else scale
    rng = np.random.default_rng(0)
    kwargs = {"mode": mode, "num_threads": int(threads)}
    if "uint8" in options:
        x = rng.integers(0, 256, shape, dtype=np.uint8)
        if mode != "nearest":
            kwargs["dtype"] = np.uint8
    else:
        x = rng.random(shape, dtype=np.float32)
    kwargs["antialias"] = "antialias" in options
    upsample(x, scale, **kwargs)
    times = []
    for _ in range(repeats):
        if "warm" not in options:
            flush += 1
        start = time.perf_counter()
        upsample(x, scale, **kwargs)
        times.append(time.perf_counter() - start)
    medians.append(float(np.median(times)))
print(json.dumps(medians))
"""


def run_build(path, cases, repeats, layout):
    """Median seconds per case in a fresh process importing upsample from `path`, with the
    round's layout: (environment padding, heap bytes allocated before the import)."""
    pad, heap = layout
    env = dict(os.environ, PYTHONPATH=path, UPSAMPLE_AB_PAD="x" * pad,
               UPSAMPLE_AB_HEAP=str(heap))
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(cases), str(repeats)],
                          cwd=os.path.abspath(os.sep), env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"the build in {path} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", help="work tree of the first build (built in place)")
    parser.add_argument("after", help="work tree of the second build (built in place)")
    parser.add_argument("cases", nargs="+", help='"shape|scale|mode|options|threads"')
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=15, help="calls per case and round")
    args = parser.parse_args()
    # Links of equal length to the two trees, so that their paths shift nothing.
    links = tempfile.mkdtemp(prefix="upsample-ab-")
    trees = [os.path.join(links, "a"), os.path.join(links, "b")]
    for link, tree in zip(trees, (args.before, args.after)):
        os.symlink(os.path.abspath(tree), link)
    rng = np.random.default_rng()
    medians = {tree: [[] for _ in args.cases] for tree in trees}
    try:
        for round_ in range(args.rounds):
            layout = (int(rng.integers(0, 4096)), int(rng.integers(0, 1 << 17)))
            for tree in (trees if round_ % 2 == 0 else trees[::-1]):
                for i, seconds in enumerate(run_build(tree, args.cases, args.repeats, layout)):
                    medians[tree][i].append(seconds)
    finally:
        shutil.rmtree(links)
    # The spread is over the rounds (one process each): processes of one build differ by
    # more than calls within a process do (where their pages land in the caches, among
    # other things), so a ratio inside both builds' quartile ranges is weak evidence.
    print("| case | before ms | after ms | before / after | before quartiles | after quartiles |")
    print("|---|---:|---:|---:|---:|---:|")
    for i, case in enumerate(args.cases):
        b25, before, b75 = np.percentile(medians[trees[0]][i], [25, 50, 75]) * 1e3
        a25, after, a75 = np.percentile(medians[trees[1]][i], [25, 50, 75]) * 1e3
        shape, scale, mode, options, threads = case.split("|")
        label = f"{shape} x{scale} {mode}{'' if options == '-' else ' ' + options}, {threads}T"
        print(f"| {label} | {before:.3f} | {after:.3f} | {before / after:.2f} "
              f"| {b25:.3f}-{b75:.3f} | {a25:.3f}-{a75:.3f} |")


if __name__ == "__main__":
    main()
