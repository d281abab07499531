#!/bin/sh
# Without a display the GUI says so in one line naming DISPLAY and xvfb-run, exits 1.
set -u
APP=$1
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export XDG_CONFIG_HOME="$OUT/config"

env -u DISPLAY -u WAYLAND_DISPLAY "$APP" gui echo-tcp --screenshot "$OUT/x.png" 2>"$OUT/err"
rc=$?
[ "$rc" -eq 1 ] || { echo "expected exit 1 without a display, got $rc"; exit 1; }
[ "$(wc -l <"$OUT/err")" -eq 1 ] || { echo "expected one line:"; cat "$OUT/err"; exit 1; }
grep -q DISPLAY "$OUT/err" && grep -q "xvfb-run -a" "$OUT/err" ||
  { echo "message must name DISPLAY and xvfb-run -a:"; cat "$OUT/err"; exit 1; }

# Bad input is exit 2, display or not.
env -u DISPLAY "$APP" gui no-such-lesson 2>/dev/null
rc=$?
[ "$rc" -eq 2 ] || { echo "unknown lesson: expected exit 2, got $rc"; exit 1; }
env -u DISPLAY "$APP" gui echo-tcp --steps 100000 2>/dev/null
rc=$?
[ "$rc" -eq 2 ] || { echo "too many steps: expected exit 2, got $rc"; exit 1; }
echo "ok"
