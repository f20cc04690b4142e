#!/usr/bin/env bash
# Speed of `vmsim run` replaying real Lackey traces through the kernel, beside `vmsim translate`
# on the same trace in the same run.
#   bench/run.sh [RUNS]      default 3 runs; prints the best times and accesses per second
# 1. workloads/sort.lackey.gz with memory to spare (nothing faults after the first touches):
#    the cost per access against `vmsim translate` (TLB, walk, first-touch mapping) on it.
# 2. bench/stream.c (streams 4 times through 24M) recorded under Valgrind Lackey here, replayed on
#    a 16M machine with 64M of swap: it swaps continuously, every page written to and read back
#    from the swap file.
# 3. The same with the multi-gen LRU (lru=mglru): aging walks the page tables.
# 4. Eight CPUs and two guests: the sort trace replayed in each of two VMs (4 CPUs each) on an
#    8-CPU host that backs their memory, against the single-CPU native run of (1): the cost per
#    access, which must stay within 2x.
# Needs gzip, a C compiler and valgrind (apt-get install valgrind).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
runs="${1:-3}"
command -v valgrind >/dev/null || { echo "bench/run.sh: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
(cd "$root" && swift build -c release --product vmsim >&2)
vmsim="$(cd "$root" && swift build -c release --show-bin-path)/vmsim"
work="$(mktemp -d "${TMPDIR:-/tmp}/vmsim-bench-run-XXXXXX")"
trap 'rm -rf "$work"' EXIT
gzip -dc "$root/workloads/sort.lackey.gz" > "$work/sort.lackey"
cc -O1 -o "$work/stream" "$here/stream.c"
valgrind --tool=lackey --trace-mem=yes --log-file="$work/stream.lackey" "$work/stream" 24
# shellcheck source=bench/best.sh
. "$here/best.sh"
measure() {  # NAME TRACE MACHINE-LINE
  local name=$1 trace=$2 machine=$3
  printf '%s\nprocess A\nA replay %s\n' "$machine" "$trace" > "$work/$name.vms"
  local accesses; accesses=$("$vmsim" run "$work/$name.vms" --json | awk -F: '/"accesses"/ { gsub(/[ ,]/, "", $2); print $2 }')
  "$vmsim" run "$work/$name.vms" --json | grep -E '"(pswpout|pswpin|pgmajfault)"' | tr -d ' ,' | tr '\n' ' '; echo
  local t r
  t=$(best "$vmsim" run "$work/$name.vms")
  r=$(best "$vmsim" translate "$trace" --format lackey --arch x86-64)
  printf '%-9s vmsim run %7.3f s  %6.1f M accesses/s   vmsim translate %7.3f s   run/translate %.2f\n' \
    "$name" "$t" "$(awk "BEGIN { print $accesses / $t / 1000000 }")" "$r" "$(awk "BEGIN { print $t / $r }")"
}
measure ample "$work/sort.lackey" "machine memory=256M"
measure swapping "$work/stream.lackey" "machine memory=16M swap=64M"
measure mglru "$work/stream.lackey" "machine memory=16M swap=64M lru=mglru"
# 4: two guests on eight CPUs, per access against the native single-CPU run.
printf 'machine memory=512M cpus=8\nvm A memory=192M cpus=4\nvm B memory=192M cpus=4\nA process P\nA P replay %s\nB process Q\nB Q replay %s\n' \
  "$work/sort.lackey" "$work/sort.lackey" > "$work/guests.vms"
printf 'machine memory=256M\nprocess A\nA replay %s\n' "$work/sort.lackey" > "$work/native.vms"
native_accesses=$("$vmsim" run "$work/native.vms" --json | awk -F: '/"accesses"/ { gsub(/[ ,]/, "", $2); print $2; exit }')
guest_accesses=$("$vmsim" run "$work/guests.vms" --json | awk -F: '/"accesses"/ { gsub(/[ ,]/, "", $2); s += $2 } END { print s }')
tn=$(best "$vmsim" run "$work/native.vms")
tg=$(best "$vmsim" run "$work/guests.vms")
printf '%-9s vmsim run %7.3f s  %6.1f M accesses/s   native (1 CPU) %7.3f s  %6.1f M accesses/s   per access guests/native %.2f\n' \
  "2 guests" "$tg" "$(awk "BEGIN { print $guest_accesses / $tg / 1000000 }")" "$tn" "$(awk "BEGIN { print $native_accesses / $tn / 1000000 }")" \
  "$(awk "BEGIN { print ($tg / $guest_accesses) / ($tn / $native_accesses) }")"

