#!/usr/bin/env bash
# Makes the example report pictures in docs/images/ from the bundled traces (docs/reports.md):
# an HTML report of each command, rendered by scripts/screenshot.sh.
#   scripts/report-examples.sh [VMSIM]      VMSIM defaults to the release build
set -euo pipefail
cd "$(dirname "$0")/.."
vmsim=${1:-}
if [ -z "$vmsim" ]; then
  swift build -c release --product vmsim >/dev/null
  vmsim=$(swift build -c release --show-bin-path)/vmsim
fi
out=docs/images
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
"$vmsim" paging workloads/sort.lackey.gz --policy lru,fifo,clock --frames 8,16,32,64 --html "$work/paging.html" >/dev/null
"$vmsim" mrc workloads/sort.lackey.gz --html "$work/mrc.html" >/dev/null
"$vmsim" heap Tests/VMTraceTests/Fixtures/valgrind/python3.log.gz --policy best,first,buddy --alignment 16 --header 16 \
  --mmap-threshold glibc --html "$work/heap.html" >/dev/null
"$vmsim" translate workloads/sort.lackey.gz --arch x86-64 --html "$work/translate.html" >/dev/null
printf 'memory 64M\nalloc a 3\nalloc b 0 type=unmovable\nkmalloc k 100\nshow buddyinfo\nshow slabinfo\n' \
  | "$vmsim" buddy - --html "$work/buddy.html" >/dev/null
"$vmsim" run workloads/whole-system.vms --html "$work/run.html" >/dev/null
for kind in paging mrc heap translate buddy run; do
  scripts/screenshot.sh "$work/$kind.html" "$out/$kind.png" 900
done
