"""Side-by-side speed of upsample, PyTorch, OpenCV and MLX, against the memory floor.

Every contender resamples the same float32 channels-last data. Calls are
interleaved (each repetition runs every contender once, in rotating order) so
that a noisy neighbour slows them all alike, and the tables report medians.
The floor is (input bytes + output bytes) divided by the bandwidth that a
parallel copy reaches in the same run at the same thread count.

    python benchmarks/compare.py                  # full suite, 1 and 2 threads
    python benchmarks/compare.py --quick          # fewer repeats, no MLX
    python benchmarks/compare.py --json out.json  # also save raw medians (for plot.py)

Peers that are not installed are skipped (`pip install ".[benchmarks]"`).
"""

import argparse
import json
import math
import os

# Idle OpenMP workers of one library (PyTorch's especially) spin for a while
# after each call and steal the cores from the next contender in an
# interleaved run; passive waiting keeps the comparison fair.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import platform
import statistics
import sys
import time

import numpy as np

from upsample import kernel_info, upsample
from upsample_c._threads import parallel_copy

# (shape, scale, modes, antialias)
WORKLOADS = [
    ((1, 512, 512, 3), 2.0, ("nearest", "linear", "cubic"), False),
    ((1, 1024, 1024, 3), 2.0, ("nearest", "linear", "cubic"), False),
    ((8, 128, 128, 64), 2.0, ("nearest", "linear", "cubic"), False),
    ((1, 64, 64, 64, 8), 2.0, ("nearest", "linear", "cubic"), False),
    ((4, 48000, 2), 2.0, ("nearest", "linear", "cubic"), False),
    ((1, 500, 500, 3), 1.7, ("nearest", "linear", "cubic"), False),
    ((1, 1024, 1024, 3), 0.5, ("linear", "cubic"), True),
]
COPY_BYTES = 256 << 20


def _optional(name):
    try:
        return __import__(name)
    except ImportError:
        return None


torch = _optional("torch")
cv2 = _optional("cv2")
try:
    import mlx.core as mx
    import mlx.nn as mlx_nn

    mx.set_default_device(mx.cpu)
except ImportError:
    mx = None


def output_shape(shape, scale):
    return (shape[0],) + tuple(int(scale * n) for n in shape[1:-1]) + (shape[-1],)


# ---------------------------------------------------------------------------
# contenders: each returns a zero-argument callable, or None when not applicable
# ---------------------------------------------------------------------------


def make_upsample(x, scale, mode, antialias, threads):
    return lambda: upsample(x, scale, mode=mode, antialias=antialias, num_threads=threads)


def make_torch(x, scale, mode, antialias, threads):
    if torch is None:
        return None
    n_spatial = x.ndim - 2
    names = {1: "linear", 2: "bilinear", 3: "trilinear"}
    if mode == "nearest":
        torch_mode = "nearest"
    elif mode == "linear":
        torch_mode = names.get(n_spatial)
    else:
        torch_mode = "bicubic" if n_spatial == 2 else None
    if torch_mode is None or (antialias and n_spatial != 2):
        return None
    # (B, *spatial, C) permuted to (B, C, *spatial): channels-last strides, no copy.
    tensor = torch.from_numpy(x).permute(0, x.ndim - 1, *range(1, x.ndim - 1))
    size = output_shape(x.shape, scale)[1:-1]
    options = {"size": size, "mode": torch_mode}
    if torch_mode != "nearest":
        options["align_corners"] = False
    if antialias:
        options["antialias"] = True
    interpolate = torch.nn.functional.interpolate

    def run():
        torch.set_num_threads(threads)
        with torch.no_grad():
            return interpolate(tensor, **options)

    return run


def make_opencv(x, scale, mode, antialias, threads):
    if cv2 is None or x.ndim != 4 or x.shape[0] != 1 or x.shape[-1] > 4 or antialias:
        return None
    flags = {"nearest": cv2.INTER_NEAREST, "linear": cv2.INTER_LINEAR, "cubic": cv2.INTER_CUBIC}
    image = x[0]
    height, width = output_shape(x.shape, scale)[1:3]

    def run():
        cv2.setNumThreads(threads)
        return cv2.resize(image, (width, height), interpolation=flags[mode])

    return run


def make_mlx(x, scale, mode, antialias, threads):
    if mx is None:
        return None
    layer = mlx_nn.Upsample(scale_factor=scale, mode=mode, antialias=antialias)
    array = mx.array(x)
    mx.eval(array)
    return lambda: mx.eval(layer(array))


CONTENDERS = {
    "upsample": make_upsample,
    "torch": make_torch,
    "opencv": make_opencv,
    "mlx": make_mlx,
}


# ---------------------------------------------------------------------------
# measurement
# ---------------------------------------------------------------------------


def copy_bandwidth(threads, repeats):
    """Bytes moved per second (read + write) by a parallel copy into a preallocated buffer."""
    src = np.ones(COPY_BYTES, dtype=np.uint8)
    dst = np.zeros_like(src)
    times = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        parallel_copy(dst, src, threads)
        times.append(time.perf_counter() - start)
    return 2 * COPY_BYTES / statistics.median(times[1:])


def time_interleaved(calls, repeats, slow_repeats):
    """Median seconds per contender, calls interleaved in rotating order."""
    names = list(calls)
    samples = {name: [] for name in names}
    for name in names:  # warm-up: first-touch, caches, lazy initialisation
        calls[name]()
    for rep in range(repeats):
        order = names[rep % len(names):] + names[: rep % len(names)]
        for name in order:
            if name == "mlx" and len(samples[name]) >= slow_repeats:
                continue
            start = time.perf_counter()
            calls[name]()
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items() if values}


def run_suite(args):
    records = []
    for threads in args.threads:
        bandwidth = copy_bandwidth(threads, 7)
        print(f"# threads={threads}: parallel copy bandwidth {bandwidth / 1e9:.1f} GB/s",
              file=sys.stderr)
        for shape, scale, modes, antialias in WORKLOADS:
            label = f"{shape} x{scale}" + (" aa" if antialias else "")
            if args.only and args.only not in label:
                continue
            x = np.random.default_rng(0).random(shape, dtype=np.float32)
            out_bytes = math.prod(output_shape(shape, scale)) * 4
            for mode in modes:
                calls = {}
                for name, make in CONTENDERS.items():
                    if name == "mlx" and args.no_mlx:
                        continue
                    call = make(x, scale, mode, antialias, threads)
                    if call is not None:
                        calls[name] = call
                medians = time_interleaved(calls, args.repeats, args.mlx_repeats)
                medians = {name: 1e3 * value for name, value in medians.items()}
                medians["floor"] = 1e3 * (x.nbytes + out_bytes) / bandwidth
                record = {
                    "threads": threads, "shape": list(shape), "scale": scale, "mode": mode,
                    "antialias": antialias, "in_bytes": x.nbytes, "out_bytes": out_bytes,
                    "bandwidth": bandwidth, "ms": medians,
                }
                records.append(record)
                print(f"  {label:28s} {mode:8s} "
                      + " ".join(f"{k}={v:.2f}" for k, v in medians.items()), file=sys.stderr)
    return records


# ---------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------


def machine_description():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = [f"numpy {np.__version__}"]
    if torch is not None:
        versions.append(f"torch {torch.__version__}")
    if cv2 is not None:
        versions.append(f"opencv {cv2.__version__}")
    if mx is not None:
        import importlib.metadata

        versions.append(f"mlx {importlib.metadata.version('mlx')}")
    info = kernel_info()
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}; "
            + ", ".join(versions)
            + f"; upsample kernels={info['kernels']} openmp={info['openmp']}")


def _fmt(value):
    return "-" if value is None else (f"{value:.2f}" if value < 100 else f"{value:.0f}")


def _ratio(numerator, denominator):
    if numerator is None or denominator is None:
        return "-"
    return f"{numerator / denominator:.2f}"


def markdown(records):
    lines = []
    for threads in sorted({r["threads"] for r in records}):
        rows = [r for r in records if r["threads"] == threads]
        bandwidth = rows[0]["bandwidth"] / 1e9
        lines.append(f"\n### {threads} thread{'s' if threads > 1 else ''} "
                     f"(parallel copy: {bandwidth:.1f} GB/s)\n")
        lines.append("| workload | mode | out MB | upsample ms | torch ms | opencv ms | mlx ms "
                     "| floor ms | torch / ups | opencv / ups | mlx / ups | ups / floor |")
        lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            ms = r["ms"]
            ups = ms.get("upsample")
            label = f"{tuple(r['shape'])} x{r['scale']}" + (" antialias" if r["antialias"] else "")
            lines.append(
                f"| {label} | {r['mode']} | {r['out_bytes'] / 1e6:.1f} | {_fmt(ups)} "
                f"| {_fmt(ms.get('torch'))} | {_fmt(ms.get('opencv'))} | {_fmt(ms.get('mlx'))} "
                f"| {_fmt(ms['floor'])} | {_ratio(ms.get('torch'), ups)} "
                f"| {_ratio(ms.get('opencv'), ups)} | {_ratio(ms.get('mlx'), ups)} "
                f"| {_ratio(ups, ms['floor'])} |"
            )
    lines.append("")
    lines.extend(summary(records))
    return "\n".join(lines)


def summary(records):
    """The numbers the targets are stated in."""
    lines = ["### Summary\n"]
    for threads in sorted({r["threads"] for r in records}):
        rows = [r for r in records if r["threads"] == threads and "upsample" in r["ms"]]
        torch_ratios = [r["ms"]["torch"] / r["ms"]["upsample"] for r in rows if "torch" in r["ms"]]
        cv_ratios = [r["ms"]["opencv"] / r["ms"]["upsample"] for r in rows if "opencv" in r["ms"]]
        mlx_ratios = [r["ms"]["mlx"] / r["ms"]["upsample"] for r in rows
                      if "mlx" in r["ms"] and r["mode"] != "nearest"]
        parts = [f"- {threads} thread(s):"]
        if torch_ratios:
            geomean = math.exp(sum(map(math.log, torch_ratios)) / len(torch_ratios))
            parts.append(f"vs PyTorch geometric mean {geomean:.2f}x, slowest row "
                         f"{min(torch_ratios):.2f}x;")
        if cv_ratios:
            parts.append(f"vs OpenCV slowest row {min(cv_ratios):.2f}x;")
        if mlx_ratios:
            parts.append(f"vs MLX (linear, cubic) slowest row {min(mlx_ratios):.0f}x;")
        big = [r for r in rows if r["out_bytes"] >= 8e6]
        if big:
            worst = max(r["ms"]["upsample"] / r["ms"]["floor"] for r in big)
            parts.append(f"worst upsample / floor on outputs >= 8 MB {worst:.2f}.")
        lines.append(" ".join(parts))
    by_key = {}
    for r in records:
        if "upsample" in r["ms"] and r["out_bytes"] >= 8e6:
            key = (tuple(r["shape"]), r["scale"], r["mode"], r["antialias"])
            by_key.setdefault(key, {})[r["threads"]] = r["ms"]["upsample"]
    speedups = [(key, t[1] / t[2]) for key, t in by_key.items() if 1 in t and 2 in t]
    if speedups:
        lines.append("- 2 threads vs 1 on outputs >= 8 MB: "
                     + ", ".join(f"{key[0]} {key[2]} {s:.2f}x" for key, s in speedups) + ".")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--mlx-repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="5 repeats and no MLX")
    parser.add_argument("--no-mlx", action="store_true")
    parser.add_argument("--only", help="run only workloads whose label contains this text")
    parser.add_argument("--json", help="save the raw medians to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats = 5
        args.no_mlx = True
    records = run_suite(args)
    print(f"Machine: {machine_description()}\n")
    print(markdown(records))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"machine": machine_description(), "records": records}, handle, indent=1)


if __name__ == "__main__":
    main()
