# An echo server that gives every client its own thread.
# It is correct: sendall() keeps sending until every byte has gone,
# SO_REUSEADDR lets it start again at once on the same port,
# and a client that resets or vanishes only ends that client's thread.
import socket
import sys
import threading


def serve(conn):
    try:
        while True:
            data = conn.recv(4096)
            if not data:          # b'': the client has closed its side
                break
            conn.sendall(data)    # send() may take only part; sendall() loops
    except (ConnectionResetError, BrokenPipeError):
        pass                      # the client hung up hard; nothing to answer
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
