# An echo client: send one message, read the whole echo, print it, hang up.
# Bug: it sends with sock.send(MESSAGE) and ignores what send() returns, so if
# send() takes only part of the message, the rest is never sent.
import socket
import sys

MESSAGE = b'hello, sockstep'

port = int(sys.argv[1])
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    sock.connect(('127.0.0.1', port))
    sock.send(MESSAGE)            # returns how many bytes it took; not always all
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
