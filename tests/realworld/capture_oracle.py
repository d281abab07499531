#!/usr/bin/env python3
"""Judges `sockstep trace --pcap` against tshark's own capture of the same session.

For each case tshark captures loopback for the session's port first; then the session
runs under `sockstep trace --headless --pcap FILE`. Every TCP segment tshark saw on that
port (ports, flags, raw sequence number, length) must be in sockstep's pcap: its capture
starts before the first program does, so a fast session (nc) keeps its handshake and the
first bytes. Needs root or CAP_NET_RAW; without it the cases are skipped, saying so.

usage: capture_oracle.py SOCKSTEP     (exit 0: every segment there, 1: some missing)
"""
import collections
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sockstep = os.path.abspath(sys.argv[1])
here = os.path.dirname(os.path.abspath(__file__))
seed = os.path.join(here, "..", "interop")


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cases():
    p = free_port()
    out = [("seed server, nc client", p,
            [sys.executable, "-c", open(os.path.join(seed, "echo_server.py")).read().replace("8084", str(p)), ":::",
             "sh", "-c", f"printf 'hello\\nworld\\n' | nc -N 127.0.0.1 {p}"])]
    if shutil.which("curl"):
        c = free_port()
        out.append(("http.server, curl", c, [sys.executable, os.path.join(here, "one_request.py"), str(c), ":::",
                                             "curl", "-s", "--retry", "30", "--retry-delay", "1", "--retry-connrefused", "-o", "/dev/null", f"http://127.0.0.1:{c}/"]))
    return out


def read_until(stream, text, seconds):
    """Reads lines of stream until one holds text; False if it did not come in time."""
    deadline = time.monotonic() + seconds
    buffered = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], deadline - time.monotonic())
        if not ready:
            break
        chunk = os.read(stream.fileno(), 4096)
        if not chunk:
            break
        buffered += chunk
        if text.encode() in buffered:
            return True
    return False


def segments(pcap, port):
    out = subprocess.run(["tshark", "-r", pcap, "-Y", f"tcp.port == {port}", "-T", "fields", "-e", "tcp.srcport",
                          "-e", "tcp.dstport", "-e", "tcp.flags", "-e", "tcp.seq_raw", "-e", "tcp.len"],
                         capture_output=True, text=True, check=True).stdout
    return collections.Counter(tuple(line.split("\t")) for line in out.splitlines() if line)


def main():
    if shutil.which("tshark") is None:
        print("skipped: tshark is not installed")
        return 0
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, port, command in cases():
            reference = os.path.join(tmp, "tshark.pcapng")
            ours = os.path.join(tmp, "ours.pcap")
            marker = free_port(socket.SOCK_DGRAM)
            # -P prints each packet while it saves them: the marker datagram's line says
            # tshark has seen everything sent before it.
            shark = subprocess.Popen(["tshark", "-i", "lo", "-f", f"tcp port {port} or udp port {marker}", "-w",
                                      reference, "-P", "-l"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            try:
                if not read_until(shark.stderr, "Capturing on", 30):
                    print(f"skipped: tshark cannot capture on lo here ({shark.stderr.read1(500)!r})")
                    return 0
                done = subprocess.run([sockstep, "trace", "--headless", "--pcap", ours, "--"] + command,
                                      capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
                if "not permitted" in done.stdout + done.stderr:
                    print("skipped: capture is not permitted here (root or CAP_NET_RAW needed)")
                    return 0
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.sendto(b"end", ("127.0.0.1", marker))
                if not read_until(shark.stdout, str(marker), 30):
                    problems.append(f"{name}: tshark never showed the end marker")
            finally:
                shark.send_signal(signal.SIGINT)
                shark.wait(timeout=30)
            if done.returncode != 0:
                problems.append(f"{name}: trace exit {done.returncode}: {done.stdout.splitlines()[-5:]}")
                continue
            wire = segments(reference, port)
            mine = segments(ours, port)
            missing = wire - mine
            print(f"{name}: tshark saw {sum(wire.values())} segments on port {port}, sockstep's pcap has "
                  f"{sum(mine.values())}, {sum(missing.values())} missing")
            if not wire:
                problems.append(f"{name}: tshark saw nothing on port {port}")
            for seg, count in missing.items():
                problems.append(f"{name}: not in sockstep's pcap: {count} x {seg}")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
