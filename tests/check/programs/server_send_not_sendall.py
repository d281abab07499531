# An echo server that gives every client its own thread.
# Bug: it answers with conn.send(data) and ignores what send() returns, so when
# send() takes only part of the bytes (which it may), the rest is silently lost.
import socket
import sys
import threading


def serve(conn):
    try:
        while True:
            data = conn.recv(4096)
            if not data:
                break
            conn.send(data)       # returns how many bytes it took; not always all
    except (ConnectionResetError, BrokenPipeError):
        pass
    finally:
        conn.close()


port = int(sys.argv[1])
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', port))
server.listen(16)
while True:
    conn, addr = server.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
