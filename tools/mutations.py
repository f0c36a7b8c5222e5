#!/usr/bin/env python3
"""Plant known bugs in a copy of the package, one at a time, and check that the tests catch each.

    python tools/mutations.py            # every mutation: prints "N of M caught"
    python tools/mutations.py --list     # the catalogue
    python tools/mutations.py --only uint8-round-sse cubic-a   # some of them
    python tools/mutations.py --check    # only whether every snippet is still found

The working tree (tracked and untracked files that git does not ignore) is
copied to a temporary directory and built there in place, as tools/asan.sh
does. The relevant tests first run on that unchanged copy (they must pass);
then, for each mutation, its edits are applied to the copy, the extension is
rebuilt when a kernel source changed, its tests run against the copy
(``PYTHONPATH`` points at it), and the edits are undone. A mutation is
caught when pytest fails. Exit status: 0 when every mutation was planted and
caught, 1 otherwise.

An edit is ``(glob, old, new)``, or ``(glob, old, new, context)``: ``old``
must occur exactly once among the files the glob matches (or, with
``context``, inside the one occurrence of ``context``, which then only
locates it). Runs of whitespace match any whitespace, so a snippet still
matches when its code is re-indented or rewrapped; a snippet that is not
found (code moved to a file the glob misses, or rewritten) is reported as
"NOT PLANTED", never as caught. Kernel snippets are C from the
``cdef extern`` blocks and headers where possible, which survive a move of
the code into header files; their globs cover every kernel source.

Environment: PYTHON (default: the running interpreter), BUILD_JOBS (2).
"""

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = os.environ.get("PYTHON", sys.executable)

# Where to look for each kind of code. The kernels may live in .pyx, .pxi,
# .pxd or C header files anywhere under upsample_c/; the Python side anywhere
# under upsample/.
KERNELS = ("upsample_c/**/*.pyx", "upsample_c/**/*.pxi", "upsample_c/**/*.pxd",
           "upsample_c/**/*.h")
PYTHON_SOURCES = ("upsample/**/*.py",)
KERNEL_SUFFIXES = {".pyx", ".pxi", ".pxd", ".h"}

Mutation = collections.namedtuple("Mutation", "name area what edits tests env")
Mutation.__new__.__defaults__ = ({},)

T_REFERENCE = "tests/test_reference.py"
T_ROUNDING = "tests/test_rounding.py"
T_LAYER = "tests/test_layer.py"
T_OPTIONS = "tests/test_options.py"
T_PLANS = "tests/test_plans.py"
T_THREADS = "tests/test_threads.py"

CATALOGUE = [
    # ------------------------------------------------------------- tables
    Mutation("cubic-a", "tables", "Keys' a = -0.7 instead of -0.75",
             [(PYTHON_SOURCES, "CUBIC_A = -0.75", "CUBIC_A = -0.7")],
             [T_REFERENCE]),
    Mutation("antialias-cubic-a", "tables", "antialiased cubic with a = -0.6 instead of -0.5",
             [(PYTHON_SOURCES, "ANTIALIAS_CUBIC_A = -0.5", "ANTIALIAS_CUBIC_A = -0.6")],
             [T_REFERENCE]),
    Mutation("cubic-third-tap", "tables", "MLX's floor(x + 1) as the third cubic tap",
             [(PYTHON_SOURCES, "taps = [base - F32(1), base, base + F32(1), base + F32(2)]",
               "taps = [base - F32(1), base, np.floor(coords + F32(1)), base + F32(2)]")],
             [T_REFERENCE]),
    Mutation("align-corners-step", "tables", "align_corners step (N - 1) / max(M, 1)",
             [(PYTHON_SOURCES, "F32((n_in - 1) / max(n_out - 1, 1))",
               "F32((n_in - 1) / max(n_out, 1))")],
             [T_REFERENCE]),
    Mutation("nearest-half-up", "tables", "nearest upscale rounds half up, not to even",
             [(PYTHON_SOURCES, "source = np.rint((positions + F32(0.5)) * ratio - F32(0.5))",
               "source = np.floor((positions + F32(0.5)) * ratio)")],
             [T_REFERENCE]),
    Mutation("antialias-edge-tap", "tables", "antialias keeps a tap one past the last sample",
             [(PYTHON_SOURCES, "(taps >= 0) & (taps < n_in)", "(taps >= 0) & (taps <= n_in)")],
             [T_REFERENCE]),
    Mutation("antialias-support", "tables", "antialias filter one tap narrower",
             [(PYTHON_SOURCES, "half_width = math.ceil(radius * stretch) + 1",
               "half_width = math.ceil(radius * stretch)")],
             [T_REFERENCE]),
    Mutation("antialias-normalise", "tables", "antialias weights divided by the sum of all "
             "but the last tap",
             [(PYTHON_SOURCES, "for k in range(weights.shape[1]):",
               "for k in range(weights.shape[1] - 1):")],
             [T_REFERENCE]),
    # ------------------------------------------------------------- rounding and dtypes
    Mutation("cast-round-half-up", "rounding", "integer results (besides uint8 from float32) "
             "round half up",
             [(PYTHON_SOURCES, "np.rint(source, out=source)",
               "np.floor(source + 0.5, out=source)")],
             [T_ROUNDING]),
    Mutation("cast-no-saturation", "rounding", "integer results wrap instead of saturating",
             [(PYTHON_SOURCES, "np.clip(source, low, high, out=source)", "pass")],
             [T_ROUNDING]),
    Mutation("wide-integers-in-float32", "rounding", "32- and 64-bit integer results "
             "computed in float32",
             [(PYTHON_SOURCES, 'out_dtype.itemsize >= (8 if out_dtype.kind == "f" else 4)',
               'out_dtype.itemsize >= 8')],
             [T_REFERENCE]),
    Mutation("clongdouble-complex64", "rounding", "complex long double input gives complex64",
             [(PYTHON_SOURCES, "np.complex128 if dtype.itemsize >= 16 else np.complex64",
               "np.complex128 if dtype.itemsize == 16 else np.complex64")],
             [T_OPTIONS, T_REFERENCE]),
    # ------------------------------------------------------------- API plumbing
    Mutation("out-not-copied", "api", "an out= the kernels cannot fill directly stays unfilled",
             [(PYTHON_SOURCES, "np.copyto(result, filled)", "pass")],
             [T_REFERENCE, T_LAYER]),
    Mutation("layer-out-replayed", "api", "a layer's call with out= served from a remembered "
             "plan (returns a new array)",
             [(PYTHON_SOURCES, "if out is None and type(x) is np.ndarray:",
               "if type(x) is np.ndarray:",
               "held = self._options if out is None and type(x) is np.ndarray:")],
             [T_LAYER]),
    Mutation("plan-key-strides", "api", "remembered plans keyed without the input's strides",
             [(PYTHON_SOURCES, "x.shape, x.strides, x.dtype, _typed(scale_factor)",
               "x.shape, x.dtype, _typed(scale_factor)")],
             [T_REFERENCE]),
    Mutation("last-call-dtype", "api", "the last call served again for another dtype",
             [(PYTHON_SOURCES, "and held[6] is options[6] and held[7] is options[7] and "
               "last[1] is x.dtype", "and held[6] is options[6] and held[7] is options[7]")],
             [T_REFERENCE, T_PLANS]),
    Mutation("offsets-key-strides", "api", "nearest's remembered offsets keyed without strides",
             [(PYTHON_SOURCES, "key = (in_shape, strides, out_shape, factors,",
               "key = (in_shape, out_shape, factors,")],
             [T_REFERENCE]),
    Mutation("table-key-align", "api", "remembered tables keyed without align_corners",
             [(PYTHON_SOURCES, "key = (n_in, n_out, scale, mode, align_corners, antialias, "
               "real.char)", "key = (n_in, n_out, scale, mode, antialias, real.char)")],
             [T_REFERENCE]),
    Mutation("layout-inverse", "api", "interleaved axes put back with the permutation "
             "instead of its inverse",
             [(PYTHON_SOURCES, "return moved.transpose(np.argsort(self.perm))",
               "return moved.transpose(self.perm)")],
             [T_REFERENCE]),
    Mutation("out-fortran-view", "api", "a Fortran-order out= taken for a C-order canonical "
             "view",
             [(PYTHON_SOURCES, "if not self.identity or not out.flags.c_contiguous:",
               "if not self.identity:")],
             [T_REFERENCE, T_LAYER]),
    Mutation("nearest-factors-any", "api", "nearest repeats when any scale is an integer",
             [(PYTHON_SOURCES, "if all(float(s).is_integer() for s in scales):",
               "if any(float(s).is_integer() for s in scales):")],
             [T_REFERENCE]),
    Mutation("selection-nan", "api", "float cubic axes with single weights of 1 reduced to "
             "one tap (drops the NaN of zero-weight taps)",
             [(PYTHON_SOURCES, "finite = in_dtype.kind in \"biu\"", "finite = True")],
             [T_REFERENCE]),
    Mutation("doubling-scale", "api", "the scale-2 loop also taken at scale 3",
             [(PYTHON_SOURCES, "and scale == 2.0", "and scale in (2.0, 3.0)")],
             [T_REFERENCE]),
    Mutation("layer-unchecked", "api", "a layer attribute assigned without its check",
             [(PYTHON_SOURCES, "layer._options = _check_layer_options(**layer._options._replace"
               "(**{name: value})._asdict())",
               "layer._options = layer._options._replace(**{name: value})")],
             [T_LAYER]),
    # ------------------------------------------------------------- kernels (rebuilt)
    Mutation("uint8-round-scalar", "kernels", "scalar uint8 rounding half up",
             [(KERNELS, "v = (v + 12582912.0f) - 12582912.0f;", "v = v + 0.5f;")],
             [T_ROUNDING]),
    Mutation("uint8-round-sse", "kernels", "the SSE2 uint8 store truncates its first lanes",
             [(KERNELS, "__m128i a = _mm_cvtps_epi32(", "__m128i a = _mm_cvttps_epi32(")],
             [T_ROUNDING]),
    Mutation("uint8-round-avx2", "kernels", "the fused uint8 image kernel truncates",
             [(KERNELS, "v[q] = ups_v8_round_int(acc);",
               "v[q] = _mm256_cvttps_epi32(acc);")],
             [T_ROUNDING]),
    Mutation("uint8-mean-half-up", "kernels", "the 2 x 2 uint8 mean rounds half up",
             [(KERNELS, "return (unsigned char)((s + 1 + ((s >> 2) & 1)) >> 2);",
               "return (unsigned char)((s + 2) >> 2);")],
             [T_ROUNDING]),
    Mutation("uint8-combine-tap-base", "kernels", "the scalar uint8 combination drops its "
             "last tap (the whole row in the baseline build)",
             [(KERNELS, "for (k = 1; k < taps; k++) acc = acc + w[k] * base[offsets[k] + i];",
               "for (k = 1; k + 1 < taps; k++) acc = acc + w[k] * base[offsets[k] + i];")],
             [T_ROUNDING], {"UPSAMPLE_KERNELS": "base"}),
    Mutation("combine-4-taps", "kernels", "the 4-tap row combination (float64, and float32 in "
             "the baseline build) reads its third row twice",
             [(KERNELS, "dst[i] = w0 * r0[i] + w1 * r1[i] + w2 * r2[i] + w3 * r3[i]",
               "dst[i] = w0 * r0[i] + w1 * r1[i] + w2 * r2[i] + w3 * r2[i]")],
             [T_REFERENCE]),
    Mutation("double-rgb", "kernels", "the scale-2 RGB float loop stores a wrong sixth vector",
             [(KERNELS, "UPS_RGB_OUT(5, e[2], o[2], 0xE3);", "UPS_RGB_OUT(5, e[2], o[1], 0xE3);")],
             [T_REFERENCE]),
    Mutation("row-tile-tail", "kernels", "row tiles leave the last element of a stretch "
             "untransposed",
             [(KERNELS, "for (; e < hi; e++)", "for (; e + 1 < hi; e++)")],
             [T_REFERENCE]),
    Mutation("stream-many-taps", "kernels", "streamed combinations of more than 4 taps "
             "store their fourth vector over the third",
             [(KERNELS, "ups_v8_stream(dst + i + 24, d);",
               "ups_v8_stream(dst + i + 16, d);")],
             [T_REFERENCE]),
    Mutation("gather-8-bytes", "kernels", "nearest's 8-byte gather skips a run's last element",
             [(KERNELS, "for (k = from; k < to; k++) memcpy(dst + 8 * k, src_row + offsets[k], 8);",
               "for (k = from; k + 1 < to; k++) memcpy(dst + 8 * k, src_row + offsets[k], 8);")],
             [T_REFERENCE]),
    Mutation("planar-thread-chunks", "kernels", "threaded planar passes skip the last row of "
             "every chunk",
             [(KERNELS, "last = _chunk_start(chunk + 1, n_chunks, n_rows)",
               "last = _chunk_start(chunk + 1, n_chunks, n_rows) - 1",
               "last = _chunk_start(chunk + 1, n_chunks, n_rows) _planar_chunk(src_ptr, "
               "dst_ptr, first, last,")],
             [T_THREADS, T_REFERENCE]),
]


# ---------------------------------------------------------------------------
# Finding and planting snippets
# ---------------------------------------------------------------------------


def _pattern(snippet):
    """A regex for ``snippet`` in which every run of whitespace matches any whitespace."""
    return re.compile(r"\s+".join(re.escape(token) for token in snippet.split()))


def _files(tree, globs):
    found = []
    for pattern in globs:
        found += [path for path in sorted(tree.glob(pattern)) if path.is_file()]
    return list(dict.fromkeys(found))


def locate(tree, edit):
    """``(path, start, end, new)`` where ``edit`` applies, or a string saying why it does not."""
    globs, old, new = edit[:3]
    context = edit[3] if len(edit) > 3 else None
    anchor = _pattern(context if context else old)
    hits = []
    for path in _files(tree, globs):
        text = path.read_text()
        hits += [(path, match) for match in anchor.finditer(text)]
    what = f"{'context' if context else 'snippet'} {(context or old)!r}"
    if not hits:
        return f"{what} not found in {', '.join(globs)}"
    if len(hits) > 1:
        places = ", ".join(str(path.relative_to(tree)) for path, _ in hits)
        return f"{what} found {len(hits)} times ({places})"
    path, match = hits[0]
    if not context:
        return path, match.start(), match.end(), new
    inner = list(_pattern(old).finditer(match.group(0)))
    if len(inner) != 1:
        return f"snippet {old!r} found {len(inner)} times inside its context"
    return path, match.start() + inner[0].start(), match.start() + inner[0].end(), new


def plant(tree, mutation):
    """Apply the mutation's edits; returns ``(originals, problem)`` where ``originals`` maps
    each changed file to its text. When an edit cannot be placed nothing is changed."""
    located = []
    for edit in mutation.edits:
        where = locate(tree, edit)
        if isinstance(where, str):
            return {}, where
        located.append(where)
    originals = {}
    for path in dict.fromkeys(where[0] for where in located):
        text = originals[path] = path.read_text()
        # Later positions first, so that earlier ones stay valid.
        for _, start, end, new in sorted((w for w in located if w[0] == path),
                                         key=lambda w: -w[1]):
            text = text[:start] + new + text[end:]
        path.write_text(text)
    return originals, None


def restore(originals):
    for path, text in originals.items():
        path.write_text(text)


# ---------------------------------------------------------------------------
# Copy, build, test
# ---------------------------------------------------------------------------


def copy_tree(destination):
    """The working tree's files that git tracks or would track (no build products)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, check=True, capture_output=True).stdout.split(b"\0")
    for name in filter(None, (item.decode() for item in listed)):
        source = REPO / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def build(tree, force=False):
    command = [PYTHON, "setup.py", "-q", "build_ext", "--inplace", "-j",
               os.environ.get("BUILD_JOBS", "2")]
    if force:
        command.append("--force")
    started = time.monotonic()
    done = subprocess.run(command, cwd=tree, capture_output=True, text=True)
    if done.returncode != 0:
        return None, done.stdout[-3000:] + done.stderr[-3000:]
    return time.monotonic() - started, None


def run_tests(tree, tests, env_extra, timeout):
    """pytest on ``tests`` against the copy; returns (exit status, first failure, seconds)."""
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1", **env_extra)
    command = [PYTHON, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
               "--hypothesis-seed=0", *tests]
    started = time.monotonic()
    try:
        done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", f"no result within {timeout} s", time.monotonic() - started
    failed = [line for line in done.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    tail = done.stdout.strip().splitlines()[-1:] or [done.stderr.strip()[-200:]]
    return done.returncode, (failed or tail)[0], time.monotonic() - started


def check_imports_from(tree, env_extra):
    """The copy's package (and its compiled kernels) is what the tests import."""
    env = dict(os.environ, PYTHONPATH=str(tree), **env_extra)
    code = ("import upsample, upsample_c, sys; "
            "sys.stdout.write(upsample.__file__ + ' ' + upsample_c.kernels.__file__ + ' ' "
            "+ upsample_c.kernel_build)")
    done = subprocess.run([PYTHON, "-c", code], cwd=tree, env=env, capture_output=True,
                          text=True)
    paths = done.stdout.split()
    if done.returncode != 0 or not all(p.startswith(str(tree)) for p in paths[:2]):
        raise SystemExit(f"mutations: the copy is not what gets imported: {done.stdout}"
                         f"{done.stderr}")
    return paths[2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="print the catalogue and exit")
    parser.add_argument("--check", action="store_true",
                        help="only check that every mutation can be planted")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these mutations")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy")
    parser.add_argument("--timeout", type=int, default=1200,
                        help="seconds per pytest run (a hang counts as caught, and is shown)")
    args = parser.parse_args()

    catalogue = CATALOGUE
    if args.only:
        unknown = set(args.only) - {m.name for m in CATALOGUE}
        if unknown:
            parser.error(f"unknown mutations: {', '.join(sorted(unknown))}")
        catalogue = [m for m in CATALOGUE if m.name in args.only]
    if args.list:
        for m in catalogue:
            print(f"{m.name:26} {m.area:9} {m.what}")
        print(f"{len(catalogue)} mutations")
        return 0

    work = Path(tempfile.mkdtemp(prefix="upsample-mutations."))
    tree = work / "tree"
    try:
        copy_tree(tree)
        if args.check:
            problems = 0
            for m in catalogue:
                originals, problem = plant(tree, m)
                restore(originals)
                print(f"{m.name:26} {'ok' if problem is None else 'NOT PLANTABLE: ' + problem}")
                problems += problem is not None
            print(f"{len(catalogue) - problems} of {len(catalogue)} can be planted")
            return 1 if problems else 0

        print(f"mutations: building a copy in {tree}", flush=True)
        seconds, error = build(tree)
        if error:
            print(error, file=sys.stderr)
            raise SystemExit("mutations: the unchanged copy does not build")
        print(f"mutations: built in {seconds:.0f} s; kernels "
              f"{check_imports_from(tree, {})}", flush=True)

        # The unchanged copy must pass every test the mutations use, in each environment.
        baselines = collections.OrderedDict()
        for m in catalogue:
            key = tuple(sorted(m.env.items()))
            baselines.setdefault(key, set()).update(m.tests)
        for key, tests in baselines.items():
            status, first, spent = run_tests(tree, sorted(tests), dict(key), args.timeout)
            label = " ".join(f"{k}={v}" for k, v in key) or "default kernels"
            print(f"mutations: unchanged copy, {label}: {first.strip()} ({spent:.0f} s)",
                  flush=True)
            if status != 0:
                raise SystemExit("mutations: the tests fail without any mutation")

        # Python mutations first: the kernels are rebuilt only from the first kernel one on.
        order = sorted(catalogue, key=lambda m: m.area == "kernels")
        results = []
        kernels_dirty = False
        for m in order:
            originals, problem = plant(tree, m)
            if problem:
                results.append((m, "NOT PLANTED", problem, 0))
                print(f"{m.name:26} NOT PLANTED: {problem}", flush=True)
                continue
            touches_kernels = any(path.suffix in KERNEL_SUFFIXES for path in originals)
            try:
                if touches_kernels or kernels_dirty:
                    seconds, error = build(tree, force=True)
                    kernels_dirty = touches_kernels
                    if error:
                        # A mutation that does not compile proves nothing about the tests.
                        results.append((m, "NOT PLANTED", "does not build: " + error[-300:], 0))
                        print(f"{m.name:26} NOT PLANTED: does not build", flush=True)
                        continue
                status, first, spent = run_tests(tree, m.tests, m.env, args.timeout)
            finally:
                restore(originals)
            verdict = "caught" if status != 0 else "MISSED"
            results.append((m, verdict, first.strip(), spent))
            print(f"{m.name:26} {verdict:7} ({spent:4.0f} s) {first.strip()[:110]}", flush=True)

        caught = sum(1 for _, verdict, _, _ in results if verdict == "caught")
        print()
        for m, verdict, detail, _ in results:
            if verdict != "caught":
                print(f"{verdict}: {m.name} ({m.what}): {detail[:300]}")
        print(f"{caught} of {len(results)} caught")
        return 0 if caught == len(results) else 1
    finally:
        if args.keep:
            print(f"mutations: kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
