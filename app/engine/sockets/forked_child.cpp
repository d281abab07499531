#include "engine/sockets/forked_child.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace sockstep {
namespace {

// One request, and one answer, on the channel; the bytes (a send's data, a recv's) follow.
struct Request {
  int op = 0;
  int fd = -1;
  long long arg = 0;
  int flags = 0;
  unsigned length = 0;
};

enum : int { kWaiting = 1, kDone = 2 };

struct Answer {
  int kind = kDone;
  int err = 0;
  long long value = 0;
  unsigned length = 0;
};

constexpr std::size_t kChildBuffer = 1 << 16;

// ---- The child's side: system calls and static memory only (see the header). ----

char g_buffer[kChildBuffer];

bool child_read_all(int fd, void* to, std::size_t n) {
  char* p = static_cast<char*>(to);
  while (n > 0) {
    const ssize_t got = ::read(fd, p, n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    p += got;
    n -= static_cast<std::size_t>(got);
  }
  return true;
}

void child_answer(int channel, int kind, long long value, int err, const char* bytes, std::size_t length) {
  Answer a;
  a.kind = kind;
  a.err = err;
  a.value = value;
  a.length = static_cast<unsigned>(length);
  iovec parts[2] = {{&a, sizeof a}, {const_cast<char*>(bytes), length}};
  int count = length > 0 ? 2 : 1;
  iovec* at = parts;
  while (count > 0) {
    const ssize_t n = ::writev(channel, at, count);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ::_exit(1);  // the parent is gone
    std::size_t left = static_cast<std::size_t>(n);
    while (count > 0 && left >= at->iov_len) {
      left -= at->iov_len;
      ++at;
      --count;
    }
    if (count > 0) {
      at->iov_base = static_cast<char*>(at->iov_base) + left;
      at->iov_len -= left;
    }
  }
}

// A blocking socket's call, as the kernel makes it: tried without waiting first, so the
// parent learns that it waits (and shows it) before the child sits in the real call.
template <class Attempt>
ssize_t child_call(int channel, Attempt attempt) {
  for (;;) {
    const ssize_t n = attempt(MSG_DONTWAIT);
    if (n >= 0 || errno == EINTR) {
      if (n >= 0) return n;
      continue;
    }
    if (errno != EAGAIN) return -1;
    child_answer(channel, kWaiting, 0, 0, nullptr, 0);
    for (;;) {
      const ssize_t m = attempt(0);
      if (m < 0 && errno == EINTR) continue;
      return m;
    }
  }
}

void child_close_others(const int* keep, std::size_t count) {
  unsigned next = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const unsigned k = static_cast<unsigned>(keep[i]);
    if (k > next && ::syscall(SYS_close_range, next, k - 1, 0) != 0)
      for (unsigned fd = next; fd < k; ++fd) (void)::close(static_cast<int>(fd));
    next = k + 1;
  }
  if (::syscall(SYS_close_range, next, ~0U, 0) != 0) {
    rlimit limit{};
    const rlim_t top = ::getrlimit(RLIMIT_NOFILE, &limit) == 0 ? std::min<rlim_t>(limit.rlim_cur, 1 << 16) : 1024;
    for (rlim_t fd = next; fd < top; ++fd) (void)::close(static_cast<int>(fd));
  }
}

[[noreturn]] void child_serve(int channel) {
  for (;;) {
    Request r;
    if (!child_read_all(channel, &r, sizeof r)) ::_exit(1);  // the parent is gone
    if (r.length > kChildBuffer || !child_read_all(channel, g_buffer, r.length)) ::_exit(1);
    errno = 0;
    switch (static_cast<ForkedChild::Op>(r.op)) {
      case ForkedChild::Op::Recv: {
        const std::size_t room = static_cast<std::size_t>(std::clamp<long long>(r.arg, 1, kChildBuffer));
        const ssize_t n = child_call(channel, [&](int dontwait) {
          return ::recv(r.fd, g_buffer, room, dontwait != 0 ? MSG_DONTWAIT : r.flags);
        });
        child_answer(channel, kDone, n, n < 0 ? errno : 0, g_buffer, n > 0 ? static_cast<std::size_t>(n) : 0);
        break;
      }
      case ForkedChild::Op::Send:
      case ForkedChild::Op::Sendall: {
        // A blocking send() returns once all of it is queued, as sendall() does.
        std::size_t sent = 0;
        int err = 0;
        while (sent < r.length) {
          const ssize_t n = child_call(channel, [&](int dontwait) {
            return ::send(r.fd, g_buffer + sent, r.length - sent, MSG_NOSIGNAL | dontwait);
          });
          if (n < 0) {
            err = errno;
            break;
          }
          sent += static_cast<std::size_t>(n);
        }
        child_answer(channel, kDone, err != 0 && sent == 0 ? -1 : static_cast<long long>(sent), sent == 0 ? err : 0,
                     nullptr, 0);
        break;
      }
      case ForkedChild::Op::Close: {
        const int rc = ::close(r.fd);
        child_answer(channel, kDone, rc, rc != 0 ? errno : 0, nullptr, 0);
        break;
      }
      case ForkedChild::Op::Shutdown: {
        const int rc = ::shutdown(r.fd, static_cast<int>(r.arg));
        child_answer(channel, kDone, rc, rc != 0 ? errno : 0, nullptr, 0);
        break;
      }
      case ForkedChild::Op::Exit: ::_exit(static_cast<int>(r.arg & 0xff));
      default: child_answer(channel, kDone, -1, ENOSYS, nullptr, 0);
    }
  }
}

// ---- The parent's side. ----

bool read_all(int fd, void* to, std::size_t n) {
  char* p = static_cast<char*>(to);
  while (n > 0) {
    const ssize_t got = ::read(fd, p, n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    p += got;
    n -= static_cast<std::size_t>(got);
  }
  return true;
}

bool send_all(int fd, const void* from, std::size_t n) {
  const char* p = static_cast<const char*>(from);
  while (n > 0) {
    const ssize_t sent = ::send(fd, p, n, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    p += sent;
    n -= static_cast<std::size_t>(sent);
  }
  return true;
}

// Waits until fd is readable or the waker is woken: 0, ECANCELED, or the errno.
int wait_readable(int fd, Waker* waker, int timeout_ms = -1) {
  pollfd fds[2] = {{fd, POLLIN, 0}, {waker != nullptr ? waker->fd() : -1, POLLIN, 0}};
  for (;;) {
    const int n = ::poll(fds, 2, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return ETIMEDOUT;
    if ((fds[1].revents & POLLIN) != 0) return ECANCELED;
    return 0;
  }
}

}  // namespace

std::unique_ptr<ForkedChild> ForkedChild::start(const std::vector<int>& keep, int& err) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    err = errno;
    return nullptr;
  }
  // Everything the child needs is made here, before fork(): it allocates nothing.
  std::vector<int> kept = keep;
  kept.insert(kept.end(), {0, 1, 2, pair[1]});
  std::sort(kept.begin(), kept.end());
  kept.erase(std::unique(kept.begin(), kept.end()), kept.end());
  kept.erase(std::remove_if(kept.begin(), kept.end(), [](int fd) { return fd < 0; }), kept.end());
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    err = errno;
    ::close(pair[0]);
    ::close(pair[1]);
    return nullptr;
  }
  if (pid == 0) {
    // The child ends with the thread that forked it, so none outlives the session.
    (void)::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    struct sigaction dfl{};
    dfl.sa_handler = SIG_DFL;
    for (const int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) (void)::sigaction(sig, &dfl, nullptr);
    child_close_others(kept.data(), kept.size());
    // Ready: from now on its table holds only what it keeps.
    child_answer(pair[1], kDone, 0, 0, nullptr, 0);
    child_serve(pair[1]);
  }
  ::close(pair[1]);
  // Until the child has closed the descriptors it does not keep, it holds copies of
  // the other actors' sockets, whose close() would then send nothing: wait for it.
  Answer ready;
  if (!read_all(pair[0], &ready, sizeof ready)) {
    err = ECHILD;
    ::close(pair[0]);
    (void)::kill(pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    return nullptr;
  }
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd >= 0) (void)::fcntl(pidfd, F_SETFD, FD_CLOEXEC);
  err = 0;
  return std::unique_ptr<ForkedChild>(new ForkedChild(pid, pair[0], pidfd));
}

ForkedChild::~ForkedChild() {
  if (!reaped_) {
    (void)::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  ::close(channel_);
  if (pidfd_ >= 0) ::close(pidfd_);
}

void ForkedChild::await_exit(int timeout_ms) const {
  // A pidfd is readable once the process has exited (pidfd_open(2)): then it is a zombie.
  if (pidfd_ >= 0) (void)wait_readable(pidfd_, nullptr, timeout_ms);
}

ChildAnswer ForkedChild::call(Op op, int fd, long long arg, int flags, std::string_view data, Waker* waker,
                              const std::function<void()>& on_wait) {
  ChildAnswer out;
  if (gone_ || reaped_) {
    out.value = -1;
    out.err = ESRCH;
    return out;
  }
  Request r;
  r.op = static_cast<int>(op);
  r.fd = fd;
  r.arg = arg;
  r.flags = flags;
  r.length = static_cast<unsigned>(std::min(data.size(), kChildBuffer));
  if (!send_all(channel_, &r, sizeof r) || !send_all(channel_, data.data(), r.length)) {
    gone_ = true;
    out.value = -1;
    out.err = ESRCH;
    return out;
  }
  for (;;) {
    if (const int waited = wait_readable(channel_, waker); waited != 0) {
      out.value = -1;
      out.err = waited;
      return out;
    }
    Answer a;
    if (!read_all(channel_, &a, sizeof a)) {
      // The channel closed: the child exited, as it was asked to, or was killed.
      gone_ = true;
      if (op == Op::Exit) {
        await_exit(3000);
        out.value = arg;
        return out;
      }
      out.value = -1;
      out.err = ESRCH;
      return out;
    }
    if (a.kind == kWaiting) {
      if (on_wait) on_wait();
      continue;
    }
    out.value = a.value;
    out.err = a.err;
    out.bytes.resize(a.length);
    if (a.length > 0 && !read_all(channel_, out.bytes.data(), a.length)) {
      gone_ = true;
      out.value = -1;
      out.err = ESRCH;
    }
    return out;
  }
}

ChildAnswer ForkedChild::wait(int options, int& status, Waker* waker, const std::function<void()>& on_wait) {
  ChildAnswer out;
  status = 0;
  if (reaped_) {
    out.value = -1;
    out.err = ECHILD;
    return out;
  }
  if ((options & WNOHANG) == 0 && process_state() == "running") {
    if (on_wait) on_wait();
    if (pidfd_ >= 0) {
      if (const int waited = wait_readable(pidfd_, waker); waited != 0) {
        out.value = -1;
        out.err = waited;
        return out;
      }
    }
  }
  pid_t got;
  do {
    got = ::waitpid(pid_, &status, options | (pidfd_ >= 0 ? WNOHANG : 0));
  } while (got < 0 && errno == EINTR);
  if (got < 0) {
    out.value = -1;
    out.err = errno;
    return out;
  }
  if (got == pid_) {
    reaped_ = true;
    gone_ = true;
  }
  out.value = got;
  return out;
}

std::string ForkedChild::process_state() const {
  if (reaped_) return "reaped";
  std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return "reaped";
  // pid (comm) STATE ...: comm may hold spaces and parentheses, so read after the last ')'.
  const auto close = line.rfind(')');
  if (close == std::string::npos || close + 2 >= line.size()) return "running";
  const char state = line[close + 2];
  return state == 'Z' || state == 'X' ? "zombie" : "running";
}

unsigned long ForkedChild::socket_inode(int fd) const {
  if (gone_ || reaped_) return 0;
  char link[64];
  const std::string path = "/proc/" + std::to_string(pid_) + "/fd/" + std::to_string(fd);
  const ssize_t n = ::readlink(path.c_str(), link, sizeof link - 1);
  if (n <= 0) return 0;
  link[n] = '\0';
  unsigned long inode = 0;
  return std::sscanf(link, "socket:[%lu]", &inode) == 1 ? inode : 0;
}

int ForkedChild::descriptors_of(unsigned long inode) const {
  if (gone_ || reaped_) return 0;
  return descriptors_in(std::to_string(pid_), inode);
}

unsigned long socket_inode_of_fd(int fd) {
  struct stat st{};
  if (::fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) return 0;
  return static_cast<unsigned long>(st.st_ino);
}

int descriptors_in(const std::string& pid, unsigned long inode) {
  if (inode == 0) return 0;
  const std::string dir = "/proc/" + pid + "/fd";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return 0;
  const std::string wanted = "socket:[" + std::to_string(inode) + "]";
  int count = 0;
  while (const dirent* entry = ::readdir(d)) {
    if (entry->d_name[0] == '.') continue;
    char link[64];
    const ssize_t n = ::readlinkat(::dirfd(d), entry->d_name, link, sizeof link - 1);
    if (n <= 0) continue;
    link[n] = '\0';
    if (wanted == link) ++count;
  }
  ::closedir(d);
  return count;
}

}  // namespace sockstep
