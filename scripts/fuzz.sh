#!/usr/bin/env bash
# Builds VMSim's libFuzzer harnesses (Fuzz/Harnesses, see docs/fuzzing.md) with
# -sanitize=fuzzer,address and runs each for SECONDS from its seed corpus (Fuzz/Corpus/NAME),
# copied to a temporary working corpus so that a run does not change the repository.
#
#   scripts/fuzz.sh [SECONDS]            # every harness, SECONDS each (default 60)
#   scripts/fuzz.sh --smoke              # every harness, 3 seconds each (CI)
#   scripts/fuzz.sh 600 lackey valgrind  # only these harnesses
#   scripts/fuzz.sh --build              # build only
#   scripts/fuzz.sh --list               # the harness names
#
# Prints one line per harness (executions, findings) and the folder holding crash artifacts;
# exits 1 if any harness found something. One fuzzer process at a time, under nice.
# Environment: SWIFTC (default: swiftc on PATH, else /opt/swift/usr/bin/swiftc),
# FUZZ_BUILD_DIR (default .build-fuzz), FUZZ_NICE (default 10), FUZZ_ARGS (more libFuzzer flags).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

# name:max_len — inputs are bounded so that each run stays fast (the readers' line and buffer
# logic is exercised by small batch sizes, not by long inputs).
HARNESSES=(
  lackey:4096 din:4096 plain:4096 oracle-general:4096
  malloc-lab:4096 valgrind:4096 ostep-ops:4096
  buddy-script:4096 mapping-file:4096
  tlb-spec:256 policy-spec:64 size-spec:64 engine-spec:128 ostep-options:512
)

seconds=60 build_only=0 selected=()
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) seconds=3 ;;
    --build) build_only=1 ;;
    --list) for h in "${HARNESSES[@]}"; do echo "${h%%:*}"; done; exit 0 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    ''|*[!0-9]*)
      known=0
      for h in "${HARNESSES[@]}"; do [ "${h%%:*}" = "$1" ] && known=1; done
      [ $known -eq 1 ] || { echo "fuzz.sh: unknown harness or option '$1' (see --list, --help)" >&2; exit 2; }
      selected+=("$1") ;;
    *) seconds=$1 ;;
  esac
  shift
done

if [ -z "${SWIFTC:-}" ]; then
  if command -v swiftc >/dev/null 2>&1; then SWIFTC=swiftc; else SWIFTC=/opt/swift/usr/bin/swiftc; fi
fi
B=${FUZZ_BUILD_DIR:-$ROOT/.build-fuzz}
# The Swift runtime's own crash handler would race the sanitizer's report.
export SWIFT_BACKTRACE=enable=no
# A smaller quarantine, shorter allocation stacks and no fill of new blocks: far fewer page
# faults per run, and a use after free still shows (reproduce an artifact with ASAN_OPTIONS= for
# full stacks).
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16:malloc_context_size=10:max_malloc_fill_size=0}
NICE=(nice -n "${FUZZ_NICE:-10}")
FLAGS=(-O -sanitize=fuzzer,address -parse-as-library -I "$B/include" -I "$B")
mkdir -p "$B/include"

# SwiftPM makes a module map for the header-only C target; so does this script.
modulemap="module CVMSimSupport {
    header \"$ROOT/Sources/CVMSimSupport/include/CVMSimSupport.h\"
    export *
}"
[ "$(cat "$B/include/module.modulemap" 2>/dev/null)" = "$modulemap" ] || printf '%s\n' "$modulemap" > "$B/include/module.modulemap"

# stale OUTPUT INPUT...: whether OUTPUT is missing or older than an input.
stale() {
  local out=$1; shift
  [ -e "$out" ] || return 0
  [ -n "$(find "$@" -newer "$out" -print -quit)" ]
}

build_started=$(date +%s)
rebuilt=0
# The library modules, in dependency order, each one whole-module object; VMTrace and OSTEP with
# -enable-testing, for the @testable imports of the harnesses (readers over small windows, the
# option parser).
for module in VMSim VMTrace OSTEP; do
  deps=("Sources/$module")
  case $module in VMTrace|OSTEP) deps+=("$B/VMSim.o") ;; esac
  if stale "$B/$module.o" "${deps[@]}"; then
    extra=()
    [ $module = VMSim ] || extra=(-enable-testing)
    echo "fuzz.sh: compiling $module" >&2
    mapfile -t sources < <(find "Sources/$module" -name '*.swift' | sort)
    "${NICE[@]}" "$SWIFTC" "${FLAGS[@]}" "${extra[@]}" -module-name $module -wmo -c "${sources[@]}" \
      -emit-module-path "$B/$module.swiftmodule" -o "$B/$module.o.tmp"
    mv "$B/$module.o.tmp" "$B/$module.o"
    rebuilt=1
  fi
done
mapfile -t shared < <(find Fuzz/Harnesses/Shared -name '*.swift' | sort)
for h in "${HARNESSES[@]}"; do
  name=${h%%:*}
  if stale "$B/fuzz-$name" "Fuzz/Harnesses/$name.swift" "${shared[@]}" "$B/VMSim.o" "$B/VMTrace.o" "$B/OSTEP.o"; then
    echo "fuzz.sh: linking fuzz-$name" >&2
    "${NICE[@]}" "$SWIFTC" "${FLAGS[@]}" -use-ld=lld -module-name Fuzz -wmo "${shared[@]}" "Fuzz/Harnesses/$name.swift" \
      "$B/VMSim.o" "$B/VMTrace.o" "$B/OSTEP.o" -o "$B/fuzz-$name"
    rebuilt=1
  fi
done
[ $rebuilt -eq 1 ] && echo "fuzz.sh: harnesses built in $(( $(date +%s) - build_started )) s, in $B" >&2
[ $build_only -eq 1 ] && exit 0

[ ${#selected[@]} -gt 0 ] || for h in "${HARNESSES[@]}"; do selected+=("${h%%:*}"); done
scratch=$(mktemp -d "${TMPDIR:-/tmp}/vmsim-fuzz.XXXXXX")
echo "fuzz.sh: ${seconds} s per harness; working corpora, logs and crash artifacts in $scratch" >&2
printf '%-15s %12s %9s %8s %6s %9s %5s  %s\n' harness executions exec/s crashes leaks timeouts ooms result
failed=0
for name in "${selected[@]}"; do
  max_len=
  for h in "${HARNESSES[@]}"; do [ "${h%%:*}" = "$name" ] && max_len=${h##*:}; done
  work=$scratch/$name
  mkdir -p "$work/corpus" "$work/artifacts"
  [ -d "Fuzz/Corpus/$name" ] && cp -R "Fuzz/Corpus/$name/." "$work/corpus/"
  status=0
  # shellcheck disable=SC2086
  "${NICE[@]}" "$B/fuzz-$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
    -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$work/artifacts/" ${FUZZ_ARGS:-} \
    "$work/corpus" > "$work/log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -1)
  count() { find "$work/artifacts" -name "$1-*" | wc -l; }
  crashes=$(( $(count crash) + $(count deadly-signal) )) leaks=$(count leak) timeouts=$(count timeout) ooms=$(count oom)
  result=ok
  if [ $status -ne 0 ] || [ $(( crashes + leaks + timeouts + ooms )) -gt 0 ]; then
    result="FOUND (exit $status; log $work/log)"
    failed=1
  fi
  printf '%-15s %12s %9s %8s %6s %9s %5s  %s\n' "$name" "${execs:-?}" "${rate:-?}" "$crashes" "$leaks" "$timeouts" "$ooms" "$result"
done
if [ $failed -ne 0 ]; then
  echo "fuzz.sh: findings; artifacts under $scratch/*/artifacts (reproduce: $B/fuzz-NAME ARTIFACT)" >&2
  exit 1
fi
