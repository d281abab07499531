# An echo server that forgets one step.
# Bug: it binds its port but never calls listen(), so the port refuses every
# caller and accept() fails at once with EINVAL, ending the server.
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
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', port))
while True:
    conn, addr = server.accept()  # OSError: [Errno 22] Invalid argument
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
