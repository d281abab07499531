#!/usr/bin/env python3
"""The seed's own echo_server.py and echo_client.py through `sockstep check`.

The seed's server answers in upper case (checked with --upper), serves one client and
exits; its client sends with one send() and takes one recv() as the whole reply. The
verdicts must say exactly that, and each failure must name the lesson of its bug.

usage: seed_verdicts.py SOCKSTEP SEED_DIR   (tests/interop holds the seed's two programs)
"""
import json
import subprocess
import sys

import os

sockstep, seed = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])


def verdicts(*args):
    done = subprocess.run([sockstep, "check", *args], capture_output=True, text=True, timeout=300, cwd=seed)
    return done.returncode, {v["check"]: v for v in map(json.loads, done.stdout.splitlines())}


problems = []


def expect(verdict, passed, lesson=None, says=None):
    if verdict["passed"] != passed:
        problems.append(f"{verdict['check']}: passed={verdict['passed']}, expected {passed}: {verdict['why']}")
    if lesson and verdict["lesson"] != lesson:
        problems.append(f"{verdict['check']}: lesson {verdict['lesson']}, expected {lesson}")
    if says and says not in verdict["why"]:
        problems.append(f"{verdict['check']}: why does not say {says!r}: {verdict['why']}")


code, server = verdicts("server", "--upper", "--json", "--", sys.executable, "echo_server.py")
if code != 1:
    problems.append(f"check server exited {code}, expected 1")
expect(server["echo-one"], True)
expect(server["two-in-one-read"], True)
expect(server["closes-after-hangup"], True)
# One recv(1024), one send() of it: a short send loses the rest, a piece is all it answers.
expect(server["short-writes"], False, "send-sendall", "send(1024) returned 512")
expect(server["one-byte-pieces"], False, "stream-boundaries", "1 of the 16")
# It blocks in recv() on the first client: the second waits in the accept queue.
expect(server["second-client"], False, "more-callers", "serves one client at a time")
if not any("accept queue" in line for line in server["second-client"]["evidence"]):
    problems.append(f"second-client: the evidence does not show the queued client: {server['second-client']['evidence']}")
# It serves one client and exits with status 0.
expect(server["survives-reset"], False, "more-callers", "exited with status 0 after 1 client")
# It closes first (TIME_WAIT on its port) and sets no SO_REUSEADDR.
expect(server["restart-same-port"], False, "restart-timewait", "EADDRINUSE")

# Without --upper its HELLO is not an echo of hello, and is told so.
code, plain = verdicts("server", "--json", "--only", "echo-one", "--", sys.executable, "echo_server.py")
expect(plain["echo-one"], False, "echo-tcp", "not an echo")

code, client = verdicts("client", "--json", "--", sys.executable, "echo_client.py")
if code != 1:
    problems.append(f"check client exited {code}, expected 1")
expect(client["whole-reply"], False, "stream-boundaries")
expect(client["whole-send"], False, "send-sendall", "were never sent")
expect(client["refused"], True)       # ConnectionRefusedError: a traceback and status 1
expect(client["closes-socket"], True)  # phone.close()

for p in problems:
    print(p)
print("seed verdicts as expected" if not problems else f"{len(problems)} unexpected verdicts")
sys.exit(1 if problems else 0)
