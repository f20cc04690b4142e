#!/usr/bin/env python3
"""Run VMSim's `vmsim paging` beside libCacheSim on the same oracleGeneral trace.

  check: a Zipf trace; every policy libCacheSim also has (FIFO, LRU, Clock 1- and 2-bit, Belady,
         ARC, TwoQ, S3FIFO, Sieve, LFU, LRUK, LIRS, ClockPro) at several cache sizes; `vmsim paging`
         on the same file at the same sizes. Fails unless every miss count is identical, except the
         documented variants (MIN_FRAMES, EXPLAINED below), whose differences are printed.
  perf:  the 10-million-request Zipf trace (about 1 million distinct pages); every shared policy at
         10,000 and 200,000 frames. Times libCacheSim's C `process_trace` and the whole `vmsim paging`
         process (best of --repeat runs each), prints both rates and the ratio, and fails unless
         every ratio reaches --target (2x).

Run through bench/libcachesim.sh, which installs libcachesim and numpy in bench/.venv and builds
vmsim in release mode.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import libcachesim as lcs


def zipf_trace(path, requests, ranks, alpha, seed):
    """Writes `requests` Zipf(alpha) draws over `ranks` objects as oracleGeneral records
    (u32 time, u64 id, u32 size=1, i64 next_access_vtime, 1-based like libCacheSim's traceConv, -1
    for none). Object ids are a random permutation of the ranks, so hot ids are not adjacent."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, ranks + 1, dtype=np.float64) ** alpha
    cdf = np.cumsum(weights)
    draws = np.searchsorted(cdf, rng.random(requests) * cdf[-1], side="right")
    ids = rng.permutation(ranks).astype(np.uint64)[np.minimum(draws, ranks - 1)] + 1
    order = np.argsort(ids, kind="stable")
    next_access = np.full(requests, -1, dtype=np.int64)
    same = ids[order[1:]] == ids[order[:-1]]
    next_access[order[:-1][same]] = order[1:][same] + 1
    record = np.dtype([("time", "<u4"), ("id", "<u8"), ("size", "<u4"), ("next", "<i8")])
    records = np.empty(requests, dtype=record)
    records["time"] = np.arange(requests, dtype=np.uint32)
    records["id"] = ids
    records["size"] = 1
    records["next"] = next_access
    records.tofile(path)
    return int(np.unique(ids).size)


LCS_POLICIES = {
    "fifo": lambda n: lcs.FIFO(cache_size=n),
    "lru": lambda n: lcs.LRU(cache_size=n),
    "clock": lambda n: lcs.Clock(cache_size=n),
    "clock:2": lambda n: lcs.Clock(cache_size=n, n_bit_counter=2),
    "opt": lambda n: lcs.Belady(cache_size=n),
    "arc": lambda n: lcs.ARC(cache_size=n),
    "2q": lambda n: lcs.TwoQ(cache_size=n),
    "s3-fifo": lambda n: lcs.S3FIFO(cache_size=n),
    "sieve": lambda n: lcs.Sieve(cache_size=n),
    "lfu": lambda n: lcs.LFU(cache_size=n),
    "lru-k": lambda n: lcs.LRUK(cache_size=n, k=2),
    "lirs": lambda n: lcs.LIRS(cache_size=n),
    "clock-pro": lambda n: lcs.ClockPro(cache_size=n),
}

# Sizes below which a policy is left out of the check, because libCacheSim's implementation
# degenerates there and VMSim documents a different choice (see the policy's doc comment):
#   2q       libCacheSim's A1in gets floor(frames / 4) frames and it admits nothing when that is 0
#            (every reference misses below 4 frames); VMSim gives A1in at least 1 frame.
#   s3-fifo  libCacheSim's small queue gets floor(frames / 10) frames and admits a new page only when
#            it has 2 or more (nothing is cached below 20 frames; it aborts below 10); VMSim gives S
#            at least 1 frame.
MIN_FRAMES = {"2q": 4, "s3-fifo": 20, "lirs": 2}

# Policies whose libCacheSim implementation departs from the published algorithm that VMSim follows;
# the check prints their differences but does not fail on them. Each is explained in the policy's
# doc comment (Sources/VMSim/Replacement/) and here:
#   lirs       libCacheSim's LIRS.c: a hit on a resident HIR page that is not in stack S calls
#              evictLIR while the LIR set is full (hit_RD_HIRinQ), which demotes a LIR page into Q
#              and so evicts the page at Q's front on a hit (with Lhirs = 1 the page just hit); a miss
#              on a non-resident HIR page in S demotes a LIR page in LIRS_can_insert and another in
#              LIRS_evict. The paper demotes nothing on the first and one page on the second. The
#              difference is under 0.1% of the misses at 4 to 20,000 frames on the check trace.
#   clock-pro  libCacheSim's ClockPro.c (2025) refuses to admit a page while its resident cold pages
#              fill their target (ClockPro_can_insert), so a miss often loads nothing, which the paper
#              does not do; its miss counts are far above the paper's algorithm (and above LRU).
EXPLAINED = {"lirs", "clock-pro"}


def libcachesim_run(trace, policy, frames):
    """Misses and seconds of libCacheSim's process_trace (reader set-up excluded)."""
    reader = lcs.TraceReader(trace=trace, trace_type=lcs.TraceType.ORACLE_GENERAL_TRACE)
    cache = LCS_POLICIES[policy](frames)
    start = time.perf_counter()
    miss_ratio, _ = cache.process_trace(reader)
    seconds = time.perf_counter() - start
    return round(miss_ratio * reader.n_total_req), seconds, reader.n_total_req


def vmsim_run(vmsim, trace, policies, frames):
    """Results of one `vmsim paging --json` run and its wall-clock seconds (whole process)."""
    cmd = [vmsim, "paging", trace, "--format", "oracle-general", "--policy", ",".join(policies),
           "--frames", ",".join(map(str, frames)), "--json"]
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    seconds = time.perf_counter() - start
    return json.loads(out)["results"], seconds


def check(args):
    trace = os.path.join(args.workdir, "check.oracleGeneral")
    distinct = zipf_trace(trace, args.requests, args.ranks, args.alpha, args.seed)
    print(f"check: {args.requests:,} Zipf({args.alpha}) requests, {distinct:,} distinct pages -> {trace}")
    sizes = [int(x) for x in args.frames.split(",")]
    policies = args.policies.split(",") if args.policies else list(LCS_POLICIES)
    results, _ = vmsim_run(args.vmsim, trace, policies, sizes)
    ours = {(r["policy"], r["frames"]): r["misses"] for r in results}
    failures = 0
    print(f"{'policy':10} {'frames':>8} {'libCacheSim':>12} {'VMSim':>12} {'diff':>6}")
    for policy in policies:
        for frames in sizes:
            mine = ours[(policy, frames)]
            if frames < MIN_FRAMES.get(policy, 0):
                print(f"{policy:10} {frames:>8} {'-':>12} {mine:>12,} {'-':>6}  (documented variant below {MIN_FRAMES[policy]} frames)")
                continue
            theirs, _, _ = libcachesim_run(trace, policy, frames)
            diff = mine - theirs
            note = ""
            if diff != 0 and policy in EXPLAINED:
                note = "  (explained variant, see the comment on EXPLAINED)"
            else:
                failures += diff != 0
            print(f"{policy:10} {frames:>8} {theirs:>12,} {mine:>12,} {diff:>6}{note}")
    if failures:
        print(f"FAIL: {failures} miss counts differ from libCacheSim")
        return 1
    print("OK: every miss count equals libCacheSim's, except the documented variants marked above")
    return 0


def perf(args):
    trace = os.path.join(args.workdir, "perf.oracleGeneral")
    distinct = zipf_trace(trace, args.requests, args.ranks, args.alpha, args.seed)
    size_mb = os.path.getsize(trace) / 1e6
    print(f"perf: {args.requests:,} Zipf({args.alpha}) requests, {distinct:,} distinct pages, "
          f"{size_mb:.0f} MB oracleGeneral -> {trace}")
    print(f"best of {args.repeat}; libCacheSim = C process_trace (reader set-up excluded); "
          "VMSim = whole `vmsim paging` process (start-up, reading, simulation)")
    print(f"{'policy':8} {'frames':>8} {'misses':>11} {'libCacheSim req/s':>18} {'VMSim req/s':>14} {'ratio':>6}")
    worst = float("inf")
    for policy in args.policies.split(","):
        for frames in [int(x) for x in args.frames.split(",")]:
            lcs_runs = [libcachesim_run(trace, policy, frames) for _ in range(args.repeat)]
            lcs_best = min(seconds for _, seconds, _ in lcs_runs)
            runs = [vmsim_run(args.vmsim, trace, [policy], [frames]) for _ in range(args.repeat)]
            vm_best = min(seconds for _, seconds in runs)
            misses = runs[0][0][0]["misses"]
            if misses != lcs_runs[0][0] and policy not in EXPLAINED and frames >= MIN_FRAMES.get(policy, 0):
                print(f"FAIL: {policy} at {frames} frames: VMSim {misses:,} misses, libCacheSim {lcs_runs[0][0]:,}")
                return 1
            ratio = lcs_best / vm_best
            worst = min(worst, ratio)
            print(f"{policy:8} {frames:>8} {misses:>11,} {args.requests / lcs_best:>18,.0f} "
                  f"{args.requests / vm_best:>14,.0f} {ratio:>5.1f}x")
    verdict = "OK" if worst >= args.target else "BELOW TARGET"
    print(f"{verdict}: slowest ratio {worst:.1f}x (target {args.target:.1f}x)")
    return 0 if worst >= args.target else 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["check", "perf"])
    p.add_argument("--vmsim", required=True, help="path to a release vmsim binary")
    p.add_argument("--workdir", default="/tmp", help="where the trace is written")
    p.add_argument("--requests", type=int)
    p.add_argument("--ranks", type=int, help="objects the Zipf draws from")
    p.add_argument("--alpha", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--frames")
    p.add_argument("--policies", help="comma-separated VMSim policy names (default: every policy libCacheSim "
                   "also has; perf leaves out clock:2 and opt)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--target", type=float, default=2.0, help="minimum VMSim/libCacheSim rate ratio")
    args = p.parse_args()
    if args.mode == "check":
        args.requests = args.requests or 1_000_000
        args.ranks = args.ranks or 50_000
        args.frames = args.frames or "1,4,10,20,100,1000,5000,20000"
        sys.exit(check(args))
    args.requests = args.requests or 10_000_000
    args.ranks = args.ranks or 2_000_000
    args.frames = args.frames or "10000,200000"
    args.policies = args.policies or ",".join(p for p in LCS_POLICIES if p not in ("clock:2", "opt"))
    sys.exit(perf(args))


if __name__ == "__main__":
    main()
