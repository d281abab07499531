# A forking socketserver (a child process per client) and its clients in one program:
# Python's own server classes, not code of this project.
import socket
import socketserver
import threading


class Upper(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(self.rfile.readline().upper())


with socketserver.ForkingTCPServer(('127.0.0.1', 0), Upper) as server:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for word in (b'hello\n', b'fork\n'):
        with socket.create_connection(server.server_address) as c:
            c.sendall(word)
            print(c.makefile('rb').readline())
    server.shutdown()
