#!/usr/bin/env bash
# Times `vmsim ostep TOOL ARGS` against the OSTEP homework's Python script on the same arguments,
# checks that both print the same bytes, and prints the speed-up.
#
#   bench/ostep-vs-python.sh [OSTEP_HOMEWORK_DIR]      (or OSTEP_HOMEWORK=DIR bench/ostep-vs-python.sh)
#
# OSTEP_HOMEWORK_DIR is an existing checkout of remzi-arpacidusseau/ostep-homework; this script
# neither fetches nor builds it. Without one, it reports VMSim's times and the scripts' complexity.
# PYTHON picks the interpreter (default python3); RUNS and PY_RUNS how many runs of each are timed
# (best kept; default 3 and 1); QUICK=1 runs a smaller set (for a smoke test). Times are wall clock
# and CPU (user + system); on a busy machine the CPU ratio is the steadier one.
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
  "linear|vm-paging/paging-linear-translate.py|-a 16m -p 512m -P 1k -n 1000000 -c|O(P + V + n)"
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

# Runs a command (standard output to $out), best of $runs: prints "wall cpu" in seconds, where cpu is
# user + system time (the fairer figure on a loaded machine).
measure() {
  local runs=$1 out=$2; shift 2
  local best_wall="" best_cpu="" t wall cpu
  for ((i = 0; i < runs; i++)); do
    t=$( { TIMEFORMAT='%R %U %S'; time "$@" >"$out" 2>/dev/null; } 2>&1 )
    wall=$(awk '{ print $1 }' <<<"$t")
    cpu=$(awk '{ printf "%.3f", $2 + $3 }' <<<"$t")
    if [ -z "$best_wall" ] || awk -v a="$wall" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then best_wall=$wall; fi
    if [ -z "$best_cpu" ] || awk -v a="$cpu" -v b="$best_cpu" 'BEGIN { exit !(a < b) }'; then best_cpu=$cpu; fi
  done
  echo "$best_wall $best_cpu"
}
ratio() { awk -v p="$1" -v v="$2" 'BEGIN { if (v > 0) printf "%.0fx", p / v; else printf ">%.0fx", p / 0.001 }'; }

runs="${RUNS:-3}"          # vmsim runs per case (best taken)
py_runs="${PY_RUNS:-1}"    # python runs per case
worst=""
printf '%-58s %9s %9s %8s %8s  %s\n' "run" "python s" "vmsim s" "wall" "cpu" "output"
for entry in "${cases[@]}"; do
  IFS='|' read -r tool script args cost <<<"$entry"
  # shellcheck disable=SC2086
  read -r vwall vcpu < <(measure "$runs" "$work/vmsim.out" "$vmsim" ostep "$tool" $args)
  label="$tool $args"
  if [ -n "$homework" ]; then
    # shellcheck disable=SC2086
    read -r pwall pcpu < <(measure "$py_runs" "$work/python.out" "$python" "$homework/$script" $args)
    if cmp -s "$work/python.out" "$work/vmsim.out"; then same="identical"; else same="DIFFERENT"; fi
    wall_ratio=$(ratio "$pwall" "$vwall")
    printf '%-58s %9s %9s %8s %8s  %s\n' "$label" "$pwall" "$vwall" "$wall_ratio" "$(ratio "$pcpu" "$vcpu")" "$same"
    r=${wall_ratio%x}; r=${r#>}
    if [ -z "$worst" ] || [ "$r" -lt "$worst" ]; then worst=$r; fi
    [ "$same" = identical ] || echo "  outputs differ: $tool $args" >&2
  else
    printf '%-58s %9s %9s %8s %8s  %s\n' "$label" "-" "$vwall" "-" "-" "script: $cost"
  fi
done
if [ -n "$worst" ]; then
  echo
  echo "Smallest wall-clock speed-up: ${worst}x (python3 $("$python" -c 'import platform; print(platform.python_version())');" \
       "vmsim best of $runs, python best of $py_runs; load average $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo ?))"
fi
