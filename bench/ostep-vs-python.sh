#!/usr/bin/env bash
# Times `vmsim ostep TOOL ARGS` against the OSTEP homework's Python script on the same arguments,
# checks that both print the same bytes, and prints the speed-up.
#
#   bench/ostep-vs-python.sh [OSTEP_HOMEWORK_DIR]      (or OSTEP_HOMEWORK=DIR bench/ostep-vs-python.sh)
#
# OSTEP_HOMEWORK_DIR is an existing checkout of remzi-arpacidusseau/ostep-homework; this script
# neither fetches nor builds it. Without one, it reports VMSim's times and the scripts' complexity.
# PYTHON picks the interpreter (default python3). QUICK=1 runs a smaller set (for a smoke test).
set -euo pipefail
cd "$(dirname "$0")/.."

homework="${1:-${OSTEP_HOMEWORK:-}}"
python="${PYTHON:-python3}"

if [ -n "$homework" ] && [ ! -f "$homework/vm-beyondphys-policy/paging-policy.py" ]; then
  echo "ostep-vs-python: $homework is not an ostep-homework checkout (no vm-beyondphys-policy/paging-policy.py)" >&2
  exit 2
fi
if [ -n "$homework" ] && ! command -v "$python" >/dev/null 2>&1; then
  echo "ostep-vs-python: $python not found; timing VMSim alone" >&2
  homework=""
fi
if [ -z "$homework" ]; then
  echo "No ostep-homework checkout given (argument or OSTEP_HOMEWORK): timing VMSim alone, with the"
  echo "scripts' complexity for comparison."
  echo
fi

echo "Building vmsim (release)..." >&2
swift build -c release --product vmsim >&2
vmsim="$(swift build -c release --show-bin-path)/vmsim"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# tool | script | arguments | the script's cost
cases=(
  "paging-policy|vm-beyondphys-policy/paging-policy.py|-n 1000000 -c -N|O(n*C): list.index over memory per reference"
  "paging-policy|vm-beyondphys-policy/paging-policy.py|-n 1000000 -c|O(n*C): as above, plus a formatted list per line"
  "paging-policy|vm-beyondphys-policy/paging-policy.py|-p LRU -n 1000000 -m 100 -C 10 -c|O(n*C): list.index and list.remove per reference"
  "paging-policy|vm-beyondphys-policy/paging-policy.py|-p CLOCK -n 1000000 -m 100 -C 10 -c -N|O(n*C): list.index per reference"
  "paging-policy|vm-beyondphys-policy/paging-policy.py|-p OPT -n 100000 -m 100 -C 10 -c -N|O(misses*C*d): scans the future for each resident page (VMSim: O(n log C))"
  "malloc|vm-freespace/malloc.py|-n 5000 -S 100000 -r 100 -c|O(ops*L): free-list walk and dump per operation"
  "linear|vm-paging/paging-linear-translate.py|-a 16m -p 512m -P 1k -n 300000 -c|O(P + V + n)"
  "multilevel|vm-smalltables/paging-multilevel-translate.py|-n 500000 -c|O(4096 + n)"
  "segmentation|vm-segmentation/segmentation.py|-a 1m -p 64m -n 1000000 -c|O(n)"
  "relocation|vm-mechanism/relocation.py|-a 1m -p 64m -n 1000000 -c|O(n)"
)
if [ "${QUICK:-0}" = 1 ]; then
  cases=(
    "paging-policy|vm-beyondphys-policy/paging-policy.py|-n 100000 -c -N|O(n*C): list.index over memory per reference"
    "relocation|vm-mechanism/relocation.py|-a 1m -p 64m -n 30000 -c|O(n)"
  )
fi

now() { date +%s%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

worst=""
printf '%-62s %10s %10s %8s  %s\n' "run" "python s" "vmsim s" "speed-up" "output"
for entry in "${cases[@]}"; do
  IFS='|' read -r tool script args cost <<<"$entry"
  # shellcheck disable=SC2086
  best=""
  for _ in 1 2 3; do
    t0=$(now); "$vmsim" ostep "$tool" $args >"$work/vmsim.out"; t1=$(now)
    s=$(seconds "$t0" "$t1")
    if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$s; fi
  done
  label="$tool $args"
  if [ -n "$homework" ]; then
    t0=$(now); "$python" "$homework/$script" $args >"$work/python.out"; t1=$(now)
    py=$(seconds "$t0" "$t1")
    if cmp -s "$work/python.out" "$work/vmsim.out"; then same="identical"; else same="DIFFERENT"; fi
    ratio=$(awk -v p="$py" -v v="$best" 'BEGIN { printf "%.0fx", (v > 0 ? p / v : 0) }')
    printf '%-62s %10s %10s %8s  %s\n' "$label" "$py" "$best" "$ratio" "$same"
    r=${ratio%x}
    if [ -z "$worst" ] || [ "$r" -lt "$worst" ]; then worst=$r; fi
    [ "$same" = identical ] || echo "  outputs differ: diff $work/python.out $work/vmsim.out" >&2
  else
    printf '%-62s %10s %10s %8s  %s\n' "$label" "-" "$best" "-" "script: $cost"
  fi
done
if [ -n "$worst" ]; then
  echo
  echo "Smallest speed-up: ${worst}x (python3 $("$python" -c 'import platform; print(platform.python_version())'))"
fi
