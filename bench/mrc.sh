#!/usr/bin/env bash
# `vmsim mrc` on a release build:
#   bench/mrc.sh equal   the exact LRU curve equals `vmsim paging --policy lru` at every size
#                        (the /bin/true fixture and workloads/sort.lackey.gz)
#   bench/mrc.sh perf    exact curve vs one LRU run (<= 3x), SHARDS 0.01 vs exact (>= 10x faster,
#                        mean absolute error < 0.005) on Zipf traces
# Extra arguments go to bench/mrc_bench.py (see its --help).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q numpy
(cd "$root" && swift build -c release --product vmsim >&2)
vmsim="$(cd "$root" && swift build -c release --show-bin-path)/vmsim"
mode="${1:-equal}"
shift || true
exec "$venv/bin/python" "$here/mrc_bench.py" "$mode" --vmsim "$vmsim" \
  --real-traces "$root/workloads/true.lackey.gz" "$root/workloads/sort.lackey.gz" "$@"
