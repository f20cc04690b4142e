#!/usr/bin/env bash
# End-to-end speed of `vmsim translate` (parse, TLB, walk) on the bundled real Valgrind trace.
#   bench/translate.sh [RUNS]      default 3 runs; prints the best time and Lackey lines per second
# The trace is decompressed first so that gzip's speed is not measured.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
runs="${1:-3}"
(cd "$root" && swift build -c release --product vmsim >&2)
vmsim="$(cd "$root" && swift build -c release --show-bin-path)/vmsim"
trace="$(mktemp "${TMPDIR:-/tmp}/vmsim-sort-XXXXXX.lackey")"
phys="$(mktemp "${TMPDIR:-/tmp}/vmsim-phys-XXXXXX.lackey")"
trap 'rm -f "$trace" "$phys"' EXIT
gzip -dc "$root/workloads/sort.lackey.gz" > "$trace"
lines=$(wc -l < "$trace")
bytes=$(wc -c < "$trace")
echo "input: workloads/sort.lackey.gz decompressed, $lines lines, $bytes bytes"
# shellcheck source=bench/best.sh
. "$here/best.sh"
for args in "--arch x86-64" "--arch x86-64 --huge 2M" "--arch sv39 --tlb zen2" "--arch x86-64 --table hashed" "--arch x86-64 --emit-physical $phys"; do
  # shellcheck disable=SC2086
  t=$(best "$vmsim" translate "$trace" --format lackey $args)
  printf '%-45s %7.3f s  %6.1f M lines/s\n' "vmsim translate $args" "$t" "$(awk "BEGIN { print $lines / $t / 1000000 }")"
done
