# An echo server in one thread: a selectors event loop over non-blocking sockets.
# Bug: it sends each piece back with send() at once and forgets what the kernel did not
# take. While a client is not reading, the server's send buffer is full and send()
# takes part of the bytes or raises BlockingIOError (EAGAIN); those bytes are lost.
import selectors
import socket
import sys

sel = selectors.DefaultSelector()


def accept(server):
    try:
        conn, addr = server.accept()
    except BlockingIOError:
        return
    conn.setblocking(False)
    sel.register(conn, selectors.EVENT_READ)


def readable(conn):
    try:
        data = conn.recv(4096)
    except BlockingIOError:
        return
    except ConnectionResetError:
        data = b''
    if not data:
        sel.unregister(conn)
        conn.close()
        return
    try:
        conn.send(data)           # what it does not take is dropped
    except BlockingIOError:
        pass
    except OSError:               # the client reset or went away
        sel.unregister(conn)
        conn.close()


port = int(sys.argv[1])
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', port))
server.listen(16)
server.setblocking(False)
sel.register(server, selectors.EVENT_READ)

while True:
    for key, events in sel.select():
        if key.fileobj is server:
            accept(server)
        else:
            readable(key.fileobj)
