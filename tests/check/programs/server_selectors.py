# An echo server in one thread: a selectors event loop over non-blocking sockets.
# It is correct: each connection keeps the bytes it still owes in an output
# buffer, so a send() that takes only part of them is finished later, when
# the socket is writable again; while it owes bytes it reads no more.
import selectors
import socket
import sys

sel = selectors.DefaultSelector()
pending = {}                      # connection -> bytes not yet sent back


def close(conn):
    sel.unregister(conn)
    del pending[conn]
    conn.close()


def accept(server):
    try:
        conn, addr = server.accept()
    except BlockingIOError:
        return                    # the caller gave up before we got to it
    conn.setblocking(False)
    pending[conn] = b''
    sel.register(conn, selectors.EVENT_READ)


def flush(conn):
    try:
        sent = conn.send(pending[conn])
    except BlockingIOError:
        sent = 0
    pending[conn] = pending[conn][sent:]
    if pending[conn]:
        sel.modify(conn, selectors.EVENT_WRITE)   # wait until it can take more
    else:
        sel.modify(conn, selectors.EVENT_READ)    # all sent: listen again


def readable(conn):
    try:
        data = conn.recv(4096)
    except BlockingIOError:
        return
    if not data:                  # b'': the client has closed its side
        close(conn)
        return
    pending[conn] = data
    flush(conn)


port = int(sys.argv[1])
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', port))
server.listen(16)
server.setblocking(False)
sel.register(server, selectors.EVENT_READ)

while True:
    for key, events in sel.select():
        sock = key.fileobj
        if sock is server:
            accept(server)
            continue
        try:
            if events & selectors.EVENT_WRITE:
                flush(sock)
            else:
                readable(sock)
        except (ConnectionResetError, BrokenPipeError):
            close(sock)           # this client hung up hard; the others go on
