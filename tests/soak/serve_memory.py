#!/usr/bin/env python3
"""serve's memory stays bounded under a lab's worth of hostile clients.

   serve_memory.py SOCKSTEP [--seconds 60] [--clients 100] [--window] [--max-rss-mb 200]

100 clients arrive over the first half of the run and stay to its end: most flood and
read their echo (every byte must come back exactly, upper-cased, in order), some flood
and never read (serve must stop reading them instead of holding their echo), some reset
(SO_LINGER 0) in the middle of a flood, some connect and never say a word. At the end a
fresh client must still get its echo, and serve's peak resident set (VmHWM in
/proc/PID/status, the kernel's own high-water mark) must be under --max-rss-mb.

--window runs serve in its window (students view, on an Xvfb display this test starts),
with every tile, the event log and the sequence diagram fed by the flood; otherwise
serve --headless. As root the test runs in a network namespace of its own; otherwise
on loopback with a port the kernel picks. Every loop is bounded by the run's deadline.
"""
import argparse
import errno
import os
import selectors
import socket
import subprocess
import sys
import time

PATTERN_LEN = 1 << 20
CHUNK = 64 * 1024
IN_FLIGHT = 512 * 1024  # most a reading flooder has sent and not yet seen come back


def make_pattern():
    # Lower-case letters, digits and punctuation: upper() changes most of them.
    alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789 .,\n"
    return bytes(alphabet[(i * 7 + (i >> 9)) % len(alphabet)] for i in range(PATTERN_LEN))


PATTERN = make_pattern()
PATTERN2 = PATTERN * 2  # a slice that wraps needs no copying of the pattern itself
UPPER2 = PATTERN2.upper()


class Client:
    def __init__(self, index, kind, start_at, reset_at):
        self.index, self.kind = index, kind
        self.start_at, self.reset_at = start_at, reset_at
        self.sock = None
        self.sent = 0      # bytes sent
        self.checked = 0   # bytes of echo received and found exact
        self.error = None
        self.done = False  # finished (closed), whatever its kind
        self.eof = False
        self.shut = False  # sent its FIN (end of run)

    @property
    def offset(self):
        return (self.index * 4099) % PATTERN_LEN


def rss(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])  # kB
    return -1


def start_display():
    """An Xvfb of our own; returns (process, DISPLAY). -displayfd: it says its number when ready."""
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x720x24", "-nolisten", "tcp"],
                            pass_fds=(write_end,), stderr=subprocess.DEVNULL)
    os.close(write_end)
    number = b""
    with os.fdopen(read_end, "rb") as r:
        number = r.readline().strip()
    if not number:
        xvfb.kill()
        raise SystemExit("serve_memory: Xvfb did not start")
    return xvfb, ":" + number.decode()


def start_serve(args, port):
    if args.window:
        env = dict(os.environ, DISPLAY=args.display, XDG_CONFIG_HOME=args.scratch)
        serve = subprocess.Popen([args.sockstep, "serve", "--port", str(port), "--students"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        return serve, port
    serve = subprocess.Popen([args.sockstep, "serve", "--headless", "--port", str(port)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    words = []
    for _ in range(50):  # its calls (socket, bind, listen...) come first, then "serving on HOST:PORT"
        line = serve.stdout.readline()
        if not line or line.startswith("serving on "):
            words = line.split()
            break
    if len(words) < 3:
        raise SystemExit(f"serve_memory: serve did not say where it listens: {serve.stderr.read()}")
    # The rest of its output (a line per call) is read and dropped by a reader of its own.
    subprocess.Popen(["cat"], stdin=serve.stdout, stdout=subprocess.DEVNULL)
    return serve, int(words[2].rsplit(":", 1)[1])


def connect_when_listening(port, deadline):
    """A window's serve listens before its window opens; the test cannot see when."""
    while time.monotonic() < deadline:
        s = socket.socket()
        try:
            s.connect(("127.0.0.1", port))
            return s
        except ConnectionRefusedError:
            s.close()
            time.sleep(0.05)  # serve is still starting: nothing to wait on but time
    raise SystemExit("serve_memory: serve never listened")


def round_trip(port, message):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(message)
        s.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                return got
            got += chunk


def run_clients(args, port, serve):
    n, seconds = args.clients, args.seconds
    kinds = []
    for i in range(n):
        kinds.append({3: "reset", 7: "silent", 9: "stalled"}.get(i % 10, "flood"))
    t0 = time.monotonic()
    clients = [Client(i, kinds[i], t0 + (seconds / 2) * i / n, t0 + (seconds / 2) * i / n + seconds / 4)
               for i in range(n)]
    end = t0 + seconds
    sel = selectors.DefaultSelector()
    peak = 0

    def watch(c):
        events = 0
        if c.kind in ("flood", "stalled", "reset") and not c.shut:
            if c.kind != "flood" or c.sent - c.checked < IN_FLIGHT:
                events |= selectors.EVENT_WRITE
        if c.kind in ("flood", "reset") and not c.eof:
            events |= selectors.EVENT_READ
        if c.kind == "silent":
            events |= selectors.EVENT_READ  # only a close (or a reset) would come
        try:
            if events:
                sel.modify(c.sock, events, c) if c.sock in sel.get_map() else sel.register(c.sock, events, c)
            elif c.sock in sel.get_map():
                sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass

    def finish(c, error=None):
        if c.sock is not None:
            if c.sock in sel.get_map():
                sel.unregister(c.sock)
            c.sock.close()
        c.error = c.error or error
        c.done = True

    next_sample = t0
    while True:
        now = time.monotonic()
        if now >= next_sample:
            peak = max(peak, rss(serve.pid, "VmRSS"))
            next_sample = now + 0.5
        for c in clients:
            if c.sock is None and not c.done and now >= c.start_at and now < end:
                c.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
                c.sock.setblocking(False)
                watch(c)
            if c.kind == "reset" and c.sock is not None and not c.done and now >= c.reset_at:
                c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                finish(c)
        if now >= end:
            break
        for key, events in sel.select(timeout=0.1):
            c = key.data
            if events & selectors.EVENT_READ:
                try:
                    data = c.sock.recv(CHUNK)
                except BlockingIOError:
                    data = None
                except OSError as e:
                    finish(c, f"recv: {e}")
                    continue
                if data == b"":
                    finish(c, "serve closed the connection")
                    continue
                if data:
                    if c.kind == "silent":
                        finish(c, f"a silent client was sent {len(data)} bytes")
                        continue
                    start = (c.offset + c.checked) % PATTERN_LEN
                    if UPPER2[start:start + len(data)] != data:
                        finish(c, f"echo differs at byte {c.checked}")
                        continue
                    c.checked += len(data)
            if events & selectors.EVENT_WRITE and not c.done:
                start = (c.offset + c.sent) % PATTERN_LEN
                try:
                    c.sent += c.sock.send(PATTERN2[start:start + CHUNK])
                except BlockingIOError:
                    pass
                except OSError as e:
                    finish(c, f"send: {e}")
                    continue
            if not c.done:
                watch(c)

    # The end: readers say they are done and take the rest of their echo; the others close.
    drain_until = time.monotonic() + 30
    for c in clients:
        if c.done or c.sock is None:
            continue
        if c.kind == "flood":
            c.shut = True
            c.sock.shutdown(socket.SHUT_WR)
            watch(c)
        else:
            finish(c)
    while any(not c.done and c.kind == "flood" and c.sock is not None for c in clients):
        if time.monotonic() > drain_until:
            for c in clients:
                if not c.done and c.kind == "flood":
                    finish(c, f"echo incomplete: {c.checked} of {c.sent} bytes back after 30 s")
            break
        for key, events in sel.select(timeout=0.5):
            c = key.data
            try:
                data = c.sock.recv(CHUNK)
            except BlockingIOError:
                continue
            except OSError as e:
                finish(c, f"recv: {e}")
                continue
            if not data:
                finish(c, None if c.checked == c.sent else f"EOF after {c.checked} of {c.sent} bytes")
                continue
            start = (c.offset + c.checked) % PATTERN_LEN
            if UPPER2[start:start + len(data)] != data:
                finish(c, f"echo differs at byte {c.checked}")
                continue
            c.checked += len(data)
    return clients, max(peak, rss(serve.pid, "VmRSS"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("sockstep")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--window", action="store_true")
    parser.add_argument("--max-rss-mb", type=float, default=200, help="0: report only")
    args = parser.parse_args()

    # As root, a network namespace of this test's own: its port meets no one else's.
    if os.geteuid() == 0 and not os.environ.get("SERVE_MEMORY_ISOLATED"):
        try:
            subprocess.run(["unshare", "-n", "true"], check=True, capture_output=True)
            env = dict(os.environ, SERVE_MEMORY_ISOLATED="1")
            return subprocess.run(["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh",
                                   sys.executable, *sys.argv], env=env).returncode
        except (subprocess.CalledProcessError, FileNotFoundError):
            pass  # no namespaces here: loopback with a kernel-chosen port

    xvfb = None
    args.scratch = f"/tmp/serve-memory-{os.getpid()}"
    os.makedirs(args.scratch, exist_ok=True)
    if args.window:
        xvfb, args.display = start_display()
    port = 0
    if args.window:  # the window does not print its port: take a free one first
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    began = time.monotonic()
    serve, port = start_serve(args, port)
    try:
        if args.window:
            connect_when_listening(port, time.monotonic() + 30).close()
        clients, peak_rss = run_clients(args, port, serve)
        final = round_trip(port, b"still there?\n")
        hwm = rss(serve.pid, "VmHWM")
        alive = serve.poll() is None
    finally:
        serve.terminate()
        try:
            serve.wait(timeout=10)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait()
        subprocess.run(["rm", "-rf", args.scratch])

    kinds = {}
    for c in clients:
        kinds.setdefault(c.kind, []).append(c)
    flood = kinds.get("flood", [])
    echoed = sum(c.checked for c in flood)
    failed = [(c.index, c.kind, c.error) for c in clients if c.error]
    mode = "window" if args.window else "headless"
    print(f"serve_memory ({mode}): {len(clients)} clients over {args.seconds:.0f} s "
          f"({len(flood)} flooding and reading, {len(kinds.get('stalled', []))} flooding without reading, "
          f"{len(kinds.get('reset', []))} resetting, {len(kinds.get('silent', []))} silent); "
          f"{echoed / 1e6:.1f} MB echoed exactly; serve VmHWM {hwm / 1024:.1f} MB, "
          f"largest VmRSS seen {peak_rss / 1024:.1f} MB; {time.monotonic() - began:.0f} s")
    assert alive, f"serve died: {serve.stderr.read() if serve.stderr else ''}"
    assert not failed, f"{len(failed)} clients failed: {failed[:8]}"
    assert final == b"STILL THERE?\n", f"after the run a new client got {final!r}"
    assert all(c.sent == c.checked and c.sent > 0 for c in flood), "a flooder's echo is short"
    if args.max_rss_mb > 0:
        assert hwm / 1024 < args.max_rss_mb, f"serve's VmHWM {hwm / 1024:.1f} MB is over {args.max_rss_mb} MB"
    return 0


if __name__ == "__main__":
    sys.exit(main())
