# An echo client that waits for its server to come up.
# Bug: when the connection is refused it tries again every 0.1 s with no limit,
# so if no server ever comes it hangs forever instead of reporting the error.
import socket
import sys
import time

MESSAGE = b'hello, sockstep'

port = int(sys.argv[1])
while True:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.connect(('127.0.0.1', port))
        break
    except ConnectionRefusedError:
        sock.close()
        time.sleep(0.1)           # maybe the server is still starting...
    except OSError as e:
        print(f'client: 127.0.0.1:{port}: {e.strerror}', file=sys.stderr)
        sock.close()
        sys.exit(1)
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
