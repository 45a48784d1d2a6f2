#!/usr/bin/env bash
# Renders a report.html to a PNG in headless Chromium (Debian's `chromium` package), and fails
# if Chromium reports an error about the page (a console message, a resource that did not load)
# or writes no image. The report has no scripts and loads nothing, so any such error is a bug.
#
#   scripts/render_report.sh REPORT.html OUT.png [WIDTH HEIGHT]
set -euo pipefail
html=$(realpath "$1")
png=$2
width=${3:-1000}
height=${4:-2400}
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "render_report: chromium not found (apt-get install chromium)" >&2
  exit 2
fi
profile=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$profile" "$log"' EXIT
rm -f "$png"
# The flags keep Chromium off the network (this machine has none) and out of the user's profile.
"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --enable-logging=stderr --v=0 \
  --window-size="$width,$height" --screenshot="$png" "file://$html" >"$log" 2>&1 || {
  cat "$log" >&2
  echo "render_report: chromium failed" >&2
  exit 1
}
# Errors about the page itself (not Chromium's own D-Bus and sandbox noise on a headless box).
if grep -E "CONSOLE|Uncaught|Failed to load|ERR_(FILE|NAME|CONNECTION)|net::" "$log" >&2; then
  echo "render_report: the page logged errors (above)" >&2
  exit 1
fi
if [ ! -s "$png" ] || [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" != "89504e470d0a1a0a" ]; then
  echo "render_report: no PNG written" >&2
  exit 1
fi
echo "rendered $html -> $png ($(stat -c %s "$png") bytes, ${width}x${height}); no page errors"
