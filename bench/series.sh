#!/usr/bin/env bash
# What the time series and the HTML report cost: the same runs on the largest bundled trace
# (workloads/sort.lackey.gz, 7.26M references) with --no-series, as they are (series recorded),
# and with --html as well, release build; the least processor time (user + system, all threads)
# of RUNS, the three variants interleaved run by run so that a slow spell of the machine falls on
# all of them. The target: at most 5% more.
#   bench/series.sh [RUNS]      default 3
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
runs="${1:-3}"
(cd "$root" && swift build -c release --product vmsim >&2)
vmsim="$(cd "$root" && swift build -c release --show-bin-path)/vmsim"
work="$(mktemp -d "${TMPDIR:-/tmp}/vmsim-bench-series-XXXXXX")"
trap 'rm -rf "$work"' EXIT
gzip -dc "$root/workloads/sort.lackey.gz" > "$work/sort.lackey"
printf 'machine memory=256M\nprocess A\nA replay %s\n' "$work/sort.lackey" > "$work/replay.vms"
cpu() {  # the processor seconds of one run of CMD...
  /usr/bin/time -f "%U %S" -o "$work/time" "$@" > /dev/null
  awk '{ print $1 + $2 }' "$work/time"
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a < b) ? a : b }'; }
compare() {  # NAME ARGS...
  local name=$1; shift
  local off="" on="" html=""
  for _ in $(seq "$runs"); do
    off=$(min "$(cpu "$vmsim" "$@" --no-series)" "$off")
    on=$(min "$(cpu "$vmsim" "$@")" "$on")
    html=$(min "$(cpu "$vmsim" "$@" --html "$work/$name.html")" "$html")
  done
  printf '%-9s no series %6.2f s   series %6.2f s (%+.1f%%)   series + HTML %6.2f s (%+.1f%%)\n' "$name" "$off" "$on" \
    "$(awk "BEGIN { print ($on / $off - 1) * 100 }")" "$html" "$(awk "BEGIN { print ($html / $off - 1) * 100 }")"
}
compare paging paging "$work/sort.lackey" --format lackey --policy lru,fifo,clock,arc --frames 8,64,512
compare translate translate "$work/sort.lackey" --format lackey --arch x86-64
compare run run "$work/replay.vms"
