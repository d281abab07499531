// Traced by the tests: opens a socket, then dies the way its argument says, so the
// trace must end with the right status and never hang.
//   segv      crash with SIGSEGV right after socket()
//   exit-mid  a second thread calls _exit(3) while the main thread waits in accept()
//   efault    sends from a bad pointer, with send() and with sendmsg(): each fails with
//             EFAULT, and the tracer must not read that pointer itself; exits 0
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

namespace {

int send_from_bad_pointers() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(9);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) return 1;
  void* bad = reinterpret_cast<void*>(16);
  if (::send(fd, bad, 10, 0) != -1 || errno != EFAULT) return 1;
  iovec iov{nullptr, 10};
  msghdr message{};
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  if (::sendmsg(fd, &message, 0) != -1 || errno != EFAULT) return 1;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "efault") == 0) return send_from_bad_pointers();
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
