"""The backward pass beside the forward: upsample_backward, PyTorch, MLX and the memory floor.

For every float32 workload of the suite (benchmarks/workloads.py, the
antialiased downscale included), channels-last, at 1 and 2 threads, one
interleaved run times upsample's forward and backward, PyTorch's backward
(``torch.autograd.grad`` through ``F.interpolate`` on a channels_last tensor;
the forward is run once beforehand and its graph kept, so only the backward
is timed) and MLX's (``mx.vjp`` through ``nn.Upsample``, evaluated). The
floor is (bytes of grad_output + bytes of the gradient) over the bandwidth
of a parallel copy measured in the same run at the same thread count
(compare.py's). Tables report medians and the ratios the targets of issue 16
are stated in.

    python benchmarks/backward.py                 # 1 and 2 threads, 15 repeats
    python benchmarks/backward.py --threads 2 --only 1024
    python benchmarks/backward.py --json backward.json

Peers that are not installed are skipped (`pip install ".[benchmarks]"`).
"""

import argparse
import json
import sys

import numpy as np
from compare import (_fmt, _ratio, copy_bandwidth, machine_description, mlx_nn, mx,
                     output_shape, time_interleaved, torch)
from workloads import WORKLOADS, by_workload, make_input, workload_label

from upsample import upsample, upsample_backward

TORCH_MODES = {("nearest", 1): "nearest", ("nearest", 2): "nearest", ("nearest", 3): "nearest",
               ("linear", 1): "linear", ("linear", 2): "bilinear", ("linear", 3): "trilinear",
               ("cubic", 2): "bicubic"}
# Targets of issue 16.
TORCH_TARGET, MLX_TARGET, FLOOR_TARGET, FLOOR_MIN_BYTES = 5.0, 20.0, 2.0, 8e6


def make_torch_backward(x, g, scale, mode, antialias, threads):
    """``torch.autograd.grad`` of F.interpolate at a channels_last ``x`` with ``g``."""
    n_spatial = x.ndim - 2
    torch_mode = TORCH_MODES.get((mode, n_spatial))
    if torch is None or torch_mode is None or (antialias and n_spatial != 2):
        return None
    # (B, *spatial, C) permuted to (B, C, *spatial): channels-last strides, no copy.
    order = (0, x.ndim - 1, *range(1, x.ndim - 1))
    source = torch.from_numpy(x).permute(*order).requires_grad_(True)
    grad = torch.from_numpy(g).permute(*order)
    options = {"size": g.shape[1:-1], "mode": torch_mode}
    if torch_mode != "nearest":
        options["align_corners"] = False
    if antialias:
        options["antialias"] = True
    torch.set_num_threads(threads)
    result = torch.nn.functional.interpolate(source, **options)

    def run():
        torch.set_num_threads(threads)
        return torch.autograd.grad(result, source, grad, retain_graph=True)

    return run


def make_mlx_backward(x, g, scale, mode, antialias, threads):
    """MLX's vector-Jacobian product through nn.Upsample (MLX picks its own threads)."""
    if mx is None:
        return None
    layer = mlx_nn.Upsample(scale_factor=scale, mode=mode, antialias=antialias)
    source, grad = mx.array(x), mx.array(g)
    mx.eval(source, grad)
    return lambda: mx.eval(mx.vjp(layer, [source], [grad])[1])


def time_row(x, g, scale, mode, antialias, threads, bandwidth, args):
    """One workload, mode and thread count: the medians of every contender, and the floor."""
    shape = x.shape
    options = {"mode": mode, "antialias": antialias, "num_threads": threads}
    calls = {
        "forward": lambda: upsample(x, scale, **options),
        "backward": lambda: upsample_backward(g, shape, scale, **options),
    }
    peers = {"torch": make_torch_backward(x, g, scale, mode, antialias, threads)}
    if not args.no_mlx:
        peers["mlx"] = make_mlx_backward(x, g, scale, mode, antialias, threads)
    calls.update({name: call for name, call in peers.items() if call is not None})
    medians = time_interleaved(calls, args.repeats, args.mlx_repeats)
    medians = {name: 1e3 * value for name, value in medians.items()}
    medians["floor"] = 1e3 * (x.nbytes + g.nbytes) / bandwidth
    return {"threads": threads, "shape": list(shape), "scale": scale, "mode": mode,
            "antialias": antialias, "in_bytes": x.nbytes, "out_bytes": g.nbytes,
            "bandwidth": bandwidth, "ms": medians}


def run_suite(args):
    """Every float32 workload (or those --only names) at every thread count asked for."""
    chosen = [(shape, scale, modes, antialias)
              for shape, scale, modes, antialias, dtype in WORKLOADS
              if dtype == "float32" and (not args.only or args.only in
                                         workload_label(shape, scale, antialias, dtype))]
    records = []
    for threads in args.threads:
        bandwidth = copy_bandwidth(threads, 7)
        print(f"# {threads} thread(s): parallel copy {bandwidth / 1e9:.1f} GB/s", file=sys.stderr)
        for shape, scale, modes, antialias in chosen:
            x = make_input(shape, "float32")
            g = make_input(output_shape(shape, scale), "float32")
            for mode in modes:
                record = time_row(x, g, scale, mode, antialias, threads, bandwidth, args)
                records.append(record)
                print(f"  {shape} x{scale} {mode} "
                      + " ".join(f"{k}={v:.2f}" for k, v in record["ms"].items()),
                      file=sys.stderr)
    return records


def markdown(records):
    """One table: each workload and mode at every thread count, one row per thread count."""
    bandwidths = {r["threads"]: r["bandwidth"] for r in records}
    lines = ["Parallel copy: " + ", ".join(f"{bandwidths[t] / 1e9:.1f} GB/s at {t} thread(s)"
                                           for t in sorted(bandwidths)) + ".\n",
             "| workload | mode | threads | grad_output MB | forward ms | backward ms "
             "| torch bwd ms | mlx bwd ms | floor ms | torch / bwd | mlx / bwd | bwd / floor |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in by_workload(records):
        ms = r["ms"]
        label = workload_label(tuple(r["shape"]), r["scale"], r["antialias"], "float32")
        lines.append(
            f"| {label} | {r['mode']} | {r['threads']} | {r['out_bytes'] / 1e6:.1f} "
            f"| {_fmt(ms['forward'])} | {_fmt(ms['backward'])} | {_fmt(ms.get('torch'))} "
            f"| {_fmt(ms.get('mlx'))} | {_fmt(ms['floor'])} "
            f"| {_ratio(ms.get('torch'), ms['backward'])} "
            f"| {_ratio(ms.get('mlx'), ms['backward'])} | {_ratio(ms['backward'], ms['floor'])} |")
    lines.append("")
    lines.extend(targets(records))
    return "\n".join(lines)


def targets(records):
    """Each target of issue 16 with its slowest row, met or not."""
    lines = ["#### Targets\n"]
    for threads in sorted({r["threads"] for r in records}):
        rows = [r for r in records if r["threads"] == threads]
        for peer, goal in (("torch", TORCH_TARGET), ("mlx", MLX_TARGET)):
            ratios = [(r["ms"][peer] / r["ms"]["backward"], r) for r in rows if peer in r["ms"]]
            if ratios:
                worst, row = min(ratios, key=lambda item: item[0])
                missed = sum(ratio < goal for ratio, _ in ratios)
                lines.append(
                    f"- {threads} thread(s), >= {goal:.0f}x {peer}'s backward: slowest row "
                    f"{worst:.2f}x ({tuple(row['shape'])} x{row['scale']} {row['mode']}); "
                    + ("met on every row" if not missed
                       else f"missed on {missed} of {len(ratios)} rows"))
        big = [r for r in rows if r["out_bytes"] >= FLOOR_MIN_BYTES]
        if threads == 2 and big:
            ratios = [(r["ms"]["backward"] / r["ms"]["floor"], r) for r in big]
            worst, row = max(ratios, key=lambda item: item[0])
            missed = sum(ratio > FLOOR_TARGET for ratio, _ in ratios)
            lines.append(
                f"- 2 threads, within {FLOOR_TARGET:.0f}x of the floor for grad_output >= 8 MB: "
                f"worst {worst:.2f}x ({tuple(row['shape'])} x{row['scale']} {row['mode']}); "
                + ("met on every row" if not missed
                   else f"missed on {missed} of {len(ratios)} rows"))
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--mlx-repeats", type=int, default=3)
    parser.add_argument("--no-mlx", action="store_true")
    parser.add_argument("--only", help="run only workloads whose label contains this text")
    parser.add_argument("--json", help="save the raw medians to this file")
    args = parser.parse_args(argv)
    records = run_suite(args)
    print(f"Machine: {machine_description()}\n")
    print(markdown(records))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"machine": machine_description(), "records": records}, handle,
                      indent=1)


if __name__ == "__main__":
    main()
