"""Write tests/data/references.npz: the outputs every build must reproduce bit for bit.

    python tools/make_references.py            # with the AVX2 build installed

Runs every case of tests/reference_cases.py through the installed package, which must be
the AVX2 build (the references are its outputs; tests/test_same_bits.py then requires every
other build, the baseline one and arm64 included, to give the same bits). Stored per case:
the digest of its input (so that a change of the inputs is told apart from a change of the
results), the output's dtype, shape and digest, and the output itself (whole when small,
else evenly spaced samples). The entry point paths the cases reached are printed, and the
script fails if a kernel path the AVX2 build has is missing from them, so that the file
keeps covering every path when the planners change.
"""

import argparse
import collections
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import reference_cases  # noqa: E402
from same_bits import tallied  # noqa: E402

DEFAULT_OUT = os.path.join(HERE, "..", "tests", "data", "references.npz")

# Substrings of entry point paths (see same_bits.EntryTally) that the cases must reach in
# the AVX2 build: every pass family with its variants.
REQUIRED_PATHS = [
    "planar_pass dtype=float32 width_first=True row_tiles=True",
    "planar_pass dtype=float32 width_first=False row_tiles=True",
    "planar_pass dtype=float32 width_first=True row_tiles=False doubling=True",
    "planar_pass dtype=float32 width_first=False row_tiles=False doubling=False wide=True",
    "planar_pass dtype=float64 width_first=True",
    "planar_pass dtype=float64 width_first=False",
    "planar_pass_uint8 width_first=True row_tiles=True",
    "planar_pass_uint8 width_first=False row_tiles=True",
    "planar_pass_uint8 width_first=True row_tiles=False doubling=True",
    # RGB and RGBA rows resampled from their bytes (ups_uint8_pixels.h), float32 RGB rows
    # four lanes at a time (ups_three_pixels.h).
    "planar_pass_uint8 width_first=True row_tiles=False doubling=False channels=3",
    "planar_pass_uint8 width_first=True row_tiles=False doubling=False channels=4",
    "planar_pass dtype=float32 width_first=True row_tiles=False doubling=False wide=False "
    "channels=3",
    "horizontal_pass dtype=float32 doubling=False channels=3",
    "stream=True",
    "threads=2",
    "halve_pass dtype=float32",
    "halve_pass dtype=uint8",
    "horizontal_pass dtype=float32 doubling=True channels=3",
    "horizontal_pass dtype=float32 doubling=False channels=8",
    "volume_pass dtype=float32 row_tiles=True",
    "volume_pass dtype=float32 row_tiles=False doubling=True",
    "vertical_pass dtype=float32",
    "vertical_pass dtype=float64",
    "round_to_uint8",
    "gather_nearest",
]


def build(out):
    """Run every case and write the file; return the number of cases."""
    import upsample_c

    if upsample_c.kernel_build != "avx2":
        raise SystemExit(f"the references are the AVX2 build's outputs; this runs the "
                         f"{upsample_c.kernel_build} kernels (unset UPSAMPLE_KERNELS, on a "
                         f"CPU with AVX2 and FMA)")
    cases = reference_cases.all_cases()
    summaries, arrays, reached = [], {}, collections.Counter()
    start = time.perf_counter()
    with tallied() as tally:
        for number, case in enumerate(cases):
            before = collections.Counter(tally.counts)
            array, result = reference_cases.run_case(case)
            summary, kept = reference_cases.record(case, array, result)
            summaries.append(dict(summary, name=case["name"]))
            arrays[f"case{number:04d}"] = kept
            reached.update(tally.counts - before)
    seconds = time.perf_counter() - start
    missing = [path for path in REQUIRED_PATHS if not any(path in found for found in reached)]
    for path, count in sorted(reached.items()):
        print(f"{count:5d}  {path}")
    if missing:
        raise SystemExit(f"no case reaches {missing}: add cases to tests/reference_cases.py")
    meta = {"cases": summaries, "calls": cases,
            "made_with": {"kernels": upsample_c.kernel_build, "numpy": np.__version__}}
    os.makedirs(os.path.dirname(out), exist_ok=True)
    np.savez_compressed(out, meta=np.frombuffer(reference_cases.dumps(meta).encode(), np.uint8),
                        **arrays)
    print(f"{len(cases)} cases ({sum(s['whole'] for s in summaries)} stored whole) in "
          f"{seconds:.1f} s, {len(reached)} entry point paths; wrote {out} "
          f"({os.path.getsize(out) / 1e6:.2f} MB)")
    return len(cases)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=DEFAULT_OUT, help="where to write (default: %(default)s)")
    args = parser.parse_args(argv)
    build(os.path.normpath(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
