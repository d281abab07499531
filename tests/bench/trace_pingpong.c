/* The traced program of bench_trace: a server and a client in two processes (fork),
 * N ping-pongs of 64 bytes over loopback. The client prints the loop's own time,
 * so start-up (and the tracer's start-up) is not counted. Usage: trace_pingpong N */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { kMessage = 64 };

static int read_exact(int fd, char* buffer, size_t n) {
  size_t got = 0;
  while (got < n) {
    const ssize_t r = recv(fd, buffer + got, n - got, 0);
    if (r <= 0) return 0;
    got += (size_t)r;
  }
  return 1;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  const long trips = argc > 1 ? atol(argv[1]) : 100000;
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  if (bind(listener, (struct sockaddr*)&addr, sizeof addr) != 0 || listen(listener, 1) != 0 ||
      getsockname(listener, (struct sockaddr*)&addr, &length) != 0)
    return 2;
  const pid_t child = fork();
  if (child < 0) return 2;
  if (child == 0) {
    /* Client. */
    close(listener);
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr*)&addr, sizeof addr) != 0) return 3;
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char message[kMessage], reply[kMessage];
    memset(message, 'p', sizeof message);
    const double start = now_s();
    for (long i = 0; i < trips; ++i) {
      if (send(fd, message, sizeof message, 0) != (ssize_t)sizeof message) return 4;
      if (!read_exact(fd, reply, sizeof reply)) return 4;
    }
    const double elapsed = now_s() - start;
    printf("pingpong %ld trips %.6f s %.2f us/trip\n", trips, elapsed, elapsed * 1e6 / (double)trips);
    fflush(stdout);
    close(fd);
    return 0;
  }
  /* Server: echo until the client closes. */
  const int conn = accept(listener, NULL, NULL);
  const int one = 1;
  setsockopt(conn, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  char buffer[1024];
  for (;;) {
    const ssize_t n = recv(conn, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    if (send(conn, buffer, (size_t)n, 0) != n) break;
  }
  close(conn);
  close(listener);
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
