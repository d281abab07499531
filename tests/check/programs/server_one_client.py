# The tutorial's echo server: accept one call, echo it, hang up, switch off.
# Bug: it calls accept() only once, so it serves a single client and then
# exits; nobody after the first caller gets an answer.
import socket
import sys

port = int(sys.argv[1])
phone = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
phone.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
phone.bind(('127.0.0.1', port))
phone.listen(5)
conn, client_addr = phone.accept()
try:
    while True:
        data = conn.recv(1024)
        if not data:
            break
        conn.sendall(data)
except (ConnectionResetError, BrokenPipeError):
    pass
conn.close()
phone.close()
