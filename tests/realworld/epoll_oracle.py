#!/usr/bin/env python3
"""Judges the event loops `sockstep trace` shows against strace, on event loops this
project did not write (asyncio, node's libuv).

Runs `sockstep trace --headless --json -- strace -f ... PROGRAM`. From strace's
epoll_ctl calls on sockets it builds each epoll instance's interest set, and from each
epoll_wait that returned something, its ready list. The trace must show the same: every
epoll_wait of an instance that found something, in order, with the same ready sockets
and events, and the same interest set (fd and mask, EPOLLET included) at that moment.

Usage: epoll_oracle.py SOCKSTEP PROGRAM [ARGS...]   (exit 0: the same, 1: not)
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import strace_log

BITS = {'EPOLLIN': 0x1, 'EPOLLPRI': 0x2, 'EPOLLOUT': 0x4, 'EPOLLERR': 0x8, 'EPOLLHUP': 0x10,
        'EPOLLRDNORM': 0x40, 'EPOLLRDBAND': 0x80, 'EPOLLWRNORM': 0x100, 'EPOLLWRBAND': 0x200,
        'EPOLLMSG': 0x400, 'EPOLLRDHUP': 0x2000, 'EPOLLEXCLUSIVE': 1 << 28, 'EPOLLWAKEUP': 1 << 29,
        'EPOLLONESHOT': 1 << 30, 'EPOLLET': 1 << 31}
# -yy's names of a socket fd (a connection's holds '->': the patterns match up to '>, ').
SOCKET = ('TCP', 'UDP', 'UNIX', 'TCPv6', 'UDPv6', 'socket')
CTL = re.compile(r'^\d+ +epoll_ctl\((\d+)<[^>]*>, (EPOLL_CTL_\w+), (\d+)<(.*?)>, '
                 r'(?:\{events=([^,]*), data=\{u32=(\d+)[^}]*\}\}|NULL|0x[0-9a-f]+)\) += (-?\d+)')
WAIT = re.compile(r'^\d+ +epoll_p?wait2?\((\d+)<[^>]*>, \[(.*)\], \d+, .*\) += (\d+)$')
ENTRY = re.compile(r'\{events=([^,]*), data=\{u32=(\d+)')
CLOSE = re.compile(r'^\d+ +close\((\d+)<(.*)>\) += 0$')


def mask(text):
    value = 0
    for name in text.split('|'):
        value |= BITS.get(name, int(name, 0) if name.startswith('0x') else 0)
    return value


def strace_waits(path):
    """{epfd: [(ready [(fd, events)], interest [(fd, mask)])]} of each wait that found something."""
    interest, data, waits = {}, {}, {}
    for raw in strace_log.calls(path):
        m = CTL.match(raw)
        if m:
            epfd, op, fd, what, events, u32, rc = m.groups()
            if not what.startswith(SOCKET) or int(rc) != 0:
                continue
            fds = interest.setdefault(int(epfd), {})
            if op == 'EPOLL_CTL_DEL':
                fds.pop(int(fd), None)
            else:
                fds[int(fd)] = mask(events)
                data[(int(epfd), int(u32))] = int(fd)
            continue
        m = WAIT.match(raw)
        if m and int(m.group(3)) > 0:
            epfd = int(m.group(1))
            ready = sorted((data[(epfd, int(u32))], mask(events) & 0xFFFF)
                           for events, u32 in ENTRY.findall(m.group(2)) if (epfd, int(u32)) in data)
            waits.setdefault(epfd, []).append((ready, sorted(interest.get(epfd, {}).items())))
            continue
        m = CLOSE.match(raw)
        if m and m.group(2).startswith(SOCKET):
            for fds in interest.values():
                fds.pop(int(m.group(1)), None)
    return waits


def traced_waits(lines):
    waits = {}
    for line in lines:
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if e.get('kind') != 'call' or e.get('call') != 'epoll_wait' or e.get('value', 0) <= 0:
            continue
        ready = sorted((p['fd'], p['revents'] & 0xFFFF) for p in e.get('polled', []))
        interest = sorted((i['fd'], i['mask']) for i in e.get('interest', []))
        waits.setdefault(e['fd'], []).append((ready, interest))
    return waits


def main():
    sockstep, program = sys.argv[1], sys.argv[2:]
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, 'strace.log')
        argv = [sockstep, 'trace', '--headless', '--json', '--', 'strace', '-f', '-qq', '-yy',
                '-e', 'trace=epoll_ctl,epoll_wait,epoll_pwait,epoll_pwait2,close', '-e', 'signal=none',
                '-o', log, '--'] + program
        run = subprocess.run(argv, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL)
        if run.returncode != 0:
            print(f'trace failed (exit {run.returncode}):\n{run.stdout[-3000:]}\n{run.stderr[-2000:]}')
            return 1
        want = strace_waits(log)
    got = traced_waits(run.stdout.splitlines())
    waits = sum(len(w) for w in want.values())
    wrong = 0
    for epfd in sorted(set(want) | set(got)):
        a, b = want.get(epfd, []), got.get(epfd, [])
        if len(a) != len(b):
            wrong += 1
            print(f'epoll fd {epfd}: strace saw {len(a)} waits that found something, the trace {len(b)}')
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                wrong += 1
                print(f'epoll fd {epfd} wait {i + 1}: strace ready {x[0]} interest {x[1]}; '
                      f'trace ready {y[0]} interest {y[1]}')
    sockets = {fd for w in want.values() for ready, interest in w for fd, _ in interest}
    print(f'{waits} epoll waits that found something, on {len(want)} instances watching {len(sockets)} sockets: '
          f'{wrong} different in the trace')
    return 0 if waits > 0 and sockets and wrong == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
