#pragma once
// The preload's end of the trace channel, guarded so that the preload never writes into
// a descriptor it does not own. The channel is an fd number inside a program that knows
// nothing of it: the program may dup2() one of its own sockets onto that number, close
// it, or close every fd it did not open. Then a write "to the channel" would go into the
// program's socket, to its peer. So:
//   - every write first proves the fd is still the channel (fstat: a socket with the
//     channel's inode), so even a raw syscall that replaced it cannot be written into;
//   - before the program's dup2/dup3 takes the channel's number, the channel moves to a
//     free fd (channel_move_away), and writers that took the old number finish first;
//   - when the program closes it, the channel is given up (channel_give_up).
// Writers hold the channel only for one non-blocking system call (acquire/release), so a
// move waits microseconds. libc only, and raw system calls: inside the preload, close()
// or fcntl() would be its own wrappers.
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

namespace sockstep::trace {

struct ChannelEnd {
  int fd = -1;                   // -1: no channel (tracing is off, or the channel was lost)
  unsigned long long inode = 0;  // what proves that fd is still the channel
  int users = 0;                 // writers between channel_acquire and channel_release
  int moving = 0;                // one mover at a time
};

// True if fd is a socket with the channel's inode.
inline bool fd_is_channel(int fd, unsigned long long inode) {
  struct stat st {};
  if (fd < 0 || syscall(SYS_fstat, fd, &st) != 0) return false;
  return S_ISSOCK(st.st_mode) && static_cast<unsigned long long>(st.st_ino) == inode;
}

// The fd to write on, or -1 (no channel, or its number now holds something else).
// Every fd >= 0 returned must be given back with channel_release().
inline int channel_acquire(ChannelEnd& c) {
  __atomic_add_fetch(&c.users, 1, __ATOMIC_SEQ_CST);
  const int fd = __atomic_load_n(&c.fd, __ATOMIC_SEQ_CST);
  if (fd >= 0 && fd_is_channel(fd, __atomic_load_n(&c.inode, __ATOMIC_RELAXED))) return fd;
  __atomic_sub_fetch(&c.users, 1, __ATOMIC_SEQ_CST);
  return -1;
}

inline void channel_release(ChannelEnd& c) { __atomic_sub_fetch(&c.users, 1, __ATOMIC_SEQ_CST); }

inline bool channel_open(const ChannelEnd& c) { return __atomic_load_n(&c.fd, __ATOMIC_RELAXED) >= 0; }

namespace channel_detail {
inline void lock(ChannelEnd& c) {
  while (__atomic_exchange_n(&c.moving, 1, __ATOMIC_ACQUIRE) != 0) sched_yield();
}
inline void unlock(ChannelEnd& c) { __atomic_store_n(&c.moving, 0, __ATOMIC_RELEASE); }
// After c.fd changed: a writer that took the old number is inside one non-blocking call.
// Bounded, so that a signal handler that interrupted a writer and moves the channel
// itself cannot wait forever for its own thread.
inline void wait_for_writers(ChannelEnd& c) {
  for (long spins = 0; __atomic_load_n(&c.users, __ATOMIC_SEQ_CST) != 0 && spins < 100000; ++spins) sched_yield();
}
}  // namespace channel_detail

// Before the program puts something else at fd (dup2/dup3 onto it): if fd is the
// channel, the channel moves to another free fd, above it when there is room. Returns
// false if no fd was free: the channel is still at fd then, and the caller gives it up.
inline bool channel_move_away(ChannelEnd& c, int fd) {
  if (fd < 0 || __atomic_load_n(&c.fd, __ATOMIC_SEQ_CST) != fd) return true;
  channel_detail::lock(c);
  bool kept = true;
  const int old = c.fd;
  if (old == fd) {
    int moved = -1;
    // F_DUPFD without CLOEXEC: the channel goes on across exec, as it came.
    const int bases[] = {old + 1, old / 2, 3};
    for (const int base : bases) {
      moved = static_cast<int>(syscall(SYS_fcntl, old, F_DUPFD, base));
      if (moved >= 0) break;
    }
    kept = moved >= 0;
    if (kept) {
      __atomic_store_n(&c.fd, moved, __ATOMIC_SEQ_CST);
      channel_detail::wait_for_writers(c);
    }
  }
  channel_detail::unlock(c);
  return kept;
}

// The program closes the channel's fd (close, close_range): nothing is written to that
// number again. The caller closes it.
inline void channel_give_up(ChannelEnd& c) {
  channel_detail::lock(c);
  __atomic_store_n(&c.fd, -1, __ATOMIC_SEQ_CST);
  channel_detail::wait_for_writers(c);
  channel_detail::unlock(c);
}

// Sends one message without ever blocking in the call: when the channel is full it
// waits in poll() (10 ms at a time, at most `waits` times) and tries again. Returns the
// bytes sent, or -1 (no channel, the reader is gone, or it stayed full).
inline long channel_send(ChannelEnd& c, const msghdr* message, int waits = 200) {
  for (int attempt = 0;; ++attempt) {
    const int fd = channel_acquire(c);
    if (fd < 0) {
      errno = EBADF;
      return -1;
    }
    const long n = syscall(SYS_sendmsg, fd, message, MSG_NOSIGNAL | MSG_DONTWAIT);
    const int err = errno;
    if (n >= 0 || (err != EAGAIN && err != EINTR) || attempt >= waits) {
      channel_release(c);
      errno = err;
      return n;
    }
    if (err == EAGAIN) {
      pollfd p{fd, POLLOUT, 0};
      timespec wait{0, 10'000'000};
      (void)syscall(SYS_ppoll, &p, 1, &wait, nullptr, 0);
    }
    channel_release(c);
  }
}

// In a program that was just exec'd: the channel is at hint, or (moved before the exec)
// wherever a socket with its inode is; -1 if the program lost it.
inline int channel_find(int hint, unsigned long long inode) {
  if (fd_is_channel(hint, inode)) return hint;
  rlimit limit{};
  long last = 4096;
  if (syscall(SYS_getrlimit, RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < static_cast<rlim_t>(last))
    last = static_cast<long>(limit.rlim_cur);
  for (int fd = 0; fd < last; ++fd)
    if (fd_is_channel(fd, inode)) return fd;
  return -1;
}

}  // namespace sockstep::trace
