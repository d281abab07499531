"""A UDP echo of one datagram on 127.0.0.1:PORT, with OpenBSD nc as its client.

nc's UDP server never exits on its own, so here nc is the client: started once the
socket is bound, it sends a line and quits at the end of its input.
"""
import socket
import subprocess
import sys

port = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', int(port)))
nc = subprocess.Popen(['nc', '-u', '-N', '-q0', '127.0.0.1', port], stdin=subprocess.PIPE)
nc.stdin.write(b'hi\n')
nc.stdin.close()
data, sender = s.recvfrom(100)
s.sendto(data.upper(), sender)
nc.wait()
s.close()
