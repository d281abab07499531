# A threading socketserver and two clients, in one program: Python's own server classes,
# not code of this project.
import socket
import socketserver
import threading


class Upper(socketserver.StreamRequestHandler):
    def handle(self):
        line = self.rfile.readline()
        self.wfile.write(line.upper())


with socketserver.ThreadingTCPServer(('127.0.0.1', 0), Upper) as server:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for word in (b'hello\n', b'world\n'):
        with socket.create_connection(server.server_address) as c:
            c.sendall(word)
            print(c.makefile('rb').readline())
    server.shutdown()
