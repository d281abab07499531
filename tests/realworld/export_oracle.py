#!/usr/bin/env python3
"""`--export DIR` judged by the tools that read its files: tshark reads session.pcapng
(every packet of the session, the client's connect, send and close named in the comments
of the packets they sent), session.json is Chrome trace-event JSON (a slice per call and
a flow from the send to the recv that took its bytes), session.md has the transcript.
(report_oracle.py reads session.svg, session.mmd and session.html.)
Without capture permission only the pcapng is left out, said in one line.

Also walk echo-tcp --export (the lesson's own packets, on port 8084).

usage: export_oracle.py SOCKSTEP
"""
import json
import os
import socket
import subprocess
import sys
import tempfile

sockstep = os.path.abspath(sys.argv[1])
seed = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop", "echo_server.py")
problems = []

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "export")
    server = subprocess.Popen([sys.executable, "-u", "-c", open(seed).read().replace("8084", str(port))],
                              stdout=subprocess.PIPE, text=True)
    server.stdout.readline()  # "starting....": it listens
    done = subprocess.run([sockstep, "dial", f"127.0.0.1:{port}", "--message", "hello", "--headless", "--export", out],
                          capture_output=True, text=True, timeout=60)
    server.wait(timeout=30)
    if done.returncode != 0:
        problems.append(f"dial --export exited {done.returncode}: {done.stderr}")
    files = sorted(os.listdir(out)) if os.path.isdir(out) else []
    permitted = "not permitted" not in done.stderr
    want = ["session.html", "session.json", "session.md", "session.mmd", "session.sockstep", "session.svg"] + (
        ["session.pcapng"] if permitted else [])
    if files != sorted(want):
        problems.append(f"files {files}, expected {sorted(want)}")
    if "session.md" in files and "send(b'hello')" not in open(os.path.join(out, "session.md")).read():
        problems.append("session.md has no send(b'hello')")
    if "session.sockstep" in files and "session.md" in files:
        # The recording read back is the transcript again.
        reopened = subprocess.run([sockstep, "open", os.path.join(out, "session.sockstep"), "--headless"],
                                  capture_output=True, text=True, timeout=60)
        if reopened.returncode != 0 or reopened.stdout != open(os.path.join(out, "session.md")).read():
            problems.append(f"open session.sockstep --headless is not session.md: {reopened.stderr}")
    if "session.json" in files:
        trace = json.load(open(os.path.join(out, "session.json")))["traceEvents"]
        names = {e["name"] for e in trace if e.get("ph") == "X"}
        if not {"socket", "connect", "send", "recv", "close"} <= names:
            problems.append(f"session.json slices: {sorted(names)}")
        starts = {e["id"] for e in trace if e.get("ph") == "s"}
        if not starts:
            problems.append("session.json has no flow from a send")
    if "session.pcapng" in files:
        rows = subprocess.run(["tshark", "-r", os.path.join(out, "session.pcapng"), "-T", "fields", "-e",
                               "tcp.flags.str", "-e", "tcp.payload", "-e", "frame.comment"],
                              capture_output=True, text=True, check=True).stdout.splitlines()
        comments = [r.split("\t")[2] for r in rows if len(r.split("\t")) > 2 and r.split("\t")[2]]
        payloads = [r.split("\t")[1] for r in rows if len(r.split("\t")) > 1 and r.split("\t")[1]]
        if len(rows) < 8:
            problems.append(f"session.pcapng: {len(rows)} packets, a whole TCP echo has at least 8")
        if "68656c6c6f" not in payloads or "48454c4c4f" not in payloads:
            problems.append(f"session.pcapng payloads {payloads}")
        for call in ("connect((", "send(b'hello') -> 5", "close() -> 0"):
            if not any(call in c for c in comments):
                problems.append(f"no packet commented with {call!r}: {comments}")
    print(f"{len(files)} files; " + ("capture permitted" if permitted else "capture not permitted: no pcapng"))

# A lesson's own session: walk --export captures its loopback packets and names its calls.
with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "walk")
    done = subprocess.run([sockstep, "walk", "echo-tcp", "--export", out], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        problems.append(f"walk --export exited {done.returncode}: {done.stderr}")
    md = open(os.path.join(out, "session.md")).read() if os.path.exists(os.path.join(out, "session.md")) else ""
    if "[1/16] server" not in md:
        problems.append("walk's session.md is not its transcript")
    pcapng = os.path.join(out, "session.pcapng")
    if os.path.exists(pcapng):
        comments = subprocess.run(["tshark", "-r", pcapng, "-T", "fields", "-e", "frame.comment"], capture_output=True,
                                  text=True, check=True).stdout
        for call in ("connect(('127.0.0.1', 8084)) -> 0", "send(b'hello') -> 5", "send(b'HELLO') -> 5"):
            if call not in comments:
                problems.append(f"walk's session.pcapng has no packet commented {call!r}")
    elif "not permitted" not in done.stderr:
        problems.append("walk --export wrote no session.pcapng and did not say why")
    print("walk echo-tcp --export: " + ("pcapng with comments" if os.path.exists(pcapng) else "no capture"))

# A trace's session: its calls reach the log after they returned, stamped with their own
# time, so its packets are commented too (both programs' connect, sends and closes).
client = os.path.join(os.path.dirname(seed), "echo_client.py")
with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "trace")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    done = subprocess.run([sockstep, "trace", "--headless", "--export", out, "--", sys.executable, "-c",
                           open(seed).read().replace("8084", str(port)), ":::", sys.executable, "-c",
                           open(client).read().replace("8084", str(port))],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        problems.append(f"trace --export exited {done.returncode}: {done.stderr}")
    pcapng = os.path.join(out, "session.pcapng")
    if os.path.exists(pcapng):
        comments = subprocess.run(["tshark", "-r", pcapng, "-T", "fields", "-e", "frame.comment"], capture_output=True,
                                  text=True, check=True).stdout
        for call in (f"connect(('127.0.0.1', {port})) -> 0", "send(b'hello') -> 5", "send(b'HELLO') -> 5", "close() -> 0"):
            if call not in comments:
                problems.append(f"trace's session.pcapng has no packet commented {call!r}: {comments.split()}")
    elif "not permitted" not in done.stderr + done.stdout:
        problems.append("trace --export wrote no session.pcapng and did not say why")
    print("trace --export: " + ("pcapng with comments" if os.path.exists(pcapng) else "no capture"))

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
