"""upsample.torch against PyTorch's own CPU interpolate, forward and forward + backward.

For every workload of the suite (benchmarks/workloads.py), in both memory
formats (channels-last: the suite's (B, *spatial, C) data seen as a
channels_last tensor; contiguous: the same values copied to NCHW / NCDHW;
1-D signals have only the contiguous (N, C, L) form), at 1 and 2 threads
(``torch.set_num_threads``, which the adapter follows), one interleaved run
(compare.time_interleaved) times:

- forward: ``F.interpolate`` and ``upsample.torch.interpolate`` under
  ``torch.no_grad()``, tensor in, tensor out (every conversion included);
- forward + backward (float32 only: PyTorch has no uint8 gradients): the
  forward on a tensor that requires grad, then ``torch.autograd.grad`` with
  a fixed cotangent.

Medians in ms and the ratio PyTorch / upsample (the target of issue 17 is
>= 3 on every row). The load average is printed beside the table, as the
machine is shared.

    python benchmarks/torch_adapter.py                  # 1 and 2 threads, 7 repeats
    python benchmarks/torch_adapter.py --threads 1 --only 512 --repeats 5
    python benchmarks/torch_adapter.py --json torch_adapter.json
    python benchmarks/torch_adapter.py --uint8-agreement   # the README's uint8 figures
"""

import argparse
import json
import os
import sys

from compare import _fmt, _ratio, machine_description, output_shape, time_interleaved, torch
from workloads import WORKLOADS, make_input, workload_label

import upsample.torch as upsample_torch

TORCH_MODES = {("nearest", 1): "nearest", ("nearest", 2): "nearest", ("nearest", 3): "nearest",
               ("linear", 1): "linear", ("linear", 2): "bilinear", ("linear", 3): "trilinear",
               ("cubic", 2): "bicubic"}
TARGET = 3.0


def tensors(x, layout):
    """The suite's (B, *spatial, C) array as an (N, C, *spatial) tensor in ``layout``."""
    order = (0, x.ndim - 1, *range(1, x.ndim - 1))
    tensor = torch.from_numpy(x).permute(*order)  # channels-last strides, no copy
    return tensor if layout == "channels_last" else tensor.contiguous()


def make_calls(x, g, options, threads, backward):
    """The two contenders' calls for one row."""
    calls = {}
    for name, interpolate in (("torch", torch.nn.functional.interpolate),
                              ("upsample", upsample_torch.interpolate)):
        if backward:
            def run(interpolate=interpolate):
                torch.set_num_threads(threads)
                leaf = x.detach().requires_grad_(True)
                return torch.autograd.grad(interpolate(leaf, **options), leaf, g)
        else:
            def run(interpolate=interpolate):
                torch.set_num_threads(threads)
                with torch.no_grad():
                    return interpolate(x, **options)
        calls[name] = run
    return calls


def run_suite(args):
    """Every row: (threads, workload, layout, mode, pass) with its medians."""
    records = []
    for threads in args.threads:
        for shape, scale, modes, antialias, dtype in WORKLOADS:
            label = workload_label(shape, scale, antialias, dtype)
            if args.only and args.only not in label:
                continue
            data = make_input(shape, dtype)
            size = output_shape(shape, scale)[1:-1]
            layouts = ("channels_last", "contiguous") if len(shape) > 3 else ("contiguous",)
            for layout in layouts:
                x = tensors(data, layout)
                for mode in modes:
                    torch_mode = TORCH_MODES.get((mode, len(shape) - 2))
                    if torch_mode is None:
                        continue
                    options = {"size": size, "mode": torch_mode}
                    if torch_mode != "nearest":
                        options["align_corners"] = False
                    if antialias:
                        options["antialias"] = True
                    passes = ("forward", "forward+backward") if dtype == "float32" else (
                        "forward",)
                    for kind in passes:
                        g = None
                        if kind != "forward":
                            g = torch.rand(torch.nn.functional.interpolate(x, **options).shape)
                            if layout == "channels_last":
                                g = g.contiguous(memory_format=x.dim() == 4 and
                                                 torch.channels_last or torch.channels_last_3d)
                        calls = make_calls(x, g, options, threads, kind != "forward")
                        medians = time_interleaved(calls, args.repeats, args.repeats)
                        record = {"threads": threads, "workload": label, "layout": layout,
                                  "mode": torch_mode, "pass": kind,
                                  "ms": {k: 1e3 * v for k, v in medians.items()},
                                  "load": os.getloadavg()[0]}
                        records.append(record)
                        ms = record["ms"]
                        print(f"  t={threads} {label:34s} {layout:13s} {torch_mode:9s} "
                              f"{kind:16s} torch={ms['torch']:.2f} upsample={ms['upsample']:.2f}"
                              f" x{ms['torch'] / ms['upsample']:.2f} load={record['load']:.1f}",
                              file=sys.stderr)
    return records


def markdown(records):
    """The rows as a Markdown table, and the target's status."""
    lines = ["| threads | workload | layout | mode | pass | torch ms | upsample ms | ratio | "
             "load |", "|---|---|---|---|---|---|---|---|---|"]
    for r in records:
        ms = r["ms"]
        lines.append(f"| {r['threads']} | {r['workload']} | {r['layout']} | {r['mode']} | "
                     f"{r['pass']} | {_fmt(ms['torch'])} | {_fmt(ms['upsample'])} | "
                     f"{_ratio(ms['torch'], ms['upsample'])} | {r['load']:.1f} |")
    ratios = [r["ms"]["torch"] / r["ms"]["upsample"] for r in records]
    met = sum(ratio >= TARGET for ratio in ratios)
    lines.append("")
    lines.append(f"Target >= {TARGET:g}x PyTorch: met on {met} of {len(ratios)} rows; "
                 f"lowest ratio {min(ratios):.2f}, median {sorted(ratios)[len(ratios) // 2]:.2f}.")
    return "\n".join(lines)


def uint8_agreement():
    """How often and how far uint8 bilinear and bicubic differ from PyTorch's (the README's
    figures): seeded random 64x48 RGB images, both memory formats."""
    generator = torch.Generator().manual_seed(5)
    image = torch.randint(0, 256, (1, 3, 64, 48), dtype=torch.uint8, generator=generator)
    print("| call | layout | values differing | largest difference |\n|---|---|---|---|")
    for options in ({"size": (100, 70), "mode": "bilinear"},
                    {"size": (30, 20), "mode": "bilinear", "antialias": True},
                    {"size": (100, 70), "mode": "bicubic"},
                    {"size": (30, 20), "mode": "bicubic", "antialias": True},
                    {"size": (100, 70), "mode": "bicubic", "antialias": True}):
        for layout in ("contiguous", "channels_last"):
            x = image if layout == "contiguous" else image.contiguous(
                memory_format=torch.channels_last)
            theirs = torch.nn.functional.interpolate(x, **options).int()
            difference = (upsample_torch.interpolate(x, **options).int() - theirs).abs()
            print(f"| {options} | {layout} | {100 * (difference > 0).float().mean():.2f}% | "
                  f"{int(difference.max())} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", help="run only workloads whose label contains this")
    parser.add_argument("--json", help="also write the raw medians here")
    parser.add_argument("--uint8-agreement", action="store_true",
                        help="only print how uint8 results differ from PyTorch's")
    args = parser.parse_args(argv)
    if args.uint8_agreement:
        uint8_agreement()
        return
    print(machine_description())
    print(f"load average at start: {os.getloadavg()}")
    records = run_suite(args)
    print(markdown(records))
    print(f"load average at end: {os.getloadavg()}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(records, handle, indent=1)


if __name__ == "__main__":
    main()
