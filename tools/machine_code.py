"""Compare the machine code of two builds of a kernel module, function by function.

A change that should leave the compiled kernels alone (a rename, a header moved, an
instruction set added behind its own macros) can be checked here: each function of the
two shared objects is disassembled with ``objdump``, addresses, immediate offsets and
the numbers Cython and GCC put into names (``__pyx_pw_..._7planar_pass``,
``.isra.0``) are blanked out, and the functions are matched by name:

    python tools/machine_code.py OLD/_kernels_avx2.so NEW/_kernels_avx2.so
    python tools/machine_code.py OLD.so NEW.so --rename ups_combine_avx2=ups_combine_vec

It prints each function that differs (its instruction counts before and after; with
``--show``, a diff) and a total. The kernels proper are the ``nogil`` chunk functions and
the OpenMP bodies (``_omp_fn``); the Python wrappers (``__pyx_pw_``) and module set-up
change whenever a docstring, a message or a new entry point does. The exit status is 1
when a function outside those wrappers and the module set-up differs.
"""

import argparse
import collections
import difflib
import re
import subprocess
import sys

# Functions whose code follows the Python-facing surface (messages, docstrings, the
# list of entry points) rather than the kernels.
WRAPPER = re.compile(r"^(__pyx_pw_|__pyx_pymod_|__Pyx_|PyInit_|__pyx_module_)|@plt$")


def _normalise_name(name, renames):
    name = re.sub(r"\.(isra|part|constprop|cold)\.\d+", "", name)
    # Cython numbers the entry points in order of definition: a new one renumbers the rest.
    name = re.sub(r"(__pyx_p[fw]_\d+upsample_c_\d+_kernels_\w+?_)\d+", r"\1", name)
    name = re.sub(r"\.\d+$", "", name)  # static locals, numbered by GCC
    for old, new in renames:
        name = name.replace(old, new)
    return name


def functions(path, renames):
    """{normalised function name: [normalised instructions]} of the shared object at path."""
    listing = subprocess.run(["objdump", "-d", "--no-show-raw-insn", path], check=True,
                             capture_output=True, text=True).stdout
    result = collections.OrderedDict()
    current = None
    for line in listing.splitlines():
        header = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
        if header:
            current = _normalise_name(header.group(1), renames)
            result[current] = []
            continue
        if current is None or "\t" not in line:
            continue
        text = line.split("\t", 1)[1]
        text = re.sub(r"0x[0-9a-f]+", "X", text)
        text = re.sub(r"\b[0-9a-f]{3,}\b", "A", text)
        text = re.sub(r"<([^>+]*)(\+X)?>",
                      lambda m: "<" + _normalise_name(m.group(1), renames) + ">", text)
        result[current].append(text)
    return result


def main(argv=None):
    """Compare two shared objects; print what differs; return 1 if a kernel does."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--rename", action="append", default=[], metavar="OLD=NEW",
                        help="a function renamed between the builds (may repeat)")
    parser.add_argument("--show", action="store_true", help="print a diff of each difference")
    args = parser.parse_args(argv)
    renames = []
    for item in args.rename:
        if "=" not in item:
            raise ValueError(f"--rename takes OLD=NEW, got {item!r}")
        renames.append(tuple(item.split("=", 1)))
    old, new = functions(args.old, renames), functions(args.new, renames)
    same = kernels_differ = 0
    for name in sorted(set(old) | set(new)):
        wrapper = bool(WRAPPER.search(name))
        if name not in old or name not in new:
            where = "old" if name in old else "new"
            print(f"only in {where}: {name} ({len((old if name in old else new)[name])} "
                  f"instructions){'' if wrapper else '  <- kernel'}")
            kernels_differ += not wrapper
        elif old[name] == new[name]:
            same += 1
        else:
            print(f"differs: {name} ({len(old[name])} -> {len(new[name])} instructions)"
                  f"{'' if wrapper else '  <- kernel'}")
            kernels_differ += not wrapper
            if args.show:
                for line in difflib.unified_diff(old[name], new[name], lineterm="", n=1):
                    print("   ", line)
    print(f"{same} functions identical; {kernels_differ} outside the Python wrappers and "
          f"module set-up differ; instructions {sum(map(len, old.values()))} -> "
          f"{sum(map(len, new.values()))}")
    return 1 if kernels_differ else 0


if __name__ == "__main__":
    sys.exit(main())
