#!/usr/bin/env python3
"""A lab of students at once: `sockstep serve --allow-remote` in a network namespace of
its own, with listen(5) as the seed has it, and N students in another namespace, each
with an address of its own on one veth link, connecting at the same moment. Every
student must get its exact echo; serve must stop after the last one (--max-clients N),
and what it reports must be the kernel's own count (read with nstat in serve's
namespace): the accept-queue overflows (TcpExtListenOverflows), the SYN cookies sent when
the SYN queue was full (TcpExtSyncookiesSent) and the cookies that failed
(TcpExtSyncookiesFailed), each of which the kernel answers with a reset. A student who
is reset tries again, as a student would; every reset must be one the kernel counted.

Needs root and iproute2; exits 77 (skipped) when namespaces cannot be made.
Traffic stays on the link between the two namespaces this test makes."""
import json
import os
import socket
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lab import SERVER_ADDR, Lab, in_ns, sh  # noqa: E402

SOCKSTEP = sys.argv[1]
STUDENTS = int(sys.argv[2]) if len(sys.argv) > 2 else 30
BACKLOG = 5
LAB = Lab(STUDENTS)
SERVER_NS, STUDENT_NS = LAB.server_ns, LAB.student_ns


def nstat(ns, name):
    out = sh(*in_ns(ns, "nstat", "-asz", name)).stdout
    for line in out.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] == name:
            return int(words[1])
    return 0


STUDENT_PROGRAM = r'''
import json, socket, sys, threading
server, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
start = threading.Barrier(n)
results = [None] * n
def student(i):
    s = socket.socket()
    s.settimeout(30)
    s.bind((f"10.77.0.{10 + i}", 0))
    message = f"student {i} says hello\n".encode()
    start.wait()
    resets = 0
    for attempt in range(4):
        try:
            if attempt:
                s = socket.socket()
                s.settimeout(30)
                s.bind((f"10.77.0.{10 + i}", 0))
            s.connect((server, port))
            s.sendall(message)
            s.shutdown(socket.SHUT_WR)
            got = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
            results[i] = {"ok": got == message.upper(), "got": got.decode(errors="replace"), "resets": resets}
            return
        except ConnectionResetError as e:
            resets += 1
            results[i] = {"ok": False, "error": repr(e), "resets": resets}
        except OSError as e:
            results[i] = {"ok": False, "error": repr(e), "resets": resets}
            return
        finally:
            s.close()
threads = [threading.Thread(target=student, args=(i,)) for i in range(n)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps(results))
'''


def main():
    if os.geteuid() != 0:
        print("lan_burst: skipped: network namespaces need root")
        return 77
    try:
        LAB.make()
    except (subprocess.CalledProcessError, FileNotFoundError) as e:
        LAB.drop()
        print(f"lan_burst: skipped: cannot make network namespaces here ({e})")
        return 77
    counters = ("TcpExtListenOverflows", "TcpExtSyncookiesSent", "TcpExtSyncookiesFailed")
    try:
        before = {name: nstat(SERVER_NS, name) for name in counters}
        serve = subprocess.Popen(
            in_ns(SERVER_NS, SOCKSTEP, "serve", "--headless", "--json", "--allow-remote", "--host", SERVER_ADDR, "--port",
                  "0", "--backlog", str(BACKLOG), "--max-clients", str(STUDENTS)),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        port = 0
        lines = []
        for line in serve.stdout:  # until its getsockname() names the port
            lines.append(line)
            event = json.loads(line)
            if event.get("call") == "getsockname":
                port = int(event["local"].rsplit(":", 1)[1])
                break
        assert port, "serve did not say its port:\n" + "".join(lines) + serve.stderr.read()
        # The rest is read from the same buffered file: the lines it read ahead are in it.
        reader = threading.Thread(target=lambda: lines.extend(serve.stdout))
        reader.start()
        students = subprocess.run(in_ns(STUDENT_NS, sys.executable, "-c", STUDENT_PROGRAM, SERVER_ADDR, str(port),
                                        str(STUDENTS)), capture_output=True, text=True, timeout=90)
        assert students.returncode == 0, students.stderr
        results = json.loads(students.stdout)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()
            reader.join()
            raise AssertionError(f"serve did not stop after {STUDENTS} clients; students: {results}; "
                                 f"its last lines: {lines[-12:]}")
        reader.join()
        assert serve.returncode == 0, f"serve exited {serve.returncode}: {serve.stderr.read()}"
        after = {name: nstat(SERVER_NS, name) for name in counters}
    finally:
        LAB.drop()

    failed = [(i, r) for i, r in enumerate(results) if not r["ok"]]
    assert not failed, f"{len(failed)} of {STUDENTS} students not served: {failed[:5]}"
    events = [json.loads(line) for line in lines if line.strip()]
    notes = [e for e in events if e.get("note") == "listen_full"]
    said = {key: sum(e.get(key, 0) for e in notes) for key in ("overflows", "cookies_sent", "cookies_failed")}
    kernel = {key: after[name] - before[name] for key, name in zip(said, counters)}
    accepted = sum(1 for e in events if e.get("call") == "accept" and "errno" not in e)
    resets = sum(r.get("resets", 0) for r in results)
    remote = [e for e in events if e.get("kind") == "note" and "anyone who can reach" in e.get("detail", "")]
    print(f"lan_burst: {STUDENTS} students from {STUDENTS} addresses, listen({BACKLOG}): all echoed exactly; "
          f"kernel ListenOverflows +{kernel['overflows']} SyncookiesSent +{kernel['cookies_sent']} "
          f"SyncookiesFailed +{kernel['cookies_failed']}, serve said {said}; students reset and retried: {resets}; "
          f"connections accepted: {accepted}")
    assert said == kernel, f"serve said {said}, the kernel counted {kernel}"
    assert resets <= kernel["cookies_failed"], f"{resets} resets, the kernel reset only {kernel['cookies_failed']}"
    assert accepted == STUDENTS, f"{accepted} connections accepted for {STUDENTS} students"
    assert remote, "serve --allow-remote did not say who can connect: " + repr([e for e in events if e.get("kind") == "note"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
