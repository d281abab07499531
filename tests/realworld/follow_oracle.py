#!/usr/bin/env python3
"""Judges `sockstep trace --follow` against tshark, on programs this project did not write.

Runs each case under `sockstep trace --headless --json --follow --pcap FILE`, then asks
tshark for every TCP stream in FILE (`-z follow,tcp,raw,N`): each direction's payload on
the wire must be exactly the stream --follow printed for it (`bytes_hex`, `complete`).
Capturing needs root or CAP_NET_RAW; without it the cases are skipped, saying so.

usage: follow_oracle.py SOCKSTEP     (exit 0: every stream equal, 1: a difference)
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

sockstep = os.path.abspath(sys.argv[1])
here = os.path.dirname(os.path.abspath(__file__))
seed = os.path.join(here, "..", "interop")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cases():
    p = free_port()
    one_request = ("import http.server as h; h.HTTPServer(('127.0.0.1', %d), h.SimpleHTTPRequestHandler)"
                   ".handle_request()" % p)
    out = [("seed server, nc client",
            [sys.executable, "-c", open(os.path.join(seed, "echo_server.py")).read().replace("8084", str(p)), ":::",
             "sh", "-c", f"printf 'hello\\nworld\\n' | nc -N 127.0.0.1 {p}"])]
    if shutil.which("curl"):
        c = free_port()  # a port of its own: the seed's server closed first on p (TIME_WAIT)
        out.append(("http.server, curl", [sys.executable, "-c", one_request.replace(str(p), str(c)), ":::", "curl",
                                          "-s", "--retry", "30", "--retry-delay", "1", "--retry-connrefused", "-o", "/dev/null", f"http://127.0.0.1:{c}/"]))
    if shutil.which("wget"):
        q = free_port()
        out.append(("http.server, wget", [sys.executable, "-c", one_request.replace(str(p), str(q)), ":::", "wget",
                                          "-q", "--tries=30", "--waitretry=1", "--retry-connrefused", "-O", "/dev/null", f"http://127.0.0.1:{q}/"]))
    if shutil.which("node"):
        out.append(("node net", ["node", os.path.join(here, "node_net.js")]))
    return out


def tshark_streams(pcap):
    """(src, dst) -> hex payload, for each direction of each TCP stream tshark finds."""
    ids = subprocess.run(["tshark", "-r", pcap, "-T", "fields", "-e", "tcp.stream"], capture_output=True,
                         text=True, check=True).stdout.split()
    streams = {}
    for n in sorted(set(ids), key=int):
        out = subprocess.run(["tshark", "-r", pcap, "-q", "-z", f"follow,tcp,raw,{n}"], capture_output=True,
                             text=True, check=True).stdout.splitlines()
        nodes = [line.split(": ", 1)[1] for line in out if line.startswith("Node ")]
        forward, back = "", ""
        for line in out:
            if line.startswith("\t") and set(line.strip()) <= set("0123456789abcdef"):
                back += line.strip()
            elif line and set(line) <= set("0123456789abcdef"):
                forward += line
        streams[(nodes[0], nodes[1])] = forward
        streams[(nodes[1], nodes[0])] = back
    return streams


problems = []
skipped = None
with tempfile.TemporaryDirectory() as tmp:
    for name, command in cases():
        pcap = os.path.join(tmp, "session.pcap")
        # A session that did not happen (a program of it failed: trace exits 1) judges
        # nothing of --follow: it is said, and run once more.
        for attempt in range(2):
            done = subprocess.run([sockstep, "trace", "--headless", "--json", "--follow", "--pcap", pcap, "--"] + command,
                                  capture_output=True, text=True, timeout=120)
            if done.returncode == 0:
                break
            print(f"{name}: the session's programs failed (trace exit {done.returncode}); its last lines:")
            print("\n".join(done.stdout.splitlines()[-8:]))
        lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        if any(e.get("kind") == "note" and "not permitted" in e.get("detail", "") for e in lines):
            skipped = "capture is not permitted here (root or CAP_NET_RAW needed)"
            break
        ours = {(s["src"], s["dst"]): s for s in lines if s.get("kind") == "stream"}
        wire = tshark_streams(pcap)
        if not ours:
            problems.append(f"{name}: --follow printed no stream (trace exit {done.returncode}); stderr "
                            f"{done.stderr.strip()!r}; last lines: {done.stdout.splitlines()[-6:]}")
        for key, stream in ours.items():
            if key not in wire:
                problems.append(f"{name}: {key[0]} -> {key[1]} is not on the wire (tshark has {sorted(wire)})")
                continue
            if not stream["complete"]:
                problems.append(f"{name}: {key[0]} -> {key[1]} is not complete ({stream['byte_count']} bytes)")
            elif stream["bytes_hex"] != wire[key]:
                problems.append(f"{name}: {key[0]} -> {key[1]}: ours {len(stream['bytes_hex']) // 2} bytes, "
                                f"tshark's {len(wire[key]) // 2}; first difference at byte "
                                f"{next(i for i in range(0, max(len(stream['bytes_hex']), len(wire[key])), 2) if stream['bytes_hex'][i:i+2] != wire[key][i:i+2]) // 2}")
        for key, payload in wire.items():
            if payload and key not in ours:
                problems.append(f"{name}: tshark saw {len(payload) // 2} bytes {key[0]} -> {key[1]}, --follow none")
        print(f"{name}: {len(ours)} directions, {sum(s['byte_count'] for s in ours.values())} bytes, "
              f"{'equal to' if not problems else 'checked against'} tshark's")

if skipped:
    print(f"skipped: {skipped}")
    sys.exit(0)
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
