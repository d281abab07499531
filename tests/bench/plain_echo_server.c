/* The plain C echo server bench_echo measures `sockstep serve` against: a program of its
 * own, as serve is, so both ends of that comparison cross the same process boundary.
 * Listens on 127.0.0.1 (port 0: any free one), says where in the banner serve prints,
 * and echoes each client with blocking recv/send until it closes, one client at a time.
 * Ends on SIGTERM. Usage: plain_echo_server [PORT] */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char** argv) {
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons((unsigned short)(argc > 1 ? atoi(argv[1]) : 0));
  socklen_t length = sizeof addr;
  if (listener < 0 || bind(listener, (struct sockaddr*)&addr, sizeof addr) != 0 || listen(listener, 5) != 0 ||
      getsockname(listener, (struct sockaddr*)&addr, &length) != 0) {
    perror("plain_echo_server");
    return 2;
  }
  printf("serving on 127.0.0.1:%d\n", ntohs(addr.sin_port));
  fflush(stdout);
  for (;;) {
    const int conn = accept(listener, NULL, NULL);
    if (conn < 0) continue;
    char buffer[1024];
    for (;;) {
      const ssize_t n = recv(conn, buffer, sizeof buffer, 0);
      if (n <= 0 || send(conn, buffer, (size_t)n, MSG_NOSIGNAL) != n) break;
    }
    close(conn);
  }
}
