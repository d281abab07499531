#!/usr/bin/env python3
"""Ctrl-C in the middle of `sockstep check`: it stops at once and leaves nothing behind:
no process of the learner's program (so none of its sockets), no shared-memory file.

usage: interrupt.py SOCKSTEP
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sockstep = os.path.abspath(sys.argv[1])
here = os.path.dirname(os.path.abspath(__file__))
problems = []


def processes_running(path):
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if path.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


with tempfile.TemporaryDirectory() as tmp:
    # A copy under a name of its own, so that its processes can be told from any other.
    server = os.path.join(tmp, "interrupted_server.py")
    shutil.copy(os.path.join(here, "programs", "server_iterative.py"), server)
    shm_before = set(os.listdir("/dev/shm"))
    check = subprocess.Popen([sockstep, "check", "server", "--json", "--only", "second-client", "--",
                              sys.executable, server, "{port}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    # The second client waits 3 s for an echo the iterative server never sends: interrupt
    # once the server is running (it is then seen in /proc).
    deadline = time.monotonic() + 10
    while not processes_running(server) and time.monotonic() < deadline:
        time.sleep(0.02)
    if not processes_running(server):
        problems.append("the server never started")
    time.sleep(0.3)
    stopped_at = time.monotonic()
    check.send_signal(signal.SIGINT)
    out, err = check.communicate(timeout=20)
    took = time.monotonic() - stopped_at
    if check.returncode != 1 or "interrupted" not in err:
        problems.append(f"after Ctrl-C: exit {check.returncode}, stderr {err!r}")
    if took > 5:
        problems.append(f"it took {took:.1f} s to stop")
    left = processes_running(server)
    if left:
        problems.append(f"processes left behind: {left}")
        for pid in left:
            os.kill(pid, signal.SIGKILL)
    if set(os.listdir("/dev/shm")) - shm_before:
        problems.append(f"shared memory left: {set(os.listdir('/dev/shm')) - shm_before}")
    print(f"stopped {took:.2f} s after SIGINT")

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
