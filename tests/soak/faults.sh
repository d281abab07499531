#!/usr/bin/env bash
# Faults a learner's machine throws at the app. Each must give a clear message, and the
# app must still work afterwards.
#   faults.sh SOCKSTEP_BINARY [GUI: ON|OFF]
set -uo pipefail
app=$1
gui=${2:-OFF}
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  # Port holders are started inside $(hold_port ...), a subshell: their pids are in a file.
  [ -f "$tmp/holders" ] && while read -r p; do kill "$p" 2>/dev/null; done <"$tmp/holders"
  chmod -R u+rwx "$tmp"
  rm -rf "$tmp"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

# A loopback listener held by another process until this script ends; prints its port
# (read from a pipe: the read returns when the listener is up).
hold_port() {
  mkfifo "$tmp/port.$1"
  python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()
print(s.getsockname()[1], flush=True); sys.stdin.read()' "$1" <"$tmp/hold.in" >"$tmp/port.$1" 2>/dev/null &
  echo $! >>"$tmp/holders"
  local port=""
  read -r -t 10 port <"$tmp/port.$1" || true
  echo "$port"
}
mkfifo "$tmp/hold.in"
exec 3<>"$tmp/hold.in"  # keeps the holders' stdin open

# 1. serve on a port another program holds: exit 2, one line naming the port and the fix.
taken=$(hold_port 0)
"$app" serve --headless --port "$taken" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "EADDRINUSE" "$tmp/err" && grep -q -- "--port" "$tmp/err"; then
  ok "serve on a taken port: $(cat "$tmp/err")"
else
  fail "serve on a taken port: exit $rc, stderr: $(cat "$tmp/err")"
fi

# 2. port 0: the kernel picks one, the app says which, and a client reaches it.
mkfifo "$tmp/serve.pipe"
"$app" serve --headless --port 0 --max-clients 1 >"$tmp/serve.pipe" 2>&1 &
serve_pid=$!
pids+=("$serve_pid")
exec 4<"$tmp/serve.pipe"
port=
while read -r -t 10 line <&4; do  # each read waits for the server's next line, 10 s at most
  port=$(sed -n 's/^serving on 127\.0\.0\.1:\([0-9]*\).*/\1/p' <<<"$line")
  [ -n "$port" ] && break
done
cat <&4 >/dev/null &  # keep draining so the server never blocks on its output
if [ -n "$port" ] && "$app" dial "127.0.0.1:$port" --headless --message ping >"$tmp/dial.out" 2>&1; then
  ok "serve --port 0 picked $port and a client was served"
else
  fail "serve --port 0: port '$port'; $(tail -3 "$tmp/dial.out" 2>/dev/null)"
fi
kill "$serve_pid" 2>/dev/null

# 3. the lesson's port (8084) taken: walk moves to a free port, says so, and passes.
if held=$(hold_port 8084) && [ "$held" = 8084 ]; then
  if "$app" walk echo-tcp --check >"$tmp/walk.out" 2>&1 && grep -q "8084" "$tmp/walk.out"; then
    ok "walk echo-tcp with 8084 taken: $(grep -m1 8084 "$tmp/walk.out")"
  else
    fail "walk echo-tcp with 8084 taken: $(tail -5 "$tmp/walk.out")"
  fi
else
  "$app" walk echo-tcp --check >/dev/null 2>&1 && ok "8084 was already taken here; walk echo-tcp passes" ||
    fail "walk echo-tcp with 8084 already taken"
fi

# 4. SOCKSTEP_LESSONS pointing to nothing useful: one line naming it, the installed or
#    source lessons are used instead.
mkdir -p "$tmp/empty" "$tmp/unreadable" "$tmp/only-order"
echo echo-tcp >"$tmp/only-order/ORDER"
cp "$(dirname "$0")/../../lessons/echo-tcp.toml" "$tmp/unreadable/"
chmod 000 "$tmp/unreadable/echo-tcp.toml" "$tmp/unreadable"
echo "not a folder" >"$tmp/a-file"
dirs=("$tmp/empty" "$tmp/only-order" "$tmp/no-such-dir" "$tmp/a-file")
[ "$(id -u)" -ne 0 ] && dirs+=("$tmp/unreadable")  # root reads everything
for dir in "${dirs[@]}"; do
  if SOCKSTEP_LESSONS=$dir "$app" walk echo-tcp --check >/dev/null 2>"$tmp/err" &&
     grep -q "SOCKSTEP_LESSONS=$dir holds no readable lessons; using " "$tmp/err"; then
    ok "SOCKSTEP_LESSONS=${dir#"$tmp"/}: $(sed "s|$tmp/||" "$tmp/err")"
  else
    fail "SOCKSTEP_LESSONS=${dir#"$tmp"/}: $(cat "$tmp/err")"
  fi
done
chmod 755 "$tmp/unreadable"

# 5. a malformed lesson file: exit 2 with FILE:LINE:COL.
printf 'id = "x"\ntitle = { en = "T", zh = "T" }\nactors = ["server"]\n[[step]]\nactor = "sever"\n' >"$tmp/bad.toml"
"$app" walk "$tmp/bad.toml" >/dev/null 2>"$tmp/err"
rc=$?
grep -q "bad.toml:[0-9]*:[0-9]*: " "$tmp/err" && [ "$rc" -eq 2 ] && ok "malformed lesson: $(sed "s|$tmp/||" "$tmp/err")" ||
  fail "malformed lesson: exit $rc: $(cat "$tmp/err")"

if [ "$gui" = ON ]; then
  # 6. settings.json that is garbage (random bytes, then broken JSON of the wrong types):
  #    a one-line message, the defaults, and the window still renders.
  mkdir -p "$tmp/config/sockstep"
  for kind in random broken; do
    if [ $kind = random ]; then head -c 512 /dev/urandom >"$tmp/config/sockstep/settings.json"
    else echo '{"lang": 5, "zoom": "big", "panels": [' >"$tmp/config/sockstep/settings.json"; fi
    XDG_CONFIG_HOME="$tmp/config" xvfb-run -a "$app" gui --steps 2 --screenshot "$tmp/$kind.png" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq 0 ] && [ -s "$tmp/$kind.png" ] && grep -q "settings.json" "$tmp/err"; then
      ok "$kind settings.json: $(head -c 160 "$tmp/err" | tr -d '\n' | sed "s|$tmp/||")..."
    else
      fail "$kind settings.json: exit $rc: $(cat "$tmp/err")"
    fi
  done
  # 7. no display: one line naming DISPLAY (tests/gui/no_display.sh checks the wording);
  #    the terminal mode still works.
  env -u DISPLAY -u WAYLAND_DISPLAY XDG_CONFIG_HOME="$tmp/config3" "$app" gui echo-tcp 2>"$tmp/err" >/dev/null
  rc=$?
  if [ "$rc" -eq 1 ] && grep -q DISPLAY "$tmp/err" &&
     env -u DISPLAY -u WAYLAND_DISPLAY "$app" walk echo-tcp --check >/dev/null 2>&1; then
    ok "no display: $(cat "$tmp/err")"
  else
    fail "no display: exit $rc: $(cat "$tmp/err")"
  fi
  # 8. no fonts at all (so no CJK font): the Chinese window still renders.
  printf '<?xml version="1.0"?><fontconfig></fontconfig>\n' >"$tmp/fonts.conf"
  XDG_CONFIG_HOME="$tmp/config2" FONTCONFIG_FILE="$tmp/fonts.conf" xvfb-run -a "$app" gui --lang zh --steps 2 \
    --screenshot "$tmp/nofont.png" 2>"$tmp/err"
  rc=$?
  [ "$rc" -eq 0 ] && [ -s "$tmp/nofont.png" ] && ok "no CJK font: the window renders ($(head -c 120 "$tmp/err"))" ||
    fail "no CJK font: exit $rc: $(cat "$tmp/err")"
fi

[ "$failures" -eq 0 ] && echo "all faults handled" || { echo "$failures fault(s) not handled"; exit 1; }
