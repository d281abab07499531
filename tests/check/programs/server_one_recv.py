# An echo server that gives every client its own thread.
# Bug: it takes one recv() as the client's whole message, sends that back and
# hangs up; but TCP is a stream, and one recv() may hold only part of what was sent.
import socket
import sys
import threading


def serve(conn):
    try:
        data = conn.recv(1024)    # "the message" -- or only the first piece of it
        conn.sendall(data)
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
