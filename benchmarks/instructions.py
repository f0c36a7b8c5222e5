"""Instructions executed in upsample's kernels per call: callgrind on x86, a QEMU plugin on arm64.

Timings on a shared 2-core VM move by 10-30 % from one run to the next, and
even two builds timed side by side need many interleaved repetitions to rank.
An instruction count does not move: the same build, data and call give the
same count whatever else the machine is doing. It is not a time (a cache
miss costs hundreds of cycles and counts as one instruction), so it ranks
changes to the arithmetic of a kernel, not to its memory traffic.

Each workload of the suite (workloads.py) runs in its own process, one thread,
and two calls are counted and halved.

On x86 (the default) callgrind counts with collection switched on only inside
the kernels' entry points (``--toggle-collect``): planning, table building and
allocation are left out; the entry points' argument checks (a few hundred
instructions per pass) are in.

On arm64 (``--arm64 ROOT``), under emulation: callgrind cannot run under
qemu-user, so qemu_count.c, a QEMU TCG plugin, counts the guest instructions
executed in the kernels' shared library (and in libgomp, and in libc and libm
when called from those) while the two calls run; the child names those address
ranges from /proc/self/maps. ROOT is an arm64 root with the package installed
in /opt/venv (or ``--venv``), as ``tools/arm64.sh --keep-root ROOT --no-tests``
leaves it. The same plugin runs on x86 too (``--counter qemu``), under
qemu-x86_64, so the two counters can be compared on one build: they differ by
the entry points' calls into Python and NumPy (a few hundred instructions per
pass), which the plugin leaves out. An emulator counts instructions, never
time: how fast the arm64 build runs on ARM hardware is not measured by this.

    python benchmarks/instructions.py                 # the whole suite (about 5 minutes)
    python benchmarks/instructions.py --only 500      # rows whose label contains "500"
    python benchmarks/instructions.py --kernels base  # the baseline (SSE2) kernels
    python benchmarks/instructions.py --kernels base --counter qemu   # the plugin on x86
    sudo tools/arm64.sh --keep-root /tmp/arm64-root --no-tests
    sudo python benchmarks/instructions.py --arm64 /tmp/arm64-root --json arm64.json
    python benchmarks/instructions.py --table x86.json base.json arm64.json  # side by side

Needs valgrind on PATH for callgrind (Debian: ``apt install valgrind``); the
plugin needs Debian's qemu-user (``apt install qemu-user``), gcc, and QEMU's
plugin header, which Debian ships only in the source package: it is taken from
``apt-get source qemu`` of the installed version (a 24 MB download, kept in
$UPSAMPLE_ARM64_CACHE, default /var/cache/upsample-arm64) unless
``--qemu-plugin-header`` names a copy.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

from workloads import WORKLOADS, workload_label

HERE = os.path.dirname(os.path.abspath(__file__))

# The child counts from its first line to its last: the same two calls for every
# counter. `mark` says where the calls begin and end, and which address ranges
# are the kernels', to the QEMU plugin; under callgrind it does nothing.
CHILD = """
import json
import sys
import numpy as np
import upsample
from workloads import make_input
shape, scale, mode, antialias, dtype, counter = eval(sys.argv[1])
mark = (lambda op: None) if counter == "callgrind" else qemu_marker()
x = make_input(shape, dtype)
out_dtype = x.dtype if x.dtype.kind in "iu" else None
mark("start")
for _ in range(2):
    upsample.upsample(x, scale, mode=mode, antialias=antialias, dtype=out_dtype, num_threads=1)
mark("stop")
import platform
print(json.dumps(dict(upsample.kernel_info(), machine=platform.machine()), default=str))
"""

# Must match UPS_MAGIC_SYSCALL and the operations in qemu_count.c.
QEMU_MARKER = """
def qemu_marker():
    import ctypes
    import os
    import upsample
    magic, operations = 0x7570, {"own": 1, "callee": 2, "start": 3, "stop": 4}
    syscall = ctypes.CDLL(None, use_errno=True).syscall
    def mark(operation, start=0, end=0):
        # No kernel has this system call: it returns ENOSYS, and the plugin sees it.
        syscall(ctypes.c_long(magic), ctypes.c_long(operations[operation]),
                ctypes.c_ulong(start), ctypes.c_ulong(end))
    kernels = sys.modules["upsample_c._kernels_" + upsample.kernel_info()["kernels"]]
    own_library = os.path.realpath(kernels.__file__)
    found = set()
    # Every mapping of the files: QEMU shows its guest's code mappings as r--p.
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            if len(fields) < 6:
                continue
            start, end = (int(value, 16) for value in fields[0].split("-"))
            name = os.path.basename(fields[5])
            if os.path.realpath(fields[5]) == own_library or name.startswith("libgomp"):
                mark("own", start, end)
                found.add("kernels" if name.startswith("_kernels") else "libgomp")
            elif name.startswith(("libc.so", "libm.so", "ld-linux")):
                mark("callee", start, end)
    if "kernels" not in found:
        raise SystemExit(f"the kernels' library {own_library} is not in /proc/self/maps")
    return mark
"""

# The kernels' Python entry points (Cython's wrappers): one call each per pass,
# never nested in one another, so toggling collection on them counts whole
# passes, serial or parallel.
ENTRY_POINTS = "__pyx_pw_10upsample_c_*_kernels_*"

# Where the arm64 root gets the plugin, the emulator and the emulator's x86-64
# libraries (the root's own are arm64; the loader is run by its path, so they
# are found there and nowhere else).
ROOT_TOOLS = "/opt/upsample-count"


def child_code(counter):
    """The child's source for one counter."""
    return (QEMU_MARKER if counter != "callgrind" else "") + CHILD


def cache_dir():
    """Where the plugin's header and build are kept between runs."""
    return os.path.join(os.environ.get("UPSAMPLE_ARM64_CACHE", "/var/cache/upsample-arm64"),
                        "qemu-plugin")


def qemu_source_version():
    """The Debian source version of the installed qemu-user, e.g. 1:7.2+dfsg-7+deb12u18."""
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f", "${source:Version}", "qemu-user"],
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        sys.exit("Debian's qemu-user is not installed (apt-get install qemu-user): "
                 "qemu-user-static cannot load plugins")
    return out


def fetch_plugin_header(version, directory):
    """qemu-plugin.h from Debian's source package of `version`, into `directory`.

    Debian ships the header in no binary package. The source is fetched with a
    sources list of this run's own (deb-src lines for the host's release), so the
    system's apt configuration is left as it is.
    """
    with open("/etc/os-release") as f:
        codename = re.search(r"^VERSION_CODENAME=(\w+)", f.read(), re.MULTILINE).group(1)
    with tempfile.TemporaryDirectory() as tmp:
        sources = os.path.join(tmp, "sources.list")
        with open(sources, "w") as f:
            for suite, url in [(codename, "http://deb.debian.org/debian"),
                               (codename + "-updates", "http://deb.debian.org/debian"),
                               (codename + "-security", "http://deb.debian.org/debian-security")]:
                f.write(f"deb-src {url} {suite} main\n")
        os.makedirs(os.path.join(tmp, "lists", "partial"))
        options = ["-o", f"Dir::Etc::SourceList={sources}", "-o", "Dir::Etc::SourceParts=/dev/null",
                   "-o", f"Dir::State::Lists={tmp}/lists"]
        subprocess.run(["apt-get", *options, "-q", "update"], check=True,
                       stdout=subprocess.DEVNULL)
        upstream = version.split(":")[-1].rsplit("-", 1)[0]
        subprocess.run(["apt-get", *options, "-q", "source", "--download-only",
                        f"qemu={version}"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        orig = os.path.join(tmp, f"qemu_{upstream}.orig.tar.xz")
        with tarfile.open(orig) as archive:
            member = next(m for m in archive.getmembers()
                          if m.name.endswith("/include/qemu/qemu-plugin.h"))
            with archive.extractfile(member) as src, \
                    open(os.path.join(directory, "qemu-plugin.h"), "wb") as dst:
                shutil.copyfileobj(src, dst)


def build_plugin(header):
    """The plugin's shared library, built once per qemu-user version (or given header)."""
    version = qemu_source_version()
    directory = os.path.join(cache_dir(), re.sub(r"[^\w.+-]", "_", version))
    os.makedirs(directory, exist_ok=True)
    if header:
        shutil.copyfile(header, os.path.join(directory, "qemu-plugin.h"))
    elif not os.path.exists(os.path.join(directory, "qemu-plugin.h")):
        print(f"fetching qemu-plugin.h from Debian's source of qemu {version}", file=sys.stderr)
        fetch_plugin_header(version, directory)
    library = os.path.join(directory, "qemu_count.so")
    source = os.path.join(HERE, "qemu_count.c")
    subprocess.run(["gcc", "-O2", "-Wall", "-Werror", "-Wno-unused-parameter", "-shared",
                    "-fPIC", "-I", directory, source, "-o", library], check=True)
    return library


def copy_with_libraries(executable, destination):
    """Copy an x86-64 executable, its loader and every library it needs (ldd) into `destination`."""
    os.makedirs(destination, exist_ok=True)
    shutil.copy(executable, destination)
    loader = None
    for line in subprocess.run(["ldd", executable], capture_output=True, text=True,
                               check=True).stdout.splitlines():
        path = re.search(r"(/\S+)", line)
        if path is None:
            continue
        if "=>" not in line:
            loader = path.group(1)
        shutil.copy(os.path.realpath(path.group(1)),
                    os.path.join(destination, os.path.basename(path.group(1))))
    return os.path.basename(loader)


class Counter:
    """Runs the child under one counter and returns instructions per call."""

    def __init__(self, args):
        self.kind = "qemu" if args.arm64 else args.counter
        self.kernels = args.kernels
        self.root = os.path.realpath(args.arm64) if args.arm64 else None
        if self.kind == "callgrind":
            if shutil.which("valgrind") is None:
                sys.exit("valgrind is not installed")
            return
        plugin = build_plugin(args.qemu_plugin_header)
        if self.root is None:
            emulator = shutil.which("qemu-x86_64")
            if emulator is None:
                sys.exit("qemu-x86_64 is not installed (apt-get install qemu-user)")
            self.prefix = [emulator, "-plugin", f"{plugin},outfile={{out}}"]
            return
        self.python = args.venv.rstrip("/") + "/bin/python"
        python = self.root + self.python
        if not os.path.exists(python):
            sys.exit(f"{python} is missing: make the root with "
                     f"tools/arm64.sh --keep-root {args.arm64} --no-tests")
        emulator = shutil.which("qemu-aarch64")
        if emulator is None:
            sys.exit("qemu-aarch64 is not installed (apt-get install qemu-user)")
        tools = self.root + ROOT_TOOLS
        loader = copy_with_libraries(emulator, tools)
        shutil.copy(plugin, tools)
        shutil.copy(os.path.join(HERE, "workloads.py"), tools)
        self.prefix = [f"{ROOT_TOOLS}/{loader}", "--library-path", ROOT_TOOLS,
                       f"{ROOT_TOOLS}/qemu-aarch64", "-plugin",
                       f"{ROOT_TOOLS}/qemu_count.so,outfile={{out}}"]

    def count(self, case):
        """(instructions per call, the child's kernel_info()) for one workload case."""
        code = child_code(self.kind)
        environment = {"UPSAMPLE_KERNELS": self.kernels, "UPSAMPLE_NUM_THREADS": "1",
                       "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
        if self.root is not None:
            with tempfile.TemporaryDirectory(dir=self.root + "/tmp") as tmp:
                inside = "/tmp/" + os.path.basename(tmp)
                out = f"{inside}/count.out"
                # The child's own /proc (QEMU and the child read /proc/self/maps), in a
                # mount namespace of its own: nothing to unmount, whatever else runs
                # in the root.
                command = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                           'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"',
                           self.root, "/usr/bin/env", "-i", "HOME=/root",
                           "PATH=/usr/bin:/bin", "LANG=C.UTF-8", f"PYTHONPATH={ROOT_TOOLS}",
                           *(f"{k}={v}" for k, v in environment.items()),
                           *(part.format(out=out) for part in self.prefix),
                           self.python, "-c", code, repr(case)]
                info = self._run(command, None, "/")
                with open(self.root + out) as f:
                    total = int(f.read().split()[1])
            return total // 2, info
        env = dict(os.environ, **environment)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [HERE, env.get("PYTHONPATH")]))
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "count.out")
            if self.kind == "callgrind":
                prefix = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                          "--collect-atstart=no", f"--toggle-collect={ENTRY_POINTS}"]
            else:
                prefix = [part.format(out=out) for part in self.prefix]
            # Run outside the source tree: "python -c" puts the working directory
            # first on sys.path, which would import the sources next to it.
            info = self._run([*prefix, sys.executable, "-c", code, repr(case)], env, tmp)
            with open(out) as f:
                text = f.read()
        if self.kind == "callgrind":
            total = int(re.search(r"^totals:\s+(\d+)", text, re.MULTILINE).group(1))
        else:
            total = int(text.split()[1])
        return total // 2, info

    def _run(self, command, env, cwd):
        result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True,
                                timeout=3600)
        if result.returncode != 0:
            sys.exit(f"the counting child failed ({result.returncode}):\n{result.stderr[-3000:]}")
        info = json.loads(result.stdout.strip().splitlines()[-1])
        if info["kernels"] != self.kernels:
            sys.exit(f"asked for the {self.kernels} kernels, the child ran {info['kernels']}")
        return info


def output_elements(shape, scale):
    """Elements of the output of one workload (outer and channel axes unscaled)."""
    elements = shape[0] * shape[-1]
    for n in shape[1:-1]:
        elements *= int(scale * n)
    return elements


def run_suite(args):
    """Count every selected workload and print the table; return the rows."""
    counter = Counter(args)
    rows = []
    info = None
    for shape, scale, modes, antialias, dtype in WORKLOADS:
        label = workload_label(shape, scale, antialias, dtype)
        if args.only not in label:
            continue
        elements = output_elements(shape, scale)
        for mode in modes:
            n, info = counter.count((shape, scale, mode, antialias, dtype, counter.kind))
            if not rows:
                print(f"Kernel instructions per call ({describe(info, counter.kind)}, "
                      "1 thread)\n")
                print("| workload | mode | output elements | instructions (M) "
                      "| per output element |")
                print("|---|---|---:|---:|---:|")
            rows.append({"workload": label, "mode": mode, "elements": elements,
                         "instructions": n})
            print(f"| {label} | {mode} | {elements:,} | {n / 1e6:.1f} "
                  f"| {n / elements:.2f} |", flush=True)
    return {"label": describe(info, counter.kind), "kernel_info": info, "rows": rows}


def describe(info, counter):
    """A column heading: machine, kernels (and SIMD paths where kernel_info says), counter."""
    machine = {"x86_64": "x86-64", "aarch64": "arm64"}.get(info["machine"], info["machine"])
    simd = f", {info['simd']}" if info.get("simd") else ""
    return f"{machine} {info['kernels']}{simd} ({counter})"


def print_table(paths):
    """Instructions per output element side by side, one column per JSON of --json."""
    runs = []
    for path in paths:
        with open(path) as f:
            runs.append(json.load(f))
    keys = []
    for run in runs:
        for row in run["rows"]:
            if (row["workload"], row["mode"]) not in keys:
                keys.append((row["workload"], row["mode"]))
    print("Kernel instructions per output element (1 thread)\n")
    print("| workload | mode | " + " | ".join(run["label"] for run in runs) + " |")
    print("|---|---|" + "---:|" * len(runs))
    for key in keys:
        cells = []
        for run in runs:
            row = next((r for r in run["rows"] if (r["workload"], r["mode"]) == key), None)
            cells.append("-" if row is None else f"{row['instructions'] / row['elements']:.2f}")
        print(f"| {key[0]} | {key[1]} | " + " | ".join(cells) + " |")


def main():
    """Parse the command line; count the suite, or print the table of saved counts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="run only rows whose label contains this")
    parser.add_argument("--kernels", default=None, choices=("avx2", "base"),
                        help="UPSAMPLE_KERNELS for the child (default: avx2 on x86, "
                             "base on arm64, whose NEON paths live in the base build: "
                             "kernel_info()['simd']); the child fails if it runs others")
    parser.add_argument("--counter", default="callgrind", choices=("callgrind", "qemu"),
                        help="on x86: callgrind, or the QEMU plugin under qemu-x86_64")
    parser.add_argument("--arm64", metavar="ROOT",
                        help="count on arm64, in ROOT (tools/arm64.sh --keep-root ROOT)")
    parser.add_argument("--venv", default="/opt/venv",
                        help="with --arm64: the venv in ROOT that has the package")
    parser.add_argument("--qemu-plugin-header", metavar="PATH",
                        help="QEMU's qemu-plugin.h, instead of Debian's qemu source package")
    parser.add_argument("--json", metavar="PATH", help="also write the counts here")
    parser.add_argument("--table", nargs="+", metavar="JSON",
                        help="print saved counts side by side, per output element")
    args = parser.parse_args()
    if args.table:
        print_table(args.table)
        return
    if args.kernels is None:
        args.kernels = "base" if args.arm64 else "avx2"
    result = run_suite(args)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
