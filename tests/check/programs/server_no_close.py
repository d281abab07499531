# An echo server that gives every client its own thread and keeps a list of them.
# Bug: when a client hangs up it stops reading but never closes the connection
# (the list still holds it), so the socket stays in CLOSE_WAIT and the fd leaks.
import socket
import sys
import threading

clients = []                      # every connection we have had


def serve(conn):
    try:
        while True:
            data = conn.recv(4096)
            if not data:          # the client has gone... and we just stop
                return
            conn.sendall(data)
    except (ConnectionResetError, BrokenPipeError):
        return


port = int(sys.argv[1])
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', port))
server.listen(16)
while True:
    conn, addr = server.accept()
    clients.append(conn)
    print('clients so far:', len(clients), flush=True)
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
