import socket
phone = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
phone.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)   # 在 connect() 之前
phone.connect(addr)
phone.setblocking(False)
sent = phone.send(b'x' * 100000)    # 只收下一部分
try:
    phone.sendall(b'x' * 100000)    # 非阻塞:不会等
except BlockingIOError as e:
    print(e)                        # [Errno 11] Resource temporarily unavailable
phone.close()                       # 发送队列里的字节由内核接着发
