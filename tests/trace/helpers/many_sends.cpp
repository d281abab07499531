// A program that makes many small sends: N one-byte send() calls on a socketpair, read by
// a forked child until EOF. Each send is one trace record; the tracer must deliver every
// one of them or count and say what it dropped.
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 1000000;
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return 2;
  const pid_t child = ::fork();
  if (child < 0) return 2;
  if (child == 0) {
    ::close(sv[0]);
    char buffer[65536];
    // read(), not recv(): reads on a socket are traced too, but this side is not counted.
    while (::read(sv[1], buffer, sizeof buffer) > 0) {
    }
    ::_exit(0);
  }
  ::close(sv[1]);
  for (long i = 0; i < n; ++i)
    if (::send(sv[0], "x", 1, 0) != 1) return 3;
  ::close(sv[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 4;
}
