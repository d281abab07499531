#!/usr/bin/env bash
# Hostile input: files, flags, programs and lessons made to crash, hang or escape sockstep.
# Every case is bounded by a timeout and must end the way it should: exit 2 with one
# clear line for bad input, no crash (no exit from a signal), no process left behind,
# no file touched outside the session's own folder, no packet to a non-loopback address.
#   hostile.sh SOCKSTEP_BINARY [GUI: ON|OFF]
set -uo pipefail
app=$1
gui=${2:-OFF}
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'chmod -R u+rwx "$tmp"; rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
as_root() { [ "$(id -u)" -eq 0 ]; }
limit=20  # seconds any one case may take

# bad_input NAME PATTERN COMMAND...: exit 2, one line on stderr that matches PATTERN.
bad_input() {
  local name=$1 pattern=$2
  shift 2
  timeout "$limit" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  local lines
  lines=$(wc -l <"$tmp/err")
  if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && grep -qE -- "$pattern" "$tmp/err"; then
    ok "$name: $(sed "s|$tmp/||g" "$tmp/err")"
  else
    fail "$name: exit $rc, $lines line(s): $(head -c 300 "$tmp/err")"
  fi
}

lesson_head='id = "h"
title = { en = "H", zh = "H" }
actors = ["server", "client"]
'
step() {  # actor call extra-lines...
  printf '[[step]]\nactor = "%s"\ncall = "%s"\n' "$1" "$2"
  shift 2
  printf '%s\n' "$@"
  printf 'metaphor = { en = "x", zh = "x" }\nexplain = { en = "x", zh = "x" }\n'
}

# ---- crashes and hangs
python3 -c "print('a.' * 25000 + 'a = 1')" >"$tmp/deep.toml"
bad_input "a dotted key 25,000 levels deep" 'deep.toml:1:[0-9]+: nested too deep' "$app" walk "$tmp/deep.toml"
python3 -c "print('[' + 'h.' * 40 + 'x]'); print('k.' * 40 + 'y = 1')" >"$tmp/deep2.toml"
bad_input "a header and a key 80 levels deep" 'deep2.toml:[0-9]+:[0-9]+: nested more than 32 levels' "$app" walk "$tmp/deep2.toml"
python3 -c "print('x = ' + '[' * 5000 + ']' * 5000)" >"$tmp/arrays.toml"
bad_input "arrays nested 5,000 deep" 'arrays.toml:[0-9]+:[0-9]+: ' "$app" walk "$tmp/arrays.toml"
{ printf '%s' "$lesson_head"; step server socket 'result = "s"'
  step server send 'sock = "s"' "args = { data = \"$(head -c 4096 /dev/zero | tr '\0' x)\", repeat = 67108864 }"; } >"$tmp/product.toml"
bad_input "4 KiB x 2^26 of data" 'product.toml:[0-9]+:[0-9]+: data repeated 67108864 times' "$app" walk "$tmp/product.toml"
python3 -c "print('id = \"h\"\ntitle = { en = \"H\", zh = \"H\" }\nactors = [' + ', '.join('\"a%d\"' % i for i in range(1000)) + ']')" >"$tmp/actors.toml"
bad_input "1000 actors" 'actors.toml:3:[0-9]+: a lesson has at most 64 actors' "$app" walk "$tmp/actors.toml"

# 64 actors under a process limit: the threads the kernel refuses fail their steps.
python3 -c "
print('id = \"h\"\ntitle = { en = \"H\", zh = \"H\" }\nactors = [' + ', '.join('\"a%d\"' % i for i in range(64)) + ']')
for i in range(64):
    print('[[step]]\nactor = \"a%d\"\ncall = \"socket\"\nresult = \"s\"\nmetaphor = { en = \"x\", zh = \"x\" }\nexplain = { en = \"x\", zh = \"x\" }\nexpect = { ok = true }' % i)
" >"$tmp/threads.toml"
chmod 644 "$tmp/threads.toml"
if as_root; then  # root is exempt from RLIMIT_NPROC: run as nobody
  timeout "$limit" setpriv --reuid=65534 --regid=65534 --clear-groups prlimit --nproc=16 "$app" walk "$tmp/threads.toml" --check >"$tmp/out" 2>&1
else
  timeout "$limit" prlimit --nproc=16 "$app" walk "$tmp/threads.toml" --check >"$tmp/out" 2>&1
fi
rc=$?
if [ "$rc" -le 1 ] && grep -q "EAGAIN" "$tmp/out"; then ok "64 actors under a process limit: exit $rc, $(grep -m1 'no thread' "$tmp/out")"
elif [ "$rc" -eq 0 ]; then ok "64 actors under a process limit: every thread started here"
else fail "64 actors under a process limit: exit $rc: $(tail -3 "$tmp/out")"; fi

mkdir -p "$tmp/lessons"
cp "$(dirname "$0")/../../lessons/echo-tcp.toml" "$tmp/lessons/"
mkfifo "$tmp/lessons/fifo.toml" "$tmp/fifo.toml"
ln -s /dev/zero "$tmp/lessons/zero.toml"
ln -s /dev/zero "$tmp/zero.toml"
mkdir "$tmp/lessons/folder.toml"
for cmd in lessons "walk --all"; do
  # shellcheck disable=SC2086
  SOCKSTEP_LESSONS=$tmp/lessons timeout "$limit" "$app" $cmd >"$tmp/out" 2>&1
  rc=$?
  if [ "$rc" -lt 124 ] && grep -q "echo-tcp" "$tmp/out" && ! grep -qE "fifo|zero|folder" "$tmp/out"; then
    ok "a FIFO, a link to /dev/zero and a folder named *.toml in the lessons folder: '$cmd' lists only echo-tcp (exit $rc)"
  else
    fail "lessons folder with a FIFO, /dev/zero, a folder: '$cmd' exit $rc: $(tail -3 "$tmp/out")"
  fi
done
bad_input "walk of a FIFO" 'fifo.toml: the lesson file is a FIFO' "$app" walk "$tmp/fifo.toml"
bad_input "walk of a link to /dev/zero" 'zero.toml: the lesson file is a device' "$app" walk "$tmp/zero.toml"
bad_input "walk of a folder" "$tmp: the lesson file is a directory" "$app" walk "$tmp"
head -c 100000000 /dev/zero >"$tmp/big.toml"
bad_input "walk of a 100 MB file" 'big.toml: the lesson file is 95 MiB' /usr/bin/time -o "$tmp/rss" -f %M "$app" walk "$tmp/big.toml"
rss=$(tail -1 "$tmp/rss" 2>/dev/null || echo 0)
[ "${rss:-0}" -lt 102400 ] && ok "the 100 MB file was refused by its size (peak RSS ${rss} kB)" ||
  fail "the 100 MB file was read before it was refused (peak RSS ${rss} kB)"
cp "$tmp/lessons/echo-tcp.toml" "$tmp/unreadable.toml"
chmod 000 "$tmp/unreadable.toml"
if as_root; then
  bad_input "an unreadable lesson" 'unreadable.toml: the lesson file cannot be read: Permission denied' \
    setpriv --reuid=65534 --regid=65534 --clear-groups "$app" walk "$tmp/unreadable.toml"
else
  bad_input "an unreadable lesson" 'unreadable.toml: the lesson file cannot be read: Permission denied' \
    "$app" walk "$tmp/unreadable.toml"
fi

# ---- flags
bad_input "--port 0x50" "'0x50' is not a decimal number" "$app" serve --headless --port 0x50
bad_input "--max-clients 1e3" "'1e3' is not a decimal number" "$app" serve --headless --max-clients 1e3
bad_input "--pcap ''" '--pcap: an empty file name' "$app" serve --headless --pcap ''
bad_input "trace of a folder" "$tmp is a directory, not a program" "$app" trace --headless -- "$tmp"
bad_input "trace of a FIFO" 'fifo.toml is not a program' "$app" trace --headless -- "$tmp/fifo.toml"
if [ "$gui" = ON ]; then
  bad_input "--screenshot ''" '--screenshot: an empty file name' "$app" gui --screenshot ''
  if command -v xvfb-run >/dev/null; then
    # -f: an authority file of our own, so xvfb-run makes no temporary folder to clean up
    # (its cleanup failing made it exit 5 in place of the program's own code).
    XDG_CONFIG_HOME=$tmp/config timeout 60 xvfb-run -a -f "$tmp/xauthority" "$app" gui --steps 1 --screenshot /dev/full >/dev/null 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 1 ] && grep -q "cannot write /dev/full: No space left on device" "$tmp/err" &&
      ok "--screenshot /dev/full: $(grep -m1 /dev/full "$tmp/err")" || fail "--screenshot /dev/full: exit $rc: $(cat "$tmp/err")"
  fi
fi
# --pcap on a full disk: said, exit 1 (needs the capture: root or CAP_NET_RAW).
mkfifo "$tmp/serve.pipe"
timeout "$limit" "$app" serve --headless --port 0 --max-clients 1 --pcap /dev/full >"$tmp/serve.pipe" 2>"$tmp/serve.err" &
serve_pid=$!
exec 4<"$tmp/serve.pipe"
port=
while read -r -t 10 line <&4; do
  port=$(sed -n 's/^serving on 127\.0\.0\.1:\([0-9]*\).*/\1/p' <<<"$line")
  [ -n "$port" ] && break
done
cat <&4 >"$tmp/serve.out" &
[ -n "$port" ] && "$app" dial "127.0.0.1:$port" --headless --message ping >/dev/null 2>&1
wait "$serve_pid"
rc=$?
exec 4<&-
if grep -q "needs root or CAP_NET_RAW" "$tmp/serve.err"; then
  echo "skip: --pcap /dev/full (no packet capture here: needs root or CAP_NET_RAW)"
elif [ "$rc" -eq 1 ] && grep -q "cannot write /dev/full: No space left on device" "$tmp/serve.err"; then
  ok "--pcap /dev/full: $(grep -m1 /dev/full "$tmp/serve.err")"
else
  fail "--pcap /dev/full: exit $rc: $(cat "$tmp/serve.err")"
fi

# ---- processes: nothing outlives sockstep
marker="sockstep-hostile-$$"
left() { pgrep -f "$marker" >/dev/null; }
timeout "$limit" "$app" trace --headless -- sh -c "sleep 300 $marker & sleep 301 $marker & i=0; while :; do echo \$i; i=\$((i+1)); done" \
  2>/dev/null | head -3 >/dev/null
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 141 ] && [ "$rc" -lt 124 ] && ! left; then ok "trace ... | head -3: sockstep stopped cleanly (exit $rc), nothing left running"
else fail "trace ... | head -3: exit $rc; left running: $(pgrep -af "$marker" | head -3)"; pkill -f "$marker"; fi
mkfifo "$tmp/up"
"$app" trace --headless -- sh -c "sleep 302 $marker & sleep 303 $marker & echo up >$tmp/up; wait" >"$tmp/out" 2>&1 &
trace_pid=$!
read -r -t "$limit" _ <"$tmp/up"  # both grandchildren run
kill -INT "$trace_pid"
timeout "$limit" tail --pid="$trace_pid" -f /dev/null
wait "$trace_pid"
rc=$?
if ! left && [ "$rc" -le 1 ]; then ok "SIGINT to sockstep alone: its programs' children were ended too (exit $rc)"
else fail "SIGINT to sockstep: exit $rc; left running: $(pgrep -af "$marker" | head -3); $(tail -5 "$tmp/out")"; pkill -f "$marker"; fi
timeout "$limit" "$app" trace --headless -- sh -c "sleep 304 $marker & exit 0" >"$tmp/out" 2>&1
rc=$?
if ! left && [ "$rc" -eq 0 ] && grep -q "ended 1 process the traced programs left running" "$tmp/out"; then
  ok "a background child left by a traced program is ended with the trace"
else fail "background child: exit $rc: $(tail -2 "$tmp/out"); left: $(pgrep -af "$marker")"; pkill -f "$marker"; fi

# ---- confinement: no file outside the session's own folder
echo keep >"$tmp/canary"
{ printf '%s' "$lesson_head"; step server unlink "args = { path = \"$tmp/canary\" }"; } >"$tmp/unlink-abs.toml"
bad_input "unlink of an absolute path" 'unlink-abs.toml:[0-9]+:[0-9]+: .* is not a plain socket name' "$app" walk "$tmp/unlink-abs.toml"
{ printf '%s' "$lesson_head"; step server unlink 'args = { path = "../canary" }'; } >"$tmp/unlink-up.toml"
bad_input "unlink of ../" 'unlink-up.toml:[0-9]+:[0-9]+: .* is not a plain socket name' "$app" walk "$tmp/unlink-up.toml"
{ printf '%s' "$lesson_head"; step server socket 'result = "s"' 'args = { family = "AF_UNIX" }'
  step server bind 'sock = "s"' "args = { path = \"$tmp/made.sock\" }"; } >"$tmp/bind-abs.toml"
bad_input "bind to an absolute AF_UNIX path" 'bind-abs.toml:[0-9]+:[0-9]+: .* is not a plain socket name' "$app" walk "$tmp/bind-abs.toml"
[ "$(cat "$tmp/canary")" = keep ] && [ ! -e "$tmp/made.sock" ] && ok "the canary file is untouched, no socket file was made" ||
  fail "a file outside the session's folder was touched"
mkdir -p "$tmp/tmpdir"
chmod 1777 "$tmp/tmpdir"
{ printf '%s' "$lesson_head"; step server socket 'result = "s"' 'args = { family = "AF_UNIX" }'
  step server bind 'sock = "s"' 'args = { path = "echo.sock" }' 'expect = { ok = true }'
  step server unlink 'args = { path = "echo.sock" }' 'expect = { ok = true }'
  step server bind 'sock = "s"' 'args = { path = "again.sock" }'; } >"$tmp/unix.toml"
if ! command -v strace >/dev/null; then
  echo "skip: the AF_UNIX folder check needs strace"
else
# LeakSanitizer cannot run under ptrace (it ends an ASan build with exit 1): off for this run.
TMPDIR=$tmp/tmpdir ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
  strace -f -qq -e trace=mkdir,unlink,unlinkat,bind -o "$tmp/strace" timeout "$limit" "$app" walk "$tmp/unix.toml" --check >"$tmp/out" 2>&1
rc=$?
dir=$(sed -n 's/.*mkdir("\([^"]*\)", 0700) = 0.*/\1/p' "$tmp/strace" | head -1)
outside=$(grep -E 'unlink|bind\(.*sun_path="' "$tmp/strace" | grep -v "\"$dir/" | grep -v 'sun_path=@' || true)
if [ "$rc" -eq 0 ] && [ -n "$dir" ] && [ -z "$outside" ] && [ -z "$(ls -A "$tmp/tmpdir")" ]; then
  ok "AF_UNIX files only in the session's own folder ${dir#"$tmp/"} (mode 0700), removed with the session"
else
  fail "AF_UNIX confinement: exit $rc, folder '$dir', outside: $outside, left: $(ls -A "$tmp/tmpdir")"
fi
fi

# ---- no packet to a non-loopback address: every interface of a namespace made here
hosts=("0.0.0.0" "::" "10.77.0.9" "8.8.8.8" "::ffff:10.77.0.9" "2001:db8::1")
for host in "${hosts[@]}"; do
  for call in connect sendto bind; do
    { printf '%s' "$lesson_head"; step client socket 'result = "c"' 'args = { type = "SOCK_DGRAM" }'
      step client "$call" 'sock = "c"' "args = { host = \"$host\", port = 53$( [ "$call" = sendto ] && echo ', data = "x"') }"; } >"$tmp/net.toml"
    timeout "$limit" "$app" walk "$tmp/net.toml" >/dev/null 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 2 ] && grep -q "is not a loopback address" "$tmp/err" || fail "$call to $host: exit $rc: $(cat "$tmp/err")"
  done
done
ok "connect, sendto and bind to ${hosts[*]}: refused by the loader"
if as_root && unshare -n true 2>/dev/null; then
  cat >"$tmp/sniff.py" <<'PY'
# Every frame on every interface of this namespace (a packet socket, not sockstep's
# capture), until standard input closes: how many left loopback, or went to a
# non-loopback address on it. The kernel's own IPv6 neighbour and multicast chatter
# (ICMPv6, hop-by-hop) on a new interface is none of the lessons' doing.
import select, socket, struct, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
print("ready", flush=True)
bad = []
probes = 0
def take(frame, where):
    global probes
    ethertype = struct.unpack("!H", frame[12:14])[0]
    if ethertype == 0x86DD and frame[20] in (0, 58):
        return
    ihl = (frame[14] & 15) * 4 if ethertype == 0x0800 else 0
    if ethertype == 0x0800 and frame[23] == 17 and frame[16 + ihl:18 + ihl] == b"\0\x09" and b"probe" in frame:
        probes += 1  # the oracle's own datagram: the capture sees what leaves
        return
    if where[0] != "lo":
        bad.append(where[0])
    elif ethertype == 0x0800 and frame[30] != 127:
        bad.append("lo to %d.%d.%d.%d" % tuple(frame[30:34]))
    elif ethertype == 0x86DD and frame[38:54] != bytes(15) + b"\1" and frame[38:51] != bytes(10) + b"\xff\xff\x7f":
        bad.append("lo to a non-loopback IPv6 address")
done = False
while True:
    ready, _, _ = select.select([s] if done else [s, sys.stdin], [], [], 0 if done else 30)
    if not ready and done:
        break
    if s in ready:
        take(*s.recvfrom(65535))
    if sys.stdin in ready and not done:
        done = not sys.stdin.buffer.read1(1)
print("probes seen: %d; other non-loopback frames: %d %s" % (probes, len(bad), sorted(set(bad))), flush=True)
PY
  cat >"$tmp/in-netns.sh" <<SH
set -u
ip link set lo up
# A routed interface (a veth pair, its far end up too) with a default route through a
# gateway whose address is known, so a packet to anywhere would go out without ARP.
ip link add hostile0 type veth peer name hostile1 address 02:00:00:00:77:02
ip link set hostile1 up
ip addr add 10.77.0.1/24 dev hostile0 && ip link set hostile0 up
ip neigh add 10.77.0.2 lladdr 02:00:00:00:77:02 dev hostile0 nud permanent
ip route add default via 10.77.0.2 dev hostile0
ip -6 addr add 2001:db8::2/64 dev hostile0 nodad && ip -6 route add default dev hostile0
mkfifo "$tmp/sniff.in" "$tmp/sniff.out"
python3 "$tmp/sniff.py" <"$tmp/sniff.in" >"$tmp/sniff.out" &
exec 5>"$tmp/sniff.in"
exec 6<"$tmp/sniff.out"
read -r -t 10 ready <&6
# The oracle works: a datagram to a remote address is seen on hostile0.
python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"probe", ("198.51.100.9", 9))'
SOCKSTEP_LESSONS="$(cd "$(dirname "$0")/../../lessons" && pwd)" timeout 120 "$app" walk --all --check >"$tmp/walk.out" 2>&1
echo "walk exit \$?"
for f in "$tmp"/net.toml "$tmp"/unix.toml; do timeout $limit "$app" walk "\$f" >/dev/null 2>&1; done
exec 5>&-
read -r -t 10 result <&6
echo "\$result"
SH
  timeout 180 unshare -n bash "$tmp/in-netns.sh" >"$tmp/netns.out" 2>&1
  if grep -q "walk exit 0" "$tmp/netns.out" && grep -qE "probes seen: [1-9][0-9]*; other non-loopback frames: 0 " "$tmp/netns.out"; then
    ok "every lesson and the hostile ones in a namespace with a routed interface: no frame left loopback ($(grep -o 'probes seen: [0-9]*' "$tmp/netns.out"): the capture sees what does)"
  else
    fail "packets in the namespace: $(cat "$tmp/netns.out")"
  fi
else
  echo "skip: the packet check needs root and network namespaces (unshare -n): run as root to capture on every interface"
fi

[ "$failures" -eq 0 ] && echo "all hostile input handled" || { echo "$failures hostile case(s) not handled"; exit 1; }
