#!/usr/bin/env bash
# Builds the DocC documentation of the libraries and fails if DocC warns about anything (an
# unresolved symbol link, an undocumented parameter, a missing article).
#   scripts/check-docs.sh            # VMSim, VMTrace and VMDriver
# Uses its own build folder (.build-docs) so that it does not disturb the main build.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for target in VMSim VMTrace VMDriver; do
  log=$(mktemp)
  if ! swift package --scratch-path .build-docs generate-documentation --target "$target" > "$log" 2>&1; then
    cat "$log"; echo "docs: $target: generate-documentation failed"; status=1
  elif grep -q "warning:" "$log"; then
    grep "warning:" "$log"; echo "docs: $target: $(grep -c 'warning:' "$log") warnings"; status=1
  else
    echo "docs: $target: built with no warnings"
  fi
  rm -f "$log"
done
exit $status
