#!/usr/bin/env bash
# Peak memory of `vmsim paging` on a 1 GB trace: must stay under 200 MB (readers stream the
# trace; OPT's oracle goes to temporary files).
#   bench/memory.sh [LIMIT_MB]
# Builds vmsim in release mode, writes a 1 GB Lackey trace (the bundled sort trace, decompressed
# and repeated) to $TMPDIR, and reports the peak resident set size from /usr/bin/time.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
limit_mb="${1:-200}"
tmp="${TMPDIR:-/tmp}"
(cd "$root" && swift build -c release --product vmsim >&2)
vmsim="$(cd "$root" && swift build -c release --show-bin-path)/vmsim"
trace="$tmp/vmsim-1gb.lackey"
if [ ! -s "$trace" ] || [ "$(stat -c %s "$trace")" -lt 1000000000 ]; then
  gzip -dc "$root/workloads/sort.lackey.gz" > "$trace.one"
  : > "$trace"
  while [ "$(stat -c %s "$trace")" -lt 1000000000 ]; do cat "$trace.one" >> "$trace"; done
  rm -f "$trace.one"
fi
size_mb=$(( $(stat -c %s "$trace") / 1000000 ))
status=0
for policies in "fifo,lru,clock,mru,random" "opt"; do
  log="$tmp/vmsim-memory.time"
  start=$(date +%s.%N)
  /usr/bin/time -v "$vmsim" paging "$trace" --policy "$policies" --frames 64,200000 > /dev/null 2> "$log"
  end=$(date +%s.%N)
  rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$log")
  rss_mb=$(( rss_kb / 1024 ))
  verdict="OK"
  if [ "$rss_mb" -ge "$limit_mb" ]; then verdict="OVER"; status=1; fi
  printf '%-26s %5d MB trace  peak RSS %4d MB (limit %d)  %.1f s  %s\n' "$policies" "$size_mb" "$rss_mb" "$limit_mb" \
    "$(echo "$end - $start" | bc)" "$verdict"
done
exit $status
