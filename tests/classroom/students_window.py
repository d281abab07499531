#!/usr/bin/env python3
"""The student view under Xvfb: thirty students, each from an address of its own, connect
at once to `sockstep serve --allow-remote` (listen(5)) in the window; the picture must
show thirty tiles.

   students_window.py SOCKSTEP OUT_DIR [--students 30] [--leavers 5] [--lang en|zh]

Each student sends a line and reads its echo; five then hang up, the others stay until
serve goes away. serve's namespace names the students' machines (pc-01 ...) as a LAN's DNS
would, so the tiles show reverse names. serve is told to serve one client more than come (--max-clients N+1),
so its session never finishes and --screenshot pictures it at its patience's end (15 s)
with everyone there. The PNG is decoded here (zlib, no imaging library) and the tiles are
counted in it: each tile is a filled rectangle of one colour, so the test counts the
rectangles of that colour of about one size, an oracle outside the window's own model.

Needs root, iproute2 and xvfb-run; exits 77 (skipped) when namespaces cannot be made.
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lab import SERVER_ADDR, Lab, in_ns  # noqa: E402

PORT = 8084  # the lesson's port: the namespace is this test's own

STUDENTS_PROGRAM = r'''
import json, socket, sys, threading
server, port, n, leavers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
start = threading.Barrier(n)
results = [None] * n
def student(i):
    message = f"student {i} says hello\n".encode()
    start.wait()
    for attempt in range(4):  # a reset by a full queue is tried again, as a student would
        s = socket.socket()
        s.settimeout(40)
        s.bind((f"10.77.0.{10 + i}", 0))
        try:
            s.connect((server, port))
            s.sendall(message)
            got = b""
            while len(got) < len(message):
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
            ok = got == message.upper()
            if i >= leavers:  # stays until serve goes away (its window closed)
                while s.recv(4096):
                    pass
            results[i] = {"ok": ok, "got": got.decode(errors="replace")}
            return
        except ConnectionResetError as e:
            results[i] = {"ok": False, "error": repr(e)}
        except OSError as e:
            results[i] = {"ok": False, "error": repr(e)}
            return
        finally:
            s.close()
threads = [threading.Thread(target=student, args=(i,)) for i in range(n)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps(results))
'''


def wait_listening(ns, port, serve):
    """serve listens before its window opens, and says nothing the test can read: ask the
    kernel (ss in serve's namespace), without connecting, which would make a tile."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and serve.poll() is None:
        out = subprocess.run(in_ns(ns, "ss", "-Hltn", f"sport = :{port}"), capture_output=True, text=True).stdout
        if out.strip():
            return
        time.sleep(0.05)  # nothing to wait on but time: serve is starting
    raise AssertionError(f"serve never listened on {port}: {serve.stderr.read() if serve.poll() is not None else ''}")


def read_png(path):
    """(width, height, rows of RGB bytes) of an 8-bit RGB or RGBA PNG without interlace."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0, "unexpected PNG format"
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        kind, cur = line[0], bytearray(line[1:])
        for x in range(stride):
            a = cur[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if kind == 1:
                cur[x] = (cur[x] + a) & 255
            elif kind == 2:
                cur[x] = (cur[x] + b) & 255
            elif kind == 3:
                cur[x] = (cur[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                cur[x] = (cur[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        prev = cur
        rows.append(bytes(cur) if channels == 3 else bytes(v for i, v in enumerate(cur) if i % 4 != 3))
    return width, height, rows


def count_tiles(width, height, rows):
    """Rectangles of one colour (tiles are filled with the frame colour): the colour whose
    large connected regions are most alike in size, and how many such regions it has."""
    counts = {}
    for row in rows[::4]:
        for x in range(0, width * 3, 12):
            key = row[x:x + 3]
            counts[key] = counts.get(key, 0) + 1
    best = (0, None, [])
    for colour, _ in sorted(counts.items(), key=lambda kv: -kv[1])[:6]:
        regions = regions_of(colour, width, height, rows)
        big = [r for r in regions if r[2] - r[0] > 60 and r[3] - r[1] > 40]
        if not big:
            continue
        # Tiles are all one size; the window's own background is one region.
        w = sorted(r[2] - r[0] for r in big)[len(big) // 2]
        h = sorted(r[3] - r[1] for r in big)[len(big) // 2]
        alike = [r for r in big if abs((r[2] - r[0]) - w) <= 4 and abs((r[3] - r[1]) - h) <= 4]
        if len(alike) > best[0]:
            best = (len(alike), colour, alike)
    return best


def regions_of(colour, width, height, rows):
    """Bounding boxes of the 4-connected regions of one colour, by runs and union-find."""
    parent = []

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    boxes = []
    prev_runs = []
    for y, row in enumerate(rows):
        runs, x = [], 0
        while x < width:
            if row[x * 3:x * 3 + 3] == colour:
                start = x
                while x < width and row[x * 3:x * 3 + 3] == colour:
                    x += 1
                label = len(parent)
                parent.append(label)
                boxes.append([start, y, x, y + 1])
                runs.append((start, x, label))
            else:
                x += 1
        j = 0
        for start, end, label in runs:
            while j < len(prev_runs) and prev_runs[j][1] <= start:
                j += 1
            k = j
            while k < len(prev_runs) and prev_runs[k][0] < end:
                a, b = find(label), find(prev_runs[k][2])
                if a != b:
                    parent[b] = a
                k += 1
        prev_runs = runs
    merged = {}
    for i, box in enumerate(boxes):
        root = find(i)
        m = merged.setdefault(root, list(box))
        m[0], m[1] = min(m[0], box[0]), min(m[1], box[1])
        m[2], m[3] = max(m[2], box[2]), max(m[3], box[3])
    return list(merged.values())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("sockstep")
    parser.add_argument("out_dir")
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--leavers", type=int, default=5)
    parser.add_argument("--lang", default="en")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("students_window: skipped: network namespaces need root")
        return 77
    lab = Lab(args.students, "sw")
    try:
        lab.make()
    except (subprocess.CalledProcessError, FileNotFoundError) as e:
        lab.drop()
        print(f"students_window: skipped: cannot make network namespaces here ({e})")
        return 77
    os.makedirs(args.out_dir, exist_ok=True)
    png = os.path.join(args.out_dir, f"students-{args.students}-{args.lang}.png")
    scratch = os.path.join(args.out_dir, "config")
    width, height = 1280, 720  # a live window's screenshot is always the default size
    try:
        # The LAN names its machines: pc-01 ... (the tiles' reverse names).
        lab.name_students([f"pc-{i + 1:02d}" for i in range(args.students)])
        serve = subprocess.Popen(
            in_ns(lab.server_ns, "env", f"XDG_CONFIG_HOME={scratch}", "xvfb-run", "-a", "-s",
                  f"-screen 0 {width}x{height}x24", args.sockstep, "serve", "--allow-remote", "--host", SERVER_ADDR,
                  "--port", str(PORT), "--max-clients", str(args.students + 1), "--lang", args.lang, "--screenshot",
                  png), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_listening(lab.server_ns, PORT, serve)
        students = subprocess.run(in_ns(lab.student_ns, sys.executable, "-c", STUDENTS_PROGRAM, SERVER_ADDR, str(PORT),
                                        str(args.students), str(args.leavers)),
                                  capture_output=True, text=True, timeout=120)
        try:
            out, err = serve.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            serve.kill()
            out, err = serve.communicate()
            raise AssertionError(f"serve's window did not exit after its screenshot: {err}")
    finally:
        lab.drop()
    assert students.returncode == 0, students.stderr
    results = json.loads(students.stdout)
    failed = [(i, r) for i, r in enumerate(results) if not r["ok"]]
    assert not failed, f"{len(failed)} of {args.students} students not echoed: {failed[:5]}"
    assert serve.returncode == 0, f"serve exited {serve.returncode}: {err}"
    w, h, rows = read_png(png)
    assert (w, h) == (width, height), f"the picture is {w}x{h}, not {width}x{height}"
    grey = [sum(row[x] for x in range(0, len(row), 30)) for row in rows[::8]]
    assert max(grey) != min(grey), "the picture is blank"
    tiles, colour, boxes = count_tiles(w, h, rows)
    size = f"{boxes[0][2] - boxes[0][0]}x{boxes[0][3] - boxes[0][1]}" if boxes else "-"
    print(f"students_window: {args.students} students from {args.students} addresses, {args.leavers} left; "
          f"{png}: {tiles} tiles of {size} px (colour {colour.hex() if colour else '-'})")
    assert tiles == args.students, f"the picture shows {tiles} tiles for {args.students} students"
    return 0


if __name__ == "__main__":
    sys.exit(main())
