#!/usr/bin/env python3
"""How long `sockstep check server` takes on correct servers (target: under 10 s for the
whole run), with the time of each check, the median of three runs; beside it the same
server's plain start-up, untraced, so the time of the checks is read against the cost of
starting the program at all.

usage: bench_check.py SOCKSTEP
"""
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sockstep = os.path.abspath(sys.argv[1])
programs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "check", "programs")
runs = 3


def startup_seconds(command):
    """From exec to the first accepted connection, untraced."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    server = subprocess.Popen([a.replace("{port}", str(port)) for a in command])
    try:
        for _ in range(2000):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return time.monotonic() - started
            except ConnectionRefusedError:
                time.sleep(0.005)
    finally:
        server.terminate()
        server.wait()
    return float("nan")


with tempfile.TemporaryDirectory() as tmp:
    binary = os.path.join(tmp, "server_poll")
    subprocess.run(["gcc", "-O2", "-o", binary, os.path.join(programs, "server_poll.c")], check=True)
    for name, command in (("python threads", [sys.executable, os.path.join(programs, "server_threads.py"), "{port}"]),
                          ("C poll", [binary, "{port}"])):
        per_check = {}
        totals = []
        for _ in range(runs):
            started = time.monotonic()
            out = subprocess.run([sockstep, "check", "server", "--json", "--"] + command, capture_output=True,
                                 text=True, timeout=300).stdout
            totals.append(time.monotonic() - started)
            for v in map(json.loads, out.splitlines()):
                per_check.setdefault(v["check"], []).append(v["seconds"])
        print(f"check server, {name}: whole run median {statistics.median(totals):.2f} s (target < 10 s), "
              f"untraced start-up {startup_seconds(command) * 1000:.0f} ms")
        for check, seconds in per_check.items():
            print(f"  {check:22} {statistics.median(seconds):.2f} s")
