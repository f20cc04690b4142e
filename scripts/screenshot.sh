#!/usr/bin/env bash
# Renders a VMSim HTML report with headless Chromium, as a browser shows it, and checks it:
# no console messages while it loads (errors in its inline scripts), and a picture that is not
# blank (scripts/png_check.py).
#   scripts/screenshot.sh REPORT.html OUT.png [WIDTH]
# WIDTH defaults to 1000 pixels; the height fits the page's charts. Debian: apt-get install chromium.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: scripts/screenshot.sh REPORT.html OUT.png [WIDTH]" >&2
  exit 2
fi
html=$1 out=$2 width=${3:-1000}
here=$(cd "$(dirname "$0")" && pwd)
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
  echo "screenshot.sh: chromium is not installed (Debian, Ubuntu: sudo apt-get install chromium)" >&2
  exit 2
fi
[ -r "$html" ] || { echo "screenshot.sh: $html: cannot read it" >&2; exit 2; }
abs=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
# A window tall enough for the whole page: about 900 pixels a chart with its table.
figures=$( (grep -o '<figure>' "$html" || true) | wc -l)
height=$(( 300 + figures * 780 ))
[ "$height" -le 16000 ] || height=16000
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --enable-logging=stderr --v=0 \
    --window-size="$width,$height" --screenshot="$out" "file://$abs" >/dev/null 2>"$log"; then
  cat "$log" >&2
  echo "screenshot.sh: chromium failed on $html" >&2
  exit 1
fi
if grep -q ':CONSOLE' "$log"; then
  grep ':CONSOLE' "$log" >&2
  echo "screenshot.sh: $html: the page wrote to the console while loading" >&2
  exit 1
fi
[ -s "$out" ] || { echo "screenshot.sh: chromium wrote no picture for $html" >&2; exit 1; }
python3 "$here/png_check.py" "$out"
