# An echo server that gives every client its own thread.
# Bug: it does not set SO_REUSEADDR before bind(), so when it is stopped with a
# client still connected and started again at once, bind() fails with
# "Address already in use" while the old connection sits in TIME_WAIT.
import socket
import sys
import threading


def serve(conn):
    try:
        while True:
            data = conn.recv(4096)
            if not data:
                break
            conn.sendall(data)
    except (ConnectionResetError, BrokenPipeError):
        pass
    finally:
        conn.close()


port = int(sys.argv[1])
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(('127.0.0.1', port))
server.listen(16)
while True:
    conn, addr = server.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
