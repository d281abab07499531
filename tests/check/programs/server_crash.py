# An echo server in one thread: a select() loop that also logs each message.
# Bug: to log the last character it indexes text[len(text)], one past the end,
# so the first message raises IndexError and the whole server dies.
import select
import socket
import sys

port = int(sys.argv[1])
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', port))
server.listen(16)
clients = []

while True:
    readable, _, _ = select.select([server] + clients, [], [])
    for sock in readable:
        if sock is server:
            conn, addr = server.accept()
            clients.append(conn)
            continue
        try:
            data = sock.recv(4096)
        except ConnectionResetError:
            data = b''
        if not data:
            clients.remove(sock)
            sock.close()
            continue
        text = data.decode('utf-8', errors='replace')
        print('got', len(text), 'characters, the last is', repr(text[len(text)]))
        try:
            sock.sendall(data)
        except (ConnectionResetError, BrokenPipeError):
            clients.remove(sock)
            sock.close()
