#!/usr/bin/env bash
# VMSim beside libCacheSim on the same traces.
#   bench/libcachesim.sh check    miss counts of every shared policy must be identical (or a
#                                 documented variant, see paging_vs_libcachesim.py)
#   bench/libcachesim.sh perf     requests per second against libCacheSim's process_trace (>= 2x)
# Extra arguments go to bench/paging_vs_libcachesim.py (see its --help).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q "libcachesim==0.3.5" numpy
(cd "$root" && swift build -c release --product vmsim >&2)
vmsim="$(cd "$root" && swift build -c release --show-bin-path)/vmsim"
mode="${1:-check}"
shift || true
exec "$venv/bin/python" "$here/paging_vs_libcachesim.py" "$mode" --vmsim "$vmsim" "$@"
