#!/bin/sh
# Drives the real window with the keyboard (xdotool, through XTEST) and reads where
# the session is from the window title: "sockstep - echo-tcp - step N/M".
# Then quits with Ctrl+Q and checks the step is remembered for the next start.
set -u
APP=$1
DIR=$(mktemp -d)
export XDG_CONFIG_HOME="$DIR/config"
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null
  rm -rf "$DIR"
}
trap cleanup EXIT

wait_title() {
  # xdotool --sync polls until a window has this title; timeout bounds the wait.
  timeout 20 xdotool search --sync --name "$1" >/dev/null ||
    { echo "no window titled '$1'; titles now:"; xdotool search --name '^sockstep' getwindowname %@; exit 1; }
}

timeout 20 sh -c 'until xdotool getdisplaygeometry >/dev/null 2>&1; do :; done'

"$APP" gui echo-tcp --lang en --steps 0 &
PID=$!
WID=$(timeout 20 xdotool search --sync --name '^sockstep - echo-tcp - step 0/' | head -n 1)
[ -n "$WID" ] || { echo "the window did not appear"; exit 1; }
xdotool windowfocus --sync "$WID"
xdotool mousemove --window "$WID" 640 360

xdotool key Right
wait_title 'step 1/'
xdotool key Right
wait_title 'step 2/'
xdotool key space
wait_title 'step 3/'
xdotool key Left
wait_title 'step 2/'
xdotool key r
wait_title 'step 0/'
xdotool key Right Right
wait_title 'step 2/'

# Step 8 asks a question first: Right is held until a choice is picked (2), then runs
# it. Had the first Right gone through, the second would reach step 9 and Left step 8.
xdotool key Right Right Right Right Right
wait_title 'step 7/'
xdotool key Right 2 Right
wait_title 'step 8/'
xdotool key Left
wait_title 'step 7/'
xdotool key Left Left Left Left Left
wait_title 'step 2/'

xdotool key ctrl+q
wait "$PID"
rc=$?
PID=
[ "$rc" -eq 0 ] || { echo "exit $rc after Ctrl+Q"; exit 1; }
grep -q '"step": 2' "$XDG_CONFIG_HOME/sockstep/settings.json" ||
  { echo "settings did not keep the step:"; cat "$XDG_CONFIG_HOME/sockstep/settings.json"; exit 1; }

# Started again with no lesson: the same lesson, at the same step.
"$APP" &
PID=$!
wait_title '^sockstep - echo-tcp - step 2/'
echo "ok"
