#pragma once
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/sockets/socket_ops.hpp"

namespace sockstep::test {

// A listener on 127.0.0.1 with a kernel-chosen port, made with the engine's own ops.
struct Listener {
  int fd = -1;
  int port = 0;
};

inline Listener listen_loopback(OpContext& ctx, int backlog = 5) {
  Listener l;
  l.fd = static_cast<int>(ops::socket(ctx, AF_INET, SOCK_STREAM).value);
  (void)ops::bind(ctx, l.fd, Address{AF_INET, "127.0.0.1", 0, {}});
  (void)ops::listen(ctx, l.fd, backlog);
  l.port = ops::getsockname(ctx, l.fd).address.port;
  return l;
}

inline Address loopback(int port) { return Address{AF_INET, "127.0.0.1", port, {}}; }

// A connected pair: client fd and the server's accepted fd.
struct Pair {
  int client = -1;
  int server = -1;
};

inline Pair connected_pair(OpContext& ctx, const Listener& l) {
  Pair p;
  p.client = static_cast<int>(ops::socket(ctx, AF_INET, SOCK_STREAM).value);
  (void)ops::connect(ctx, p.client, loopback(l.port));
  p.server = static_cast<int>(ops::accept(ctx, l.fd).value);
  return p;
}


}  // namespace sockstep::test
