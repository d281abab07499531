#!/usr/bin/env python3
"""Judges `sockstep trace` against strace, on programs this project did not write.

Runs `sockstep trace --headless --json -- strace -f ... PROGRAM`: strace records every
system call the program makes, sockstep every socket call its preload saw. Each socket
call strace shows on a socket the program made (socket, bind, listen, accept, connect,
the calls that move bytes, shutdown, close) must be among sockstep's events of the same
process, in order, with the same fd and the same result, and for calls that moved bytes
the same bytes, up to what a traced call keeps (2 KiB).

Usage: strace_oracle.py SOCKSTEP [--exit N] PROGRAM [ARGS...] [::: PROGRAM [ARGS...]]
  (exit 0: all seen, 1: some missing)
  --exit N: the program ends with this status (128 + signal for a crash), not 0
  ::: a second program, started by trace once the first listens (a server, then its
      client); each runs under a strace of its own
  {port} in an argument: a free loopback port, the same in every argument
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile

import strace_log

KEPT = 2048  # what a traced call keeps of its bytes (trace/wire.hpp kMaxData)
OUT = {'sendto', 'sendmsg', 'write', 'writev', 'sendmmsg', 'sendfile'}
IN = {'recvfrom', 'recvmsg', 'read', 'readv', 'recvmmsg'}
# strace's name -> sockstep's kind of call
KIND = {'socket': 'socket', 'socketpair': 'socketpair', 'bind': 'bind', 'listen': 'listen',
        'accept': 'accept', 'accept4': 'accept', 'connect': 'connect', 'shutdown': 'shutdown',
        'close': 'close'}
KIND.update({c: 'out' for c in OUT})
KIND.update({c: 'in' for c in IN})
EVENT_KIND = {'socket': 'socket', 'socketpair': 'socketpair', 'bind': 'bind', 'listen': 'listen',
              'accept': 'accept', 'connect': 'connect', 'shutdown': 'shutdown', 'close': 'close'}

LINE = re.compile(r'^(\d+) +(\w+)\((.*)\) += (-?\d+)(?: (E\w+))?')
FD = re.compile(r'^(\d+)<([^>]*)>')
HEX = re.compile(r'"((?:\\x[0-9a-f]{2})*)"')


# Sockets glibc opens for itself inside a name lookup: the nscd client and the DNS
# resolver call glibc's internal socket functions, which no preload library can wrap.
# They are counted and named, as the README's trace section says, not judged.
LIBC_OWN = re.compile(r'sun_path="[^"]*/nscd/socket"|sin6?_port=htons\(53\)')


def strace_calls(path):
    """[thread id, kind, fd, result, errno, hex bytes or None, inode, libc's own] of each
    socket call, in order."""
    calls = []
    last_socket = {}  # (pid, fd) -> index in calls of the socket() that returned it
    libc_own = set()  # (pid, fd) of glibc's own lookup sockets, until closed
    for raw in strace_log.calls(path):
        m = LINE.match(raw)
        if not m or m.group(2) not in KIND:
            continue
        pid, name, args, result, err = m.group(1), m.group(2), m.group(3), int(m.group(4)), m.group(5)
        kind = KIND[name]
        if name == 'socket' and 'NETLINK_SOCK_DIAG' in args:
            # The tracer's own: after a close, the preload asks sock_diag whether another
            # descriptor still holds the connection. Not the program's socket.
            continue
        if kind in ('socket', 'accept') and result >= 0:
            # -yy annotates the returned fd only in the arguments of later calls; the
            # socket's inode is learned from its first use below.
            last_socket[(pid, result)] = len(calls)
            calls.append([pid, kind, result, result, err, None, None, False])
            continue
        fd_text = FD.match(args)
        if not fd_text or not fd_text.group(2).startswith(('TCP', 'UDP', 'UNIX', 'TCPv6', 'UDPv6', 'socket')):
            continue
        inode = re.search(r'\[(\d+)', fd_text.group(2))
        data = None
        if kind in ('out', 'in') and result > 0:
            hexes = HEX.search(args)
            if hexes:
                data = hexes.group(1).replace('\\x', '')[:2 * KEPT]
        fd = int(fd_text.group(1))
        if kind == 'connect' and LIBC_OWN.search(re.sub(r'\\x([0-9a-f]{2})', lambda m: chr(int(m.group(1), 16)), args)):
            libc_own.add((pid, fd))
            if (pid, fd) in last_socket:
                calls[last_socket[(pid, fd)]][7] = True
        calls.append([pid, kind, fd, result, err, data, inode.group(1) if inode else None, (pid, fd) in libc_own])
        if kind == 'close':
            libc_own.discard((pid, fd))
    return calls


def sockstep_events(lines):
    events = {}
    for line in lines:
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if e.get('kind') != 'call' or 'pid' not in e:
            continue
        d = e.get('dir')
        kind = 'out' if d == 'out' else 'in' if d == 'in' else EVENT_KIND.get(e.get('call'))
        if kind is None:
            continue
        # strace names a thread's calls by the thread's id: so does this index.
        events.setdefault(str(e.get('tid', e['pid'])), []).append(e)
        e['_kind'] = kind
    return events


def main():
    sockstep, program = sys.argv[1], sys.argv[2:]
    expected_exit = 0
    if program[:1] == ['--exit']:
        expected_exit, program = int(program[1]), program[2:]
    port = None
    programs = [[]]
    for word in program:
        if '{port}' in word:
            if port is None:
                with socket.socket() as probe:
                    probe.bind(('127.0.0.1', 0))
                    port = probe.getsockname()[1]
            word = word.replace('{port}', str(port))
        if word == ':::':
            programs.append([])
        else:
            programs[-1].append(word)
    with tempfile.TemporaryDirectory() as tmp:
        logs = [os.path.join(tmp, f'strace{i}.log') for i in range(len(programs))]
        argv = [sockstep, 'trace', '--headless', '--json', '--']
        for i, (one, log) in enumerate(zip(programs, logs)):
            if i > 0:
                argv.append(':::')
            argv += ['strace', '-f', '-qq', '-yy', '-xx', '-s', str(KEPT),
                     '-e', 'trace=socket,socketpair,bind,listen,accept,accept4,connect,sendto,recvfrom,sendmsg,'
                     'recvmsg,read,write,readv,writev,shutdown,close', '-e', 'signal=none', '-o', log, '--'] + one
        try:
            run = subprocess.run(argv, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as late:
            out = (late.stdout or b'').decode(errors='replace') if isinstance(late.stdout, bytes) else (late.stdout or '')
            print(f'trace did not end in 90 s; its last lines:\n' + '\n'.join(out.splitlines()[-15:]))
            return 1
        # trace exits 1 when a program did not end with status 0.
        ended = [json.loads(line) for line in run.stdout.splitlines() if '"note":"exit"' in line]
        if (run.returncode != 0) != (expected_exit != 0) or (ended and ended[-1].get('value') != expected_exit):
            print(f'trace failed (exit {run.returncode}):\n{run.stdout[-3000:]}\n{run.stderr[-2000:]}')
            return 1
        calls = [c for log in logs for c in strace_calls(log)]
    events = sockstep_events(run.stdout.splitlines())
    # Sockets the program made: strace saw their socket/accept; only their calls count
    # (the trace's own channel is a socket the program inherited).
    made = {(c[0], c[2]) for c in calls if c[1] in ('socket', 'accept') and c[3] >= 0}
    open_fds = {}
    checked = missing = glibc = 0
    position = {}
    unseen = set()  # (pid, fd) of a socket the trace did not show: its calls are not searched for
    for pid, kind, fd, result, err, data, _, own in calls:
        if own:
            glibc += 1
            continue
        if kind in ('socket', 'accept'):
            open_fds[(pid, result)] = True
        elif not open_fds.get((pid, fd)) and (pid, fd) not in made:
            continue
        if kind == 'close':
            open_fds.pop((pid, fd), None)
        if kind not in ('socket', 'accept') and not open_fds.get((pid, fd)) and kind != 'close':
            continue
        checked += 1
        key = (pid, result if kind in ('socket', 'accept') else fd)
        if key in unseen and kind not in ('socket', 'accept'):
            missing += 1
            print(f'not in the trace: pid {pid} {kind} fd {fd} = {result} {err or ""} (a socket it did not show)')
            if kind == 'close':
                unseen.discard(key)
            continue
        unseen.discard(key)
        mine = events.get(pid, [])
        at = position.get(pid, 0)
        found = None
        for i in range(at, len(mine)):
            e = mine[i]
            want_fd = e['value'] if e['_kind'] in ('socket', 'accept') else e['fd']
            same_result = (e.get('errno') == err) if err else (e['value'] == result or (kind == 'accept' and e['value'] == result))
            if e['_kind'] == kind and want_fd == (result if kind in ('socket', 'accept') else fd) and same_result:
                found = i
                break
        if found is None:
            missing += 1
            print(f'not in the trace: pid {pid} {kind} fd {fd} = {result} {err or ""}')
            if kind in ('socket', 'accept'):
                unseen.add(key)
            continue
        e = mine[found]
        if data is not None and e.get('bytes_hex', '')[:len(data)] != data:
            missing += 1
            print(f'other bytes: pid {pid} {kind} fd {fd}: strace {data[:40]}..., trace {e.get("bytes_hex", "")[:40]}...')
        position[pid] = found + 1
    if glibc:
        print(f'{glibc} calls on sockets glibc opened for a name lookup (nscd, DNS), which no preload sees')
    print(f'{checked} socket calls strace saw, {missing} missing or different in the trace')
    return 0 if checked > 0 and missing == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
