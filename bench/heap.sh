#!/usr/bin/env bash
# Simulated heap operations per second (the CPU time of the simulation, not of reading the trace).
#
#   bench/heap.sh traces   # all 62 malloc-lab traces under first, next, best and worst fit
#   bench/heap.sh flat     # cost per operation as the live-block count grows 10x and 100x,
#                          # beside TLSF (O(1) work per operation) as the memory hierarchy's yardstick
#   bench/heap.sh work     # the same growth in instructions per operation, counted by callgrind:
#                          # deterministic, and blind to the caches (needs valgrind)
#
# Each policy runs alone (--policy P), best of REPS runs (default 3), so that two simulations do
# not share the cores' caches. Needs python3 for the synthetic traces of `flat`.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product vmsim >/dev/null
VMSIM=.build/release/vmsim
REPS=${REPS:-3}
POLICIES=${POLICIES:-"first next best worst"}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# ops/s of the best of REPS runs of one policy on one trace.
rate() {
  local trace=$1 policy=$2 best=0 r
  for _ in $(seq "$REPS"); do
    r=$("$VMSIM" heap "$trace" --policy "$policy" --csv --timing 2>/dev/null | awk -F, 'NR == 2 {print $NF}')
    best=$(awk -v a="$best" -v b="$r" 'BEGIN {print (b > a ? b : a)}')
  done
  echo "$best"
}

traces() {
  for f in traces/malloclab/*.rep.gz; do gzip -dc "$f" > "$TMP/$(basename "$f" .gz)"; done
  printf '%-22s %9s' trace ops
  for p in $POLICIES; do printf ' %12s' "$p"; done
  printf '\n'
  : > "$TMP/rows"
  for t in $(ls -S "$TMP"/*.rep); do
    ops=$(sed -n 3p "$t" | tr -d '\r')
    printf '%-22s %9s' "$(basename "$t")" "$ops"
    for p in $POLICIES; do
      r=$(rate "$t" "$p")
      printf ' %12.0f' "$r"
      echo "$p $ops $r $(basename "$t")" >> "$TMP/rows"
    done
    printf '\n'
  done
  echo
  echo "ops/s over all 62 traces (total ops / total simulation time), and the lowest on the 5 largest:"
  for p in $POLICIES; do
    awk -v p="$p" '$1 == p && $3 > 0 {ops += $2; t += $2 / $3} END {printf "  %-6s %12.0f", p, ops / t}' "$TMP/rows"
    grep "^$p " "$TMP/rows" | sort -k2,2nr | head -5 | awk '{if (min == "" || $3 < min) {min = $3; at = $4}} END {printf "   lowest of the 5 largest: %.0f (%s)\n", min, at}'
  done
}

flat() {
  local steady=1000000
  # TLSF does O(1) work per operation: its growth is the memory hierarchy's, the yardstick for the others.
  POLICIES=${FLAT_POLICIES:-"first next best worst tlsf"}
  printf '%-10s %10s' live "free blks"
  for p in $POLICIES; do printf ' %14s' "$p ns/op"; done
  printf '\n'
  for live in 10000 100000 1000000; do
    python3 bench/heap_synthetic.py "$live" 0 1 > "$TMP/build.rep"
    python3 bench/heap_synthetic.py "$live" "$steady" 1 > "$TMP/steady.rep"
    free=$("$VMSIM" heap "$TMP/steady.rep" --policy first --csv | awk -F, 'NR == 2 {print $16}')
    printf '%-10s %10s' "$live" "$free"
    for p in $POLICIES; do
      # Seconds of the whole trace minus seconds of its build-up: the steady-state operations alone.
      a=$(rate "$TMP/build.rep" "$p"); b=$(rate "$TMP/steady.rep" "$p")
      nb=$(sed -n 3p "$TMP/build.rep"); ns=$(sed -n 3p "$TMP/steady.rep")
      printf ' %14.0f' "$(awk -v a="$a" -v b="$b" -v nb="$nb" -v ns="$ns" -v s="$steady" 'BEGIN {print (ns / b - nb / a) / s * 1e9}')"
    done
    printf '\n'
  done
}

# Instructions callgrind counts for one replay of a trace by one policy.
instructions() {
  valgrind --tool=callgrind --callgrind-out-file="$TMP/callgrind.out" "$VMSIM" heap "$1" --policy "$2" --csv \
    > /dev/null 2> "$TMP/callgrind.err"
  awk '/Collected/ {print $NF}' "$TMP/callgrind.err"
}

work() {
  command -v valgrind > /dev/null || { echo "bench/heap.sh work needs valgrind (Debian package valgrind)" >&2; exit 1; }
  local steady=200000
  POLICIES=${WORK_POLICIES:-"best first tlsf"}
  echo "instructions per steady-state operation (callgrind; whole replay minus its build-up, over $steady ops)"
  printf '%-10s' live
  for p in $POLICIES; do printf ' %12s' "$p"; done
  printf '\n'
  for live in 10000 100000 1000000; do
    python3 bench/heap_synthetic.py "$live" 0 1 > "$TMP/build.rep"
    python3 bench/heap_synthetic.py "$live" "$steady" 1 > "$TMP/steady.rep"
    printf '%-10s' "$live"
    for p in $POLICIES; do
      a=$(instructions "$TMP/build.rep" "$p"); b=$(instructions "$TMP/steady.rep" "$p")
      printf ' %12.0f' "$(awk -v a="$a" -v b="$b" -v s="$steady" 'BEGIN {print (b - a) / s}')"
    done
    printf '\n'
  done
}

case "${1:-traces}" in
  traces) traces ;;
  flat) flat ;;
  work) work ;;
  *) echo "usage: bench/heap.sh [traces|flat|work]" >&2; exit 64 ;;
esac
