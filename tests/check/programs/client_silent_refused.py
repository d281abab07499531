# An echo client: send one message, read the whole echo, print it, hang up.
# Bug: when the connection is refused it catches the error and quietly exits
# with status 0, so whoever ran it is told that all went well.
import socket
import sys

MESSAGE = b'hello, sockstep'

port = int(sys.argv[1])
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    sock.connect(('127.0.0.1', port))
except ConnectionRefusedError:
    sock.close()
    sys.exit()                    # no server, nothing to do
try:
    sock.sendall(MESSAGE)
    reply = b''
    while len(reply) < len(MESSAGE):
        piece = sock.recv(1024)
        if not piece:
            break
        reply += piece
except OSError as e:
    print(f'client: 127.0.0.1:{port}: {e.strerror}', file=sys.stderr)
    sock.close()
    sys.exit(1)
sock.close()
if len(reply) < len(MESSAGE):
    print(f'client: the server hung up after {len(reply)} of {len(MESSAGE)} bytes', file=sys.stderr)
    sys.exit(1)
print(reply.decode())
