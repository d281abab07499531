#!/bin/sh
# Drives a reopened recording with the keyboard (xdotool, through XTEST), reading where its
# timeline stands from the window title ("sockstep — FILE — event K/N — step S/M"): Right
# and Left move a step, Home and End to either end, "." one event. Then Ctrl+E and Enter
# (File > Export...) write the files into the folder proposed under $HOME, the stderr
# line says where, and that export's recording reopens as the same transcript.
set -u
APP=$1
DIR=$(mktemp -d)
export XDG_CONFIG_HOME="$DIR/config" HOME="$DIR/home"
mkdir -p "$HOME"
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null
  rm -rf "$DIR"
}
trap cleanup EXIT

wait_title() {
  timeout 20 xdotool search --sync --name "$1" >/dev/null ||
    { echo "no window titled '$1'; titles now:"; xdotool search --name '^sockstep' getwindowname %@; exit 1; }
}

timeout 20 sh -c 'until xdotool getdisplaygeometry >/dev/null 2>&1; do :; done'
"$APP" walk echo-tcp --export "$DIR/walk" >/dev/null || { echo "walk --export failed"; exit 1; }

"$APP" open "$DIR/walk/session.sockstep" --lang en --steps 0 2>"$DIR/stderr" &
PID=$!
WID=$(timeout 20 xdotool search --sync --name 'session.sockstep .* step 0/16' | head -n 1)
[ -n "$WID" ] || { echo "the window did not appear"; exit 1; }
xdotool windowfocus --sync "$WID"
xdotool mousemove --window "$WID" 640 360

xdotool key Right
wait_title 'step 1/16'
xdotool key Right Right
wait_title 'step 3/16'
xdotool key Left
wait_title 'step 2/16'
xdotool key End
wait_title 'step 16/16'
xdotool key Home
wait_title 'event 0/.* step 0/16'
xdotool key period
wait_title 'event 1/'
xdotool key period period
wait_title 'event 3/'
xdotool key comma
wait_title 'event 2/'
xdotool key End

xdotool key ctrl+e Return
timeout 20 sh -c 'until ls "$HOME"/sockstep-exports/*/session.sockstep >/dev/null 2>&1; do :; done' ||
  { echo "File > Export wrote nothing under $HOME/sockstep-exports"; cat "$DIR/stderr"; exit 1; }
xdotool key ctrl+q
wait "$PID"
rc=$?
PID=
[ "$rc" -eq 0 ] || { echo "exit $rc after Ctrl+Q"; cat "$DIR/stderr"; exit 1; }
grep -q "Exported to $HOME/sockstep-exports/session-" "$DIR/stderr" ||
  grep -q "Exported to $HOME/sockstep-exports/" "$DIR/stderr" ||
  { echo "no 'Exported to' line:"; cat "$DIR/stderr"; exit 1; }
out=$(ls -d "$HOME"/sockstep-exports/*)
for f in session.md session.json session.svg session.mmd session.html session.sockstep; do
  [ -s "$out/$f" ] || { echo "File > Export left out $f"; ls -la "$out"; exit 1; }
done
xmllint --noout "$out/session.svg" || { echo "File > Export's session.svg is not XML"; exit 1; }
"$APP" open "$out/session.sockstep" --headless | cmp -s - "$DIR/walk/session.md" ||
  { echo "the exported recording's transcript differs from walk's session.md"; exit 1; }
# The lesson's own window: File > Export replays the steps taken and records them.
rm -rf "$HOME/sockstep-exports"
"$APP" gui echo-tcp --lang en --steps 5 2>"$DIR/stderr" &
PID=$!
WID=$(timeout 20 xdotool search --sync --name '^sockstep - echo-tcp - step 5/' | head -n 1)
[ -n "$WID" ] || { echo "the lesson's window did not appear"; exit 1; }
xdotool windowfocus --sync "$WID"
xdotool key ctrl+e Return
timeout 20 sh -c 'until ls "$HOME"/sockstep-exports/echo-tcp-*/session.sockstep >/dev/null 2>&1; do :; done' ||
  { echo "File > Export in the lesson's window wrote nothing"; cat "$DIR/stderr"; ls -R "$HOME"; exit 1; }
xdotool key ctrl+q
wait "$PID"
PID=
out=$(ls -d "$HOME"/sockstep-exports/echo-tcp-*)
transcript=$("$APP" open "$out/session.sockstep" --headless) || { echo "its recording does not open"; exit 1; }
echo "$transcript" | grep -q '^\[5/16\]' || { echo "the lesson window's recording lacks step 5:"; echo "$transcript"; exit 1; }
echo "$transcript" | grep -q '^\[6/16\]' && { echo "the lesson window's recording goes past step 5"; exit 1; }
cmp -s "$out/session.md" - <<EOF2 || { echo "its session.md is not its transcript"; exit 1; }
$transcript
EOF2
# Its report has the steps taken, from the recording's snapshots, and no other.
grep -q 'id="step-5"><h3>Step 5/16 ' "$out/session.html" || { echo "the lesson window's report lacks step 5 of 16"; exit 1; }
grep -q 'id="step-6"' "$out/session.html" && { echo "the lesson window's report goes past step 5"; exit 1; }
echo "drive_recording: ok"
