"""Plot the medians saved by compare.py: where upsample stands against its peers.

    python benchmarks/compare.py --json results.json
    python benchmarks/plot.py results.json -o benchmarks.png

The figure is a grid of log-log scatter plots of median time (ms) against output
size (MB): one column per mode (nearest, linear, cubic, then any other), one row
per thread count. Every contender found in the file is a series with a fixed
colour and marker; upsample is drawn large, outlined and in front. The memory
floor of each workload, (input + output bytes) / parallel-copy bandwidth, is a
small grey dash. The number beside each upsample point is the fastest peer's
time divided by upsample's (green above 1: upsample is faster), and a box in
each panel counts the wins. Antialiased records are hollow markers and
non-float32 records (uint8, ...) half-filled ones, in the same mode column. A
key under the legend names the workloads by output size.

matplotlib is needed only here: `pip install matplotlib`, or the benchmarks
extra (`pip install ".[benchmarks]"`). The output format follows the file
extension (png, pdf, svg, ...).
"""

import argparse
import json
import math
import statistics
import sys
import textwrap

MODE_ORDER = ("nearest", "linear", "cubic")
DEFAULT_DTYPE = "float32"
PEERLESS = ("upsample", "floor")  # names that are not peers of upsample

# Fixed look for the contenders compare.py knows; others get FALLBACK_STYLES in
# name order.
STYLES = {
    "upsample": {"label": "upsample", "color": "#d62728", "marker": "o"},
    "torch": {"label": "PyTorch", "color": "#1f77b4", "marker": "s"},
    "opencv": {"label": "OpenCV", "color": "#2ca02c", "marker": "^"},
    "mlx": {"label": "MLX", "color": "#9467bd", "marker": "D"},
    "pillow": {"label": "Pillow", "color": "#8c564b", "marker": "v"},
    "floor": {"label": "memory floor", "color": "0.4", "marker": "_"},
}
FALLBACK_STYLES = [
    {"color": "#e377c2", "marker": "P"},
    {"color": "#17becf", "marker": "X"},
    {"color": "#bcbd22", "marker": "h"},
    {"color": "#ff7f0e", "marker": "p"},
    {"color": "#7f7f7f", "marker": "*"},
]
# Marker fill for non-float32 dtypes (in dtype name order); antialiased float32
# is hollow and antialiased other dtypes are filled on top.
DTYPE_FILLS = ("bottom", "left", "right")
WIN, LOSS = "#1a7f37", "#b31d28"

PANEL_W, PANEL_H = 4.3, 3.3  # inches per subplot
MARGIN_L, MARGIN_R, MARGIN_T = 0.75, 0.2, 1.0  # inches around the grid
MIN_WIDTH = 10.0  # inches: room for the heading, legend and notes under a narrow grid
FOOTER_FONT, FOOTER_LINE = 8, 0.17  # points, inches
LEGEND_FONT, LEGEND_ROW = 9.5, 0.3
XLABEL_SPACE = 0.62  # inches under the grid for tick labels and the x label


# ---------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------


def load(path):
    """Read a compare.py JSON file; return (machine string, records with timings)."""
    with open(path) as handle:
        try:
            data = json.load(handle)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}: not valid JSON ({error})") from None
    if isinstance(data, list):  # a bare list of records
        data = {"records": data}
    records = [r for r in data.get("records", [])
               if isinstance(r.get("ms"), dict) and r.get("out_bytes")
               and "mode" in r and "threads" in r]
    if not records:
        raise ValueError(f"{path}: no records with timings")
    return str(data.get("machine") or ""), records


def dtype_of(record):
    """The record's input dtype name; records without one are float32."""
    return record.get("dtype") or DEFAULT_DTYPE


def variant_of(record):
    """(antialias, dtype): the marker-fill group a record belongs to."""
    return bool(record.get("antialias")), dtype_of(record)


def modes_of(records):
    """Modes present, nearest/linear/cubic first, then any others by name."""
    present = {r["mode"] for r in records}
    return [m for m in MODE_ORDER if m in present] + sorted(present - set(MODE_ORDER))


def contenders_of(records):
    """Contender names present (floor excluded): known ones in STYLES order, then others."""
    present = {name for r in records for name, ms in r["ms"].items() if _valid(ms)}
    present.discard("floor")
    return [n for n in STYLES if n in present] + sorted(present - set(STYLES))


def styles_for(names):
    """Colour, marker and label for each contender name, with fallbacks for unknown ones."""
    styles = {"floor": dict(STYLES["floor"])}
    unknown = [n for n in names if n not in STYLES]
    for name in names:
        if name in STYLES:
            styles[name] = dict(STYLES[name])
        else:
            fallback = FALLBACK_STYLES[unknown.index(name) % len(FALLBACK_STYLES)]
            styles[name] = dict(fallback, label=name)
    return styles


def variants_of(records):
    """Map each (antialias, dtype) present to (marker fillstyle, legend text)."""
    odd = sorted({dtype_of(r) for r in records} - {DEFAULT_DTYPE})
    fills = {d: DTYPE_FILLS[i % len(DTYPE_FILLS)] for i, d in enumerate(odd)}
    variants = {}
    for antialias, dtype in sorted({variant_of(r) for r in records}):
        if antialias and dtype == DEFAULT_DTYPE:
            variants[antialias, dtype] = ("none", "antialiased (downscale)")
        elif antialias:
            variants[antialias, dtype] = ("top", f"antialiased, {dtype}")
        elif dtype != DEFAULT_DTYPE:
            variants[antialias, dtype] = (fills[dtype], f"{dtype} input")
        else:
            variants[antialias, dtype] = ("full", f"{DEFAULT_DTYPE} input")
    return variants


def best_peer_ratio(record):
    """Fastest peer's time / upsample's time for one record, or None."""
    ms = record["ms"]
    peers = [v for k, v in ms.items() if k not in PEERLESS and _valid(v)]
    if not _valid(ms.get("upsample")) or not peers:
        return None
    return min(peers) / ms["upsample"]


def workload_label(record):
    """Short workload name, e.g. '1024×1024×3 ×2' or '8×128×128×64 ×0.5 aa uint8'."""
    shape = list(record.get("shape") or [])
    if len(shape) > 2 and shape[0] == 1:  # drop a unit batch
        shape = shape[1:]
    label = "\u00d7".join(str(n) for n in shape)
    if "scale" in record:
        label += f" \u00d7{record['scale']:g}"
    if record.get("antialias"):
        label += " aa"
    if dtype_of(record) != DEFAULT_DTYPE:
        label += f" {dtype_of(record)}"
    return label


def workload_key(records):
    """'12.6 MB 512×512×3 ×2' for each distinct workload, smallest output first."""
    seen = {}
    for r in records:
        seen.setdefault(workload_label(r), r["out_bytes"])
    ordered = sorted(seen.items(), key=lambda item: (item[1], item[0]))
    return [f"{size / 1e6:.3g} MB {label}" for label, size in ordered]


def format_ratio(ratio):
    """'0.97×', '2.4×' or '22×': two digits where it matters around 1."""
    if 0.95 <= ratio < 1.05:
        return f"{ratio:.2f}\u00d7"
    return f"{ratio:.1f}\u00d7" if ratio < 9.95 else f"{ratio:.0f}\u00d7"


def _valid(value):
    """Whether a timing is a usable positive finite number (not None, NaN or a string)."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and value > 0)


def _mb(record):
    """The record's output size in MB (10**6 bytes)."""
    return record["out_bytes"] / 1e6


# ---------------------------------------------------------------------------
# drawing
# ---------------------------------------------------------------------------


def draw(machine, records, plt):
    """Build and return the figure for these records; `plt` is matplotlib.pyplot."""
    modes = modes_of(records)
    threads = sorted({r["threads"] for r in records})
    names = contenders_of(records)
    styles = styles_for(names)
    variants = variants_of(records)

    ncols, nrows = len(modes), len(threads)
    width = max(MIN_WIDTH, MARGIN_L + MARGIN_R + ncols * PANEL_W)
    left = (width - ncols * PANEL_W - MARGIN_L - MARGIN_R) / 2 + MARGIN_L  # grid centred
    chars = int(0.92 * width * 72 / (FOOTER_FONT * 0.62))  # footer characters per line
    entries = [entry.replace(" ", "\u00a0") for entry in workload_key(records)]  # unbreakable
    footer = textwrap.wrap("Workloads by output size: " + "  \u00b7  ".join(entries),
                           width=chars, break_on_hyphens=False)
    footer += textwrap.wrap("Number beside each upsample point: fastest peer's time / "
                            "upsample's time (green: upsample faster). aa = antialiased. "
                            "Memory floor: (input + output bytes) / parallel-copy bandwidth.",
                            width=chars)
    rows = legend_rows(names, styles, variants, width)
    bottom = XLABEL_SPACE + LEGEND_ROW * len(rows) + 0.08 + FOOTER_LINE * len(footer) + 0.06
    height = MARGIN_T + bottom + nrows * PANEL_H

    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), sharex=True, sharey=True,
                             squeeze=False)
    fig.subplots_adjust(left=left / width, right=(left + ncols * PANEL_W) / width,
                        top=1 - MARGIN_T / height, bottom=bottom / height,
                        wspace=0.07, hspace=0.25)

    cells = {}
    for row, count in enumerate(threads):
        for col, mode in enumerate(modes):
            ax = axes[row][col]
            cell = [r for r in records if r["threads"] == count and r["mode"] == mode]
            cells[row, col] = cell
            draw_points(ax, cell, names, styles, variants)
            ax.set_title(f"{mode} \u00b7 {count} thread{'s' if count != 1 else ''}",
                         fontsize=11, fontweight="bold")
            if row == nrows - 1:
                ax.set_xlabel("output size (MB)")
            if col == 0:
                ax.set_ylabel("median time (ms)")

    set_limits_and_ticks(axes[0][0], records)  # shared by every panel
    renderer = fig.canvas.get_renderer()
    for (row, col), cell in cells.items():
        box = summary_box(axes[row][col], cell)
        label_ratios(axes[row][col], cell, renderer, box)

    add_legend(fig, rows, bottom - XLABEL_SPACE + 0.05)
    for i, line in enumerate(reversed(footer)):
        fig.text(0.5, (0.06 + FOOTER_LINE * i) / height, line, ha="center", va="bottom",
                 fontsize=FOOTER_FONT, color="0.3")
    add_titles(fig, machine, width)
    return fig


def draw_points(ax, cell, names, styles, variants):
    """Draw one (mode, threads) panel's markers: floor dashes, peers, upsample on top."""
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.grid(True, which="major", color="0.86", linewidth=0.8)
    ax.grid(True, which="minor", color="0.95", linewidth=0.5)
    ax.set_axisbelow(True)
    if not cell:
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center",
                color="0.5")
        return

    floor = [(_mb(r), r["ms"]["floor"]) for r in cell if _valid(r["ms"].get("floor"))]
    if floor:
        xs, ys = zip(*floor)
        ax.plot(xs, ys, linestyle="none", **_floor_kwargs())

    for name in names:
        emphasised = name == "upsample"
        for variant, (fill, _) in variants.items():
            points = [(_mb(r), r["ms"][name]) for r in cell
                      if variant_of(r) == variant and _valid(r["ms"].get(name))]
            if points:
                xs, ys = zip(*points)
                ax.plot(xs, ys, linestyle="none",
                        **_marker_kwargs(styles[name], fill, emphasised))


def _floor_kwargs():
    """Line2D keyword arguments for the memory-floor dashes."""
    return {"marker": "_", "color": STYLES["floor"]["color"], "markersize": 13,
            "markeredgewidth": 2.0, "zorder": 2}


def _marker_kwargs(style, fill, emphasised):
    """Line2D keyword arguments for one contender's markers in one fill variant."""
    kwargs = {
        "marker": style["marker"], "color": style["color"], "fillstyle": fill,
        "markerfacecoloralt": "white",
        "markersize": 10 if emphasised else 6.5,
        "zorder": 5 if emphasised else 3,
        "alpha": 1.0 if emphasised else 0.85,
    }
    if fill == "none":
        kwargs.update(markeredgecolor=style["color"], markeredgewidth=2 if emphasised else 1.4)
    else:
        kwargs.update(markeredgecolor="black" if emphasised else style["color"],
                      markeredgewidth=1.0 if emphasised else 0.8)
    return kwargs


def set_limits_and_ticks(ax, records):
    """Shared log limits with some padding, and plain-number tick labels."""
    import matplotlib.ticker as ticker

    xs = [_mb(r) for r in records]
    ys = [v for r in records for v in r["ms"].values() if _valid(v)]
    # room on the right for the ratio labels, at the bottom for the summary box
    for setter, axis, values, pad_low, pad_high in ((ax.set_xlim, ax.xaxis, xs, 1.6, 2.2),
                                                     (ax.set_ylim, ax.yaxis, ys, 3.0, 1.6)):
        low, high = min(values) / pad_low, max(values) * pad_high
        setter(low, high)
        decades = math.log10(high / low)
        if decades > 2.5:
            subs = (1.0,)
        elif decades > 1:
            subs = (1.0, 2.0, 5.0)
        else:
            subs = (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)
        axis.set_major_locator(ticker.LogLocator(base=10, subs=subs))
        axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        axis.set_minor_formatter(ticker.NullFormatter())


def summary_box(ax, cell):
    """Lower-right box: in how many workloads upsample is fastest, geometric-mean ratio.

    Returns the Text artist (or None when no record has upsample and a peer).
    """
    ratios = [x for x in map(best_peer_ratio, cell) if x is not None]
    if not ratios:
        return None
    wins = sum(x >= 1 for x in ratios)
    geomean = math.exp(statistics.fmean(map(math.log, ratios)))
    return ax.text(0.975, 0.035, f"upsample fastest in {wins}/{len(ratios)}\n"
                   f"geo-mean {format_ratio(geomean)} vs best peer", transform=ax.transAxes,
                   ha="right", va="bottom", fontsize=8, linespacing=1.35, zorder=7,
                   color=WIN if geomean >= 1 else LOSS,
                   bbox={"boxstyle": "round,pad=0.3", "facecolor": "white",
                         "edgecolor": "0.75", "alpha": 0.9})


def label_ratios(ax, cell, renderer, box):
    """Write the best-peer ratio beside each upsample point, where it overlaps least.

    Tries a few positions around the point (right first) and takes the one that
    covers the fewest upsample markers, then the fewest other markers (and the
    summary box); a label that would cover another label wherever it goes is
    left out.
    """
    to_px = ax.transData.transform
    scale = renderer.points_to_pixels(1.0)
    emphasised, obstacles = [], []  # (x0, y0, x1, y1) in pixels: upsample, other markers
    for r in cell:
        for name, value in r["ms"].items():
            if not _valid(value):
                continue
            x, y = to_px((_mb(r), value))
            half_w, half_h = {"floor": (6.5, 1.5), "upsample": (5.5, 5.5)}.get(name, (3.5, 3.5))
            rect = (x - half_w * scale, y - half_h * scale, x + half_w * scale, y + half_h * scale)
            (emphasised if name == "upsample" else obstacles).append(rect)
    if box is not None:
        extent = box.get_window_extent(renderer)
        obstacles.append((extent.x0, extent.y0, extent.x1, extent.y1))
    axes_box = ax.get_window_extent(renderer)

    placed = []
    for r in sorted(cell, key=_mb):
        ratio = best_peer_ratio(r)
        if ratio is None:
            continue
        point = (_mb(r), r["ms"]["upsample"])
        label = ax.annotate(format_ratio(ratio), point, xytext=(0, 0), textcoords="offset points",
                            ha="left", va="bottom", fontsize=7.5, fontweight="bold",
                            color=WIN if ratio >= 1 else LOSS, zorder=6,
                            bbox={"boxstyle": "square,pad=0.08", "facecolor": "white",
                                  "edgecolor": "none", "alpha": 0.7})
        extent = label.get_window_extent(renderer)
        w, h = extent.width, extent.height
        x, y = to_px(point)
        g = 7.0 * scale
        candidates = [  # lower-left corner of the label, relative to the point, in pixels
            (g, -h / 2), (-g - w, -h / 2), (-w / 2, g), (-w / 2, -g - h),
            (0.8 * g, 0.8 * g), (0.8 * g, -0.8 * g - h),
            (-0.8 * g - w, 0.8 * g), (-0.8 * g - w, -0.8 * g - h),
        ]
        rects = [(x + dx, y + dy, x + dx + w, y + dy + h) for dx, dy in candidates]
        costs = [_label_cost(rect, placed, emphasised, obstacles, axes_box) for rect in rects]
        best = costs.index(min(costs))  # the first (right) wins ties
        if costs[best][0]:  # crowded: leave this one out rather than overprint
            label.remove()
            continue
        placed.append(rects[best])
        label.xyann = (candidates[best][0] / scale, candidates[best][1] / scale)


def _label_cost(rect, labels, emphasised, obstacles, axes_box):
    """Ranking of a label position: labels covered, then upsample markers, then the rest."""
    inside = (axes_box.x0 <= rect[0] and rect[2] <= axes_box.x1
              and axes_box.y0 <= rect[1] and rect[3] <= axes_box.y1)
    return (sum(_overlap(rect, other) for other in labels),
            sum(_overlap(rect, other) for other in emphasised) + (not inside),
            sum(_overlap(rect, other) for other in obstacles))


def _overlap(a, b):
    """Whether two (x0, y0, x1, y1) rectangles intersect."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def legend_rows(names, styles, variants, width):
    """Legend handles in rows that fit `width` inches: contenders, then floor and fills."""
    from matplotlib.lines import Line2D

    contenders = [Line2D([], [], linestyle="none", label=styles[n]["label"],
                         **_marker_kwargs(styles[n], "full", n == "upsample")) for n in names]
    others = [Line2D([], [], linestyle="none", label="memory floor", **_floor_kwargs())]
    if set(variants) != {(False, DEFAULT_DTYPE)}:  # explain the fills unless all are plain
        grey = {"color": "0.35", "marker": "o"}
        others += [Line2D([], [], linestyle="none", label=text,
                          **_marker_kwargs(grey, fill, False)) for fill, text in variants.values()]
    rows = []
    for group in (contenders, others):
        row, used = [], 0.0
        for handle in group:
            need = (len(handle.get_label()) * LEGEND_FONT * 0.6 + 45) / 72  # inches, estimated
            if row and used + need > 0.95 * width:
                rows.append(row)
                row, used = [], 0.0
            row.append(handle)
            used += need
        if row:
            rows.append(row)
    return rows


def add_legend(fig, rows, top_inches):
    """Draw the legend rows centred under the grid, the first at `top_inches` from the bottom."""
    height = fig.get_figheight()
    for i, handles in enumerate(rows):
        fig.legend(handles=handles, loc="upper center", ncol=len(handles),
                   bbox_to_anchor=(0.5, (top_inches - LEGEND_ROW * i) / height),
                   fontsize=LEGEND_FONT, frameon=False, handletextpad=0.3, columnspacing=1.8,
                   borderaxespad=0)


def add_titles(fig, machine, width):
    """Heading, then the machine string as the suptitle (wrapped, at most 2 lines)."""
    height = fig.get_figheight()
    fig.text(0.5, 1 - 0.12 / height, "upsample vs peers: median time against output size "
             "(log-log; lower is faster)", ha="center", va="top", fontsize=13,
             fontweight="bold")
    if machine:
        wrapped = textwrap.fill(" ".join(machine.split()), width=int(width * 72 / (9 * 0.55)),
                                max_lines=2, placeholder=" \u2026")
        fig.suptitle(wrapped, y=1 - 0.42 / height, va="top", fontsize=9, color="0.25")


# ---------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------


def main(argv=None):
    """Parse arguments, load the JSON, draw the grid and save it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json", help="file written by compare.py --json")
    parser.add_argument("-o", "--output", default="benchmarks.png",
                        help="image to write; format from the extension (default benchmarks.png)")
    parser.add_argument("--dpi", type=int, default=150, help="resolution of raster output")
    args = parser.parse_args(argv)

    try:
        import matplotlib
    except ImportError:
        sys.exit("plot.py needs matplotlib: pip install matplotlib "
                 "(or install the benchmarks extra: pip install \".[benchmarks]\")")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    try:
        machine, records = load(args.json)
    except (OSError, ValueError) as error:
        sys.exit(f"plot.py: {error}")
    fig = draw(machine, records, plt)
    fig.savefig(args.output, dpi=args.dpi)
    plt.close(fig)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
