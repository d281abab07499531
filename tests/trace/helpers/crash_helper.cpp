// Traced by the tests: opens a socket, then dies the way its argument says, so the
// trace must end with the right status and never hang.
//   segv      crash with SIGSEGV right after socket()
//   exit-mid  a second thread calls _exit(3) while the main thread waits in accept()
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <thread>

int main(int argc, char** argv) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (argc > 1 && std::strcmp(argv[1], "segv") == 0) {
    std::raise(SIGSEGV);
    return 0;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd, 1) != 0) return 1;
  // accept() blocks forever here (nobody connects), so _exit() from the other thread
  // lands while the main thread is in the call or just before it: both must end the trace.
  std::thread killer([] { ::_exit(3); });
  killer.detach();
  (void)::accept(fd, nullptr, nullptr);
  return 0;
}
