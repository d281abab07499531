# An echo server that forks a child process for every client.
# It is correct: the parent closes its copy of each accepted socket (the child
# has its own), the child closes its copy of the listening socket, and the
# parent reaps children as they end so none is left a zombie.
import os
import signal
import socket
import sys


def reap(signum, frame):
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass                      # no children left


def serve(conn):
    try:
        while True:
            data = conn.recv(4096)
            if not data:          # b'': the client has closed its side
                break
            conn.sendall(data)
    except (ConnectionResetError, BrokenPipeError):
        pass                      # the client hung up hard
    finally:
        conn.close()


port = int(sys.argv[1])
signal.signal(signal.SIGCHLD, reap)
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', port))
server.listen(16)
while True:
    conn, addr = server.accept()
    if os.fork() == 0:            # the child: serve this one client, then leave
        server.close()
        serve(conn)
        os._exit(0)
    conn.close()                  # the parent: the child has the connection now
