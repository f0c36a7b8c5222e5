"""Where two threads start to pay under OMP_WAIT_POLICY=PASSIVE: the small-job limit.

Below ``upsample_c._threads.PASSIVE_SERIAL_WORK_LIMIT`` a job runs on one thread
whatever was asked. For the sweep's image jobs (sweep.py's grid) whose work lies between the
limit without PASSIVE (SERIAL_WORK_LIMIT) and ``--max-work``, this times each job
asked for 2 threads with the limit set so that it runs on one and on two,
interleaved, records the work the planners gave it, and then prints, for candidate limits, how the jobs
would fare: the mean of (time under that limit / best of the two), how many
would run on two threads, how many of those lose more than 5 % by it, and how
many left on one thread would gain more than 15 %.

    python benchmarks/thread_limit.py --json limit.json   # about 4 minutes quiet
    python benchmarks/thread_limit.py --max-work 8e6  # a wider band
    python benchmarks/thread_limit.py --from-json limit.json   # the table again
"""

import argparse
import json
import math
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import upsample  # noqa: E402
import upsample_c  # noqa: E402
import upsample_c._threads as threads_module  # noqa: E402
from compare import machine_description, make_upsample  # noqa: E402
from sweep import SIZES, grid, label, make_input  # noqa: E402

CANDIDATES = (1 << 22, 1 << 21, 3 << 19, 1 << 20, 3 << 18, 1 << 19)


def planned_work(x, scale, mode):
    """The largest work any pass of the call reports to effective_num_threads."""
    seen = []
    real = upsample_c.effective_num_threads
    modules = [m for n, m in sys.modules.items()
               if n.startswith("upsample.") and getattr(m, "effective_num_threads", None) is real]
    upsample.clear_caches()
    for module in modules:
        module.effective_num_threads = lambda requested, work: seen.append(work) or 1
    try:
        make_upsample(x, scale, mode, False, 2)()
    finally:
        for module in modules:
            module.effective_num_threads = real
        upsample.clear_caches()
    return max(seen, default=0)


def measure(args):
    default_limit = threads_module.PASSIVE_SERIAL_WORK_LIMIT
    records = []
    for (size, channels, dtype, scale, mode), _family in grid(None, 0, False):
        x = make_input(size, channels, dtype)
        work = planned_work(x, scale, mode)
        if work >= args.max_work or work < threads_module.SERIAL_WORK_LIMIT:
            continue
        call = make_upsample(x, scale, mode, False, 2)

        def under(limit):
            def run():
                threads_module.PASSIVE_SERIAL_WORK_LIMIT = limit
                start = time.perf_counter()
                call()
                return time.perf_counter() - start
            return run

        variants = {"one": under(1 << 62), "two": under(0)}
        samples = {name: [] for name in variants}
        for name in variants:
            variants[name]()
        for rep in range(args.repeats):
            for name in (("one", "two") if rep % 2 else ("two", "one")):
                samples[name].append(variants[name]())
        threads_module.PASSIVE_SERIAL_WORK_LIMIT = default_limit
        one, two = (1e3 * statistics.median(samples[name]) for name in ("one", "two"))
        record = {"job": label((size, channels, dtype, scale, mode)), "work": work,
                  "one_ms": one, "two_ms": two}
        records.append(record)
        print(f"| {record['job']} | {work / 1e6:.2f} | {one:.3f} | {two:.3f} | {two / one:.2f} |",
              flush=True)
    return {"machine": machine_description(), "limit": default_limit, "records": records}


def report(saved):
    records = saved["records"]
    print(f"\n{len(records)} jobs; the rule's limit here: {saved['limit']:,}; {saved['machine']}")
    print("| limit | mean time / best | on two threads | slower by > 5 % | "
          "left on one, > 15 % to gain |")
    print("|---:|---:|---:|---:|---:|")
    for limit in CANDIDATES:
        total, two, lost, missed = 0.0, 0, 0, 0
        for r in records:
            uses_two = r["work"] >= limit
            taken = r["two_ms"] if uses_two else r["one_ms"]
            total += taken / min(r["one_ms"], r["two_ms"])
            two += uses_two
            lost += uses_two and r["two_ms"] > 1.05 * r["one_ms"]
            missed += (not uses_two) and r["two_ms"] < 0.85 * r["one_ms"]
        print(f"| {limit:,} | {total / max(1, len(records)):.3f} | {two} | {lost} | {missed} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-work", type=float, default=4 << 20)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--json", default=None, help="save the measurements here")
    parser.add_argument("--from-json", default=None, help="report saved measurements")
    args = parser.parse_args()
    if args.from_json:
        with open(args.from_json) as f:
            saved = json.load(f)
    else:
        print("| job | work (M) | one thread ms | two threads ms | two / one |")
        print("|---|---:|---:|---:|---:|")
        saved = measure(args)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(saved, f, indent=1)
    report(saved)


if __name__ == "__main__":
    main()
