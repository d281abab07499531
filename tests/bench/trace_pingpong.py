# The Python program of bench_trace: trace_pingpong.c's ping-pongs (a server and a
# client in two processes, 64 bytes each way over loopback) as Python makes them, with
# the interpreter's own calls around each one. Prints the loop's own time.
# Usage: python3 trace_pingpong.py N
import os
import socket
import sys
import time

trips = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
listener = socket.socket()
listener.bind(('127.0.0.1', 0))
listener.listen(1)
address = listener.getsockname()
child = os.fork()
if child == 0:
    listener.close()
    client = socket.create_connection(address)
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    message = b'p' * 64
    start = time.monotonic()
    for _ in range(trips):
        client.sendall(message)
        got = b''
        while len(got) < 64:
            piece = client.recv(64 - len(got))
            if not piece:
                sys.exit(4)
            got += piece
    elapsed = time.monotonic() - start
    print(f'pingpong {trips} trips {elapsed:.6f} s {elapsed * 1e6 / trips:.2f} us/trip', flush=True)
    client.close()
    os._exit(0)
conn, _ = listener.accept()
conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
while True:
    data = conn.recv(1024)
    if not data:
        break
    conn.sendall(data)
conn.close()
listener.close()
_, status = os.waitpid(child, 0)
sys.exit(os.waitstatus_to_exitcode(status))
