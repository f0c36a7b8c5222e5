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
from workloads import ALL_MODES, WORKLOADS, make_input, median_ms, workload_label

COPY_BYTES = 256 << 20


def _optional(name):
    try:
        return __import__(name)
    except ImportError:
        return None


torch = _optional("torch")
cv2 = _optional("cv2")
try:
    from PIL import Image
except ImportError:
    Image = None
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
    # Integer images stay integer, as the peers' do.
    dtype = x.dtype if x.dtype.kind in "iu" else None
    return lambda: upsample(x, scale, mode=mode, antialias=antialias, dtype=dtype,
                            num_threads=threads)


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
    if x.dtype == np.uint8 and torch_mode not in ("nearest", "bilinear", "bicubic"):
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


def make_pillow(x, scale, mode, antialias, threads):
    """Pillow (single-threaded) on 8-bit images only: its float path is a different job."""
    if Image is None or x.dtype != np.uint8 or x.ndim != 4 or x.shape[0] != 1 or mode == "nearest":
        return None
    image = Image.fromarray(x[0])
    height, width = output_shape(x.shape, scale)[1:3]
    method = Image.BILINEAR if mode == "linear" else Image.BICUBIC
    return lambda: image.resize((width, height), method)


def make_mlx(x, scale, mode, antialias, threads):
    if mx is None or x.dtype != np.float32:
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
    "pillow": make_pillow,
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
        for shape, scale, modes, antialias, dtype in WORKLOADS:
            label = workload_label(shape, scale, antialias, dtype)
            if args.only and args.only not in label:
                continue
            x = make_input(shape, dtype)
            out_bytes = math.prod(output_shape(shape, scale)) * x.itemsize
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
                    "antialias": antialias, "dtype": dtype, "in_bytes": x.nbytes,
                    "out_bytes": out_bytes, "bandwidth": bandwidth, "ms": medians,
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
                     "| pillow ms | floor ms | torch / ups | opencv / ups | mlx / ups "
                     "| pillow / ups | ups / floor |")
        lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            ms = r["ms"]
            ups = ms.get("upsample")
            label = workload_label(tuple(r["shape"]), r["scale"], r["antialias"],
                                   r.get("dtype", "float32"))
            lines.append(
                f"| {label} | {r['mode']} | {r['out_bytes'] / 1e6:.1f} | {_fmt(ups)} "
                f"| {_fmt(ms.get('torch'))} | {_fmt(ms.get('opencv'))} | {_fmt(ms.get('mlx'))} "
                f"| {_fmt(ms.get('pillow'))} | {_fmt(ms['floor'])} "
                f"| {_ratio(ms.get('torch'), ups)} | {_ratio(ms.get('opencv'), ups)} "
                f"| {_ratio(ms.get('mlx'), ups)} | {_ratio(ms.get('pillow'), ups)} "
                f"| {_ratio(ups, ms['floor'])} |"
            )
    lines.append("")
    lines.extend(summary(records))
    return "\n".join(lines)


def _geomean(values):
    return math.exp(sum(map(math.log, values)) / len(values))


def summary(records):
    """The numbers the targets are stated in (float32 suite; uint8 rows on their own)."""
    lines = ["### Summary\n"]
    for threads in sorted({r["threads"] for r in records}):
        rows = [r for r in records if r["threads"] == threads and "upsample" in r["ms"]]
        suite = [r for r in rows if r.get("dtype", "float32") == "float32"]
        images = [r for r in rows if r.get("dtype") == "uint8"]

        def ratios(peer, among, modes=ALL_MODES):
            return [r["ms"][peer] / r["ms"]["upsample"] for r in among
                    if peer in r["ms"] and r["mode"] in modes]

        parts = [f"- {threads} thread(s), float32 suite:"]
        torch_ratios = ratios("torch", suite)
        if torch_ratios:
            parts.append(f"vs PyTorch geometric mean {_geomean(torch_ratios):.2f}x, slowest row "
                         f"{min(torch_ratios):.2f}x;")
        cv_ratios = ratios("opencv", suite)
        if cv_ratios:
            parts.append(f"vs OpenCV slowest row {min(cv_ratios):.2f}x;")
        mlx_ratios = ratios("mlx", suite, ("linear", "cubic"))
        if mlx_ratios:
            parts.append(f"vs MLX (linear, cubic) slowest row {min(mlx_ratios):.0f}x;")
        big = [r for r in suite if r["out_bytes"] >= 8e6]
        if big:
            worst = max(big, key=lambda r: r["ms"]["upsample"] / r["ms"]["floor"])
            parts.append("worst upsample / floor on outputs >= 8 MB "
                         f"{worst['ms']['upsample'] / worst['ms']['floor']:.2f} "
                         f"({tuple(worst['shape'])} {worst['mode']}).")
        lines.append(" ".join(parts))
        if images:
            parts = [f"- {threads} thread(s), uint8 images:"]
            for peer in ("opencv", "pillow", "torch"):
                peer_ratios = ratios(peer, images)
                if peer_ratios:
                    parts.append(f"vs {peer} slowest row {min(peer_ratios):.2f}x;")
            lines.append(" ".join(parts))
    by_key = {}
    for r in records:
        if "upsample" in r["ms"] and r["out_bytes"] >= 8e6:
            key = (tuple(r["shape"]), r["scale"], r["mode"], r["antialias"], r.get("dtype"))
            by_key.setdefault(key, {})[r["threads"]] = r["ms"]["upsample"]
    speedups = [(key, t[1] / t[2]) for key, t in by_key.items() if 1 in t and 2 in t]
    if speedups:
        lines.append("- 2 threads vs 1 on outputs >= 8 MB: "
                     + ", ".join(f"{key[0]}{' aa' if key[3] else ''} {key[2]} {s:.2f}x"
                                 for key, s in speedups) + ".")
    return lines


# ---------------------------------------------------------------------------
# pipeline use: concurrent Python threads, out= reuse
# ---------------------------------------------------------------------------



def run_pipeline(repeats):
    """Rows that show the GIL release and what reusing an output buffer buys."""
    from concurrent.futures import ThreadPoolExecutor

    from upsample_c import _memory

    x = make_input((1, 1024, 1024, 3), "float32")
    one = lambda: upsample(x, 2, mode="cubic", num_threads=1)  # noqa: E731

    def two_in_sequence():
        one()
        one()

    # A persistent pool, as a data pipeline keeps its workers.
    pool = ThreadPoolExecutor(max_workers=2)

    def two_python_threads():
        for future in [pool.submit(one) for _ in range(2)]:
            future.result()

    out = np.empty((1, 2048, 2048, 3), dtype=np.float32)
    reuse = lambda: upsample(x, 2, mode="cubic", out=out, num_threads=1)  # noqa: E731
    rows = {}
    rows["two calls one after the other (num_threads=1 each)"] = median_ms(two_in_sequence,
                                                                          repeats)
    rows["two calls from two Python threads (num_threads=1 each)"] = median_ms(
        two_python_threads, repeats)
    rows["one call, new output (output cache on, the default)"] = median_ms(one, repeats)
    rows["one call, out= reused"] = median_ms(reuse, repeats)
    limit = _memory.set_cache_limit(0)
    try:
        rows["one call, new output (output cache off)"] = median_ms(one, repeats)
    finally:
        _memory.set_cache_limit(limit)
        pool.shutdown()
    return rows


def pipeline_markdown(rows):
    lines = ["\n### Pipeline use: (1, 1024, 1024, 3) float32 cubic x2, 1 thread per call\n",
             "| run | median ms |", "|---|---:|"]
    lines += [f"| {name} | {ms:.2f} |" for name, ms in rows.items()]
    names = list(rows)
    lines.append(f"\nTwo Python threads finish {rows[names[0]] / rows[names[1]]:.2f}x faster than "
                 "the same two calls in sequence (the GIL is released in the kernels).")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--mlx-repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="5 repeats and no MLX")
    parser.add_argument("--no-mlx", action="store_true")
    parser.add_argument("--only", help="run only workloads whose label contains this text")
    parser.add_argument("--no-pipeline", action="store_true",
                        help="skip the concurrent-threads and out= rows")
    parser.add_argument("--json", help="save the raw medians to this file")
    parser.add_argument("--no-stream", action="store_true",
                        help="upsample writes every output with ordinary stores (its "
                             "streaming-store thresholds raised past any output): what "
                             "streaming stores buy")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats = 5
        args.no_mlx = True
    if args.no_stream:
        from upsample import _plan_nearest, _plan_weighted
        _plan_nearest.STREAM_MIN_BYTES = _plan_weighted.WEIGHTED_STREAM_MIN_BYTES = 1 << 62
    records = run_suite(args)
    pipeline = {} if args.no_pipeline or args.only else run_pipeline(args.repeats)
    print(f"Machine: {machine_description()}\n")
    print(markdown(records))
    if pipeline:
        print(pipeline_markdown(pipeline))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"machine": machine_description(), "records": records,
                       "pipeline": pipeline}, handle, indent=1)


if __name__ == "__main__":
    main()
