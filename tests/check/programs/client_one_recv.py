# An echo client: send one message, read the echo, print it, hang up.
# Bug: it takes one recv() as the whole reply, but TCP is a stream and the
# echo may arrive in several pieces, so it can print only the first of them.
import socket
import sys

MESSAGE = b'hello, sockstep'

port = int(sys.argv[1])
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    sock.connect(('127.0.0.1', port))
    sock.sendall(MESSAGE)
    reply = sock.recv(1024)       # "the reply" -- or only its first piece
except OSError as e:
    print(f'client: 127.0.0.1:{port}: {e.strerror}', file=sys.stderr)
    sock.close()
    sys.exit(1)
sock.close()
print(reply.decode())
