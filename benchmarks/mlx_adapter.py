"""upsample.mlx.Upsample against mlx.nn.Upsample on the CPU, forward and forward+backward.

For every float32 workload of the suite (benchmarks/workloads.py) and mode, at each thread
count, two interleaved groups (compare.py's ``time_interleaved``: rotating order, medians,
MLX's layer timed fewer times because it is slow):

- forward: ``mx.eval(layer(x))`` for the adapter and for MLX's layer, beside ``upsample``
  on the NumPy array (what the adapter adds is the difference) and ``alloc``, a new
  evaluated ``mx.zeros`` of the output's shape: what MLX charges any layer for the array it
  returns (above MLX's buffer cache limit, a fresh, page-faulted buffer);
- forward+backward: ``mx.eval(mx.vjp(layer, [x], [g]))`` (output and gradient) for both
  layers, beside ``upsample`` + ``upsample_backward`` on NumPy arrays and the ``alloc`` of
  both results.

``x`` and ``g`` are evaluated ``mx.array`` inputs, so the adapter's conversions (a NumPy view
of each input, a new ``mx.array`` for each result, which upsample fills in place) are in its
times. The adapter runs ``num_threads`` threads; MLX picks its own (it has no setting).

    python benchmarks/mlx_adapter.py                     # 1 and 2 threads, every row
    python benchmarks/mlx_adapter.py --threads 1 --only 48000 --repeats 5
    python benchmarks/mlx_adapter.py --json mlx_adapter.json
    python benchmarks/mlx_adapter.py --phases --only 512 --threads 1   # where the time goes
"""

import argparse
import json
import os
import subprocess
import sys

import numpy as np
from compare import _fmt, _ratio, machine_description, mlx_nn, mx, output_shape, time_interleaved
from workloads import WORKLOADS, by_workload, make_input, workload_label

from upsample import upsample, upsample_backward

# Issue 17's target: the adapter at least this many times faster than MLX's layer.
TARGET = 20.0


def load():
    """The machine's load average, as uptime prints it (the machine is shared)."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "load: " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def row_calls(x, g, scale, mode, antialias, threads):
    """The two groups of zero-argument calls of one workload, mode and thread count."""
    from upsample.mlx import Upsample as Adapter

    ours = Adapter(scale, mode, antialias=antialias, num_threads=threads)
    theirs = mlx_nn.Upsample(scale, mode, antialias=antialias)
    x_mx, g_mx = mx.array(x), mx.array(g)
    mx.eval(x_mx, g_mx)
    options = {"mode": mode, "antialias": antialias, "num_threads": threads}

    def numpy_both():
        upsample(x, scale, **options)
        upsample_backward(g, x.shape, scale, **options)

    forward = {
        "adapter": lambda: mx.eval(ours(x_mx)),
        "numpy": lambda: upsample(x, scale, **options),
        # What any layer returning a new mx.array of the output's size pays to MLX.
        "alloc": lambda: mx.eval(mx.zeros(g.shape)),
        "mlx": lambda: mx.eval(theirs(x_mx)),
    }
    both = {
        "adapter": lambda: mx.eval(mx.vjp(ours, [x_mx], [g_mx])),
        "numpy": numpy_both,
        "alloc": lambda: mx.eval(mx.zeros(g.shape), mx.zeros(x.shape)),
        "mlx": lambda: mx.eval(mx.vjp(theirs, [x_mx], [g_mx])),
    }
    return forward, both


def run_suite(args):
    """Every float32 workload (or those --only names) at every thread count asked for."""
    records = []
    for threads in args.threads:
        for shape, scale, modes, antialias, dtype in WORKLOADS:
            label = workload_label(shape, scale, antialias, dtype)
            if dtype != "float32" or (args.only and args.only not in label):
                continue
            x = make_input(shape, "float32")
            g = make_input(output_shape(shape, scale), "float32")
            for mode in modes:
                forward, both = row_calls(x, g, scale, mode, antialias, threads)
                ms = {}
                for group, calls in (("fwd", forward), ("fb", both)):
                    medians = time_interleaved(calls, args.repeats, args.mlx_repeats)
                    ms.update({f"{name} {group}": 1e3 * value
                               for name, value in medians.items()})
                record = {"threads": threads, "shape": list(shape), "scale": scale,
                          "mode": mode, "antialias": antialias, "out_bytes": g.nbytes,
                          "ms": ms}
                records.append(record)
                print(f"  {threads}t {label} {mode} "
                      + " ".join(f"{k}={v:.2f}" for k, v in ms.items()), file=sys.stderr,
                      flush=True)
    return records


def markdown(records):
    """One row per workload, mode and thread count; then the target's status."""
    lines = ["| workload | mode | threads | out MB | adapter fwd ms | NumPy fwd ms "
             "| alloc fwd ms | MLX fwd ms | MLX / adapter fwd | adapter f+b ms | NumPy f+b ms "
             "| alloc f+b ms | MLX f+b ms | MLX / adapter f+b |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in by_workload(records):
        ms = r["ms"]
        label = workload_label(tuple(r["shape"]), r["scale"], r["antialias"], "float32")
        lines.append(
            f"| {label} | {r['mode']} | {r['threads']} | {r['out_bytes'] / 1e6:.1f} "
            f"| {_fmt(ms['adapter fwd'])} | {_fmt(ms['numpy fwd'])} | {_fmt(ms['alloc fwd'])} "
            f"| {_fmt(ms['mlx fwd'])} | {_ratio(ms['mlx fwd'], ms['adapter fwd'])} "
            f"| {_fmt(ms['adapter fb'])} | {_fmt(ms['numpy fb'])} | {_fmt(ms['alloc fb'])} "
            f"| {_fmt(ms['mlx fb'])} | {_ratio(ms['mlx fb'], ms['adapter fb'])} |")
    lines.append("")
    lines.extend(targets(records))
    return "\n".join(lines)


def targets(records):
    """For each thread count and direction: the slowest row and the rows under the target,
    with what the target would need (MLX's time / 20) against the adapter's time."""
    lines = []
    for threads in sorted({r["threads"] for r in records}):
        for group, name in (("fwd", "forward"), ("fb", "forward+backward")):
            rows = [(r["ms"][f"mlx {group}"] / r["ms"][f"adapter {group}"], r)
                    for r in records if r["threads"] == threads]
            if not rows:
                continue
            worst, row = min(rows, key=lambda item: item[0])
            missed = [(ratio, r) for ratio, r in rows if ratio < TARGET]
            status = (f"met on every row ({len(rows)})" if not missed
                      else f"missed on {len(missed)} of {len(rows)} rows: " + "; ".join(
                          f"{tuple(r['shape'])} x{r['scale']} {r['mode']} {ratio:.1f}x "
                          f"({r['ms'][f'adapter {group}']:.2f} ms, "
                          f"{r['ms'][f'mlx {group}'] / TARGET:.2f} ms allowed)"
                          for ratio, r in missed))
            lines.append(f"- {threads} thread(s), {name}, >= {TARGET:.0f}x MLX: slowest row "
                         f"{worst:.1f}x ({tuple(row['shape'])} x{row['scale']} {row['mode']}); "
                         + status)
    return lines


def phases(args):
    """Where the adapter's forward+backward spends its time: each ``mx.eval`` it makes
    (hand-offs to MLX's thread, which also allocate the results), each computation into
    the new arrays, and the caller's final ``mx.eval``; medians over ``--repeats`` calls
    of ``mx.vjp``, not interleaved with anything else."""
    import statistics
    import time

    import upsample.mlx as adapter

    stamps = []
    evaluate, compute = adapter._evaluate, adapter.computed_in_place

    def stamped_evaluate(*arrays):
        stamps.append(("eval", time.perf_counter()))
        evaluate(*arrays)
        stamps.append(("compute", time.perf_counter()))

    def stamped_compute(*arguments):
        result = compute(*arguments)
        stamps.append(("MLX", time.perf_counter()))
        return result

    adapter._evaluate, adapter.computed_in_place = stamped_evaluate, stamped_compute
    # Between the stamps: MLX's and Python's work before each mx.eval ("graph"), the
    # mx.eval (the input and a new zeros result), upsample's computation into it, the rest
    # of mx.vjp after the backward, and the caller's mx.eval of the output and gradient.
    lines = ["| workload | mode | threads | total ms | " + " | ".join(
        f"{step} {phase} ms" for step in ("fwd", "bwd") for phase in ("graph", "eval", "compute"))
        + " | vjp rest ms | final eval ms |", "|---|---|---:|---:|" + "---:|" * 8]
    try:
        for threads in args.threads:
            for shape, scale, modes, antialias, dtype in WORKLOADS:
                label = workload_label(shape, scale, antialias, dtype)
                if dtype != "float32" or (args.only and args.only not in label):
                    continue
                x = mx.array(make_input(shape, "float32"))
                g = mx.array(make_input(output_shape(shape, scale), "float32"))
                mx.eval(x, g)
                for mode in modes:
                    layer = adapter.Upsample(scale, mode, antialias=antialias,
                                             num_threads=threads)
                    rows = []
                    for _ in range(args.repeats + 1):
                        stamps.clear()
                        start = time.perf_counter()
                        result = mx.vjp(layer, [x], [g])
                        stamps.append(("final eval", time.perf_counter()))
                        mx.eval(result)
                        end = time.perf_counter()
                        times = [start] + [t for _, t in stamps] + [end]
                        rows.append([b - a for a, b in zip(times, times[1:])])
                    medians = [1e3 * statistics.median(column) for column in zip(*rows[1:])]
                    total = 1e3 * statistics.median(sum(row) for row in rows[1:])
                    lines.append(f"| {label} | {mode} | {threads} | {_fmt(total)} | "
                                 + " | ".join(_fmt(v) for v in medians) + " |")
    finally:
        adapter._evaluate, adapter.computed_in_place = evaluate, compute
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--mlx-repeats", type=int, default=3)
    parser.add_argument("--only", help="run only workloads whose label contains this text")
    parser.add_argument("--json", help="save the raw medians to this file")
    parser.add_argument("--cache-limit-mb", type=int,
                        help="set MLX's buffer cache limit (mx.set_cache_limit) first: above "
                             "it, every new mx.array is a fresh, page-faulted buffer")
    parser.add_argument("--phases", action="store_true",
                        help="instead: the adapter's forward+backward split into its steps")
    args = parser.parse_args(argv)
    if mx is None:
        sys.exit('MLX is not installed: pip install ".[mlx]"')
    limit = mx.set_cache_limit(args.cache_limit_mb << 20) if args.cache_limit_mb else None
    if limit is not None:
        print(f"MLX cache limit: {args.cache_limit_mb} MB (was {limit >> 20} MB)\n")
    if args.phases:
        print(f"Load: {load()}\n")
        print(phases(args))
        return
    before = load()
    records = run_suite(args)
    after = load()
    print(f"Machine: {machine_description()}\n")
    print(f"Load before: {before}\nLoad after: {after}\n")
    print(markdown(records))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"machine": machine_description(), "load": [before, after],
                       "records": records}, handle, indent=1)


if __name__ == "__main__":
    main()
