"""upsample against OpenCV (and optionally PyTorch) over a grid of image jobs.

The suite (workloads.py) is mostly scale 2 on float32. This sweep times the
image jobs a user runs: sizes from 64 x 64 to 4K, 1, 3 and 4 channels,
float32 and uint8, scales from 0.25 to 4 (fractional ones included), the
three modes without antialias (OpenCV's INTER_NEAREST, INTER_LINEAR and
INTER_CUBIC, compare.py's mapping), at 1 and 2 threads.

The grid is the full Cartesian product of those values (6 sizes x 3 channel
counts x 2 dtypes x 8 scales x 3 modes, 864 jobs per thread count), less the
outputs over OUTPUT_CAP_BYTES (4K at x4 in float32 RGBA would be 2 GB): 801 jobs,
about 3 minutes for both thread counts on a quiet 2-core VM (11-18 minutes under a load
average of 10-17). Each job is
tagged with the first of the families where OpenCV led in issue 19
(``FAMILIES``) that it belongs to: bilinear downscales of HD images, bilinear
upscales of small and mid-sized images, single-channel images at fractional
scales and uint8 cubic downscales; "other" for the rest. ``--quick`` times
the families only (without 4K), ``--sample N`` the families plus N jobs
drawn from the rest with a fixed seed.

The method is compare.py's: the contenders are called in rotating
order, medians, thread counts set per call, OMP_WAIT_POLICY=PASSIVE; and OpenCV's
thread pool sleeps between calls as well (its OPENCV_THREAD_POOL_ACTIVE_WAIT_WORKER
and _MAIN set to 0, unless set already). The
number of repetitions of a job is chosen from a first timed round so that
small jobs get more samples (they are the noisiest) and large ones fewer.

    python benchmarks/sweep.py                      # 1 and 2 threads, 3 minutes quiet
    python benchmarks/sweep.py --quick              # the families only (no 4K), 40 s loaded
    python benchmarks/sweep.py --threads 1 --only uint8 --only cubic
    python benchmarks/sweep.py --from-json sweep.json   # report and figure, no timing
    python benchmarks/sweep.py --from-json a.json b.json c.json   # each job's median of runs
                                                  # (--json: save that combination)

It prints one row per job, then the count of jobs behind OpenCV at each
thread count, how many of them each known cause explains (``CAUSES``: a job that
asked for 2 threads and ran on 1, whose thread count is recorded from one extra
call; a gap no larger than a call's fixed cost), the rest grouped by mode, dtype
and scale, and the list of them with their ratios, and writes the raw
medians (``--json``, default benchmarks/sweep.json) and a figure of the ratio
over the grid (``--figure``, default benchmarks/sweep.png; needs matplotlib).
"""

import argparse
import itertools
import json
import math
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# OpenCV's own thread pool (pthreads in the opencv-python wheels) spins after each call
# by default (2,000 rounds of pauses in a worker, 10,000 in the calling thread) before
# it sleeps: into the next contender's time, and its workers are awake when its own next
# call comes, where ours, under PASSIVE, sleep. Both pools sleep between calls here; set
# these two to OpenCV's defaults (2000 and 10000) to time it as it comes (BENCHMARKS.md
# has both).
os.environ.setdefault("OPENCV_THREAD_POOL_ACTIVE_WAIT_WORKER", "0")
os.environ.setdefault("OPENCV_THREAD_POOL_ACTIVE_WAIT_MAIN", "0")

import numpy as np  # noqa: E402

from compare import (  # noqa: E402
    machine_description, make_opencv, make_torch, make_upsample, time_interleaved)

HERE = os.path.dirname(os.path.abspath(__file__))
SIZES = {"64x64": (64, 64), "96x128": (96, 128), "300x400": (300, 400),
         "720p": (720, 1280), "1080p": (1080, 1920), "4K": (2160, 3840)}
CHANNELS = (1, 3, 4)
DTYPES = ("float32", "uint8")
SCALES = (0.25, 0.5, 0.75, 1.25, 1.5, 2.0, 3.0, 4.0)
MODES = ("nearest", "linear", "cubic")
# The families issue 19 found OpenCV ahead on, each a full factorial over these values.
FAMILIES = {
    "hd-down": dict(sizes=("720p", "1080p", "4K"), channels=CHANNELS, dtypes=DTYPES,
                    scales=(0.5, 0.75), modes=("linear",)),
    "small-up": dict(sizes=("64x64", "96x128", "300x400"), channels=CHANNELS, dtypes=DTYPES,
                     scales=(1.25, 1.5, 2.0, 3.0), modes=("linear",)),
    "gray-fractional": dict(sizes=("96x128", "300x400", "720p", "1080p"), channels=(1,),
                            dtypes=DTYPES, scales=(0.75, 1.25, 1.5), modes=MODES),
    "uint8-cubic-down": dict(sizes=("300x400", "720p", "1080p", "4K"), channels=CHANNELS,
                             dtypes=("uint8",), scales=(0.25, 0.5, 0.75), modes=("cubic",)),
}
SEED = 19
# Largest output timed: 1080p RGBA at x2 in float32 (133 MB) is in, 4K at x2 is not.
OUTPUT_CAP_BYTES = 160 << 20
# Time given to one job's timed rounds: repetitions = this over a first round's time,
# within [MIN_REPEATS, MAX_REPEATS].
JOB_SECONDS = 0.3
MIN_REPEATS, MAX_REPEATS = 7, 41
QUICK_REPEATS = 5
# What a repeated call costs besides its kernels, in microseconds, warm (the plan replay,
# the output block, the dispatch to the kernels; call_overhead.py --loop): a job behind
# the peer by no more than this would be ahead without it.
FIXED_COST_US = 1.0
# Jobs behind the peer named in the figure, the worst first.
ANNOTATED = 12


def output_bytes(job):
    """Bytes of a job's output."""
    size, channels, dtype, scale, _ = job
    height, width = SIZES[size]
    return int(height * scale) * int(width * scale) * channels * np.dtype(dtype).itemsize


def family_jobs(name):
    """The jobs of one family: (size, channels, dtype, scale, mode) tuples."""
    family = FAMILIES[name]
    return list(itertools.product(family["sizes"], family["channels"], family["dtypes"],
                                  family["scales"], family["modes"]))


def family_of(job):
    """The first family of FAMILIES that ``job`` belongs to, or "other"."""
    for name in FAMILIES:
        if job in family_jobs(name):
            return name
    return "other"


def grid(sample=None, seed=SEED, quick=False):
    """The jobs of the sweep as (job, family) pairs, in an order that keeps the jobs of
    one input together: the whole grid under the output cap; with ``quick`` the
    families only (without 4K); with ``sample`` the families and that many other jobs
    drawn with ``seed``."""
    everything = [job for job in itertools.product(SIZES, CHANNELS, DTYPES, SCALES, MODES)
                  if output_bytes(job) <= OUTPUT_CAP_BYTES]
    tagged = [(job, family_of(job)) for job in everything]
    if quick:
        tagged = [(job, family) for job, family in tagged
                  if family != "other" and job[0] != "4K"]
    elif sample is not None:
        rest = [i for i, (_, family) in enumerate(tagged) if family == "other"]
        picks = np.random.default_rng(seed).choice(len(rest), min(sample, len(rest)),
                                                   replace=False)
        kept = {rest[pick] for pick in picks.tolist()}
        tagged = [item for i, item in enumerate(tagged) if item[1] != "other" or i in kept]
    return tagged


def label(job):
    """A job's row label: size x channels, dtype, scale and mode."""
    size, channels, dtype, scale, mode = job
    return f"{size}x{channels} {dtype} x{scale:g} {mode}"


def make_input(size, channels, dtype):
    """Seeded data of one job's input, (1, H, W, C)."""
    height, width = SIZES[size]
    rng = np.random.default_rng(0)
    if dtype == "uint8":
        return rng.integers(0, 256, (1, height, width, channels), dtype=np.uint8)
    return rng.random((1, height, width, channels), dtype=np.float32)


def time_job(x, scale, mode, threads, peers, repeats):
    """Median seconds of upsample and each peer on one job, interleaved."""
    calls = {"upsample": make_upsample(x, scale, mode, False, threads)}
    for peer in peers:
        call = {"opencv": make_opencv, "torch": make_torch}[peer](x, scale, mode, False,
                                                                  threads)
        if call is not None:
            calls[peer] = call
    if repeats is None:
        first = time_interleaved(calls, 1, 1)
        repeats = int(min(MAX_REPEATS, max(MIN_REPEATS, JOB_SECONDS / sum(first.values()))))
    return time_interleaved(calls, repeats, repeats), repeats


def threads_used(call):
    """The most threads any pass of one call of ``call`` ran on.

    The planners ask ``effective_num_threads`` at every call (a job below the
    small-job rule runs on one thread whatever was asked); this wraps it in
    every ``upsample`` module that calls it, with the remembered plans dropped
    so that the call is planned (and its passes bound) under the wrapper.
    """
    import upsample
    import upsample_c

    answers = []
    real = upsample_c.effective_num_threads

    def recorded(requested, work):
        answers.append(real(requested, work))
        return answers[-1]

    modules = [module for name, module in sys.modules.items()
               if name.startswith("upsample.")
               and getattr(module, "effective_num_threads", None) is real]
    upsample.clear_caches()
    for module in modules:
        module.effective_num_threads = recorded
    try:
        call()
    finally:
        for module in modules:
            module.effective_num_threads = real
        upsample.clear_caches()
    return max(answers, default=1)


def load_average():
    """The 1, 5 and 15 minute load averages (the machine is shared)."""
    return list(os.getloadavg())


def run(args):
    """Time every job of the grid (as narrowed by the options) at each thread count; the
    result as saved to JSON: the machine, the seconds taken, the load and the records."""
    jobs = grid(args.sample, args.seed, args.quick)
    if args.only:
        jobs = [(job, family) for job, family in jobs
                if all(text in f"{label(job)} {family}" for text in args.only)]
    print(f"# {len(jobs)} jobs x {len(args.threads)} thread counts; load average "
          f"{' '.join(f'{v:.2f}' for v in load_average())}", file=sys.stderr)
    records = []
    print("| job | family | threads | upsample ms | "
          + " | ".join(f"{peer} / ups" for peer in args.peers) + " |")
    print("|---|---|---:|---:|" + "---:|" * len(args.peers))
    start = time.perf_counter()
    for threads in args.threads:
        current = (None, None)
        for job, family in jobs:
            size, channels, dtype, scale, mode = job
            if current[0] != (size, channels, dtype):
                current = ((size, channels, dtype), make_input(size, channels, dtype))
            medians, repeats = time_job(current[1], scale, mode, threads, args.peers,
                                        args.repeats)
            record = {"size": size, "shape": list(current[1].shape), "channels": channels,
                      "dtype": dtype, "scale": scale, "mode": mode, "family": family,
                      "threads": threads, "repeats": repeats, "out_bytes": output_bytes(job),
                      "ms": {name: 1e3 * value for name, value in medians.items()}}
            if threads > 1:
                record["threads_used"] = threads_used(
                    make_upsample(current[1], scale, mode, False, threads))
            records.append(record)
            ours = record["ms"]["upsample"]
            cells = [f"{record['ms'][peer] / ours:.2f}" if peer in record["ms"] else "-"
                     for peer in args.peers]
            print(f"| {label(job)} | {family} | {threads} | {ours:.3f} | "
                  + " | ".join(cells) + " |", flush=True)
    seconds = time.perf_counter() - start
    return {"machine": machine_description(), "seconds": round(seconds, 1),
            "load_average_end": load_average(), "threads": args.threads,
            "peers": args.peers, "records": records, "waits": waits()}


def waits():
    """The thread pools' wait settings of this run: OpenMP's policy (ours) and OpenCV's
    active waits (rounds of pauses before its worker and calling threads sleep)."""
    return {name: os.environ.get(name) for name in (
        "OMP_WAIT_POLICY", "OPENCV_THREAD_POOL_ACTIVE_WAIT_WORKER",
        "OPENCV_THREAD_POOL_ACTIVE_WAIT_MAIN")}


def ratio(record, peer="opencv"):
    """The peer's median over upsample's (above 1: upsample is faster), or None."""
    ms = record["ms"]
    return ms[peer] / ms["upsample"] if peer in ms else None


def record_label(record):
    """A saved record's row label (see label)."""
    return label((record["size"], record["channels"], record["dtype"], record["scale"],
                  record["mode"]))


# The causes of a job behind the peer that the sweep can tell from the job's record, in
# the order they are tried; BENCHMARKS.md says how each was measured. A job behind that
# none of them fits is listed as unexplained.
CAUSES = (
    ("one thread", "asked for 2 threads, ran on 1: below the small-job rule "
                   "(effective_num_threads), whose second thread costs more to wake "
                   "than it saves (threads.py)",
     lambda r, peer: r["threads"] > 1 and r.get("threads_used") == 1),
    ("fixed cost", f"behind by at most {FIXED_COST_US:g} us (FIXED_COST_US): what a "
                   "repeated call costs besides its kernels (call_overhead.py)",
     lambda r, peer: 1e3 * (r["ms"]["upsample"] - r["ms"][peer]) <= FIXED_COST_US),
)


def cause(record, peer="opencv"):
    """The name of the first of CAUSES that fits a record, or None."""
    for name, _, fits in CAUSES:
        if fits(record, peer):
            return name
    return None


def kind(record):
    """A job's group in the report of the jobs no cause explains: mode, dtype and the
    scale as a downscale (x0.5 on its own: the 2 x 2 means) or an upscale."""
    scale = record["scale"]
    direction = "x0.5" if scale == 0.5 else "down" if scale < 1 else "up"
    return f"{record['mode']} {record['dtype']} {direction}"


def summary(result, peer="opencv"):
    """Lines with the count of jobs behind ``peer`` at each thread count, how many of
    them each of CAUSES explains, and the list (unexplained jobs first)."""
    lines = []
    for threads in sorted({r["threads"] for r in result["records"]}):
        rows = [r for r in result["records"] if r["threads"] == threads and ratio(r, peer)]
        behind = sorted((r for r in rows if ratio(r, peer) < 1),
                        key=lambda r: (cause(r, peer) is not None, ratio(r, peer)))
        ratios = [ratio(r, peer) for r in rows]
        geomean = math.exp(sum(map(math.log, ratios)) / len(ratios)) if ratios else float("nan")
        counts = [f"{sum(cause(r, peer) == name for r in behind)} {name}"
                  for name, _, _ in CAUSES]
        unexplained = sum(cause(r, peer) is None for r in behind)
        lines.append(f"- {threads} thread{'s' if threads > 1 else ''}: behind {peer} on "
                     f"{len(behind)} of {len(rows)} jobs ({', '.join(counts)}, "
                     f"{unexplained} other); ratios {min(ratios):.2f}x-{max(ratios):.2f}x, "
                     f"geometric mean {geomean:.2f}x" + (":" if behind else ""))
        one_thread = {(r["size"], r["channels"], r["dtype"], r["scale"], r["mode"]): r
                      for r in result["records"] if r["threads"] == 1}
        for name, _, _ in CAUSES:
            these = [r for r in behind if cause(r, peer) == name]
            if not these:
                continue
            # Against the peer's time at 1 thread: how many the peer's extra threads decide.
            paired = [one_thread.get((r["size"], r["channels"], r["dtype"], r["scale"],
                                      r["mode"])) for r in these]
            ahead_of_one = sum(p is not None and peer in p["ms"]
                               and r["ms"]["upsample"] <= p["ms"][peer]
                               for r, p in zip(these, paired))
            ratios_of = [ratio(r, peer) for r in these]
            lines.append(f"  - {name}: {len(these)} jobs, {min(ratios_of):.2f}x-"
                         f"{max(ratios_of):.2f}x"
                         + (f"; {ahead_of_one} of them no slower than {peer} at 1 thread"
                            if threads > 1 else ""))
        other = [r for r in behind if cause(r, peer) is None]
        for group in sorted({kind(r) for r in other}):
            these = [ratio(r, peer) for r in other if kind(r) == group]
            lines.append(f"  - other, {group}: {len(these)} jobs, {min(these):.2f}x-"
                         f"{max(these):.2f}x")
        for r in behind:
            lines.append(f"  - {record_label(r)} ({r['family']}): {ratio(r, peer):.2f}x, "
                         f"{r['ms']['upsample']:.3f} ms against {r['ms'][peer]:.3f} ms"
                         f" [{cause(r, peer) or 'other'}]")
    lines.append("Causes: " + "; ".join(f"{name}: {reason}" for name, reason, _ in CAUSES))
    return lines


def combined(runs):
    """Several saved runs as one: each job's time per contender the median of its times
    in the runs that have it (on a shared machine one run's count of jobs behind moves by
    a dozen or more from one run to the next). A job's recorded thread count is the most
    common of its runs'; the load averages are the first run's start and the last one's
    end."""
    jobs = {}
    for run in runs:
        for record in run["records"]:
            jobs.setdefault((record_label(record), record["threads"]), []).append(record)
    records = []
    for same in jobs.values():
        record = dict(same[0])
        record["ms"] = {name: statistics.median(r["ms"][name] for r in same if name in r["ms"])
                        for name in same[0]["ms"]}
        used = [r["threads_used"] for r in same if "threads_used" in r]
        if used:
            record["threads_used"] = max(set(used), key=used.count)
        record["runs"] = len(same)
        records.append(record)
    machines = sorted({run["machine"] for run in runs})
    settings = {json.dumps(run.get("waits"), sort_keys=True) for run in runs}
    return {"machine": f"median of {len(runs)} runs; " + " | ".join(machines),
            "seconds": round(sum(run.get("seconds", 0) for run in runs), 1),
            "threads": runs[0]["threads"], "peers": runs[0]["peers"], "records": records,
            "load_average_start": runs[0].get("load_average_start"),
            "load_average_end": runs[-1].get("load_average_end"),
            "waits": json.loads(settings.pop()) if len(settings) == 1 else "mixed"}


def figure(result, path, peer="opencv"):
    """Two panels per thread count: every job's ratio, sorted, and the ratio against the
    output size, coloured by mode (log scales; a line at 1)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    thread_counts = sorted({r["threads"] for r in result["records"]})
    colours = {"nearest": "#1f77b4", "linear": "#2ca02c", "cubic": "#d62728"}
    markers = {"float32": "o", "uint8": "s"}
    fig, axes = plt.subplots(2, len(thread_counts), figsize=(6.5 * len(thread_counts), 9),
                             squeeze=False)
    for column, threads in enumerate(thread_counts):
        rows = [r for r in result["records"] if r["threads"] == threads and ratio(r, peer)]
        rows.sort(key=lambda r: ratio(r, peer))
        behind = sum(ratio(r, peer) < 1 for r in rows)
        top, bottom = axes[0][column], axes[1][column]
        top.scatter(range(len(rows)), [ratio(r, peer) for r in rows], s=10,
                    c=[colours[r["mode"]] for r in rows])
        top.set_yscale("log")
        top.axhline(1, color="k", lw=0.8)
        top.set_title(f"{threads} thread{'s' if threads > 1 else ''}: behind {peer} on "
                      f"{behind} of {len(rows)} jobs")
        top.set_xlabel("jobs, sorted by ratio")
        top.set_ylabel(f"{peer} time / upsample time")
        for mode, colour in colours.items():
            for dtype, marker in markers.items():
                these = [r for r in rows if r["mode"] == mode and r["dtype"] == dtype]
                bottom.scatter([r["out_bytes"] / 1e6 for r in these],
                               [ratio(r, peer) for r in these], s=14, marker=marker,
                               c=colour, alpha=0.75, label=f"{mode} {dtype}")
        for r in rows[:min(behind, ANNOTATED)]:
            bottom.annotate(f"{r['size']}x{r['channels']} x{r['scale']:g}",
                            (r["out_bytes"] / 1e6, ratio(r, peer)), fontsize=6,
                            xytext=(3, -3), textcoords="offset points")
        bottom.set_xscale("log")
        bottom.set_yscale("log")
        bottom.axhline(1, color="k", lw=0.8)
        bottom.set_xlabel("output MB")
        bottom.set_ylabel(f"{peer} time / upsample time")
        bottom.legend(fontsize=7, ncol=2)
    load = result.get("load_average_start") or []
    fig.suptitle(f"upsample against {peer}'s resize, {len(result['records'])} job runs "
                 f"(above 1: upsample faster)\n{result['machine']}\nload average at "
                 f"start {' '.join(f'{v:.1f}' for v in load)}", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    """The command line: time (or read back) the sweep, print the report, draw the figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--only", action="append", default=[],
                        help="keep jobs whose label or family contains this text (repeat: all)")
    parser.add_argument("--quick", action="store_true",
                        help=f"the families only, without 4K, {QUICK_REPEATS} repeats")
    parser.add_argument("--sample", type=int, default=None,
                        help="the families and this many other jobs drawn at random")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--repeats", type=int, default=None,
                        help="repetitions per job (default: from a first round's time)")
    parser.add_argument("--peers", nargs="+", default=["opencv"], choices=("opencv", "torch"))
    parser.add_argument("--json", help="where to save the run (default benchmarks/sweep.json); "
                                       "with several --from-json runs, their combination")
    parser.add_argument("--figure", default=os.path.join(HERE, "sweep.png"))
    parser.add_argument("--from-json", nargs="+",
                        help="report on (and plot) a saved run instead; several runs: "
                             "each job's median over them (combined)")
    parser.add_argument("--list", action="store_true", help="print the jobs and exit")
    args = parser.parse_args(argv)
    if args.quick and args.repeats is None:
        args.repeats = QUICK_REPEATS
    if args.list:
        jobs = grid(args.sample, args.seed, args.quick)
        for job, family in jobs:
            print(f"{label(job)} ({family})")
        print(f"{len(jobs)} jobs")
        return 0
    if args.from_json:
        runs = []
        for path in args.from_json:
            with open(path) as handle:
                runs.append(json.load(handle))
        result = runs[0] if len(runs) == 1 else combined(runs)
        if args.json and len(runs) > 1:
            with open(args.json, "w") as handle:
                json.dump(result, handle, indent=1)
    else:
        start_load = load_average()
        result = run(args)
        result["load_average_start"] = start_load
        with open(args.json or os.path.join(HERE, "sweep.json"), "w") as handle:
            json.dump(result, handle, indent=1)
    print()
    print(f"Machine: {result['machine']}; {result.get('seconds', '?')} s; load average "
          f"{result.get('load_average_start')} at start, {result.get('load_average_end')} "
          f"at the end; waits {result.get('waits', 'not recorded (OpenCV spinning)')}")
    for peer in result["peers"]:
        print("\n".join(summary(result, peer)))
    if args.figure:
        try:
            figure(result, args.figure)
        except ImportError:
            print("matplotlib is not installed: no figure", file=sys.stderr)
        else:
            print(f"figure: {args.figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
