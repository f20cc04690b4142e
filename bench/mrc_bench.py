#!/usr/bin/env python3
"""`vmsim mrc` beside `vmsim paging`: exactness, cost and SHARDS accuracy (release build).

  equal: the exact LRU curve of each real trace (the /bin/true Lackey fixture and the bundled
         sort workload) equals `vmsim paging --policy lru` at every size from 1 frame to the
         number of distinct pages.
  perf:  on synthetic oracleGeneral Zipf traces, the CPU time (user + system, best of --repeat) of
         the exact curve over all sizes against one `vmsim paging --policy lru` run at one size
         (target: at most 3x), and of SHARDS at rate 0.01 against the exact curve (target: at
         least 10x faster), with SHARDS' mean absolute error in miss ratio against the exact curve
         at the sampled curve's sizes (target: under 0.005). Fixed-size SHARDS is shown too.

Run through bench/mrc.sh, which builds vmsim in release mode and installs numpy in bench/.venv.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from paging_vs_libcachesim import zipf_trace  # noqa: E402


def run(cmd):
    """stdout, wall seconds and CPU seconds (user + system) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return out, wall, cpu


def best(cmd, repeat):
    runs = [run(cmd) for _ in range(repeat)]
    return runs[0][0], min(r[1] for r in runs), min(r[2] for r in runs)


def curve(csv_text):
    rows = csv_text.strip().split("\n")[1:]
    return {int(f): (int(m), float(r)) for f, m, r in (row.split(",") for row in rows)}


def equal(args):
    failures = 0
    for trace in args.real_traces:
        exact = curve(run([args.vmsim, "mrc", trace, "--csv"])[0])
        sizes = sorted(exact)
        out = run([args.vmsim, "paging", trace, "--policy", "lru", "--frames", ",".join(map(str, sizes)), "--json"])[0]
        lru = {r["frames"]: r["misses"] for r in json.loads(out)["results"]}
        diff = sum(exact[s][0] != lru[s] for s in sizes)
        failures += diff
        print(f"{os.path.basename(trace)}: {len(sizes)} sizes, exact curve vs vmsim paging --policy lru: "
              f"{diff} differ")
    print("OK: the curves equal LRU at every size" if failures == 0 else f"FAIL: {failures} sizes differ")
    return 1 if failures else 0


def perf(args):
    status = 0
    for alpha, ranks in [(1.0, 2_000_000), (0.8, 1_000_000)]:
        trace = os.path.join(args.workdir, f"mrc-zipf{alpha}.oracleGeneral")
        distinct = zipf_trace(trace, args.requests, ranks, alpha, args.seed)
        print(f"\n{args.requests:,} Zipf({alpha}) requests over {ranks:,} ranks, {distinct:,} distinct pages "
              f"(best of {args.repeat}; CPU = user + system of the whole process; wall in brackets)")
        exact_out, exact_wall, exact_cpu = best([args.vmsim, "mrc", trace, "--csv"], args.repeat)
        exact = curve(exact_out)
        print(f"  exact curve, {len(exact):,} sizes: {exact_cpu:.2f} s CPU [{exact_wall:.2f} s]")
        for frames in [10_000, 200_000]:
            _, wall, cpu = best([args.vmsim, "paging", trace, "--policy", "lru", "--frames", str(frames), "--csv"],
                                args.repeat)
            ratio = exact_cpu / cpu
            verdict = "OK" if ratio <= 3 else "ABOVE TARGET"
            status |= ratio > 3
            print(f"  one LRU run at {frames:,} frames: {cpu:.2f} s CPU [{wall:.2f} s]; "
                  f"exact curve / one run = {ratio:.2f}x (target <= 3x) {verdict}")
        for sample in ["shards:0.01", "shards-fixed:32768"]:
            out, wall, cpu = best([args.vmsim, "mrc", trace, "--sample", sample, "--csv"], args.repeat)
            est = curve(out)
            sizes = [s for s in est if s in exact]
            mae = sum(abs(est[s][1] - exact[s][1]) for s in sizes) / len(sizes)
            speedup = exact_cpu / cpu
            line = (f"  {sample}: {cpu:.3f} s CPU [{wall:.3f} s], {speedup:.1f}x faster than exact; "
                    f"mean absolute error {mae:.5f} over {len(sizes):,} sizes")
            if sample == "shards:0.01":
                ok = speedup >= 10 and mae < 0.005
                status |= not ok
                line += " (targets >= 10x, < 0.005) " + ("OK" if ok else "BELOW TARGET")
            print(line)
    return status


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["equal", "perf"])
    p.add_argument("--vmsim", required=True)
    p.add_argument("--workdir", default="/tmp")
    p.add_argument("--requests", type=int, default=10_000_000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--real-traces", nargs="*")
    args = p.parse_args()
    sys.exit(equal(args) if args.mode == "equal" else perf(args))


if __name__ == "__main__":
    main()
