// Linked statically when the toolchain can: a preload library never loads into it.
#include <sys/socket.h>
#include <unistd.h>

int main() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd >= 0) ::close(fd);
  return 0;
}
